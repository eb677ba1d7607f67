package dev.strata.web.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.data.GpuPerformance;
import dev.strata.data.HardwareCatalog;
import dev.strata.data.HardwareEntry;
import dev.strata.estimator.cost.ModelFlops;
import dev.strata.estimator.cost.TrainingCost;
import dev.strata.estimator.cost.TrainingCostEstimate;
import dev.strata.estimator.cost.TrainingFlopsPerToken;
import dev.strata.estimator.cost.TrainingRun;
import dev.strata.estimator.latency.GpuEfficiency;
import dev.strata.estimator.latency.LatencyTuning;
import dev.strata.estimator.scaling.TrainingCompute;
import dev.strata.estimator.training.TrainingLayout;
import dev.strata.estimator.training.TrainingLayoutSearch;
import dev.strata.estimator.training.TrainingStack;
import dev.strata.estimator.training.TrainingStep;
import dev.strata.estimator.training.TrainingStepModel;
import dev.strata.model.Hardware;
import dev.strata.model.InvalidFieldException;
import dev.strata.model.Parallelism;
import dev.strata.model.Recompute;
import dev.strata.model.TransformerSpec;
import dev.strata.model.internal.Checks;
import dev.strata.model.internal.Limits;
import dev.strata.web.render.Render;
import java.util.List;

/**
 * The {@code train} result: training FLOPs, wall time, device-hours, cost and energy of a run on a device from
 * the hardware catalog, or the MFU that a measured run's time implies.
 */
public final class TrainReport {
    /** The numeric format whose peak MFU is measured against, unless --compute-format says otherwise. */
    public static final String DEFAULT_COMPUTE_FORMAT = "bf16";
    /** Seconds per day. */
    static final double SECONDS_PER_DAY = 86_400;

    private TrainReport() {}

    /**
     * What the user asked; nulls take the defaults. Options (and HTTP query names without the dashes): --model,
     * --params, --flops-per-token, --tokens, --hardware, --devices, --mfu, --device-hours, --wall-hours, --price,
     * --power, --pue, --seq-len, --compute-format.
     *
     * @param model         preset id or config path (null: use params or flopsPerToken)
     * @param params        a bare parameter count (6N per token, no attention term)
     * @param flopsPerToken training FLOPs per token, overriding the exact count
     * @param tokens        training tokens
     * @param hardware      hardware id
     * @param devices       number of devices (1)
     * @param mfu           model FLOPs utilisation ({@link TrainingCost#DEFAULT_MFU})
     * @param deviceHours   measured device-hours: the MFU is implied instead of given
     * @param wallHours     measured wall-clock hours: the MFU is implied instead of given
     * @param price         USD per device-hour (the catalog's default)
     * @param power         board power in W (the catalog's)
     * @param pue           power usage effectiveness ({@link TrainingCost#DEFAULT_PUE})
     * @param seqLen        training sequence length for the attention term (min(4096, the model's context))
     * @param computeFormat format whose peak MFU is measured against ({@link #DEFAULT_COMPUTE_FORMAT})
     */
    public record Request(
            String model,
            Double params,
            Double flopsPerToken,
            Double tokens,
            String hardware,
            Long devices,
            Double mfu,
            Double deviceHours,
            Double wallHours,
            Double price,
            Double power,
            Double pue,
            Integer seqLen,
            String computeFormat,
            Layout layout) {
        /** The request from named inputs (HTTP query parameters or form fields, named as the options without dashes). */
        public static Request from(Inputs in) {
            return new Request(
                    in.presetId("model"),
                    in.number("params"),
                    in.number("flops-per-token"),
                    in.number("tokens"),
                    in.text("hardware"),
                    in.whole("devices"),
                    in.number("mfu"),
                    in.number("device-hours"),
                    in.number("wall-hours"),
                    in.number("price"),
                    in.number("power"),
                    in.number("pue"),
                    in.integer("seq-len"),
                    in.text("compute-format"),
                    new Layout(
                            in.integer("tp"),
                            in.integer("pp"),
                            in.integer("interleave"),
                            in.integer("global-batch"),
                            in.integer("micro-batch"),
                            in.text("recompute"),
                            in.text("sequence-parallel"),
                            in.text("weights"),
                            in.integer("zero"),
                            in.integer("ep"),
                            searchFlag(in.text("search")),
                            in.integer("top")));
        }
    }

