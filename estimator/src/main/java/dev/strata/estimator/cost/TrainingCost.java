package dev.strata.estimator.cost;

import dev.strata.estimator.scaling.TrainingCompute;
import dev.strata.model.internal.Checks;
import java.util.OptionalDouble;

/**
 * Time, device-hours, money and energy of a training run, and the reverse: the MFU a measured run implies.
 *
 * <p>MFU (model FLOPs utilisation) is as PaLM defines it (Chowdhery et al. 2022, arXiv:2204.02311, §4.1 and
 * App. B): achieved tokens/s x model FLOPs per token / (devices x peak FLOP/s).
 */
public final class TrainingCost {
    /**
     * Default MFU 0.40: Llama 3 405B trained at 38–43 % BF16 MFU on 8–16K H100s (Dubey et al. 2024,
     * arXiv:2407.21783, Table 4); PaLM 540B reached 46.2 % on TPU v4 (arXiv:2204.02311, Table 3). An assumption;
     * pass the MFU of your own stack.
     */
    public static final double DEFAULT_MFU = 0.40;
    /**
     * Default PUE 1.2: between hyperscale data centres (Google reports a fleet average of about 1.10) and the
     * industry average of about 1.5–1.6 (Uptime Institute surveys, 2023). An assumption.
     */
    public static final double DEFAULT_PUE = 1.2;
    /** Seconds per hour. */
    public static final double SECONDS_PER_HOUR = 3600;

    private TrainingCost() {}

    /**
     * All of it for one run.
     *
     * @param run the run's FLOPs, devices, MFU, price and power
     * @return time, device-hours, cost and energy
     */
    public static TrainingCostEstimate estimate(TrainingRun run) {
        double wall = wallSeconds(run.totalFlops(), run.devices(), run.peakFlopsPerSecond(), run.mfu());
        double hours = deviceHours(wall, run.devices());
        OptionalDouble energy = run.powerWatts() > 0
                ? OptionalDouble.of(energyKwh(hours, run.powerWatts(), run.pue()))
                : OptionalDouble.empty();
        return new TrainingCostEstimate(run, wall, hours, costUsd(hours, run.pricePerDeviceHourUsd()), energy);
    }

    /**
     * Wall-clock seconds: FLOPs / (devices x peak x MFU) (the definition of MFU, PaLM §4.1, solved for time).
     *
     * @param totalFlops training FLOPs
     * @param devices number of devices
     * @param peakFlopsPerSecond dense peak of one device
     * @param mfu model FLOPs utilisation, in (0, 1]
     * @return seconds
     */
    public static double wallSeconds(double totalFlops, long devices, double peakFlopsPerSecond, double mfu) {
        return totalFlops / (devices * peakFlopsPerSecond * mfu);
    }

    /**
     * Device-hours: devices x wall seconds / 3600.
     *
     * @param wallSeconds wall-clock seconds
     * @param devices number of devices
     * @return device-hours
     */
    public static double deviceHours(double wallSeconds, long devices) {
        return devices * wallSeconds / SECONDS_PER_HOUR;
    }

    /**
     * Money: device-hours x price per device-hour.
     *
     * @param deviceHours device-hours
     * @param pricePerDeviceHourUsd price of one device for one hour, USD
     * @return USD
     */
    public static double costUsd(double deviceHours, double pricePerDeviceHourUsd) {
        return deviceHours * pricePerDeviceHourUsd;
    }

    /**
     * Energy: device-hours x board power x PUE / 1000, kWh (devices at board power; host CPUs and network not counted).
     *
     * @param deviceHours device-hours
     * @param powerWatts board power of one device, W
     * @param pue power usage effectiveness, 1 or more
     * @return kWh
     */
    public static double energyKwh(double deviceHours, double powerWatts, double pue) {
        return deviceHours * powerWatts * pue / 1000;
    }

    /**
     * The MFU a measured run implies: FLOPs / (device-hours x 3600 x peak) (PaLM §4.1: achieved model FLOP/s over
     * peak, with achieved = FLOPs / device-seconds).
     *
     * @param totalFlops training FLOPs of the run
     * @param deviceHours device-hours the run took
     * @param peakFlopsPerSecond dense peak of one device
     * @return the MFU, a fraction
     */
    public static double impliedMfu(double totalFlops, double deviceHours, double peakFlopsPerSecond) {
        Checks.positive("flops", totalFlops, TrainingCompute.MAX_QUANTITY);
        Checks.positive("device-hours", deviceHours, 1e15);
        Checks.positive("peakFlopsPerSecond", peakFlopsPerSecond, 1e18);
        return totalFlops / (deviceHours * SECONDS_PER_HOUR * peakFlopsPerSecond);
    }
}
