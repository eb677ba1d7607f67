package dev.strata.model;

import dev.strata.model.internal.Checks;

/**
 * How a model is split over devices. Devices used: {@code tensor x pipeline x data}; expert parallelism places the
 * routed experts of MoE layers across {@code expert} of those ranks.
 *
 * @param tensor           tensor-parallel ranks (Megatron-LM, arXiv:1909.08053): split heads and MLP width
 * @param pipeline         pipeline stages: split the layers (GPipe, arXiv:1811.06965; 1F1B, arXiv:2104.04473)
 * @param data             data-parallel replicas (the batch is per replica)
 * @param expert           expert-parallel ranks: each holds 1/expert of the routed experts; must divide
 *                         {@code tensor x data}
 * @param zeroStage        ZeRO stage 0 to 3 (Rajbhandari et al. 2020, arXiv:1910.02054 §5): 1 shards optimizer
 *                         states, 2 also gradients, 3 also weights over the {@code data} ranks
 * @param sequenceParallel Megatron sequence parallelism (Korthikanti et al. 2022, arXiv:2205.05198 §4.2.2): the
 *                         norm and dropout activations are split over the tensor-parallel ranks too
 */
public record Parallelism(int tensor, int pipeline, int data, int expert, int zeroStage, boolean sequenceParallel) {
    /** Largest degree of any kind of parallelism. */
    public static final int MAX_DEGREE = 1 << 20;

    /** One device, no sharding. */
    public static final Parallelism NONE = new Parallelism(1, 1, 1, 1, 0, false);

    /**
     * Checks the fields; an invalid one throws an {@link InvalidFieldException} naming it.
     *
     * @param tensor tensor-parallel ranks (Megatron-LM, arXiv:1909.08053): split heads and MLP width
     * @param pipeline pipeline stages: split the layers (GPipe, arXiv:1811.06965; 1F1B, arXiv:2104.04473)
     * @param data data-parallel replicas (the batch is per replica)
     * @param expert expert-parallel ranks: each holds 1/expert of the routed experts; must divide {@code tensor x data}
     * @param zeroStage ZeRO stage 0 to 3 (Rajbhandari et al. 2020, arXiv:1910.02054 §5): 1 shards optimizer states, 2
     *     also gradients, 3 also weights over the {@code data} ranks
     * @param sequenceParallel Megatron sequence parallelism (Korthikanti et al. 2022, arXiv:2205.05198 §4.2.2): the
     *     norm and dropout activations are split over the tensor-parallel ranks too
     */
    public Parallelism {
        Checks.range("parallelism.tensor", tensor, 1, MAX_DEGREE);
        Checks.range("parallelism.pipeline", pipeline, 1, MAX_DEGREE);
        Checks.range("parallelism.data", data, 1, MAX_DEGREE);
        Checks.range("parallelism.expert", expert, 1, MAX_DEGREE);
        Checks.range("parallelism.zeroStage", zeroStage, 0, 3);
        long devices = (long) tensor * pipeline * data;
        if (devices > MAX_DEGREE)
            throw new InvalidFieldException(
                    "parallelism.data", data, "such that tensor x pipeline x data <= " + MAX_DEGREE);
        if (((long) tensor * data) % expert != 0)
            throw new InvalidFieldException(
                    "parallelism.expert", expert, "a divisor of tensor x data = " + (long) tensor * data);
    }

    /**
     * Devices used: tensor x pipeline x data.
     *
     * @return tensor x pipeline x data
     */
    public int devices() {
        return tensor * pipeline * data;
    }
}