    /** The names of the layout options ({@link Layout}), as the command line and the query name them. */
    public static final java.util.Set<String> LAYOUT_OPTIONS = java.util.Set.of(
            "tp",
            "pp",
            "interleave",
            "global-batch",
            "micro-batch",
            "recompute",
            "sequence-parallel",
            "weights",
            "zero",
            "ep",
            "search",
            "top");

    /**
     * The training layout options; nulls take the defaults. Any of them given (or --tokens left out) makes the step-time
     * model predict the MFU ({@link TrainingStepModel}).
     *
     * @param tp tensor-parallel ranks (1)
     * @param pp pipeline stages (1)
     * @param interleave model chunks per stage (1)
     * @param globalBatch sequences per step (4 x pp x dp x micro-batch)
     * @param microBatch sequences per micro-batch (1)
     * @param recompute none, selective or full (none)
     * @param sequenceParallel true or false (false)
     * @param weights format of the matrix products: fp16, bf16 or fp8 (bf16)
     * @param zero ZeRO stage 0 to 3 (0)
     * @param ep expert-parallel ranks, a divisor of dp (1)
     * @param search true to search every layout that fits instead of predicting one (null: no search)
     * @param top how many of the fastest layouts a search lists (10)
     */
    public record Layout(
            Integer tp,
            Integer pp,
            Integer interleave,
            Integer globalBatch,
            Integer microBatch,
            String recompute,
            String sequenceParallel,
            String weights,
            Integer zero,
            Integer ep,
            Boolean search,
            Integer top) {
        /** No layout option given. */
        public static final Layout NONE =
                new Layout(null, null, null, null, null, null, null, null, null, null, null, null);

        /** Whether any option is given. */
        boolean given() {
            return !equals(NONE);
        }

        /**
         * Whether any option the layout search chooses is given (tp, pp, interleave, micro-batch, recompute, sequence
         * parallelism, ZeRO, ep); without one a run takes the default layout.
         */
        boolean laidOut() {
            return tp != null
                    || pp != null
                    || interleave != null
                    || microBatch != null
                    || recompute != null
                    || sequenceParallel != null
                    || zero != null
                    || ep != null;
        }
    }

    /** A search flag from a query parameter: true, false or absent (null). */
    static Boolean searchFlag(String text) {
        if (text == null) return null;
        return bool("search", text) ? Boolean.TRUE : null;
    }

    /** The training formats the step-time model runs the matrix products in. */
    static final java.util.List<String> TRAINING_FORMATS = java.util.List.of("fp16", "bf16", "fp8");

    /**
     * The report of a request, with no bound on the layouts a search tries (the command line's).
     *
     * @param r the request
     * @return the report
     */
    public static ObjectNode of(Request r) {
        return of(r, Long.MAX_VALUE);
    }

