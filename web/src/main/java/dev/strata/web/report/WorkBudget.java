package dev.strata.web.report;

import dev.strata.data.HardwareCatalog;
import dev.strata.data.RunsCsv;
import dev.strata.estimator.cost.ServingCost;
import dev.strata.estimator.solve.Solve;
import dev.strata.model.InvalidFieldException;

/**
 * What the server agrees to compute before it starts, so that every request it accepts ends in seconds (the command
 * line has no budget: its user waits for their own machine). An estimate's cost grows with the model's layers times
 * the evaluations of the model its searches make; a fit's with the runs times the Levenberg-Marquardt fits it makes.
 * Both are counted from the request alone and a request over the budget is refused with a 400 that names the limit.
 */
public final class WorkBudget {
    private WorkBudget() {}

    /** Most layer evaluations one estimate may make on the server: layers times {@link #evaluations}. */
    public static final long MAX_LAYER_EVALUATIONS = 1L << 22;
    /** Most run-fits one fit may make on the server: runs times (grid starts + bootstrap resamples). */
    public static final long MAX_RUN_FITS = 2_500_000;

    /** The passes of a plain estimate over the model: parameters, FLOPs, memory, prefill, decode and the rest. */
    static final int PLAIN_EVALUATIONS = 16;
    /** The probes of the largest-batch and longest-context searches: galloping then bisecting 63 bits, each. */
    static final int CAPACITY_SEARCH_EVALUATIONS = 2 * 2 * 63;

    /**
     * The most evaluations of the model an estimate with these options makes: with a device, the capacity searches
     * (fewest devices up to {@link Solve#MAX_DEVICES}, largest batch, longest context); with a target time per token
     * also the cheapest batch (up to 4,096 decode steps) and, for every catalog device, the counts {@link
     * Solve#cheapest} tries (powers of two up to {@link Solve#MAX_DEVICES}, a memory and a latency evaluation each).
     */
    public static long evaluations(ServingOptions serving) {
        long n = PLAIN_EVALUATIONS;
        if (serving.hardware() != null) n += Solve.MAX_DEVICES + CAPACITY_SEARCH_EVALUATIONS;
        if (serving.targetSeconds() != null) {
            int doublings = Integer.numberOfTrailingZeros(Solve.MAX_DEVICES) + 1;
            n += Math.min(ServingCost.MAX_BATCH, 4096)
                    + 2L * doublings * HardwareCatalog.all().size();
        }
        return n;
    }

    /** Refuses an estimate of {@code model} whose layers times {@link #evaluations} exceed the budget. */
    public static void checkEstimate(ResolvedModel model, ServingOptions serving) {
        long layers = model.spec().layerCount(), evaluations = evaluations(serving);
        if (layers * evaluations > MAX_LAYER_EVALUATIONS)
            throw new InvalidFieldException(
                    model.preset() == null ? "config" : "model",
                    layers + " layers",
                    "at most " + MAX_LAYER_EVALUATIONS / evaluations + " layers for this request on the server: "
                            + String.format("%,d", evaluations) + " evaluations of the model (its searches for the"
                            + " fewest devices, the largest batch and context, the cheapest hardware) times "
                            + String.format("%,d", layers) + " layers is over its budget of "
                            + String.format("%,d", MAX_LAYER_EVALUATIONS)
                            + " layer evaluations (strata estimate has no such budget)");
    }

    /**
     * Most layouts one training layout search may try on the server, about 5 s of one core: the memory estimate of
     * each and the step-time model of each that fits (docs/benchmarks.md: the 4,464 layouts of 70B on 1,024 H100s in
     * 1.03 s, the JVM's start included).
     */
    public static final long MAX_TRAINING_LAYOUTS = 20_000;

    /**
     * Refuses a training layout search of {@code layouts} layouts of {@code devices} devices over {@code max}.
     *
     * @param layouts the layouts the search would try
     * @param devices the devices laid out
     * @param max most layouts allowed ({@link #MAX_TRAINING_LAYOUTS} on the server, no bound on the command line)
     */
    public static void checkTrainingSearch(long layouts, long devices, long max) {
        if (layouts > max)
            throw new InvalidFieldException(
                    "devices",
                    devices,
                    "a device count whose layout search tries at most " + String.format("%,d", max)
                            + " layouts on the server; " + String.format("%,d", devices) + " devices have "
                            + String.format("%,d", layouts) + " (tp, pp, interleave, micro-batch, recompute, sequence"
                            + " parallelism, ZeRO); give the layout (--tp, --pp, ...) or use strata train, which has no"
                            + " such budget");
    }

    /** Refuses a fit of {@code runs} whose runs times (starts + resamples) exceed {@link #MAX_RUN_FITS}. */
    public static void checkFit(RunsCsv.Runs runs, FitReport.Request request) {
        var options = request.options();
        long perRun = (long) options.grid().size() + options.bootstrapResamples();
        long work = (long) runs.size() * perRun;
        if (work > MAX_RUN_FITS)
            throw new InvalidFieldException(
                    "data",
                    runs.size() + " runs",
                    "at most " + MAX_RUN_FITS / perRun + " runs for this fit on the server: " + runs.size()
                            + " runs times (" + options.grid().size() + " grid starts + "
                            + options.bootstrapResamples() + " bootstrap resamples) = " + String.format("%,d", work)
                            + " run-fits is over its budget of " + String.format("%,d", MAX_RUN_FITS)
                            + "; fewer runs or resamples (bootstrap=N) fit, and strata fit has no such budget");
    }
}
