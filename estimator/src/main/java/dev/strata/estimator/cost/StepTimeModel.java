package dev.strata.estimator.cost;

import dev.strata.model.InvalidFieldException;
import dev.strata.model.internal.Checks;

/**
 * Seconds one decode step takes at a batch size: each of the {@code batch} sequences gets one output token per
 * step. strata's latency estimator supplies the real model (weights and KV cache read per step against memory
 * bandwidth, FLOPs against peak); until then {@link #linear} and {@link #measured} stand in.
 */
@FunctionalInterface
public interface StepTimeModel {
    /**
     * Seconds per decode step at {@code batch} concurrent sequences (must be positive and finite).
     *
     * @param batch concurrent sequences
     * @return seconds per step
     */
    double decodeStepSeconds(int batch);

    /**
     * t(b) = fixed + b x perSequence: a step reads the weights once (the fixed part) and each sequence's KV cache
     * and compute (the per-sequence part); a first-order model of a bandwidth-bound decode step.
     *
     * @param fixedSeconds seconds per step whatever the batch, above 0
     * @param perSequenceSeconds seconds each sequence adds to a step, 0 or more
     * @return the model
     */
    static StepTimeModel linear(double fixedSeconds, double perSequenceSeconds) {
        Checks.positive("fixedSeconds", fixedSeconds, 1e6);
        Checks.range("perSequenceSeconds", perSequenceSeconds, 0, 1e6);
        return b -> fixedSeconds + b * perSequenceSeconds;
    }

    /**
     * A measured throughput at one batch size: b / tokensPerSecond seconds per step at that batch. Only that batch
     * is known; other batch sizes are refused (field {@code batch}).
     *
     * @param batch the batch the throughput was measured at
     * @param outputTokensPerSecond the measured output tokens per second
     * @return the model, defined at that batch only
     */
    static StepTimeModel measured(int batch, double outputTokensPerSecond) {
        Checks.range("batch", batch, 1, ServingCost.MAX_BATCH);
        Checks.positive("tokens-per-second", outputTokensPerSecond, 1e12);
        return b -> {
            if (b != batch)
                throw new InvalidFieldException(
                        "batch", b, "the measured batch " + batch + " (a single measurement gives no other)");
            return batch / outputTokensPerSecond;
        };
    }
}
