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
        return hw.hasPeak("bf16")
                ? "bf16"
                : hw.peakFlopsPerSecond().keySet().iterator().next();
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
    void op(
            StepTime s,
            double times,
            LatencyComponent c,
            double bytes,
            double flops,
            double rows,
            long inputWidth,
            boolean offloaded) {
        op(
                s,
                times,
                c,
                bytes,
                flops,
                calibratedSecondsPerByte(c, inputWidth),
                flops == 0 ? 0 : calibratedSecondsPerFlop(c, rows),
                offloaded);
    }

    /**
     * {@link #op(StepTime, double, LatencyComponent, double, double, double, long, boolean)} with the calibrated rates
     * already worked out ({@link #calibratedSecondsPerByte}, {@link #calibratedSecondsPerFlop}): a prepared model
     * works out a matrix's byte rate once and the pass's FLOP rate once for all its matrices, so an op only multiplies.
     */
    void op(
            StepTime s,
            double times,
            LatencyComponent c,
            double bytes,
            double flops,
            double calibratedPerByte,
            double calibratedPerFlop,
            boolean offloaded) {
        // in small methods, so that the JIT inlines the op into the pass that adds it up
        double floorMem = offloaded ? offloadedSeconds(s, times, c, bytes, 1) : bytes * perByte;
        double calMem = offloaded ? offloadedSeconds(s, 0, c, bytes, eff.communication()) : bytes * calibratedPerByte;
        add(s, c.ordinal(), times, bytes, flops, floorMem, calMem, flops * perFlop, flops * calibratedPerFlop);
    }

    /** Seconds to move {@code bytes} over one direction of the host link at {@code efficiency}; counts them when {@code times} > 0. */
    private double offloadedSeconds(StepTime s, double times, LatencyComponent c, double bytes, double efficiency) {
        if (hostLink <= 0)
            throw new dev.strata.model.InvalidFieldException(
                    "offload", c.key(), "none on a device whose host-link bandwidth is not known");
        s.hostLinkBytes += times * bytes;
        return bytes / (hostLink / 2 * efficiency);
    }

    /**
     * Calibrated seconds per byte streamed from device memory by component {@code c}: the bandwidth efficiency times
     * the shape factor of a matrix of {@code inputWidth} inputs (the attention factor for the KV cache), at most 1.
     */
    double calibratedSecondsPerByte(LatencyComponent c, long inputWidth) {
        double shape = c == LatencyComponent.ATTENTION_CORE
                ? tuning.attentionBandwidthFactor()
                : flatBandwidth ? 1 : tuning.bandwidthShapeFactor(inputWidth);
        return shape == 1 ? perByteCalibrated : 1 / (bandwidth * Math.min(1, bandwidthEfficiency * shape));
    }

    /**
     * Calibrated seconds per FLOP of component {@code c} over {@code rows} rows: the compute efficiency times the
     * row-shape factor of the product (or of the attention core).
     */
    double calibratedSecondsPerFlop(LatencyComponent c, double rows) {
        double rowShape = c == LatencyComponent.ATTENTION_CORE
                ? tuning.attentionShapeFactor(Math.max(rows, 1e-9))
                : tuning.computeShapeFactor(Math.max(rows, 1e-9));
        return perFlopCalibrated / rowShape;
    }

    /**
     * Adds {@code times} copies of one op's terms to component {@code i} and to the memory-/compute-bound totals. The
     * larger of each pair is taken by the comparison that also picks the bound: no NaN reaches here (every input is
     * checked), and {@code Math.max(double, double)} must order NaN and -0, which costs more than the op itself.
     */
    private static void add(
            StepTime s,
            int i,
            double times,
            double bytes,
            double flops,
            double floorMem,
            double calMem,
            double floorCompute,
            double calCompute) {
        s.t[StepTime.BYTES + i] += times * bytes;
        s.t[StepTime.FLOPS + i] += times * flops;
        double cal, floor;
        if (calMem >= calCompute) s.memoryBoundSeconds += cal = times * calMem;
        else s.computeBoundSeconds += cal = times * calCompute;
        if (floorMem >= floorCompute) s.floorMemoryBoundSeconds += floor = times * floorMem;
        else s.floorComputeBoundSeconds += floor = times * floorCompute;
        s.t[StepTime.FLOOR + i] += floor;
        s.t[StepTime.CALIBRATED + i] += cal;
    }

    /** {@code times} ring all-reduces of {@code bytes} over {@code ranks} tensor-parallel ranks. */
    void allReduce(StepTime s, double times, double bytes, int ranks) {
        requireLink();
        int i = LatencyComponent.COMMUNICATION.ordinal();
        double k = times;
        s.t[StepTime.BYTES + i] += bytes * k;
        s.t[StepTime.FLOOR + i] += k * Collectives.ringAllReduceSeconds(bytes, ranks, link, 0);
        s.t[StepTime.CALIBRATED + i] += k
                * Collectives.ringAllReduceSeconds(
                        bytes, ranks, link * eff.communication(), tuning.collectiveLatencySeconds());
    }

    /**
     * {@code times} all-to-all exchanges in which each rank sends {@code bytes} to the others (expert parallelism's
     * dispatch and combine), over one direction of its link as a point-to-point transfer of those bytes.
     */
    void allToAll(StepTime s, double times, double bytes) {
        requireLink();
        int i = LatencyComponent.COMMUNICATION.ordinal();
        s.t[StepTime.BYTES + i] += bytes * times;
        s.t[StepTime.FLOOR + i] += times * Collectives.pointToPointSeconds(bytes, link, 0);
        s.t[StepTime.CALIBRATED + i] += times
                * Collectives.pointToPointSeconds(bytes, link * eff.communication(), tuning.collectiveLatencySeconds());
    }

    /** {@code hops} point-to-point transfers of {@code bytes} between pipeline stages. */
    void pointToPoint(StepTime s, double bytes, int hops) {
        requireLink();
        int i = LatencyComponent.COMMUNICATION.ordinal();
        double k = hops;
        s.t[StepTime.BYTES + i] += bytes * k;
        s.t[StepTime.FLOOR + i] += k * Collectives.pointToPointSeconds(bytes, link, 0);
        s.t[StepTime.CALIBRATED + i] += k
                * Collectives.pointToPointSeconds(bytes, link * eff.communication(), tuning.collectiveLatencySeconds());
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
        if (link <= 0)
            throw new dev.strata.model.InvalidFieldException(
                    "tp", "> 1", "1 on a device whose scale-up link bandwidth is not known");
    }
}