    /**
     * The report of a request whose layout searches (--search, and the default layout of a run without one) may try
     * at most {@code maxLayouts} layouts; a larger search is refused naming --devices.
     *
     * @param r the request
     * @param maxLayouts most layouts a search may try ({@link WorkBudget#MAX_TRAINING_LAYOUTS} on the server)
     * @return the report
     */
    public static ObjectNode of(Request r, long maxLayouts) {
        // checked even when no model uses it, so that a bad value is never passed over in silence
        if (r.seqLen() != null) Checks.range("seq-len", r.seqLen(), 1, Limits.MAX_CONTEXT);
        if (r.tokens() != null) Checks.positive("tokens", r.tokens(), TrainingCompute.MAX_QUANTITY);
        HardwareEntry entry = HardwareCatalog.entry(Checks.present("hardware", r.hardware()));
        Hardware hw = entry.hardware();
        if (r.price() != null)
            hw = hw.withPricePerHourUsd(Checks.range("price", r.price(), 0, Hardware.MAX_PRICE_PER_HOUR_USD));
        if (r.power() != null) hw = hw.withPowerWatts(Checks.range("power", r.power(), 0, Hardware.MAX_POWER_WATTS));
        String format = r.computeFormat() == null ? DEFAULT_COMPUTE_FORMAT : r.computeFormat();
        if (!hw.hasPeak(format))
            throw new InvalidFieldException(
                    "compute-format",
                    format,
                    "a format " + hw.id() + " has a peak for, one of "
                            + hw.peakFlopsPerSecond().keySet());
        double peak = hw.peakFlopsPerSecond(format);
        Long deviceOption =
                r.devices() == null ? null : Checks.range("devices", r.devices(), 1, TrainingRun.MAX_DEVICES);

        if (r.model() != null && r.params() != null)
            throw InvalidFieldException.withMessage("params", "give --model or --params, not both");
        ResolvedModel model = r.model() == null ? null : ResolvedModel.of(r.model());
        TrainingFlopsPerToken approx = null;
        if (model != null) {
            int seqLen = r.seqLen() != null
                    ? r.seqLen()
                    : Math.min(ModelFlops.DEFAULT_SEQUENCE_LENGTH, model.spec().contextLength());
            approx = ModelFlops.perToken(model.spec(), seqLen);
        } else if (r.params() != null) {
            approx = ModelFlops.perToken(r.params());
        }
        int measured = (r.mfu() != null ? 1 : 0) + (r.deviceHours() != null ? 1 : 0) + (r.wallHours() != null ? 1 : 0);
        Layout layoutOptions = r.layout() == null ? Layout.NONE : r.layout();
        // a model without an MFU (given or implied) is timed by the step-time model: at its layout, or without one at
        // the default layout (the layout search's fastest)
        boolean stepMode = measured == 0
                && r.flopsPerToken() == null
                && (layoutOptions.given() || model != null || r.tokens() == null);
        if (layoutOptions.given() && !stepMode)
            throw InvalidFieldException.withMessage(
                    r.mfu() != null
                            ? "mfu"
                            : r.deviceHours() != null
                                    ? "device-hours"
                                    : r.wallHours() != null ? "wall-hours" : "flops-per-token",
                    "give a layout (--tp, --pp, --global-batch, ...) or an MFU (--mfu, --device-hours, --wall-hours)"
                            + " or --flops-per-token, not both");
        if (stepMode) {
            if (model == null && !layoutOptions.given())
                throw InvalidFieldException.withMessage(
                        "tokens", "give --tokens (or --model with a layout: then one step is predicted)");
            if (model == null)
                throw InvalidFieldException.withMessage(
                        r.params() != null ? "params" : "model",
                        "a layout (--tp, --pp, ...) needs --model (a preset or config.json), not --params");
            if (r.computeFormat() != null && layoutOptions.given())
                throw InvalidFieldException.withMessage(
                        "compute-format",
                        "not with a layout: --weights sets the format of the products and of the peak MFU is measured"
                                + " against");
            if (r.computeFormat() != null) {
                // no layout: the format the peak is measured against is the one the step-time model runs the products
                // in
                String f = r.computeFormat().trim().toLowerCase(java.util.Locale.ROOT);
                if (!TRAINING_FORMATS.contains(f))
                    throw new InvalidFieldException(
                            "compute-format",
                            r.computeFormat(),
                            "one of " + String.join(", ", TRAINING_FORMATS)
                                    + " (the step-time model's formats), or give --mfu to time the run at an assumed"
                                    + " MFU");
                layoutOptions = new Layout(null, null, null, null, null, null, null, f, null, null, null, null);
            }
            return stepModel(r, layoutOptions, model, approx, hw, deviceOption, maxLayouts);
        }
        long devices = deviceOption == null ? 1 : deviceOption;
        double tokens = Checks.positive("tokens", Checks.present("tokens", r.tokens()), TrainingCompute.MAX_QUANTITY);
        double perToken;
        if (r.flopsPerToken() != null)
            perToken = Checks.positive("flops-per-token", r.flopsPerToken(), TrainingCompute.MAX_QUANTITY);
        else if (approx != null) perToken = approx.total();
        else
            throw InvalidFieldException.withMessage(
                    "model", "give --model (a preset or config.json), --params or --flops-per-token");
        double totalFlops = Checks.positive("flops", perToken * tokens, TrainingCompute.MAX_QUANTITY);

        if (measured > 1)
            throw InvalidFieldException.withMessage(
                    "mfu", "give at most one of --mfu, --device-hours and --wall-hours");
        double mfu;
        String mfuSource;
        if (r.deviceHours() != null || r.wallHours() != null) {
            String option = r.deviceHours() != null ? "device-hours" : "wall-hours";
            double deviceHours = r.deviceHours() != null
                    ? Checks.positive("device-hours", r.deviceHours(), 1e15)
                    : Checks.positive("wall-hours", r.wallHours(), 1e12) * devices;
            mfu = TrainingCost.impliedMfu(totalFlops, deviceHours, peak);
            if (mfu > 1) {
                double fewest = totalFlops / (peak * TrainingCost.SECONDS_PER_HOUR);
                throw new InvalidFieldException(
                        option,
                        r.deviceHours() != null ? r.deviceHours() : r.wallHours(),
                        "at least " + (r.deviceHours() != null ? fewest : fewest / devices)
                                + " (the time at 100 % of the " + format + " peak)");
            }
            mfuSource = "implied by --" + option;
        } else {
            mfu = r.mfu() == null ? TrainingCost.DEFAULT_MFU : r.mfu();
            mfuSource = r.mfu() == null
                    ? "assumed: the default (Llama 3 405B trained at 38-43 % BF16 MFU, arXiv:2407.21783 Table 4);"
                            + " --model without --mfu is timed by the step-time model instead"
                    : "assumed: given by --mfu (the step-time model predicts one from --model without --mfu)";
        }
        return report(r, model, hw, format, devices, tokens, approx, perToken, totalFlops, mfu, mfuSource, peak);
    }

