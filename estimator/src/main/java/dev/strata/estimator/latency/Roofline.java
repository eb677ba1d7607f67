package dev.strata.estimator.latency;

import dev.strata.model.Hardware;
import dev.strata.model.Precision;

/**
 * The roofline of one device: turns an operation's bytes and FLOPs into a floor time and a calibrated time and adds
 * them to a {@link StepTime}. The one place where bandwidths, peaks and efficiencies meet.
 */
final class Roofline {
    private final double bandwidth;
    private final double peak;
    private final double link;
    private final double hostLink;
    private final Hardware.Efficiency eff;
    private final double bandwidthEfficiency;
    private final double computeEfficiency;
    private final LatencyTuning tuning;
    /** Reciprocals of the bandwidth and peak, at 100 % and calibrated: an op multiplies rather than divides. */
    private final double perByte;
    private final double perByteCalibrated;
    private final double perFlop;
    private final double perFlopCalibrated;
    /** Whether matrix streaming runs at the bandwidth efficiency whatever the input width (no shape factor: GPUs). */
    private final boolean flatBandwidth;

    Roofline(Hardware hw, Precision p, LatencyTuning tuning) {
        String format = computeFormat(hw, p);
        this.bandwidth = hw.memoryBandwidthBytesPerSecond();
        this.peak = hw.peakFlopsPerSecond(format);
        this.link = hw.scaleUpBandwidthBytesPerSecond();
        this.hostLink = hw.hostLinkBytesPerSecond();
        this.eff = hw.efficiency();
        this.tuning = tuning.forFormat(format);
        this.bandwidthEfficiency = bandwidthEfficiency(hw, this.tuning);
        this.computeEfficiency = computeEfficiency(hw, this.tuning);
        this.perByte = 1 / bandwidth;
        this.perByteCalibrated = 1 / (bandwidth * Math.min(1, bandwidthEfficiency));
        this.perFlop = 1 / peak;
        this.perFlopCalibrated = 1 / (peak * computeEfficiency);
        this.flatBandwidth = this.tuning.wideInputThreshold() == 0 && this.tuning.bandwidthHalfInputWidth() == 0;
    }

    /** The tuning of the format the matrix products run in ({@link LatencyTuning#forFormat}). */
    LatencyTuning tuning() {
        return tuning;
    }

    /** The bandwidth efficiency in effect: the device's, scaled by a per-format tuning, at most 1. */
    static double bandwidthEfficiency(Hardware hw, LatencyTuning formatTuning) {
        return Math.min(1, hw.efficiency().bandwidth() * formatTuning.bandwidthEfficiencyScale());
    }

    /** The compute efficiency in effect: the device's, scaled by a per-format tuning, at most 1. */
    static double computeEfficiency(Hardware hw, LatencyTuning formatTuning) {
        return Math.min(1, hw.efficiency().compute() * formatTuning.computeEfficiencyScale());
    }

    /**
     * The format whose peak the matrix products run at: fp8 when the weights are fp8 and the device has an fp8 peak;
     * otherwise the activations' format (weight-only quantised formats are dequantised to it), or bf16 when the device
     * lists no peak for that format.
     */
    static String computeFormat(Hardware hw, Precision p) {
        if (p.weights().id().equals("fp8") && hw.hasPeak("fp8")) return "fp8";
        String a = p.activations().id();
        if (hw.hasPeak(a)) return a;
        if (a.equals("fp16") && hw.hasPeak("bf16")) return "bf16";
        return hw.hasPeak("bf16") ? "bf16" : hw.peakFlopsPerSecond().keySet().iterator().next();
    }

