package dev.strata.estimator.latency;

import dev.strata.model.Hardware;
import dev.strata.model.internal.Checks;
import java.util.Map;

/**
 * How close a GPU comes to its datasheet, by operation size: what the calibrated latency of a catalog GPU uses in place
 * of the flat 70 % assumption. Every figure is a fraction of a datasheet number (never above 1) or a size.
 *
 * <ul>
 *   <li>Memory-bound streams (weights, KV cache) reach {@code bandwidth} of the datasheet bandwidth; the decode
 *   attention kernels {@code attentionBandwidthFactor} of that.</li>
 *   <li>A matrix product over m token rows in format f reaches {@code compute(f) x m / (m + gemmHalfTokens(f))} of the
 *   peak of f (large GEMMs approach {@code compute(f)}; a product of a few rows is bound by its weights instead).</li>
 *   <li>A collective costs {@code collectiveLatencySeconds} plus its bytes over the link at {@code communication}.</li>
 * </ul>
 *
 * @param bandwidth                achieved / datasheet memory bandwidth, in (0, 1]
 * @param compute                  achieved / datasheet peak of large matrix products, per compute format ({@code fp16},
 *                                 {@code bf16}, {@code fp8}), each in (0, 1]
 * @param gemmHalfTokens           token rows at which a product reaches half its efficiency, per compute format
 * @param attentionBandwidthFactor the decode attention kernels' share of {@code bandwidth}, in (0, 1]
 * @param communication            achieved / datasheet link bandwidth of collectives, in (0, 1]
 * @param collectiveLatencySeconds fixed time of one all-reduce or transfer
 */
public record GpuEfficiency(
        double bandwidth,
        Map<String, Double> compute,
        Map<String, Double> gemmHalfTokens,
        double attentionBandwidthFactor,
        double communication,
        double collectiveLatencySeconds) {
    /** The compute format whose efficiency is the device's own; others scale from it. */
    public static final String REFERENCE_FORMAT = "bf16";

    /**
     * Checks the fields; an invalid one throws an {@code InvalidFieldException} naming it.
     *
     * @param bandwidth achieved / datasheet memory bandwidth, in (0, 1]
     * @param compute achieved / datasheet peak of large matrix products, per compute format ({@code fp16}, {@code
     *     bf16}, {@code fp8}), each in (0, 1]
     * @param gemmHalfTokens token rows at which a product reaches half its efficiency, per compute format
     * @param attentionBandwidthFactor the decode attention kernels' share of {@code bandwidth}, in (0, 1]
     * @param communication achieved / datasheet link bandwidth of collectives, in (0, 1]
     * @param collectiveLatencySeconds fixed time of one all-reduce or transfer
     */
    public GpuEfficiency {
        Checks.positive("gpu.bandwidth", bandwidth, 1);
        compute = Map.copyOf(Checks.present("gpu.compute", compute));
        gemmHalfTokens = Map.copyOf(Checks.present("gpu.gemmHalfTokens", gemmHalfTokens));
        if (!compute.containsKey(REFERENCE_FORMAT))
            throw new dev.strata.model.InvalidFieldException(
                    "gpu.compute", compute.keySet(), "an entry for " + REFERENCE_FORMAT);
        compute.forEach((f, v) -> Checks.positive("gpu.compute." + f, v, 1));
        gemmHalfTokens.forEach((f, v) -> Checks.range("gpu.gemmHalfTokens." + f, v, 0, 1e6));
        Checks.positive("gpu.attentionBandwidthFactor", attentionBandwidthFactor, 1);
        Checks.positive("gpu.communication", communication, 1);
        Checks.range("gpu.collectiveLatencySeconds", collectiveLatencySeconds, 0, 1);
    }

    /**
     * {@code hw} with these efficiencies (the reference format's compute efficiency).
     *
     * @param hw the device
     * @return a copy of it with these efficiencies
     */
    public Hardware apply(Hardware hw) {
        return hw.withEfficiency(new Hardware.Efficiency(bandwidth, compute.get(REFERENCE_FORMAT), communication));
    }

    /**
     * The compute efficiency of format {@code f}: its own, or the reference format's.
     *
     * @param f a compute format id
     * @return the efficiency, in (0, 1]
     */
    public double compute(String f) {
        return compute.getOrDefault(f, compute.get(REFERENCE_FORMAT));
    }

    /**
     * The half-saturation rows of format {@code f}: its own, or the reference format's (0 when none is given).
     *
     * @param f a compute format id
     * @return token rows, or 0
     */
    public double gemmHalfTokens(String f) {
        return gemmHalfTokens.getOrDefault(f, gemmHalfTokens.getOrDefault(REFERENCE_FORMAT, 0.0));
    }
}