    /** The JSON of a run at an MFU (given, implied, assumed or predicted). */
    private static ObjectNode report(
            Request r,
            ResolvedModel model,
            Hardware hw,
            String format,
            long devices,
            double tokens,
            TrainingFlopsPerToken approx,
            double perToken,
            double totalFlops,
            double mfu,
            String mfuSource,
            double peak) {
        TrainingRun run = new TrainingRun(
                totalFlops,
                peak,
                devices,
                mfu,
                hw.pricePerHourUsd(),
                hw.powerWatts(),
                r.pue() == null ? TrainingCost.DEFAULT_PUE : r.pue());
        TrainingCostEstimate e = TrainingCost.estimate(run);

        ObjectNode root = Render.NODES.objectNode();
        if (model != null) root.set("model", EstimateReport.model(model));
        ObjectNode h = HardwareReport.of(hw);
        h.put("computeFormat", format);
        root.set("hardware", h);
        root.put("devices", devices);
        Counts.put(root, "tokens", tokens);
        ObjectNode flops = root.putObject("flops");
        ObjectNode per = flops.putObject("perToken");
        if (approx != null) {
            per.put("matmulParams", approx.matmulParams());
            per.put("dense", approx.dense());
            per.put("attention", approx.attention());
            if (approx.sequenceLength() > 0) flops.put("sequenceLength", approx.sequenceLength());
        }
        per.put("total", perToken);
        flops.put("method", r.flopsPerToken() != null ? "given (--flops-per-token)" : approx.method());
        flops.put("total", totalFlops);
        root.put("mfu", mfu);
        root.put("mfuSource", mfuSource);
        root.put("achievedFlopsPerSecondPerDevice", e.achievedFlopsPerSecondPerDevice());
        root.put("pricePerDeviceHourUsd", run.pricePerDeviceHourUsd());
        root.put("powerWatts", run.powerWatts());
        root.put("pue", run.pue());
        root.put("wallSeconds", e.wallSeconds());
        root.put("wallDays", e.wallSeconds() / SECONDS_PER_DAY);
        root.put("deviceHours", e.deviceHours());
        root.put("costUsd", e.costUsd());
        if (e.energyKwh().isPresent()) root.put("energyKwh", e.energyKwh().getAsDouble());
        else {
            root.putNull("energyKwh");
            root.put("energyNote", hw.id() + " has no published board power: pass --power (W) for an energy estimate");
        }
        return root;
    }

