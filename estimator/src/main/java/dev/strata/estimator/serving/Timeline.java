package dev.strata.estimator.serving;

import java.util.ArrayList;
import java.util.List;

/**
 * Running sequences and KV-cache use over a simulated run, time-averaged in at most {@link #BUCKETS} equal intervals
 * from time 0: each step adds its batch and its replica's KV use over the time it takes, split exactly over the
 * intervals it spans; when the run outgrows the intervals, pairs merge and the interval doubles, so a run of any
 * length keeps a bounded, exact average per interval.
 */
public final class Timeline {
    /** The most intervals a timeline keeps. */
    public static final int BUCKETS = 256;

    private final int replicas;
    private double width = 1e-3;
    private final double[] batch = new double[BUCKETS];
    private final double[] kv = new double[BUCKETS];
    private int used;

    /**
     * An empty timeline of a deployment of {@code replicas} replicas.
     *
     * @param replicas the replicas whose steps it averages (at least 1)
     */
    Timeline(int replicas) {
        this.replicas = Math.max(1, replicas);
    }

    /** A step of one replica from {@code start} to {@code end} seconds, running {@code seqs} with {@code kvUse} of its cache. */
    void add(double start, double end, int seqs, double kvUse) {
        if (!(end > start)) return;
        while (end > BUCKETS * width) coarsen();
        int last = Math.min(BUCKETS - 1, (int) (end / width));
        for (int i = (int) (start / width); i <= last; i++) {
            double overlap = Math.min(end, (i + 1) * width) - Math.max(start, i * width);
            if (overlap <= 0) continue;
            batch[i] += seqs * overlap;
            kv[i] += kvUse * overlap;
            used = Math.max(used, i + 1);
        }
    }

    private void coarsen() {
        for (int i = 0; i < BUCKETS / 2; i++) {
            batch[i] = batch[2 * i] + batch[2 * i + 1];
            kv[i] = kv[2 * i] + kv[2 * i + 1];
        }
        for (int i = BUCKETS / 2; i < BUCKETS; i++) batch[i] = kv[i] = 0;
        used = (used + 1) / 2;
        width *= 2;
    }

    /**
     * One interval's averages.
     *
     * @param startSeconds where the interval starts
     * @param endSeconds where it ends
     * @param sequences running sequences per replica, time-averaged (idle time counts as none)
     * @param kvUtilization the replicas' mean share of KV blocks in use, time-averaged
     */
    public record Point(double startSeconds, double endSeconds, double sequences, double kvUtilization) {}

    /**
     * The intervals from time 0 to the last step's end.
     *
     * @return the points, in time order
     */
    public List<Point> points() {
        List<Point> out = new ArrayList<>(used);
        for (int i = 0; i < used; i++)
            out.add(new Point(i * width, (i + 1) * width, batch[i] / (width * replicas), kv[i] / (width * replicas)));
        return List.copyOf(out);
    }

    /**
     * The width of each interval.
     *
     * @return seconds
     */
    public double intervalSeconds() {
        return width;
    }
}
