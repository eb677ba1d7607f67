package dev.strata.estimator.latency;

/**
 * Time of the collectives that tensor and pipeline parallelism add.
 *
 * <p>Ring all-reduce (Patarasuk and Yuan 2009, "Bandwidth optimal all-reduce algorithms for clusters of
 * workstations", J. Parallel Distrib. Comput. 69(2); NCCL's "bus bandwidth" convention): each of n ranks sends and
 * receives {@code 2 (n - 1) / n} times the buffer, over one direction of its link. Vendors quote link bandwidth as the
 * bidirectional total (NVLink 4: 900 GB/s = 450 GB/s each way), so one direction is half the catalog figure.
 */
public final class Collectives {
    private Collectives() {}

    /**
     * Seconds of one ring all-reduce of {@code bytes} over {@code ranks} ranks.
     *
     * @param bytes the buffer each rank holds
     * @param ranks ranks taking part
     * @param linkBytesPerSecond bidirectional link bandwidth of one rank (catalog figure) times its efficiency
     * @param latencySeconds fixed cost per collective (launch and synchronisation); 0 for the floor
     * @return seconds
     */
    public static double ringAllReduceSeconds(
            double bytes, int ranks, double linkBytesPerSecond, double latencySeconds) {
        if (ranks <= 1 || bytes <= 0) return 0;
        return 2.0 * (ranks - 1) / ranks * bytes / (linkBytesPerSecond / 2) + latencySeconds;
    }

    /**
     * Seconds to send {@code bytes} from one pipeline stage to the next over one direction of the link.
     *
     * @param bytes bytes sent
     * @param linkBytesPerSecond bidirectional link bandwidth of one rank (catalog figure) times its efficiency
     * @param latencySeconds fixed cost per transfer; 0 for the floor
     * @return seconds
     */
    public static double pointToPointSeconds(double bytes, double linkBytesPerSecond, double latencySeconds) {
        if (bytes <= 0) return 0;
        return bytes / (linkBytesPerSecond / 2) + latencySeconds;
    }
}
