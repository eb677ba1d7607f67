package dev.strata.estimator.latency;

/**
 * Time of one forward step (a decode step, or a prefill) as named terms ({@link LatencyComponent}), each with the
 * bytes it moves, its FLOPs, its floor (every op at 100 % of the datasheet bandwidth and peak) and its calibrated
 * estimate. Totals are the sums of the terms.
 */
public final class StepTime {
    private static final int N = LatencyComponent.values().length;
    /** Offsets of the four rows of {@link #t}: bytes, FLOPs, floor seconds and calibrated seconds per component. */
    static final int BYTES = 0, FLOPS = N, FLOOR = 2 * N, CALIBRATED = 3 * N;
    /** The terms, four rows of one entry per component in one array (one allocation a step). */
    final double[] t = new double[4 * N];

    double memoryBoundSeconds;
    double computeBoundSeconds;
    double floorMemoryBoundSeconds;
    double floorComputeBoundSeconds;
    double hostLinkBytes;

    /** An empty step: zero in every term. Fill it with {@link LatencyModel#decodeStep(long, long, StepTime)}. */
    public StepTime() {}

    /** Back to an empty step. */
    void clear() {
        java.util.Arrays.fill(t, 0);
        memoryBoundSeconds =
                computeBoundSeconds = floorMemoryBoundSeconds = floorComputeBoundSeconds = hostLinkBytes = 0;
    }

    /**
     * Bytes moved through device memory (and the host link, when offloaded) by one step, for one device.
     *
     * @return bytes
     */
    public double bytes() {
        return sum(BYTES);
    }

    /**
     * FLOPs one device performs in one step.
     *
     * @return FLOPs
     */
    public double flops() {
        return sum(FLOPS);
    }

    /**
     * The lower bound: every op at the datasheet bandwidth and peak, no fixed costs.
     *
     * @return seconds
     */
    public double floorSeconds() {
        return sum(FLOOR);
    }

    /**
     * The calibrated estimate: efficiencies, shape factors and fixed costs applied.
     *
     * @return seconds
     */
    public double calibratedSeconds() {
        return sum(CALIBRATED);
    }

    /**
     * Bytes one term moves, for one device.
     *
     * @param c the term
     * @return bytes
     */
    public double bytes(LatencyComponent c) {
        return t[BYTES + c.ordinal()];
    }

    /**
     * FLOPs of one term, for one device.
     *
     * @param c the term
     * @return FLOPs
     */
    public double flops(LatencyComponent c) {
        return t[FLOPS + c.ordinal()];
    }

    /**
     * The floor time of one term: its ops at the datasheet bandwidth and peak.
     *
     * @param c the term
     * @return seconds
     */
    public double floorSeconds(LatencyComponent c) {
        return t[FLOOR + c.ordinal()];
    }

    /**
     * The calibrated time of one term.
     *
     * @param c the term
     * @return seconds
     */
    public double calibratedSeconds(LatencyComponent c) {
        return t[CALIBRATED + c.ordinal()];
    }

    /**
     * Bytes streamed over the host link (offload) per step.
     *
     * @return bytes
     */
    public double hostLinkBytes() {
        return hostLinkBytes;
    }

    /**
     * "memory" when most of the calibrated op time is bound by bandwidth, "compute" otherwise.
     *
     * @return {@code "memory"} or {@code "compute"}
     */
    public String bound() {
        return memoryBoundSeconds >= computeBoundSeconds ? "memory" : "compute";
    }

    /** Adds another step's terms to this one, {@code times} times. */
    void add(StepTime o, double times) {
        for (int i = 0; i < t.length; i++) t[i] += o.t[i] * times;
        memoryBoundSeconds += o.memoryBoundSeconds * times;
        computeBoundSeconds += o.computeBoundSeconds * times;
        floorMemoryBoundSeconds += o.floorMemoryBoundSeconds * times;
        floorComputeBoundSeconds += o.floorComputeBoundSeconds * times;
        hostLinkBytes += o.hostLinkBytes * times;
    }

    private double sum(int row) {
        double s = 0;
        for (int i = row; i < row + N; i++) s += t[i];
        return s;
    }
}
