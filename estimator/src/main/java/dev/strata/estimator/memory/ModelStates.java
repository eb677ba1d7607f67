package dev.strata.estimator.memory;

import dev.strata.model.Optimizer;
import dev.strata.model.Parallelism;
import dev.strata.model.Precision;
import dev.strata.model.internal.Checks;
import dev.strata.model.internal.WholeNumbers;

/**
 * Model-state memory of training under ZeRO (Rajbhandari et al. 2020, arXiv:1910.02054).
 *
 * <p>Mixed-precision Adam keeps, per parameter Ψ, 2 bytes of fp16/bf16 weights, 2 of gradients and K = 12 of fp32
 * master weights, momentum and variance (§3.1): 16Ψ. ZeRO partitions them over the N_d data-parallel ranks (§5,
 * Figure 1): stage 1 the optimizer states (4Ψ + 12Ψ/N_d), stage 2 also the gradients (2Ψ + 14Ψ/N_d), stage 3 also the
 * weights (16Ψ/N_d). The paper's example, Ψ = 7.5B and N_d = 64: 120 GB, 31.4 GB, 16.6 GB, 1.9 GB.
 *
 * <p>Here the bytes per parameter come from the {@link Precision} formats (weights, gradients, master weights, and
 * {@link Optimizer#statesPerParameter()} states in {@link Precision#optimizerStates()}), so 8-bit Adam (2 x 1 byte
 * plus block scales) and SGD with momentum (one fp32 state) follow from the same formula. A partitioned term is
 * {@code ceil(bytes / N_d)} per rank.
 */
final class ModelStates {
    private ModelStates() {}

    /**
     * Model-state bytes per data-parallel rank for {@code trainableParams} parameters (those the rank holds before ZeRO
     * partitioning, i.e. after tensor and pipeline parallelism).
     *
     * @param zeroStage     0 to 3
     * @param dataParallel  N_d
     */
    public static ModelStateBytes perDevice(
            long trainableParams, Precision p, Optimizer optimizer, int zeroStage, int dataParallel) {
        Checks.range("trainableParams", trainableParams, 0, Long.MAX_VALUE);
        Checks.range("parallelism.zeroStage", zeroStage, 0, 3);
        Checks.range("parallelism.data", dataParallel, 1, Parallelism.MAX_DEGREE);
        long weights = p.weights().bytesFor(trainableParams);
        long gradients = p.gradients().bytesFor(trainableParams);
        long master = p.separateMasterWeights() ? p.masterWeights().bytesFor(trainableParams) : 0;
        long states = Math.multiplyExact(
                (long) optimizer.statesPerParameter(), p.optimizerStates().bytesFor(trainableParams));
        return new ModelStateBytes(
                zeroStage >= 3 ? partition(weights, dataParallel) : weights,
                zeroStage >= 2 ? partition(gradients, dataParallel) : gradients,
                zeroStage >= 1 ? partition(master, dataParallel) : master,
                zeroStage >= 1 ? partition(states, dataParallel) : states);
    }

    /** Frozen weights (LoRA's base model): only ZeRO stage 3 partitions them. */
    public static long frozenWeightsPerDevice(long frozenBytes, int zeroStage, int dataParallel) {
        return zeroStage >= 3 ? partition(frozenBytes, dataParallel) : frozenBytes;
    }

    /** One rank's share of {@code bytes} partitioned over {@code ranks}: ceil(bytes / ranks). */
    public static long partition(long bytes, int ranks) {
        return WholeNumbers.ceilDiv(bytes, ranks);
    }
}
