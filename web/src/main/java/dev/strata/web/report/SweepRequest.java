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

    /** Most values one list or range may have, whatever the cap on points: an axis is held in memory. */
    public static final long MAX_AXIS_VALUES = 1_000_000;

    /**
     * Parses a sweep; {@code models} resolves one model text (a preset id, or a path on the command line only). The
     * number of points is counted from the lists and ranges as written, before any is expanded: a sweep over the cap
     * is refused at once, however large (a range of 2^63 values included).
     *
     * @param maxPoints the most points this caller accepts
     */
    public static SweepRequest parse(
            Function<String, String> values, String prefix, Function<String, TransformerSpec> models, long maxPoints) {
        Map<String, List<String>> parts = new HashMap<>();
        Map<String, Long> counts = new HashMap<>();
        for (String name : AXES.keySet()) {
            String text = values.apply(name);
            if (text == null || text.isBlank()) continue;
            List<String> items = split(prefix + name, text.trim());
            long n = 0;
            for (String item : items) n = saturatedAdd(n, textual(name) ? 1 : count(prefix + name, item));
            parts.put(name, items);
            counts.put(name, n);
        }
        if (!parts.containsKey("model"))
            throw InvalidFieldException.withMessage(
                    prefix + "model", prefix + "model is missing: give a preset id (or a list of them)");
        long points = 1;
        String largest = "model";
        for (var e : counts.entrySet()) {
            points = saturatedMultiply(points, e.getValue());
            if (e.getValue() > counts.get(largest)) largest = e.getKey();
        }
        if (points > maxPoints) // named by the option with the most values, the one to cut first
        throw new InvalidFieldException(
                    prefix + largest,
                    values.apply(largest).trim(),
                    "lists and ranges whose product is at most " + maxPoints + " points (this sweep has "
                            + (points == Long.MAX_VALUE ? "2^63 - 1 or more" : String.format("%,d", points)) + ")");
        if (counts.get(largest) > MAX_AXIS_VALUES)
            throw new InvalidFieldException(
                    prefix + largest,
                    values.apply(largest).trim(),
                    "a list or range of at most " + MAX_AXIS_VALUES + " values");
        Map<String, List<String>> lists = new HashMap<>();
        Map<String, String> first = new HashMap<>();
        parts.forEach((name, items) -> {
            List<String> out = new ArrayList<>();
            for (String item : items)
                if (!textual(name) && item.contains("..")) range(prefix + name, item, out);
                else out.add(item);
            lists.put(name, out);
            first.put(name, out.get(0));
        });
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
                tunings(serving),
                w.prefillChunkTokens(),
                w.prefillTokenBudget());
        List<Sweep.Axis> axes = new ArrayList<>();
        for (var e : AXES.entrySet()) {
            List<String> items = lists.get(e.getKey());
            // a single --devices is still an axis: it sets tp x pp for every point, as estimate's --devices does
            if (items == null || (items.size() < 2 && e.getValue() != Sweep.Input.DEVICES)) continue;
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

    /** Whether an option's items are names (models, hardware, formats), which may be listed but not ranged. */
    private static boolean textual(String name) {
        return name.equals("model") || name.equals("hardware") || name.equals("weights") || name.equals("kv");
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
            case PROMPT -> integer(field, item, 1, dev.strata.model.internal.Limits.MAX_CONTEXT);
            case GENERATE -> integer(field, item, 0, dev.strata.model.internal.Limits.MAX_CONTEXT);
            case TP, PP, DEVICES -> integer(field, item, 1, dev.strata.model.Parallelism.MAX_DEGREE);
        };
    }

    private static final String LIST = "a value, a comma-separated list of values or a range a..b[xK|+K]";

    /** The comma-separated items of a list as written (a range is one item); an empty item is refused. */
    static List<String> split(String field, String text) {
        List<String> items = new ArrayList<>();
        for (String part : text.split(",", -1)) { // -1: "1," has an empty last item, not one item
            String p = part.trim();
            if (p.isEmpty()) throw new InvalidFieldException(field, text, LIST + ", without empty items");
            items.add(p);
        }
        return items;
    }

    private static final String RANGE =
            "a range a..b, a..bxK (multiply by K > 1) or a..b+K (step K >= 1) of integers with a <= b";

    /** A range as written: {@code a..b}, {@code a..bxK} or {@code a..b+K}. */
    private record Range(long a, long b, long k, boolean multiply) {
        static Range parse(String field, String p) {
            try {
                int dots = p.indexOf("..");
                long a = Inputs.parseLong(p.substring(0, dots).trim());
                String rest = p.substring(dots + 2).trim();
                long b, k = 1;
                boolean multiply = false;
                int x = rest.indexOf('x'), plus = rest.indexOf('+');
                if (x >= 0) {
                    b = Inputs.parseLong(rest.substring(0, x).trim());
                    k = Inputs.parseLong(rest.substring(x + 1).trim());
                    multiply = true;
                    if (k < 2 || a < 1) throw new InvalidFieldException(field, p, RANGE);
                } else if (plus >= 0) {
                    b = Inputs.parseLong(rest.substring(0, plus).trim());
                    k = Inputs.parseLong(rest.substring(plus + 1).trim());
                    if (k < 1) throw new InvalidFieldException(field, p, RANGE);
                } else {
                    b = Inputs.parseLong(rest);
                }
                if (a > b) throw new InvalidFieldException(field, p, RANGE);
                return new Range(a, b, k, multiply);
            } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
                throw new InvalidFieldException(field, p, RANGE);
            }
        }

        /** Values from a to b, counted without listing them; at most {@link Long#MAX_VALUE}. */
        long count() {
            if (multiply) {
                long n = 1;
                for (long v = a; v <= b / k; v *= k) n++; // v * k <= b without overflow
                return n;
            }
            long span = b - a; // overflows to negative only past Long.MAX_VALUE
            return span < 0 ? Long.MAX_VALUE : saturatedAdd(span / k, 1);
        }
    }

    /** Values of an item: a range's count, else 1. */
    private static long count(String field, String item) {
        return item.contains("..") ? Range.parse(field, item).count() : 1;
    }

    /** {@code a..b} (step 1), {@code a..bxK} (multiply by K), {@code a..b+K} (step K), inclusive of b when reached. */
    private static void range(String field, String p, List<String> out) {
        Range r = Range.parse(field, p);
        for (long v = r.a(); ; ) {
            out.add(Long.toString(v));
            // stop where the next value would pass b; neither test overflows, the range having been counted
            if (r.multiply() ? v > r.b() / r.k() : r.b() - v < r.k()) return;
            v = r.multiply() ? v * r.k() : v + r.k();
        }
    }

    private static long saturatedAdd(long a, long b) {
        long s = a + b;
        return ((a ^ s) & (b ^ s)) < 0 ? Long.MAX_VALUE : s;
    }

    private static long saturatedMultiply(long a, long b) {
        long hi = Math.multiplyHigh(a, b), lo = a * b;
        return (hi == 0 && lo >= 0) ? lo : Long.MAX_VALUE;
    }

    private static long integer(String field, String item, long min, long max) {
        long v;
        try {
            v = Inputs.parseLong(item);
        } catch (NumberFormatException e) {
            throw new InvalidFieldException(field, item, "an integer from " + min + " to " + max);
        }
        if (v < min || v > max) throw new InvalidFieldException(field, v, "an integer from " + min + " to " + max);
        return v;
    }
}
