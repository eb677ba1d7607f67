package dev.strata.data.validation;

import dev.strata.estimator.latency.Latency;
import dev.strata.estimator.latency.LatencyModel;
import dev.strata.estimator.latency.LatencyTuning;
import dev.strata.estimator.latency.Offload;
import dev.strata.estimator.latency.StepTime;
import dev.strata.model.Hardware;
import dev.strata.model.NumericFormat;
import dev.strata.model.Optimizer;
import dev.strata.model.Parallelism;
import dev.strata.model.Precision;
import dev.strata.model.TransformerSpec;
import dev.strata.model.Workload;

/**
 * A published point held against strata's estimate of it: the floor and the calibrated time of what the point
 * measured, in seconds. A time to first token is the prefill of one sequence; a throughput point is the whole static
 * batch: the prefill of every prompt, then {@code generate - 1} decode steps (the first token comes from the prefill),
 * each at the average context of the generation.
 *
 * @param point      the published point
 * @param floor      strata's floor for the measured time (all devices at 100 %: never above the measurement, if the
 *                   inputs describe the run)
 * @param calibrated strata's calibrated estimate of the measured time
 */
public record PublishedComparison(PublishedPoint point, double floor, double calibrated) {

    /**
     * The measured time in seconds.
     *
     * @return seconds
     */
    public double measured() {
        return point.measuredSeconds();
    }

    /**
     * Signed relative error of the calibrated time: estimated / measured - 1 (negative: optimistic).
     *
     * @return the error, a fraction
     */
    public double error() {
        return calibrated / measured() - 1;
    }

    /**
     * Whether the floor is at or below the measured time, as a lower bound must be.
     *
     * @return whether the floor is at most the measured time
     */
    public boolean floorBelow() {
        return floor <= measured() * (1 + 1e-9);
    }

    /**
     * The estimate of {@code point} on {@code hw} with {@code tuning}.
     *
     * @param point the published point
     * @param hw the device
     * @param tuning the latency tuning
     * @return the comparison
     */
    public static PublishedComparison of(PublishedPoint point, Hardware hw, LatencyTuning tuning) {
        return of(point, PublishedMeasurements.model(point), hw, tuning);
    }

    /**
     * The estimate of {@code point} for {@code spec} (the point's model, resolved once by the caller).
     *
     * @param point the published point
     * @param spec the point's model
     * @param hw the device
     * @param tuning the latency tuning
     * @return the comparison
     */
    public static PublishedComparison of(
            PublishedPoint point, TransformerSpec spec, Hardware hw, LatencyTuning tuning) {
        Precision p = precision(point);
        Parallelism par = new Parallelism(point.tp(), point.devices() / point.tp(), 1, 1, 0, false);
        Workload w = Workload.of(point.batch(), point.prompt(), Math.max(1, point.generate()))
                .withParallelism(par);
        LatencyModel m = LatencyModel.of(spec, p, par, hw, tuning, Offload.NONE);
        StepTime prefill = m.prefill(w, false);
        if (point.metric().equals(PublishedPoint.TTFT_MS))
            return new PublishedComparison(point, prefill.floorSeconds(), prefill.calibratedSeconds());
        long steps = Math.max(0, point.generate() - 1);
        StepTime decode = m.decodeStep(point.batch(), Latency.decodeContextTokens(point.prompt(), point.generate()));
        return new PublishedComparison(
                point,
                prefill.floorSeconds() + steps * decode.floorSeconds(),
                prefill.calibratedSeconds() + steps * decode.calibratedSeconds());
    }

    /** The formats of a point: its weights and KV cache; fp8 runs W8A8 on devices with an fp8 peak. */
    static Precision precision(PublishedPoint point) {
        return precision(point.weights(), point.kv());
    }

    /** The formats of a published run from its {@code weights} and {@code kv} columns. */
    static Precision precision(String weights, String kv) {
        return Precision.of(
                NumericFormat.parseWeights("weights", weights), NumericFormat.parse("kv", kv), Optimizer.ADAMW);
    }
}
