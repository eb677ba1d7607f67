package dev.strata.estimator.params;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * An exact parameter count as named terms. {@link #total()} and {@link #active()} are the sums of the terms.
 *
 * <p>Conventions (docs/formulas.md, "Counting conventions"): every trainable weight including norms and biases, no
 * buffers; tied embeddings count once; {@code active} is what one token touches: everything except routed experts,
 * plus top-k routed experts per MoE layer (the embedding table counts in full, as in Mixtral's published
 * 12,879,925,248 active). DeepSeek-V3's multi-token-prediction modules are not in the total: see
 * {@link #multiTokenPrediction()}.
 */
public final class ParameterCount {
    private static final ParamComponent[] COMPONENTS = ParamComponent.values();
    private final long[] total;
    private final long[] active;
    private final long multiTokenPrediction;
    private final long encoder;
    private final long totalSum;
    private final long activeSum;

    /** The terms; their sums are taken here, exactly (an {@link ArithmeticException} if one does not fit a long). */
    ParameterCount(long[] total, long[] active, long multiTokenPrediction, long encoder) {
        this.total = total;
        this.active = active;
        this.multiTokenPrediction = multiTokenPrediction;
        this.encoder = encoder;
        this.totalSum = sum(total);
        this.activeSum = active == total ? totalSum : sum(active); // a dense model's counts share their terms
    }

    private static long sum(long[] terms) {
        long s = 0;
        for (long v : terms) s = Math.addExact(s, v);
        return s;
    }

    /**
     * All parameters of the main model.
     *
     * @return parameters
     */
    public long total() {
        return totalSum;
    }

    /**
     * Parameters one token touches (equal to {@link #total()} for dense models).
     *
     * @return parameters
     */
    public long active() {
        return activeSum;
    }

    /**
     * One term of the total.
     *
     * @param c the term
     * @return its parameters
     */
    public long total(ParamComponent c) {
        return total[c.ordinal()];
    }

    /**
     * One term of the active count.
     *
     * @param c the term
     * @return its active parameters
     */
    public long active(ParamComponent c) {
        return active[c.ordinal()];
    }

    /**
     * Parameters of the whole model that are not in the embedding table or learned position table.
     *
     * @return parameters
     */
    public long nonEmbedding() {
        return total() - total(ParamComponent.EMBEDDING) - total(ParamComponent.POSITION_EMBEDDING);
    }

    /**
     * Parameters of DeepSeek-V3's multi-token-prediction modules, reported apart from the main model: per module
     * enorm, hnorm, eh_proj (2d x d), one transformer layer like the last one, and the shared head's norm. The
     * embedding and output head they share with the main model are not counted again here (the published
     * checkpoint stores copies of them). 0 for models without MTP.
     *
     * @return parameters
     */
    public long multiTokenPrediction() {
        return multiTokenPrediction;
    }

    /**
     * Parameters of the encoders a multimodal checkpoint holds beside the language model (vision tower and
     * projector), reported apart from it; 0 for text-only models.
     *
     * @return parameters
     */
    public long encoder() {
        return encoder;
    }

    /**
     * Everything a checkpoint of this model holds once: the language model, its multi-token-prediction modules and
     * its encoders. What a published checkpoint total counts (less copies of shared weights and stored buffers).
     *
     * @return total + multiTokenPrediction + encoder
     */
    public long checkpointTotal() {
        return Math.addExact(Math.addExact(totalSum, multiTokenPrediction), encoder);
    }

    /**
     * The non-zero terms of the total, in a fixed order, keyed by component.
     *
     * @return parameters by term
     */
    public Map<ParamComponent, Long> breakdown() {
        EnumMap<ParamComponent, Long> m = new EnumMap<>(ParamComponent.class);
        forEachTerm(m::put);
        return Collections.unmodifiableMap(m);
    }

    /**
     * The non-zero terms of the active count, keyed by component.
     *
     * @return active parameters by term
     */
    public Map<ParamComponent, Long> activeBreakdown() {
        EnumMap<ParamComponent, Long> m = new EnumMap<>(ParamComponent.class);
        forEachActiveTerm(m::put);
        return Collections.unmodifiableMap(m);
    }

    /**
     * Each term of {@link #breakdown()}, in its order, without the map and the boxed values (what a report writes).
     *
     * @param action receives each term and its parameters
     */
    public void forEachTerm(java.util.function.ObjLongConsumer<ParamComponent> action) {
        forEach(total, action);
    }

    /**
     * Each term of {@link #activeBreakdown()}, in its order, without the map and the boxed values.
     *
     * @param action receives each term and its active parameters
     */
    public void forEachActiveTerm(java.util.function.ObjLongConsumer<ParamComponent> action) {
        forEach(active, action);
    }

    private static void forEach(long[] terms, java.util.function.ObjLongConsumer<ParamComponent> action) {
        for (ParamComponent c : COMPONENTS) if (terms[c.ordinal()] != 0) action.accept(c, terms[c.ordinal()]);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ParameterCount p
                && Arrays.equals(total, p.total)
                && Arrays.equals(active, p.active)
                && multiTokenPrediction == p.multiTokenPrediction
                && encoder == p.encoder;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(total) + Arrays.hashCode(active);
    }

    @Override
    public String toString() {
        return "ParameterCount[total=" + total() + ", active=" + active() + ", breakdown=" + breakdown() + "]";
    }
}