    /**
     * One operation: {@code max(bytes / bandwidth, flops / peak)} at 100 % for the floor; with the efficiencies and
     * shape factors for the calibrated time. Offloaded bytes come over one direction of the host link instead. The
     * attention core ({@link LatencyComponent#ATTENTION_CORE}) streams the KV cache at the tuning's attention factor
     * (the product with the bandwidth efficiency at most 1, so that the calibrated time never undercuts the floor).
     *
     * @param times      how many identical ops the terms stand for (the layers of a run of one layer kind); 1 outside layers
     * @param rows       token rows of the matrix product (for the compute shape factor)
     * @param inputWidth input width of the weight matrix streamed (for the bandwidth shape factor); 0 if none
     */
    void op(StepTime s, double times, LatencyComponent c, double bytes, double flops, double rows, long inputWidth, boolean offloaded) {
        int i = c.ordinal();
        double floorMem, calMem;
        if (offloaded) {
            if (hostLink <= 0) throw new dev.strata.model.InvalidFieldException("offload", c.key(), "none on a device whose host-link bandwidth is not known");
            floorMem = bytes / (hostLink / 2);
            calMem = bytes / (hostLink / 2 * eff.communication());
            s.hostLinkBytes += times * bytes;
        } else {
            floorMem = bytes * perByte;
            double shape = c == LatencyComponent.ATTENTION_CORE ? tuning.attentionBandwidthFactor()
                    : flatBandwidth ? 1 : tuning.bandwidthShapeFactor(inputWidth);
            calMem = shape == 1 ? bytes * perByteCalibrated : bytes / (bandwidth * Math.min(1, bandwidthEfficiency * shape));
        }
        double floorCompute = flops * perFlop;
        double calCompute = 0;
        if (flops != 0) {
            double rowShape = c == LatencyComponent.ATTENTION_CORE ? tuning.attentionShapeFactor(Math.max(rows, 1e-9))
                    : tuning.computeShapeFactor(Math.max(rows, 1e-9));
            calCompute = flops * perFlopCalibrated / rowShape;
        }
        double k = times;
        s.t[StepTime.BYTES + i] += k * bytes;
        s.t[StepTime.FLOPS + i] += k * flops;
        s.t[StepTime.FLOOR + i] += k * Math.max(floorMem, floorCompute);
        s.t[StepTime.CALIBRATED + i] += k * Math.max(calMem, calCompute);
        if (calMem >= calCompute) s.memoryBoundSeconds += k * calMem;
        else s.computeBoundSeconds += k * calCompute;
        if (floorMem >= floorCompute) s.floorMemoryBoundSeconds += k * floorMem;
        else s.floorComputeBoundSeconds += k * floorCompute;
    }

    /** {@code times} ring all-reduces of {@code bytes} over {@code ranks} tensor-parallel ranks. */
    void allReduce(StepTime s, double times, double bytes, int ranks) {
        requireLink();
        int i = LatencyComponent.COMMUNICATION.ordinal();
        double k = times;
        s.t[StepTime.BYTES + i] += bytes * k;
        s.t[StepTime.FLOOR + i] += k * Collectives.ringAllReduceSeconds(bytes, ranks, link, 0);
        s.t[StepTime.CALIBRATED + i] += k * Collectives.ringAllReduceSeconds(bytes, ranks, link * eff.communication(), tuning.collectiveLatencySeconds());
    }

    /** {@code hops} point-to-point transfers of {@code bytes} between pipeline stages. */
    void pointToPoint(StepTime s, double bytes, int hops) {
        requireLink();
        int i = LatencyComponent.COMMUNICATION.ordinal();
        double k = hops;
        s.t[StepTime.BYTES + i] += bytes * k;
        s.t[StepTime.FLOOR + i] += k * Collectives.pointToPointSeconds(bytes, link, 0);
        s.t[StepTime.CALIBRATED + i] += k * Collectives.pointToPointSeconds(bytes, link * eff.communication(), tuning.collectiveLatencySeconds());
    }

    /** Fixed cost of {@code times x calls} matrix-product calls of component {@code c} (calibrated estimate only). */
    void calls(StepTime s, double times, LatencyComponent c, double calls) {
        s.t[StepTime.CALIBRATED + c.ordinal()] += times * calls * tuning.matrixProductOverheadSeconds();
    }

    /** Fixed overhead of one forward pass outside the layers (calibrated estimate only). */
    void passOverhead(StepTime s) {
        s.t[StepTime.CALIBRATED + LatencyComponent.OVERHEAD.ordinal()] += tuning.perPassOverheadSeconds();
    }

    private void requireLink() {
        if (link <= 0) throw new dev.strata.model.InvalidFieldException("tp", "> 1", "1 on a device whose scale-up link bandwidth is not known");
    }
}
