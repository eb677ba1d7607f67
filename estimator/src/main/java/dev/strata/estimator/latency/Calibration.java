package dev.strata.estimator.latency;

import dev.strata.model.Hardware;
import dev.strata.model.InvalidFieldException;
import dev.strata.model.Precision;
import dev.strata.model.TransformerSpec;
import dev.strata.model.Workload;
import dev.strata.model.internal.Checks;

/**
 * Calibration from a measurement: the memory-bandwidth efficiency at which the calibrated decode estimate equals a
 * time per token that a user measured for one setup. Applying it ({@code hardware.withEfficiency}) to other setups
 * (batch, context, model) carries the measurement over.
 */
public final class Calibration {
    private Calibration() {}

    /**
     * The bandwidth efficiency in (0, 1] that makes the calibrated decode step of {@code w} take
     * {@code measuredSecondsPerToken}, found by bisection (the step time falls monotonically as efficiency rises).
     *
     * @param spec the model that ran
     * @param p its formats
     * @param w the workload that ran (batch, prompt and generated tokens, parallelism)
     * @param hw the device it ran on
     * @param tuning the latency tuning of the device
     * @param offload what was kept in host memory
     * @param measuredSecondsPerToken the measured decode time per token
     * @return the bandwidth efficiency, in (0, 1]
     * @throws InvalidFieldException (field {@code measuredSecondsPerToken}) when the measurement is faster than the
     *                               floor (efficiency above 100 %: the inputs do not describe the run) or slower than
     *                               1 % efficiency would explain
     */
    public static double impliedBandwidthEfficiency(
            TransformerSpec spec,
            Precision p,
            Workload w,
            Hardware hw,
            LatencyTuning tuning,
            Offload offload,
            double measuredSecondsPerToken) {
        Checks.positive("measuredSecondsPerToken", measuredSecondsPerToken, 1e6);
        long context = Latency.decodeContextTokens(w.promptTokens(), w.generatedTokens());
        double best = step(spec, p, w, hw, tuning, offload, context, 1.0);
        if (measuredSecondsPerToken < best * (1 - 1e-9))
            throw new InvalidFieldException(
                    "measuredSecondsPerToken",
                    measuredSecondsPerToken,
                    "at least the time at 100 % bandwidth efficiency, " + best
                            + " s: a faster measurement means the inputs (model, formats, batch, hardware) do not match the run");
        double lo = 0.01, hi = 1.0;
        if (step(spec, p, w, hw, tuning, offload, context, lo) < measuredSecondsPerToken)
            throw new InvalidFieldException(
                    "measuredSecondsPerToken",
                    measuredSecondsPerToken,
                    "at most the time at 1 % bandwidth efficiency; something other than bandwidth dominates this run");
        for (int i = 0; i < 60; i++) {
            double mid = (lo + hi) / 2;
            if (step(spec, p, w, hw, tuning, offload, context, mid) > measuredSecondsPerToken) lo = mid;
            else hi = mid;
        }
        return (lo + hi) / 2;
    }

    private static double step(
            TransformerSpec spec,
            Precision p,
            Workload w,
            Hardware hw,
            LatencyTuning tuning,
            Offload offload,
            long context,
            double bandwidthEfficiency) {
        Hardware.Efficiency e = hw.efficiency();
        Hardware h = hw.withEfficiency(new Hardware.Efficiency(bandwidthEfficiency, e.compute(), e.communication()));
        return Latency.decodeStep(spec, p, w.parallelism(), w.batch(), context, h, tuning, offload)
                .calibratedSeconds();
    }
}
