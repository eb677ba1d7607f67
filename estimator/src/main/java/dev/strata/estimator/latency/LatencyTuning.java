package dev.strata.estimator.latency;

import dev.strata.model.InvalidFieldException;
import dev.strata.model.Microbenchmarks;
import dev.strata.model.internal.Checks;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The calibrated part of the latency model beyond the three efficiencies of {@code Hardware.Efficiency}: how the
 * efficiency of a matrix product depends on its shape, and fixed costs. The floor uses none of these.
 *
 * <p>Shape dependence, so that one set of factors serves small and large batches:
 * <ul>
 *   <li>Compute: a matrix product over m token rows reaches {@code compute x m / (m + gemmHalfTokens)} of the peak
 *   (a saturating curve: a matrix-vector product, m = 1, is far from peak; a large GEMM approaches
 *   {@code compute}). Products of at most {@code matrixVectorRows} rows run as matrix-vector kernels that stream the
 *   weights without that penalty (their compute term is {@code flops / (peak x compute)}; on a CPU whose bf16 GEMM
 *   converts the weights on every call, only the matrix-vector path is bandwidth-bound). The attention core has its
 *   own half-saturation, {@code attentionHalfTokens}, over its query rows.</li>
 *   <li>Bandwidth: streaming a weight matrix whose input width is at least {@code wideInputThreshold} reaches
 *   {@code wideInputBandwidthFactor} times the bandwidth efficiency; and one of input width k reaches
 *   {@code k / (k + bandwidthHalfInputWidth)} of it (on CPUs, matrix-vector products with a narrow input run much
 *   slower than a stream: docs/architecture.md, "Reference stack"). 1 on GPUs.</li>
 *   <li>Attention over the KV cache streams at {@code attentionBandwidthFactor} times the bandwidth efficiency (a
 *   decode attention step is several small kernels, not one stream).</li>
 * </ul>
 * Fixed costs: {@code perLayerOverheadSeconds} per layer per forward pass (or the value for the layer's feed-forward
 * type in {@code layerOverheadSeconds}), plus {@code inSituLayerSeconds} for the model's hidden width (what a layer's
 * work outside its products costs more among streaming weights than in the warm caches where the per-layer value was
 * measured), {@code perPassOverheadSeconds} per forward pass,
 * {@code matrixProductOverheadSeconds} per matrix-product call (a CPU library's per-call cost: thread wake-up, kernel
 * set-up; a bf16 matrix-vector product on the reference CPU costs about 0.3 ms plus its bytes), and
 * {@code collectiveLatencySeconds} per all-reduce or transfer.
 *
 * <p>Per numeric format: on some devices the factors differ by the format the matrix products run in (a CPU without
 * bf16 instructions runs bf16 products at a third of its fp32 rate). {@code formats} holds a tuning per compute
 * format; {@link #forFormat} picks it (the format-independent tuning itself when none is given). The efficiencies of
 * the device are then scaled per format by {@code bandwidthEfficiencyScale} and {@code computeEfficiencyScale}.
 *
 * @param gemmHalfTokens            token rows at which a matrix product reaches half its compute efficiency; &gt;= 0
 * @param wideInputThreshold        input width from which {@code wideInputBandwidthFactor} applies; 0 for never
 * @param wideInputBandwidthFactor  bandwidth-efficiency multiplier for wide-input matrices, in (0, 1]
 * @param perLayerOverheadSeconds   fixed time per layer per forward pass (kernel launches, framework dispatch)
 * @param collectiveLatencySeconds  fixed time per all-reduce or point-to-point transfer
 * @param bandwidthHalfInputWidth   input width at which streaming a matrix reaches half the bandwidth efficiency; 0
 *                                  for no dependence on the input width
 * @param attentionBandwidthFactor  multiplier of the bandwidth efficiency for reading the KV cache, in (0, 1e3]
 * @param perPassOverheadSeconds    fixed time per forward pass outside the layers (embedding, head, framework)
 * @param layerOverheadSeconds      fixed time per layer by the layer's feed-forward type ({@code dense},
 *                                  {@code gated}, {@code moe}); a type not listed takes {@code perLayerOverheadSeconds}
 * @param bandwidthEfficiencyScale  multiplier of the device's bandwidth efficiency (1 but in a per-format tuning)
 * @param computeEfficiencyScale    multiplier of the device's compute efficiency (1 but in a per-format tuning)
 * @param matrixVectorRows          products of at most this many token rows are matrix-vector products (no compute
 *                                  half-saturation); 0 for none
 * @param attentionHalfTokens       query rows at which the attention core reaches half its compute efficiency; &gt;= 0
 * @param matrixProductOverheadSeconds fixed time per matrix-product call (each weight matrix of a layer, each expert a
 *                                  step touches, the output head), on top of its roofline time
 * @param inSituLayerSeconds        extra fixed time per layer by hidden width (at least 0 each), added to the
 *                                  per-layer time of every style: linear in the width between two measured widths,
 *                                  that of the nearest measured width beyond them; empty for none
 * @param formats                   tuning per compute format id ({@code fp32}, {@code bf16}); empty for one tuning
 *                                  for every format. A per-format tuning has no {@code formats} of its own
 * @param kvGroupReadExponent       how much of a grouped-query layer's KV cache a decode attention kernel reads once per
 *                                  query head rather than once per KV head, in [0, 1]: the cache is read
 *                                  {@code (heads / kvHeads)^e} times (0: GQA-aware kernels that read each KV head once;
 *                                  1: kernels that treat GQA as multi-head attention). Calibrated estimate only
 * @param elementwisePassesPerLayer how many times per layer an engine's memory-bound kernels (norms, residual adds,
 *                                  activation functions, rotary embedding, quantisation of GEMM inputs) read or write
 *                                  one hidden vector of a token, in [0, 1000]; the intermediate width of the MLP counts
 *                                  in proportion. Calibrated estimate only (fused kernels need fewer)
 * @param expertComputeFactor       compute efficiency of the routed experts' grouped matrix products relative to a
 *                                  dense product of the same rows, in (0, 1] (routing and permutation included)
 */
