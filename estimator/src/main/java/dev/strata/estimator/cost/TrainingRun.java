package dev.strata.estimator.cost;

import dev.strata.estimator.scaling.TrainingCompute;
import dev.strata.model.internal.Checks;

/**
 * A training run to price: how much compute, on what, at what efficiency and price.
 *
 * @param totalFlops             training FLOPs (model FLOPs: per-token count x tokens)
 * @param peakFlopsPerSecond     dense datasheet peak of one device in the format MFU is measured against
 * @param devices                number of devices
 * @param mfu                    model FLOPs utilisation: achieved model FLOP/s / (devices x peak), in (0, 1]
 * @param pricePerDeviceHourUsd  price of one device for one hour, USD
 * @param powerWatts             board power of one device, W; 0 when unknown (then no energy estimate)
 * @param pue                    power usage effectiveness of the data centre (facility / IT power), ≥ 1
 */
public record TrainingRun(
        double totalFlops,
        double peakFlopsPerSecond,
        long devices,
        double mfu,
        double pricePerDeviceHourUsd,
        double powerWatts,
        double pue) {
    /** Most devices accepted. */
    public static final long MAX_DEVICES = 100_000_000;

    /**
     * Checks the fields; an invalid one throws an {@code InvalidFieldException} naming it.
     *
     * @param totalFlops training FLOPs (model FLOPs: per-token count x tokens)
     * @param peakFlopsPerSecond dense datasheet peak of one device in the format MFU is measured against
     * @param devices number of devices
     * @param mfu model FLOPs utilisation: achieved model FLOP/s / (devices x peak), in (0, 1]
     * @param pricePerDeviceHourUsd price of one device for one hour, USD
     * @param powerWatts board power of one device, W; 0 when unknown (then no energy estimate)
     * @param pue power usage effectiveness of the data centre (facility / IT power), ≥ 1
     */
    public TrainingRun {
        Checks.positive("flops", totalFlops, TrainingCompute.MAX_QUANTITY);
        Checks.positive("peakFlopsPerSecond", peakFlopsPerSecond, 1e18);
        Checks.range("devices", devices, 1, MAX_DEVICES);
        Checks.positive("mfu", mfu, 1);
        Checks.range("price", pricePerDeviceHourUsd, 0, 1e6);
        Checks.range("power", powerWatts, 0, 1e5);
        Checks.range("pue", pue, 1, 10);
    }
}
