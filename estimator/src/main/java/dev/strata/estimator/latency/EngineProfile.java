package dev.strata.estimator.latency;

import dev.strata.model.internal.Checks;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a serving engine does differently for the same model on the same GPU: how its attention kernels read a
 * grouped-query KV cache, how many memory-bound passes its (more or less fused) kernels make over the activations,
 * how efficient its grouped expert products are, what share of the GPU's calibrated compute efficiency its matrix
 * products reach, its fixed costs per layer and per forward pass (kernel launches, CUDA-graph replay, scheduling
 * and sampling), and the fixed time its HTTP server adds to each request.
 *
 * @param id                        the {@code --engine} id
 * @param name                      what it stands for
 * @param kvGroupReadExponent       {@link LatencyTuning#kvGroupReadExponent()}
 * @param elementwisePassesPerLayer {@link LatencyTuning#elementwisePassesPerLayer()}
 * @param expertComputeFactor       {@link LatencyTuning#expertComputeFactor()} of the reference compute format
 * @param expertComputeByFormat     the same for other compute formats whose grouped expert kernels reach a different
 *                                  share of their dense products (e.g. fp8); a format not named takes
 *                                  {@code expertComputeFactor}
 * @param perLayerOverheadSeconds   fixed time per layer per forward pass
 * @param perPassOverheadSeconds    fixed time per forward pass
 * @param computeEfficiencyScale    the share of the GPU's calibrated compute efficiency (fitted to TensorRT-LLM) that
 *                                  this engine's products reach, in (0, 1]
 * @param collectiveLatencySeconds  fixed time of one of its all-reduces or transfers between ranks (its own
 *                                  all-reduce kernels, their launch and synchronisation); NaN: the GPU model's
 * @param httpFrontendSeconds       the fixed time a request spends between a client and the engine when it comes
 *                                  through the engine's OpenAI-compatible HTTP server (parsing, chat template and
 *                                  tokenisation, the hand-over to the engine process, the first chunk's way back);
 *                                  NaN where it is not known (an engine without a server of its own, or one not
 *                                  measured)
 * @param calibrated                whether the figures were fitted to published measurements of the engine
 * @param basis                     where the figures come from
 */
public record EngineProfile(
        String id,
        String name,
        double kvGroupReadExponent,
        double elementwisePassesPerLayer,
        double expertComputeFactor,
        Map<String, Double> expertComputeByFormat,
        double perLayerOverheadSeconds,
        double perPassOverheadSeconds,
        double computeEfficiencyScale,
        double collectiveLatencySeconds,
        double httpFrontendSeconds,
        boolean calibrated,
        String basis) {
    /**
     * Checks the fields; an invalid one throws an {@code InvalidFieldException} naming it.
     *
     * @param id the {@code --engine} id
     * @param name what it stands for
     * @param kvGroupReadExponent {@link LatencyTuning#kvGroupReadExponent()}
     * @param elementwisePassesPerLayer {@link LatencyTuning#elementwisePassesPerLayer()}
     * @param expertComputeFactor {@link LatencyTuning#expertComputeFactor()} of the reference compute format
     * @param expertComputeByFormat the same for other compute formats, by format id
     * @param perLayerOverheadSeconds fixed time per layer per forward pass
     * @param perPassOverheadSeconds fixed time per forward pass
     * @param computeEfficiencyScale the share of the GPU's calibrated compute efficiency its products reach, in (0, 1]
     * @param collectiveLatencySeconds fixed time of one all-reduce or transfer between ranks, or NaN (the GPU's)
     * @param httpFrontendSeconds the fixed time a request spends between a client and the engine over HTTP, or NaN
     * @param calibrated whether the figures were fitted to published measurements of the engine
     * @param basis where the figures come from
     */
    public EngineProfile {
        Checks.text("engine.id", id);
        Checks.text("engine.name", name);
        Checks.range("engine.kvGroupReadExponent", kvGroupReadExponent, 0, 1);
        Checks.range("engine.elementwisePassesPerLayer", elementwisePassesPerLayer, 0, 1000);
        Checks.positive("engine.expertComputeFactor", expertComputeFactor, 1);
        expertComputeByFormat = Map.copyOf(Checks.present("engine.expertComputeByFormat", expertComputeByFormat));
        expertComputeByFormat.forEach((f, v) -> Checks.positive("engine.expertComputeByFormat." + f, v, 1));
        Checks.range("engine.perLayerOverheadSeconds", perLayerOverheadSeconds, 0, 1);
        Checks.range("engine.perPassOverheadSeconds", perPassOverheadSeconds, 0, 10);
        Checks.positive("engine.computeEfficiencyScale", computeEfficiencyScale, 1);
        if (!Double.isNaN(collectiveLatencySeconds))
            Checks.range("engine.collectiveLatencySeconds", collectiveLatencySeconds, 0, 1e-3);
        if (!Double.isNaN(httpFrontendSeconds)) Checks.range("engine.httpFrontendSeconds", httpFrontendSeconds, 0, 10);
        Checks.text("engine.basis", basis);
    }

    /**
     * This profile with other fixed costs and compute share, and where they come from.
     *
     * @param perLayer fixed time per layer per forward pass
     * @param perPass fixed time per forward pass
     * @param computeScale the share of the GPU's calibrated compute efficiency its products reach
     * @param collective fixed time of one all-reduce or transfer between ranks, or NaN (the GPU's)
     * @param httpFrontend the fixed time a request spends between a client and the engine over HTTP, or NaN
     * @param fitted whether the figures were fitted to published measurements of the engine
     * @param why where the figures come from
     * @return the profile
     */
    public EngineProfile withCosts(
            double perLayer,
            double perPass,
            double computeScale,
            double collective,
            double httpFrontend,
            boolean fitted,
            String why) {
        return new EngineProfile(
                id,
                name,
                kvGroupReadExponent,
                elementwisePassesPerLayer,
                expertComputeFactor,
                expertComputeByFormat,
                perLayer,
                perPass,
                computeScale,
                collective,
                httpFrontend,
                fitted,
                why);
    }

    /**
     * The fixed time of one all-reduce or transfer between ranks on a GPU of {@code gpu}: this engine's where it has
     * one, else the GPU model's.
     *
     * @param gpu the fitted efficiencies of the GPU
     * @return seconds
     */
    public double collectiveLatency(GpuEfficiency gpu) {
        return Double.isNaN(collectiveLatencySeconds) ? gpu.collectiveLatencySeconds() : collectiveLatencySeconds;
    }

    /**
     * The grouped expert products' efficiency relative to a dense product in compute format {@code f}.
     *
     * @param f a compute format id
     * @return the factor, in (0, 1]
     */
    public double expertCompute(String f) {
        return expertComputeByFormat.getOrDefault(f, expertComputeFactor);
    }

    /**
     * The latency tuning of this engine on a GPU of {@code gpu}: a tuning per compute format of the GPU, each with the
     * format's half-saturation and its compute efficiency relative to the reference format's (which the hardware
     * carries, {@link GpuEfficiency#apply}).
     *
     * @param gpu the fitted efficiencies of the GPU
     * @return the tuning, with one entry per compute format
     */
    public LatencyTuning tuning(GpuEfficiency gpu) {
        Map<String, LatencyTuning> formats = new LinkedHashMap<>();
        for (String f : gpu.compute().keySet()) formats.put(f, forFormat(gpu, f, Map.of()));
        return forFormat(gpu, GpuEfficiency.REFERENCE_FORMAT, formats);
    }

    private LatencyTuning forFormat(GpuEfficiency gpu, String f, Map<String, LatencyTuning> formats) {
        double half = gpu.gemmHalfTokens(f);
        return new LatencyTuning(
                half,
                0,
                1,
                perLayerOverheadSeconds,
                collectiveLatency(gpu),
                0,
                gpu.attentionBandwidthFactor(),
                perPassOverheadSeconds,
                Map.of(),
                1,
                computeEfficiencyScale * gpu.compute(f) / gpu.compute(GpuEfficiency.REFERENCE_FORMAT),
                0,
                half,
                0,
                new TreeMap<>(),
                formats,
                kvGroupReadExponent,
                elementwisePassesPerLayer,
                expertCompute(f));
    }
}
