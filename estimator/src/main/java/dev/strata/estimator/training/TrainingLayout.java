package dev.strata.estimator.training;

import dev.strata.model.InvalidFieldException;
import dev.strata.model.Parallelism;
import dev.strata.model.Recompute;
import dev.strata.model.internal.Checks;
import dev.strata.model.internal.Limits;

/**
 * How a training run is laid out over its devices and batched: Megatron-LM's options (Narayanan et al. 2021,
 * arXiv:2104.04473 §2 and §3; Korthikanti et al. 2022, arXiv:2205.05198 §4 and §5). Every field name is the command
 * line's option without its dashes.
 *
 * @param tensor           tensor-parallel ranks {@code t}
 * @param pipeline         pipeline stages {@code p}
 * @param data             data-parallel replicas {@code d}
 * @param interleave       model chunks per pipeline stage {@code V} (1: plain 1F1B; more: the interleaved schedule)
 * @param globalBatch      sequences per optimizer step {@code B}
 * @param microBatch       sequences per micro-batch {@code b}
 * @param sequenceLength   tokens per sequence {@code s}
 * @param recompute        activation recomputation
 * @param sequenceParallel whether the norms and dropouts are split over the tensor-parallel ranks (reduce-scatter and
 *                         all-gather in place of the all-reduces)
 * @param zeroStage        ZeRO stage 0 to 3 over the data-parallel ranks (1: distributed optimizer; 3: weights too)
 * @param expert           expert-parallel ranks {@code e}: each holds 1/e of the routed experts (split by t within
 *                         it); must divide d
 */
public record TrainingLayout(
        int tensor,
        int pipeline,
        int data,
        int interleave,
        int globalBatch,
        int microBatch,
        int sequenceLength,
        Recompute recompute,
        boolean sequenceParallel,
        int zeroStage,
        int expert) {
    /** Largest global batch accepted, in sequences. */
    public static final int MAX_GLOBAL_BATCH = 1 << 24;

    /**
     * Checks the fields and that they fit together; an invalid one throws an {@link InvalidFieldException} naming it
     * (the command line's option).
     *
     * @param tensor tensor-parallel ranks {@code t}
     * @param pipeline pipeline stages {@code p}
     * @param data data-parallel replicas {@code d}
     * @param interleave model chunks per pipeline stage {@code V}
     * @param globalBatch sequences per optimizer step {@code B}
     * @param microBatch sequences per micro-batch {@code b}
     * @param sequenceLength tokens per sequence {@code s}
     * @param recompute activation recomputation
     * @param sequenceParallel whether the norms and dropouts are split over the tensor-parallel ranks
     * @param zeroStage ZeRO stage 0 to 3 over the data-parallel ranks
     * @param expert expert-parallel ranks {@code e}, a divisor of d
     */
    public TrainingLayout {
        Checks.range("tp", tensor, 1, Parallelism.MAX_DEGREE);
        Checks.range("pp", pipeline, 1, Parallelism.MAX_DEGREE);
        Checks.range("dp", data, 1, Parallelism.MAX_DEGREE);
        Checks.range("interleave", interleave, 1, 1024);
        Checks.range("global-batch", globalBatch, 1, MAX_GLOBAL_BATCH);
        Checks.range("micro-batch", microBatch, 1, MAX_GLOBAL_BATCH);
        Checks.range("seq-len", sequenceLength, 1, Limits.MAX_CONTEXT);
        Checks.present("recompute", recompute);
        Checks.range("zero", zeroStage, 0, 3);
        Checks.range("ep", expert, 1, Parallelism.MAX_DEGREE);
        if (data % expert != 0)
            throw new InvalidFieldException(
                    "ep", expert, "a divisor of dp = " + data + " (experts spread over replicas)");
        if ((long) tensor * pipeline * data > Parallelism.MAX_DEGREE)
            throw new InvalidFieldException("dp", data, "such that tp x pp x dp <= " + Parallelism.MAX_DEGREE);
        if (globalBatch % ((long) microBatch * data) != 0)
            throw new InvalidFieldException(
                    "global-batch",
                    globalBatch,
                    "a multiple of micro-batch x dp = " + (long) microBatch * data
                            + " (each replica runs whole micro-batches)");
        if (interleave > 1 && pipeline == 1)
            throw new InvalidFieldException("interleave", interleave, "1 when pp is 1 (nothing to interleave)");
        if (interleave > 1 && (globalBatch / ((long) microBatch * data)) % pipeline != 0)
            throw new InvalidFieldException(
                    "global-batch",
                    globalBatch,
                    "with --interleave > 1, micro-batches per replica (global-batch / (micro-batch x dp)) a multiple"
                            + " of pp = " + pipeline + " (Megatron-LM's interleaved schedule)");
    }

    /**
     * A layout without expert parallelism.
     *
     * @param tensor tensor-parallel ranks {@code t}
     * @param pipeline pipeline stages {@code p}
     * @param data data-parallel replicas {@code d}
     * @param interleave model chunks per pipeline stage {@code V}
     * @param globalBatch sequences per optimizer step {@code B}
     * @param microBatch sequences per micro-batch {@code b}
     * @param sequenceLength tokens per sequence {@code s}
     * @param recompute activation recomputation
     * @param sequenceParallel whether the norms and dropouts are split over the tensor-parallel ranks
     * @param zeroStage ZeRO stage 0 to 3 over the data-parallel ranks
     */
    public TrainingLayout(
            int tensor,
            int pipeline,
            int data,
            int interleave,
            int globalBatch,
            int microBatch,
            int sequenceLength,
            Recompute recompute,
            boolean sequenceParallel,
            int zeroStage) {
        this(
                tensor,
                pipeline,
                data,
                interleave,
                globalBatch,
                microBatch,
                sequenceLength,
                recompute,
                sequenceParallel,
                zeroStage,
                1);
    }

    /**
     * Devices used: t x p x d.
     *
     * @return tensor x pipeline x data
     */
    public long devices() {
        return (long) tensor * pipeline * data;
    }

    /**
     * Micro-batches each replica runs per step: {@code m = B / (b d)}.
     *
     * @return micro-batches per step
     */
    public int microBatches() {
        return globalBatch / (microBatch * data);
    }

    /**
     * Tokens per optimizer step: B x s.
     *
     * @return tokens
     */
    public double tokensPerStep() {
        return (double) globalBatch * sequenceLength;
    }

    /**
     * The layout as strata's {@link Parallelism}.
     *
     * @return the parallelism
     */
    public Parallelism parallelism() {
        return new Parallelism(tensor, pipeline, data, expert, zeroStage, sequenceParallel);
    }
}
