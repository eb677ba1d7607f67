package dev.strata.estimator.flops;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * A FLOP count as named terms (2 FLOPs per multiply-accumulate); {@link #total()} is their sum. Immutable; one small
 * array per result, nothing else allocated.
 */
public final class FlopsBreakdown {
    private static final FlopComponent[] COMPONENTS = FlopComponent.values();
    private final double[] terms;

    FlopsBreakdown(double[] terms) {
        this.terms = terms;
    }

    /** An empty count. */
    static double[] newTerms() {
        return new double[COMPONENTS.length];
    }

    /**
     * One term.
     *
     * @param c the term
     * @return its FLOPs
     */
    public double get(FlopComponent c) {
        return terms[c.ordinal()];
    }

    /**
     * The sum of the terms.
     *
     * @return the total FLOPs
     */
    public double total() {
        double s = 0;
        for (double v : terms) s += v;
        return s;
    }

    /**
     * The attention core: scores, softmax and weighted sum (what selective recomputation repeats).
     *
     * @return FLOPs of scores, softmax and weighted sum
     */
    public double attentionCore() {
        return get(FlopComponent.ATTENTION_SCORES)
                + get(FlopComponent.ATTENTION_SOFTMAX)
                + get(FlopComponent.ATTENTION_WEIGHTED_SUM);
    }

    /**
     * The transformer layers alone: everything but the embedding and the output logits.
     *
     * @return the total less embedding and output logits
     */
    public double layers() {
        return total() - get(FlopComponent.EMBEDDING) - get(FlopComponent.OUTPUT_LOGITS);
    }

    /**
     * Every term multiplied by {@code factor}.
     *
     * @param factor the multiplier
     * @return a new breakdown
     */
    public FlopsBreakdown times(double factor) {
        double[] t = terms.clone();
        for (int i = 0; i < t.length; i++) t[i] *= factor;
        return new FlopsBreakdown(t);
    }

    /**
     * The non-zero terms in a fixed order (for reports; allocates).
     *
     * @return FLOPs by term
     */
    public Map<FlopComponent, Double> breakdown() {
        EnumMap<FlopComponent, Double> m = new EnumMap<>(FlopComponent.class);
        forEachTerm(m::put);
        return Collections.unmodifiableMap(m);
    }

    /**
     * Each term of {@link #breakdown()}, in its order, without the map and the boxed values (what a report writes).
     *
     * @param action receives each term and its FLOPs
     */
    public void forEachTerm(java.util.function.ObjDoubleConsumer<FlopComponent> action) {
        for (FlopComponent c : COMPONENTS) if (terms[c.ordinal()] != 0) action.accept(c, terms[c.ordinal()]);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FlopsBreakdown f && Arrays.equals(terms, f.terms);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(terms);
    }

    @Override
    public String toString() {
        return "FlopsBreakdown[total=" + total() + ", " + breakdown() + "]";
    }
}
