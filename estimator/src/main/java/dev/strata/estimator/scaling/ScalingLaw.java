package dev.strata.estimator.scaling;

import dev.strata.model.InvalidFieldException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A neural scaling law: the loss a model of N parameters reaches on D tokens, and the allocation of a compute
 * budget between N and D that the law recommends. The built-in laws are in {@link ScalingLaws}; a user adds one by
 * constructing a {@link ChinchillaLaw} with their own constants (or the result of {@link ChinchillaFit}), or by
 * implementing this interface.
 *
 * <p>Losses of different laws are not comparable: each is in nats per token on its paper's own data and tokenizer.
 */
public interface ScalingLaw {
    /**
     * Stable lower-case id ({@code chinchilla}, {@code epoch-2024}).
     *
     * @return the id
     */
    String id();

    /**
     * Display name.
     *
     * @return the name
     */
    String name();

    /**
     * Paper, section and equation or table the law and its constants come from.
     *
     * @return the source
     */
    String source();

    /**
     * What N counts in this law ("all parameters", "non-embedding parameters").
     *
     * @return the meaning of N
     */
    String paramsMeaning();

    /**
     * The constants by their names in the paper, in a fixed order, for display (see {@link #constants(List,
     * double...)}).
     *
     * @return the constants by name
     */
    Map<String, Double> constants();

    /**
     * Whether the law predicts a loss. The default is false, an allocation-only law; a law with a loss formula
     * overrides this and {@link #loss}.
     *
     * @return whether {@link #loss} is defined
     */
    default boolean hasLoss() {
        return false;
    }

    /**
     * The predicted loss for N parameters trained on D tokens, in nats per token. The default, for a law without a
     * loss formula, throws {@link #noLoss}.
     *
     * @param params N
     * @param tokens D
     * @return the loss, nats per token
     * @throws InvalidFieldException (field {@code law}) when the law has no loss formula
     */
    default double loss(double params, double tokens) {
        throw noLoss();
    }

    /**
     * The allocation of a budget of C FLOPs that the law recommends (its paper's own frontier).
     *
     * @param computeFlops the budget C
     * @return the allocation
     */
    ComputeOptimal optimal(double computeFlops);

    /**
     * The allocation that minimises this law's own {@link #loss} along C = 6ND. The same as {@link #optimal} for
     * the Chinchilla form; differs for laws whose paper gives a separately fitted frontier (Kaplan et al. 2020).
     * The default minimises numerically.
     *
     * @param computeFlops the budget C
     * @return the allocation
     */
    default ComputeOptimal lossMinimising(double computeFlops) {
        return Planner.numericLossMinimising(this, computeFlops);
    }

    /**
     * The smallest budget that reaches {@code targetLoss} on the loss-minimising frontier, with its allocation. The
     * default finds the root numerically.
     *
     * @param targetLoss the loss to reach, nats per token
     * @return the budget and its allocation
     */
    default ComputeOptimal computeForLoss(double targetLoss) {
        return Planner.numericComputeForLoss(this, targetLoss);
    }

    /**
     * The error for laws without a loss formula.
     *
     * @return the exception, naming the law (field {@code law})
     */
    default InvalidFieldException noLoss() {
        return new InvalidFieldException(
                "law", id(), "a law with a loss formula (" + id() + " only gives a compute-optimal allocation)");
    }

    /**
     * The map {@link #constants()} returns: {@code names.get(i) -> values[i]}, in the order given, unmodifiable.
     *
     * @param names the constants' names
     * @param values their values, one per name
     * @return the map
     * @throws IllegalArgumentException when there are not as many values as names
     */
    static Map<String, Double> constants(List<String> names, double... values) {
        if (names.size() != values.length)
            throw new IllegalArgumentException(names.size() + " constant names for " + values.length + " values");
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < values.length; i++) m.put(names.get(i), values[i]);
        return Collections.unmodifiableMap(m);
    }
}