public record LatencyTuning(
        double gemmHalfTokens,
        int wideInputThreshold,
        double wideInputBandwidthFactor,
        double perLayerOverheadSeconds,
        double collectiveLatencySeconds,
        double bandwidthHalfInputWidth,
        double attentionBandwidthFactor,
        double perPassOverheadSeconds,
        Map<String, Double> layerOverheadSeconds,
        double bandwidthEfficiencyScale,
        double computeEfficiencyScale,
        int matrixVectorRows,
        double attentionHalfTokens,
        double matrixProductOverheadSeconds,
        java.util.SortedMap<Long, Double> inSituLayerSeconds,
        Map<String, LatencyTuning> formats,
        double kvGroupReadExponent,
        double elementwisePassesPerLayer,
        double expertComputeFactor) {
    /**
     * Defaults for accelerators the GPU performance model does not cover (assumptions until the device is calibrated;
     * the catalog's NVIDIA GPUs take {@link EngineProfile#tuning}): compute efficiency halves
     * at 16 token rows (small GEMMs on tensor cores are latency- and tile-bound); no wide-input penalty; no per-layer
     * overhead (engines with CUDA graphs or fused kernels; the bandwidth efficiency absorbs what remains); 8 µs per
     * collective (NCCL small-message all-reduce inside one NVLink node is typically 5–15 µs).
     */
    public static final LatencyTuning GPU_DEFAULT = new LatencyTuning(16, 0, 1, 0, 8e-6);

    /** Largest scale of a device efficiency a per-format tuning may apply. */
    public static final double MAX_EFFICIENCY_SCALE = 1e3;

    /**
     * Checks the fields; an invalid one throws an {@code InvalidFieldException} naming it.
     *
     * @param gemmHalfTokens token rows at which a matrix product reaches half its compute efficiency; &gt;= 0
     * @param wideInputThreshold input width from which {@code wideInputBandwidthFactor} applies; 0 for never
     * @param wideInputBandwidthFactor bandwidth-efficiency multiplier for wide-input matrices, in (0, 1]
     * @param perLayerOverheadSeconds fixed time per layer per forward pass (kernel launches, framework dispatch)
     * @param collectiveLatencySeconds fixed time per all-reduce or point-to-point transfer
     * @param bandwidthHalfInputWidth input width at which streaming a matrix reaches half the bandwidth efficiency; 0
     *     for no dependence on the input width
     * @param attentionBandwidthFactor multiplier of the bandwidth efficiency for reading the KV cache, in (0, 1e3]
     * @param perPassOverheadSeconds fixed time per forward pass outside the layers (embedding, head, framework)
     * @param layerOverheadSeconds fixed time per layer by the layer's feed-forward type ({@code dense}, {@code gated},
     *     {@code moe}); a type not listed takes {@code perLayerOverheadSeconds}
     * @param bandwidthEfficiencyScale multiplier of the device's bandwidth efficiency (1 but in a per-format tuning)
     * @param computeEfficiencyScale multiplier of the device's compute efficiency (1 but in a per-format tuning)
     * @param matrixVectorRows products of at most this many token rows are matrix-vector products (no compute
     *     half-saturation); 0 for none
     * @param attentionHalfTokens query rows at which the attention core reaches half its compute efficiency; &gt;= 0
     * @param matrixProductOverheadSeconds fixed time per matrix-product call (each weight matrix of a layer, each
     *     expert a step touches, the output head), on top of its roofline time
     * @param inSituLayerSeconds extra fixed time per layer by hidden width (at least 0 each), added to the per-layer
     *     time of every style: linear in the width between two measured widths, that of the nearest measured width
     *     beyond them; empty for none
     * @param formats tuning per compute format id ({@code fp32}, {@code bf16}); empty for one tuning for every format.
     *     A per-format tuning has no {@code formats} of its own
     * @param kvGroupReadExponent how much of a grouped-query layer's KV cache a decode attention kernel reads once per
     *     query head rather than once per KV head, in [0, 1]: the cache is read {@code (heads / kvHeads)^e} times (0:
     *     GQA-aware kernels that read each KV head once; 1: kernels that treat GQA as multi-head attention). Calibrated
     *     estimate only
     * @param elementwisePassesPerLayer how many times per layer an engine's memory-bound kernels (norms, residual adds,
     *     activation functions, rotary embedding, quantisation of GEMM inputs) read or write one hidden vector of a
     *     token, in [0, 1000]; the intermediate width of the MLP counts in proportion. Calibrated estimate only (fused
     *     kernels need fewer)
     * @param expertComputeFactor compute efficiency of the routed experts' grouped matrix products relative to a dense
     *     product of the same rows, in (0, 1] (routing and permutation included)
     */
    public LatencyTuning {
        Checks.range("tuning.gemmHalfTokens", gemmHalfTokens, 0, 1e9);
        Checks.range("tuning.wideInputThreshold", wideInputThreshold, 0, Integer.MAX_VALUE);
        Checks.positive("tuning.wideInputBandwidthFactor", wideInputBandwidthFactor, 1);
        Checks.range("tuning.perLayerOverheadSeconds", perLayerOverheadSeconds, 0, 10);
        Checks.range("tuning.collectiveLatencySeconds", collectiveLatencySeconds, 0, 10);
        Checks.range("tuning.bandwidthHalfInputWidth", bandwidthHalfInputWidth, 0, 1e9);
        Checks.positive("tuning.attentionBandwidthFactor", attentionBandwidthFactor, 1e3);
        Checks.range("tuning.perPassOverheadSeconds", perPassOverheadSeconds, 0, 10);
        Map<String, Double> layers = new LinkedHashMap<>();
        for (Map.Entry<String, Double> e : Checks.present("tuning.layerOverheadSeconds", layerOverheadSeconds)
                .entrySet()) {
            if (!Microbenchmarks.LAYER_STYLES.contains(e.getKey()))
                throw new InvalidFieldException(
                        "tuning.layerOverheadSeconds",
                        e.getKey(),
                        "a feed-forward type, one of " + Microbenchmarks.LAYER_STYLES);
            layers.put(
                    e.getKey(),
                    Checks.range(
                            "tuning.layerOverheadSeconds." + e.getKey(),
                            Checks.present("tuning.layerOverheadSeconds." + e.getKey(), e.getValue()),
                            0,
                            10));
        }
        layerOverheadSeconds = Collections.unmodifiableMap(layers);
        Checks.positive("tuning.bandwidthEfficiencyScale", bandwidthEfficiencyScale, MAX_EFFICIENCY_SCALE);
        Checks.positive("tuning.computeEfficiencyScale", computeEfficiencyScale, MAX_EFFICIENCY_SCALE);
        Checks.range("tuning.matrixVectorRows", matrixVectorRows, 0, Integer.MAX_VALUE);
        Checks.range("tuning.attentionHalfTokens", attentionHalfTokens, 0, 1e9);
        Checks.range("tuning.kvGroupReadExponent", kvGroupReadExponent, 0, 1);
        Checks.range("tuning.elementwisePassesPerLayer", elementwisePassesPerLayer, 0, 1000);
        Checks.positive("tuning.expertComputeFactor", expertComputeFactor, 1);
        Checks.range("tuning.matrixProductOverheadSeconds", matrixProductOverheadSeconds, 0, 10);
        java.util.TreeMap<Long, Double> inSitu = new java.util.TreeMap<>();
        for (Map.Entry<Long, Double> e :
                Checks.present("tuning.inSituLayerSeconds", inSituLayerSeconds).entrySet()) {
            long width = Checks.range(
                    "tuning.inSituLayerSeconds (width)",
                    Checks.present("tuning.inSituLayerSeconds (width)", e.getKey()),
                    1,
                    Long.MAX_VALUE);
            inSitu.put(
                    width,
                    Checks.range(
                            "tuning.inSituLayerSeconds." + width,
                            Checks.present("tuning.inSituLayerSeconds." + width, e.getValue()),
                            0,
                            10));
        }
        inSituLayerSeconds = Collections.unmodifiableSortedMap(inSitu);
        Map<String, LatencyTuning> f = new LinkedHashMap<>();
        for (Map.Entry<String, LatencyTuning> e :
                Checks.present("tuning.formats", formats).entrySet()) {
            LatencyTuning t = Checks.present("tuning.formats." + e.getKey(), e.getValue());
            if (!t.formats().isEmpty())
                throw new InvalidFieldException(
                        "tuning.formats." + e.getKey() + ".formats",
                        t.formats().keySet(),
                        "empty (one level of formats)");
            f.put(e.getKey(), t);
        }
        formats = Collections.unmodifiableMap(f);
    }

    /**
     * A tuning whose attention kernels read each KV head once (GQA-aware).
     *
     * @param gemmHalfTokens token rows at which a matrix product reaches half its compute efficiency; &gt;= 0
     * @param wideInputThreshold input width from which {@code wideInputBandwidthFactor} applies; 0 for never
     * @param wideInputBandwidthFactor bandwidth-efficiency multiplier for wide-input matrices, in (0, 1]
     * @param perLayerOverheadSeconds fixed time per layer per forward pass (kernel launches, framework dispatch)
     * @param collectiveLatencySeconds fixed time per all-reduce or point-to-point transfer
     * @param bandwidthHalfInputWidth input width at which streaming a matrix reaches half the bandwidth efficiency; 0
     *     for no dependence on the input width
     * @param attentionBandwidthFactor multiplier of the bandwidth efficiency for reading the KV cache, in (0, 1e3]
     * @param perPassOverheadSeconds fixed time per forward pass outside the layers (embedding, head, framework)
     * @param layerOverheadSeconds fixed time per layer by the layer's feed-forward type ({@code dense}, {@code gated},
     *     {@code moe}); a type not listed takes {@code perLayerOverheadSeconds}
     * @param bandwidthEfficiencyScale multiplier of the device's bandwidth efficiency (1 but in a per-format tuning)
     * @param computeEfficiencyScale multiplier of the device's compute efficiency (1 but in a per-format tuning)
     * @param matrixVectorRows products of at most this many token rows are matrix-vector products (no compute
     *     half-saturation); 0 for none
     * @param attentionHalfTokens query rows at which the attention core reaches half its compute efficiency; &gt;= 0
     * @param matrixProductOverheadSeconds fixed time per matrix-product call (each weight matrix of a layer, each
     *     expert a step touches, the output head), on top of its roofline time
     * @param inSituLayerSeconds extra fixed time per layer by hidden width (at least 0 each), added to the per-layer
     *     time of every style: linear in the width between two measured widths, that of the nearest measured width
     *     beyond them; empty for none
     * @param formats tuning per compute format id ({@code fp32}, {@code bf16}); empty for one tuning for every format.
     *     A per-format tuning has no {@code formats} of its own
     */
    public LatencyTuning(
            double gemmHalfTokens,
            int wideInputThreshold,
            double wideInputBandwidthFactor,
            double perLayerOverheadSeconds,
            double collectiveLatencySeconds,
            double bandwidthHalfInputWidth,
            double attentionBandwidthFactor,
            double perPassOverheadSeconds,
            Map<String, Double> layerOverheadSeconds,
            double bandwidthEfficiencyScale,
            double computeEfficiencyScale,
            int matrixVectorRows,
            double attentionHalfTokens,
            double matrixProductOverheadSeconds,
            java.util.SortedMap<Long, Double> inSituLayerSeconds,
            Map<String, LatencyTuning> formats) {
        this(
                gemmHalfTokens,
                wideInputThreshold,
                wideInputBandwidthFactor,
                perLayerOverheadSeconds,
                collectiveLatencySeconds,
                bandwidthHalfInputWidth,
                attentionBandwidthFactor,
                perPassOverheadSeconds,
                layerOverheadSeconds,
                bandwidthEfficiencyScale,
                computeEfficiencyScale,
                matrixVectorRows,
                attentionHalfTokens,
                matrixProductOverheadSeconds,
                inSituLayerSeconds,
                formats,
                0,
                0,
                1);
    }

    /**
     * The five factors of a device whose efficiency does not depend on the format: no per-format entries, the attention
     * core saturating like the matrix products, no other terms.
     *
     * @param gemmHalfTokens token rows at which a matrix product reaches half its compute efficiency; &gt;= 0
     * @param wideInputThreshold input width from which {@code wideInputBandwidthFactor} applies; 0 for never
     * @param wideInputBandwidthFactor bandwidth-efficiency multiplier for wide-input matrices, in (0, 1]
     * @param perLayerOverheadSeconds fixed time per layer per forward pass (kernel launches, framework dispatch)
     * @param collectiveLatencySeconds fixed time per all-reduce or point-to-point transfer
     */
    public LatencyTuning(
            double gemmHalfTokens,
            int wideInputThreshold,
            double wideInputBandwidthFactor,
            double perLayerOverheadSeconds,
            double collectiveLatencySeconds) {
        this(
                gemmHalfTokens,
                wideInputThreshold,
                wideInputBandwidthFactor,
                perLayerOverheadSeconds,
                collectiveLatencySeconds,
                0,
                1,
                0,
                Map.of(),
                1,
                1,
                0,
                gemmHalfTokens,
                0,
                new java.util.TreeMap<>(),
                Map.of());
    }

    /**
     * The tuning for matrix products in {@code computeFormat}: its entry in {@code formats}, or this one.
     *
     * @param computeFormat a compute format id
     * @return the format's tuning, or this one
     */
    public LatencyTuning forFormat(String computeFormat) {
        if (formats.isEmpty()) return this;
        LatencyTuning t = formats.get(computeFormat);
        return t == null ? this : t;
    }

    /**
     * This tuning with a tuning per compute format.
     *
     * @param perFormat tuning by compute format id
     * @return a copy with those per-format tunings
     */
    public LatencyTuning withFormats(Map<String, LatencyTuning> perFormat) {
        return new LatencyTuning(
                gemmHalfTokens,
                wideInputThreshold,
                wideInputBandwidthFactor,
                perLayerOverheadSeconds,
                collectiveLatencySeconds,
                bandwidthHalfInputWidth,
                attentionBandwidthFactor,
                perPassOverheadSeconds,
                layerOverheadSeconds,
                bandwidthEfficiencyScale,
                computeEfficiencyScale,
                matrixVectorRows,
                attentionHalfTokens,
                matrixProductOverheadSeconds,
                inSituLayerSeconds,
                perFormat,
                kvGroupReadExponent,
                elementwisePassesPerLayer,
                expertComputeFactor);
    }

    /**
     * How many times a decode attention kernel reads a layer's KV cache: {@code (heads / kvHeads)^kvGroupReadExponent}
     * (1 for multi-head attention and for GQA-aware kernels).
     *
     * @param heads query heads of the layer
     * @param kvHeads key/value heads of the layer
     * @return the number of reads, 1 or more
     */
    public double kvReadAmplification(int heads, int kvHeads) {
        if (kvGroupReadExponent == 0 || kvHeads >= heads) return 1;
        return Math.pow((double) heads / kvHeads, kvGroupReadExponent);
    }

    /**
     * Compute-efficiency multiplier for a product over {@code tokens} rows: {@code m / (m + gemmHalfTokens)}, or 1 for a
     * matrix-vector product (at most {@code matrixVectorRows} rows).
     *
     * @param tokens token rows of the product
     * @return the multiplier, in (0, 1]
     */
    public double computeShapeFactor(double tokens) {
        if (gemmHalfTokens == 0 || tokens <= matrixVectorRows) return 1;
        return tokens / (tokens + gemmHalfTokens);
    }

    /**
     * Compute-efficiency multiplier of the attention core over {@code queries} query rows: {@code q / (q +
     * attentionHalfTokens)}.
     *
     * @param queries query rows
     * @return the multiplier, in (0, 1]
     */
    public double attentionShapeFactor(double queries) {
        return attentionHalfTokens == 0 ? 1 : queries / (queries + attentionHalfTokens);
    }

    /**
     * Bandwidth-efficiency multiplier for streaming a matrix with {@code inputWidth} inputs: the wide-input factor times
     * {@code k / (k + bandwidthHalfInputWidth)}; 1 for what is not a matrix ({@code inputWidth} 0).
     *
     * @param inputWidth the matrix's input width; 0 for what is not a matrix
     * @return the multiplier, in (0, 1]
     */
    public double bandwidthShapeFactor(long inputWidth) {
        double wide = wideInputThreshold > 0 && inputWidth >= wideInputThreshold ? wideInputBandwidthFactor : 1;
        double narrow =
                bandwidthHalfInputWidth > 0 && inputWidth > 0 ? inputWidth / (inputWidth + bandwidthHalfInputWidth) : 1;
        return wide * narrow;
    }

    /**
     * Fixed time of one layer whose feed-forward type is {@code feedForwardType} ({@code dense}, {@code gated}, {@code
     * moe}).
     *
     * @param feedForwardType {@code dense}, {@code gated} or {@code moe}
     * @return seconds
     */
    public double layerOverheadSeconds(String feedForwardType) {
        if (layerOverheadSeconds.isEmpty()) return perLayerOverheadSeconds;
        Double s = layerOverheadSeconds.get(feedForwardType);
        return s == null ? perLayerOverheadSeconds : s;
    }

    /**
     * Fixed time of one layer of a model of hidden width {@code width} whose feed-forward type is
     * {@code feedForwardType}: {@link #layerOverheadSeconds(String)} plus {@link #inSituLayerSeconds(long)}.
     *
     * @param feedForwardType {@code dense}, {@code gated} or {@code moe}
     * @param width the model's hidden width
     * @return seconds
     */
    public double layerOverheadSeconds(String feedForwardType, long width) {
        return layerOverheadSeconds(feedForwardType) + inSituLayerSeconds(width);
    }

    /**
     * The extra per-layer time of {@code inSituLayerSeconds} at hidden width {@code width}: linear between the two
     * measured widths around it, that of the smallest or largest measured width outside them, 0 when none is measured.
     *
     * @param width the model's hidden width
     * @return seconds
     */
    public double inSituLayerSeconds(long width) {
        if (inSituLayerSeconds.isEmpty()) return 0;
        java.util.SortedMap<Long, Double> below = inSituLayerSeconds.headMap(width + 1),
                above = inSituLayerSeconds.tailMap(width);
        if (below.isEmpty()) return above.get(above.firstKey());
        if (above.isEmpty()) return below.get(below.lastKey());
        long w0 = below.lastKey(), w1 = above.firstKey();
        double s0 = below.get(w0), s1 = above.get(w1);
        return w0 == w1 ? s0 : s0 + (s1 - s0) * (width - w0) / (w1 - w0);
    }
}
