package dev.strata.web.report;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.data.HardwareCatalog;
import dev.strata.data.HardwareEntry;
import dev.strata.estimator.cost.ModelFlops;
import dev.strata.estimator.cost.TrainingCost;
import dev.strata.estimator.cost.TrainingCostEstimate;
import dev.strata.estimator.cost.TrainingFlopsPerToken;
import dev.strata.estimator.cost.TrainingRun;
import dev.strata.estimator.scaling.TrainingCompute;
import dev.strata.model.Hardware;
import dev.strata.model.InvalidFieldException;
import dev.strata.model.internal.Checks;
import dev.strata.model.internal.Limits;
import dev.strata.web.render.Render;

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
            String computeFormat) {
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
                    in.text("compute-format"));
        }
    }

    public static ObjectNode of(Request r) {
        // checked even when no model uses it, so that a bad value is never passed over in silence
        if (r.seqLen() != null) Checks.range("seq-len", r.seqLen(), 1, Limits.MAX_CONTEXT);
        double tokens = Checks.positive("tokens", Checks.present("tokens", r.tokens()), TrainingCompute.MAX_QUANTITY);
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
        long devices = r.devices() == null ? 1 : Checks.range("devices", r.devices(), 1, TrainingRun.MAX_DEVICES);

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
        double perToken;
        if (r.flopsPerToken() != null)
            perToken = Checks.positive("flops-per-token", r.flopsPerToken(), TrainingCompute.MAX_QUANTITY);
        else if (approx != null) perToken = approx.total();
        else
            throw InvalidFieldException.withMessage(
                    "model", "give --model (a preset or config.json), --params or --flops-per-token");
        double totalFlops = Checks.positive("flops", perToken * tokens, TrainingCompute.MAX_QUANTITY);

        int measured = (r.mfu() != null ? 1 : 0) + (r.deviceHours() != null ? 1 : 0) + (r.wallHours() != null ? 1 : 0);
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
                    ? "default (Llama 3 405B trained at 38-43 % BF16 MFU, arXiv:2407.21783 Table 4)"
                    : "given";
        }
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
}
