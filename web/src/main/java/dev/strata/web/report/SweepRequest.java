package dev.strata.web.report;

import dev.strata.data.GpuPerformance;
import dev.strata.data.HardwareCatalog;
import dev.strata.estimator.latency.LatencyTuning;
import dev.strata.estimator.sweep.Sweep;
import dev.strata.model.InvalidFieldException;
import dev.strata.model.NumericFormat;
import dev.strata.model.TransformerSpec;
import dev.strata.model.Workload;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A sweep as the user wrote it: the options of {@code estimate}, any of which may be a list ({@code 1,2,4,8}) or a
 * range ({@code 1..1024} step 1, {@code 1..1024x2} doubling, {@code 0..4096+512} step 512), turned into a base point
 * and the axes that vary. The command line and {@code GET /api/sweep} both parse it here.
 *
 * @param base the fixed inputs (the first value of every axis where an option varies)
 * @param axes the varying inputs, in the order of {@link #AXES}
 */
public record SweepRequest(Sweep.Base base, List<Sweep.Axis> axes) {

    /** Options that may vary, and the sweep input each one drives. */
    public static final Map<String, Sweep.Input> AXES = varyingOptions();

    private static Map<String, Sweep.Input> varyingOptions() {
        Map<String, Sweep.Input> m = new java.util.LinkedHashMap<>();
        m.put("model", Sweep.Input.MODEL);
        m.put("hardware", Sweep.Input.HARDWARE);
        m.put("weights", Sweep.Input.WEIGHTS);
        m.put("kv", Sweep.Input.KV);
        m.put("devices", Sweep.Input.DEVICES);
        m.put("tp", Sweep.Input.TP);
        m.put("pp", Sweep.Input.PP);
        m.put("prompt", Sweep.Input.PROMPT);
        m.put("generate", Sweep.Input.GENERATE);
        m.put("batch", Sweep.Input.BATCH);
        return m;
    }

    /**
     * Parses a sweep; {@code models} resolves one model text (a preset id, or a path on the command line only).
     *
     * @param maxPoints the most points this caller accepts
     */
    public static SweepRequest parse(
            Function<String, String> values, String prefix, Function<String, TransformerSpec> models, long maxPoints) {
        Map<String, List<String>> lists = new HashMap<>();
        Map<String, String> first = new HashMap<>();
        for (String name : AXES.keySet()) {
            String text = values.apply(name);
            if (text == null || text.isBlank()) continue;
            List<String> items = expand(
                    prefix + name,
                    text.trim(),
                    name.equals("model") || name.equals("hardware") || name.equals("weights") || name.equals("kv"));
            lists.put(name, items);
            first.put(name, items.get(0));
        }
        if (!lists.containsKey("model"))
            throw InvalidFieldException.withMessage(
                    prefix + "model", prefix + "model is missing: give a preset id (or a list of them)");
        Function<String, String> scalar = name -> first.containsKey(name) ? first.get(name) : values.apply(name);
        EstimateOptions options = EstimateOptions.parse(scalar, prefix);
        ServingOptions serving = ServingOptions.parse(scalar, prefix, options);
        Workload w = options.workload();
        TransformerSpec spec = models.apply(first.get("model"));
        var base = new Sweep.Base(
                spec,
                serving.hardware(),
                options.precision().weights(),
                options.precision().kvCache(),
                w.batch(),
                w.promptTokens(),
                w.generatedTokens(),
                w.parallelism().tensor(),
                w.parallelism().pipeline(),
                serving.runtimeBytes() != null ? serving.runtimeBytes() : options.runtimeOverheadBytes(),
                LatencyTuning.GPU_DEFAULT,
                tunings(serving));
        List<Sweep.Axis> axes = new ArrayList<>();
        long points = 1;
        for (var e : AXES.entrySet()) {
            List<String> items = lists.get(e.getKey());
            // a single --devices is still an axis: it sets tp x pp for every point, as estimate's --devices does
            if (items == null || (items.size() < 2 && e.getValue() != Sweep.Input.DEVICES)) continue;
            points *= items.size();
            if (points > maxPoints)
                throw new InvalidFieldException(
                        prefix + e.getKey(),
                        values.apply(e.getKey()),
                        "lists and ranges whose product is at most " + maxPoints + " points");
            String field = prefix + e.getKey();
            List<Object> resolved = new ArrayList<>(items.size());
            for (String item : items) resolved.add(resolve(e.getValue(), field, item, models));
            axes.add(new Sweep.Axis(e.getValue(), resolved));
        }
        return new SweepRequest(base, axes);
    }

    /**
     * The tuning of each device a sweep may meet: the host's calibration, and for the GPUs the performance model
     * covers, the fitted model with the engine asked for (or the default engine).
     */
    private static Map<String, LatencyTuning> tunings(ServingOptions serving) {
        Map<String, LatencyTuning> m = new java.util.HashMap<>(HostDevice.tuningByHardware());
        var engine = serving.engine() != null
                ? serving.engine()
                : GpuPerformance.engine("engine", GpuPerformance.defaultEngine());
        for (String id : GpuPerformance.coveredDevices()) m.put(id, GpuPerformance.tuning(id, engine));
        return m;
    }

    private static Object resolve(
            Sweep.Input input, String field, String item, Function<String, TransformerSpec> models) {
        return switch (input) {
            case MODEL -> models.apply(item);
            case HARDWARE ->
                HostDevice.is(item) ? HostDevice.hardware() : GpuPerformance.hardware(HardwareCatalog.get(item));
            case WEIGHTS -> NumericFormat.parseWeights(field, item);
            case KV -> NumericFormat.parse(field, item);
            case BATCH -> integer(field, item, 1, Workload.MAX_BATCH);
            case PROMPT -> integer(field, item, 1, dev.strata.model.Limits.MAX_CONTEXT);
            case GENERATE -> integer(field, item, 0, dev.strata.model.Limits.MAX_CONTEXT);
            case TP, PP, DEVICES -> integer(field, item, 1, dev.strata.model.Parallelism.MAX_DEGREE);
        };
    }

    /** The items of a list or range; a plain value is a list of one. Text items (models, formats) may only be listed. */
    static List<String> expand(String field, String text, boolean textual) {
        List<String> out = new ArrayList<>();
        for (String part : text.split(",")) {
            String p = part.trim();
            if (p.isEmpty())
                throw new InvalidFieldException(field, text, "a value, a comma-separated list or a range a..b[xK|+K]");
            if (!textual && p.contains("..")) range(field, p, out);
            else out.add(p);
            if (out.size() > Sweep.MAX_POINTS)
                throw new InvalidFieldException(field, text, "at most " + Sweep.MAX_POINTS + " values");
        }
        return out;
    }

    /** {@code a..b} (step 1), {@code a..bxK} (multiply by K), {@code a..b+K} (step K), inclusive of b when reached. */
    private static void range(String field, String p, List<String> out) {
        String allowed = "a range a..b, a..bxK (multiply by K > 1) or a..b+K (step K >= 1) of integers with a <= b";
        try {
            int dots = p.indexOf("..");
            long a = Long.parseLong(p.substring(0, dots).trim());
            String rest = p.substring(dots + 2).trim();
            long b, k = 1;
            boolean multiply = false;
            int x = rest.indexOf('x'), plus = rest.indexOf('+');
            if (x >= 0) {
                b = Long.parseLong(rest.substring(0, x).trim());
                k = Long.parseLong(rest.substring(x + 1).trim());
                multiply = true;
                if (k < 2 || a < 1) throw new InvalidFieldException(field, p, allowed);
            } else if (plus >= 0) {
                b = Long.parseLong(rest.substring(0, plus).trim());
                k = Long.parseLong(rest.substring(plus + 1).trim());
                if (k < 1) throw new InvalidFieldException(field, p, allowed);
            } else {
                b = Long.parseLong(rest);
            }
            if (a > b) throw new InvalidFieldException(field, p, allowed);
            for (long v = a; v <= b; v = multiply ? Math.multiplyExact(v, k) : Math.addExact(v, k)) {
                out.add(Long.toString(v));
                if (out.size() > Sweep.MAX_POINTS)
                    throw new InvalidFieldException(field, p, "at most " + Sweep.MAX_POINTS + " values");
            }
        } catch (NumberFormatException | StringIndexOutOfBoundsException | ArithmeticException e) {
            throw new InvalidFieldException(field, p, allowed);
        }
    }

    private static long integer(String field, String item, long min, long max) {
        long v;
        try {
            v = Long.parseLong(item);
        } catch (NumberFormatException e) {
            throw new InvalidFieldException(field, item, "an integer from " + min + " to " + max);
        }
        if (v < min || v > max) throw new InvalidFieldException(field, v, "an integer from " + min + " to " + max);
        return v;
    }
}