    /**
     * A run at the MFU the step-time model predicts for the layout: one step when --tokens is left out. Adds
     * {@code layout} and {@code step} to the keys of a run at an MFU.
     */
    private static ObjectNode stepModel(
            Request r,
            Layout o,
            ResolvedModel model,
            TrainingFlopsPerToken approx,
            Hardware hw,
            Long deviceOption,
            long maxLayouts) {
        TransformerSpec spec = model.spec();
        int tp = o.tp() == null ? 1 : Checks.range("tp", o.tp(), 1, Parallelism.MAX_DEGREE);
        int pp = o.pp() == null ? 1 : Checks.range("pp", o.pp(), 1, Parallelism.MAX_DEGREE);
        int v = o.interleave() == null ? 1 : Checks.range("interleave", o.interleave(), 1, 1024);
        int micro = o.microBatch() == null
                ? 1
                : Checks.range("micro-batch", o.microBatch(), 1, TrainingLayout.MAX_GLOBAL_BATCH);
        int zero = o.zero() == null ? 0 : Checks.range("zero", o.zero(), 0, 3);
        Recompute recompute = Recompute.parse("recompute", o.recompute() == null ? "none" : o.recompute());
        boolean sp = bool("sequence-parallel", o.sequenceParallel());
        String weights = o.weights() == null ? "bf16" : o.weights().trim().toLowerCase(java.util.Locale.ROOT);
        if (!TRAINING_FORMATS.contains(weights))
            throw new InvalidFieldException("weights", o.weights(), "one of " + String.join(", ", TRAINING_FORMATS));
        if (!hw.hasPeak(weights))
            throw new InvalidFieldException(
                    "weights",
                    weights,
                    "a format " + hw.id() + " has a peak for, one of "
                            + hw.peakFlopsPerSecond().keySet());
        if (Boolean.TRUE.equals(o.search())) return search(r, o, model, approx, hw, weights, deviceOption, maxLayouts);
        if (o.top() != null)
            throw InvalidFieldException.withMessage("top", "--top lists the layouts of --search: give --search");
        if (!o.laidOut()) return defaultLayout(r, o, model, approx, hw, weights, deviceOption, maxLayouts);
        long modelRanks = (long) tp * pp;
        long devices = deviceOption == null ? modelRanks : deviceOption;
        if (devices % modelRanks != 0)
            throw new InvalidFieldException(
                    "devices", devices, "a multiple of tp x pp = " + modelRanks + " (devices = tp x pp x dp)");
        if (devices / modelRanks > Parallelism.MAX_DEGREE)
            throw new InvalidFieldException("devices", devices, "at most tp x pp x " + Parallelism.MAX_DEGREE);
        int dp = (int) (devices / modelRanks);
        int seqLen = approx.sequenceLength();
        long defaultBatch = 4L * pp * dp * micro;
        int global = o.globalBatch() != null
                ? Checks.range("global-batch", o.globalBatch(), 1, TrainingLayout.MAX_GLOBAL_BATCH)
                : (int) Checks.range("global-batch", defaultBatch, 1, TrainingLayout.MAX_GLOBAL_BATCH);
        int ep = o.ep() == null ? 1 : Checks.range("ep", o.ep(), 1, Parallelism.MAX_DEGREE);
        TrainingLayout layout = new TrainingLayout(tp, pp, dp, v, global, micro, seqLen, recompute, sp, zero, ep);
        TrainingStep step =
                TrainingStepModel.estimate(spec, hw, gpuEfficiency(hw), weights, layout, TrainingStack.DEFAULT);
        return stepReport(r, model, approx, hw, weights, layout, step, "given");
    }

