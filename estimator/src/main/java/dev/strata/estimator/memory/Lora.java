package dev.strata.estimator.memory;

import dev.strata.estimator.params.Parameters;
import dev.strata.model.LayerGroup;
import dev.strata.model.LoraAdapter;
import dev.strata.model.Parallelism;
import dev.strata.model.TransformerSpec;

/**
 * Parameters of LoRA adapters (Hu et al. 2021, arXiv:2106.09685 §4.1): a targeted matrix W of {@code in x out} is
 * frozen and gets A ({@code in x r}) and B ({@code r x out}): {@code r x (in + out)} trainable parameters. Every copy
 * of a targeted expert matrix gets its own pair. Llama-2-7B with r = 8 on q and v: 32 x 2 x 8 x (4096 + 4096) =
 * 4,194,304; Llama-3-8B with r = 16 on all seven linear layers: 41,943,040 (secondary: the figure PEFT's
 * {@code print_trainable_parameters} prints for it, "all params: 8,072,204,288", in public tutorials).
 */
final class Lora {
    private Lora() {}

    /** Adapter parameters of one targeted {@code in x out} matrix: r x (in + out). */
    public static long adapterParameters(long in, long out, int rank) {
        return Math.multiplyExact((long) rank, Math.addExact(in, out));
    }

    /** Adapter parameters of the whole model. */
    public static long adapterParameters(TransformerSpec spec, LoraAdapter lora) {
        if (!lora.enabled()) return 0;
        long d = spec.hiddenSize();
        long total = 0;
        for (LayerGroup g : spec.layers()) {
            long[] layer = new long[1];
            Parameters.forEachMatrix(g.kind(), d, (component, role, in, out, bias, copies, active) -> {
                if (lora.targets().contains(role))
                    layer[0] = Math.addExact(
                            layer[0], Math.multiplyExact(adapterParameters(in, out, lora.rank()), copies));
            });
            total = Math.addExact(total, Math.multiplyExact(layer[0], (long) g.count()));
        }
        return total;
    }

    /**
     * Adapter parameters on the most loaded pipeline stage of one tensor-parallel rank: the adapter of a
     * column-parallel matrix splits B by output, that of a row-parallel one splits A by input (the shapes of the
     * device's shard of W).
     */
    static long[] perStageAdapterParameters(TransformerSpec spec, LoraAdapter lora, Parallelism par) {
        long d = spec.hiddenSize();
        return Sharding.perStage(spec, par.pipeline(), kind -> {
            if (!lora.enabled()) return 0;
            long[] layer = new long[1];
            Sharding.forEachMatrixOnDevice(kind, d, par, (component, role, in, out, bias, copies, active) -> {
                if (lora.targets().contains(role))
                    layer[0] = Math.addExact(
                            layer[0], Math.multiplyExact(adapterParameters(in, out, lora.rank()), copies));
            });
            return layer[0];
        });
    }
}
