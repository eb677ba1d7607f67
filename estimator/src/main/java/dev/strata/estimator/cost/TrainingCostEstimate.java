package dev.strata.estimator.cost;

import java.util.OptionalDouble;

/**
 * What a training run takes.
 *
 * @param run          the inputs
 * @param wallSeconds  wall-clock time, s
 * @param deviceHours  devices x wall hours
 * @param costUsd      device-hours x price, USD
 * @param energyKwh    device-hours x power x PUE, kWh; empty when the power is unknown
 */
public record TrainingCostEstimate(
        TrainingRun run, double wallSeconds, double deviceHours, double costUsd, OptionalDouble energyKwh) {
    /**
     * Achieved model FLOP/s per device: MFU x peak.
     *
     * @return FLOP/s per device
     */
    public double achievedFlopsPerSecondPerDevice() {
        return run.mfu() * run.peakFlopsPerSecond();
    }
}