    /**
     * A run without layout options: timed at the default layout, the fastest of the layout search that fits the
     * devices' memory, at --global-batch or {@link TrainingLayoutSearch#defaultGlobalBatch}. When none fits (or the
     * search would be larger than the budget allows on the server) the answer says so; a run that no layout fits is
     * timed at the assumed MFU, with a note.
     */
    private static ObjectNode defaultLayout(
            Request r,
            Layout o,
            ResolvedModel model,
            TrainingFlopsPerToken approx,
            Hardware hw,
            String weights,
            Long deviceOption,
            long maxLayouts) {
        long devices = deviceOption == null ? 1 : deviceOption;
        Checks.range("devices", devices, 1, Parallelism.MAX_DEGREE);
        int seqLen = approx.sequenceLength();
        boolean batchGiven = o.globalBatch() != null;
        int global = batchGiven
                ? Checks.range("global-batch", o.globalBatch(), 1, TrainingLayout.MAX_GLOBAL_BATCH)
                : TrainingLayoutSearch.defaultGlobalBatch(devices, seqLen);
        List<TrainingLayout> tried =
                TrainingLayoutSearch.layouts(model.spec(), hw, devices, global, seqLen, TrainingStack.DEFAULT);
        WorkBudget.checkTrainingSearch(tried.size(), devices, maxLayouts);
        List<TrainingLayoutSearch.Candidate> fitting =
                TrainingLayoutSearch.search(model.spec(), hw, gpuEfficiency(hw), weights, tried, TrainingStack.DEFAULT);
        String batchWhy = batchGiven
                ? "--global-batch " + global
                : "global batch " + global + " sequences (default: the smallest multiple of the devices holding "
                        + TrainingLayoutSearch.DEFAULT_BATCH_TOKENS + " tokens)";
        if (fitting.isEmpty()) {
            if (r.tokens() == null)
                throw InvalidFieldException.withMessage(
                        "devices",
                        "no layout of " + devices + " devices fits " + hw.id() + "'s memory at " + batchWhy
                                + ": more devices, or --tokens with --mfu to time a run at an assumed MFU");
            double tokens = r.tokens();
            double totalFlops = Checks.positive("flops", approx.total() * tokens, TrainingCompute.MAX_QUANTITY);
            ObjectNode root = report(
                    r,
                    model,
                    hw,
                    weights,
                    devices,
                    tokens,
                    approx,
                    approx.total(),
                    totalFlops,
                    TrainingCost.DEFAULT_MFU,
                    "assumed: no layout of " + devices + " devices fits " + hw.id() + "'s memory at " + batchWhy
                            + ", so the step-time model has nothing to time (strata train --search lists what fits);"
                            + " the default MFU (Llama 3 405B trained at 38-43 % BF16 MFU, arXiv:2407.21783 Table 4)",
                    hw.peakFlopsPerSecond(weights));
            return root;
        }
        TrainingLayoutSearch.Candidate best = fitting.get(0);
        return stepReport(
                r,
                model,
                approx,
                hw,
                weights,
                best.layout(),
                best.step(),
                "default: the fastest of the " + fitting.size() + " layouts of " + devices + " devices that fit "
                        + hw.id() + "'s memory (strata train --search) at " + batchWhy);
    }

    /** The JSON of a run at a layout and its predicted step; {@code chosen} says where the layout came from. */
    private static ObjectNode stepReport(
            Request r,
            ResolvedModel model,
            TrainingFlopsPerToken approx,
            Hardware hw,
            String weights,
            TrainingLayout layout,
            TrainingStep step,
            String chosen) {
        TransformerSpec spec = model.spec();
        long devices = layout.devices();
        double tokens = r.tokens() != null ? r.tokens() : layout.tokensPerStep();
        double totalFlops = Checks.positive("flops", approx.total() * tokens, TrainingCompute.MAX_QUANTITY);
        String source = "predicted by the training step-time model (docs/formulas.md, \"Training step time\")"
                + (chosen.equals("given") ? "" : " at the default layout")
                + (GpuPerformance.covers(hw.id())
                        ? ""
                        : "; " + hw.id() + " is not in the GPU performance model: its catalog efficiencies");
        ObjectNode root = report(
                r,
                model,
                hw,
                weights,
                devices,
                tokens,
                approx,
                approx.total(),
                totalFlops,
                step.mfu(),
                source,
                hw.peakFlopsPerSecond(weights));
        if (r.tokens() == null) root.put("tokensNote", "--tokens not given: one step of global-batch x seq-len tokens");
        ObjectNode l = root.putObject("layout");
        l.put("tp", layout.tensor());
        l.put("pp", layout.pipeline());
        l.put("dp", layout.data());
        l.put("interleave", layout.interleave());
        l.put("globalBatch", layout.globalBatch());
        l.put("microBatch", layout.microBatch());
        l.put("microBatches", layout.microBatches());
        l.put("seqLen", layout.sequenceLength());
        l.put("recompute", layout.recompute().id());
        l.put("sequenceParallel", layout.sequenceParallel());
        l.put("weights", weights);
        l.put("zero", layout.zeroStage());
        l.put("ep", layout.expert());
        l.put("chosen", chosen);
        long bytes = TrainingLayoutSearch.memoryBytesPerDevice(spec, weights, layout);
        l.put("memoryBytesPerDevice", bytes);
        l.put("fitsMemory", bytes <= hw.memoryBytes());
        ObjectNode s = root.putObject("step");
        s.put("seconds", step.seconds());
        s.put("computeSeconds", step.computeSeconds());
        s.put("communicationSeconds", step.communicationSeconds());
        s.put("bubbleSeconds", step.bubbleSeconds());
        s.put("optimizerSeconds", step.optimizerSeconds());
        s.put("mfu", step.mfu());
        s.put("hfu", step.hfu());
        s.put("tokensPerSecond", step.tokensPerSecond());
        s.put("tokensPerStep", layout.tokensPerStep());
        s.put("dataParallelReductionSeconds", step.dataParallelSeconds());
        s.put("dataParallelOverlap", "overlapped with the last micro-batch's backward pass but its last bucket");
        return root;
    }

    /** The GPU performance model's efficiencies for a GPU it covers; otherwise the catalog's, without size terms. */
    static GpuEfficiency gpuEfficiency(Hardware hw) {
        if (GpuPerformance.covers(hw.id())) return GpuPerformance.gpu();
        Hardware.Efficiency e = hw.efficiency();
        return new GpuEfficiency(
                e.bandwidth(),
                java.util.Map.of(GpuEfficiency.REFERENCE_FORMAT, e.compute()),
                java.util.Map.of(GpuEfficiency.REFERENCE_FORMAT, LatencyTuning.GPU_DEFAULT.gemmHalfTokens()),
                1,
                e.communication(),
                LatencyTuning.GPU_DEFAULT.collectiveLatencySeconds());
    }

    private static boolean bool(String name, String text) {
        if (text == null) return false;
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        if (t.equals("true")) return true;
        if (t.equals("false")) return false;
        throw new InvalidFieldException(name, text, "true or false");
    }

    /**
     * {@code --search}: every layout of the devices that fits their memory, fastest first (the {@code top} fastest
     * listed), with the time of the run at the fastest when --tokens is given.
     */
    private static ObjectNode search(
            Request r,
            Layout o,
            ResolvedModel model,
            TrainingFlopsPerToken approx,
            Hardware hw,
            String weights,
            Long deviceOption,
            long maxLayouts) {
        String[] searched = {"tp", "pp", "interleave", "micro-batch", "recompute", "sequence-parallel", "zero"};
        Object[] given = {o.tp(), o.pp(), o.interleave(), o.microBatch(), o.recompute(), o.sequenceParallel(), o.zero()
        };
        for (int i = 0; i < searched.length; i++)
            if (given[i] != null)
                throw InvalidFieldException.withMessage(
                        searched[i], "--search tries every " + searched[i] + ": leave it out");
        long devices = Checks.present("devices", deviceOption);
        Checks.range("devices", devices, 1, Parallelism.MAX_DEGREE);
        int global = o.globalBatch() == null
                ? TrainingLayoutSearch.defaultGlobalBatch(devices, approx.sequenceLength())
                : Checks.range("global-batch", o.globalBatch(), 1, TrainingLayout.MAX_GLOBAL_BATCH);
        int top = o.top() == null ? 10 : Checks.range("top", o.top(), 1, 1000);
        List<TrainingLayout> tried = TrainingLayoutSearch.layouts(
                model.spec(), hw, devices, global, approx.sequenceLength(), TrainingStack.DEFAULT);
        WorkBudget.checkTrainingSearch(tried.size(), devices, maxLayouts);
        List<TrainingLayoutSearch.Candidate> all =
                TrainingLayoutSearch.search(model.spec(), hw, gpuEfficiency(hw), weights, tried, TrainingStack.DEFAULT);
        ObjectNode root = Render.NODES.objectNode();
        root.set("model", EstimateReport.model(model));
        ObjectNode h = HardwareReport.of(hw);
        h.put("computeFormat", weights);
        root.set("hardware", h);
        root.put("devices", devices);
        root.put("globalBatch", global);
        root.put("seqLen", approx.sequenceLength());
        root.put("fitting", all.size());
        ArrayNode layouts = root.putArray("layouts");
        for (TrainingLayoutSearch.Candidate c : all.subList(0, Math.min(top, all.size()))) {
            TrainingLayout l = c.layout();
            ObjectNode x = layouts.addObject();
            x.put("tp", l.tensor());
            x.put("pp", l.pipeline());
            x.put("dp", l.data());
            x.put("interleave", l.interleave());
            x.put("microBatch", l.microBatch());
            x.put("recompute", l.recompute().id());
            x.put("sequenceParallel", l.sequenceParallel());
            x.put("zero", l.zeroStage());
            x.put("ep", l.expert());
            x.put("memoryBytesPerDevice", c.bytesPerDevice());
            x.put("stepSeconds", c.step().seconds());
            x.put("mfu", c.step().mfu());
            x.put("hfu", c.step().hfu());
            x.put("tokensPerSecond", c.step().tokensPerSecond());
            if (r.tokens() != null) {
                double wall = r.tokens() / c.step().tokensPerSecond();
                x.put("wallSeconds", wall);
                x.put("wallDays", wall / SECONDS_PER_DAY);
                x.put("deviceHours", TrainingCost.deviceHours(wall, devices));
                x.put("costUsd", TrainingCost.costUsd(TrainingCost.deviceHours(wall, devices), hw.pricePerHourUsd()));
            }
        }
        if (all.isEmpty())
            root.put("note", "no layout of " + devices + " devices fits " + hw.id() + "'s memory at this batch");
        return root;
    }
}
