package dev.strata.web.report;

import dev.strata.data.GpuPerformance;
import dev.strata.data.HardwareCatalog;
import dev.strata.estimator.latency.EngineProfile;
import dev.strata.estimator.latency.Latency;
import dev.strata.estimator.latency.LatencyTuning;
import dev.strata.estimator.latency.Offload;
import dev.strata.estimator.solve.Solve;
import dev.strata.model.Hardware;
import dev.strata.model.InvalidFieldException;
import dev.strata.model.Parallelism;
import dev.strata.model.TransformerSpec;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The hardware side of {@code estimate} and {@code sweep}: which device (catalog id or JSON file), with which
 * overrides (price, bandwidth, peak, efficiencies), how many, offload, and the optional measured and target times.
 * Parsed from the same option texts as {@link EstimateOptions}, by the command line and the HTTP API alike.
 *
 * @param hardware          the device with overrides applied, or null when no hardware was given
 * @param devices           devices per replica asked for with {@code --devices}, or null
 * @param explicitSplit     whether --tp, --pp or --dp were given (then --devices must equal their product)
 * @param tuning            the latency tuning (shape factors and fixed costs)
 * @param offload           what is kept in host memory
 * @param measuredSeconds   a measured time per output token, or null
 * @param targetSeconds     a time-per-token target for the cheapest-hardware question, or null
 * @param runtimeBytes      the runtime term of the memory estimate that the device implies, or null for the option's
 *                          (the {@code host}: the runtime's measured resident memory, unless --overhead-gib is given)
 * @param engine            the serving engine's profile ({@code --engine}) when the device is one the GPU performance
 *                          model covers; null otherwise
 * @param speedOverrides    the options that changed the device's speed (bandwidth, peak, efficiencies) as given, by
 *                          name, for errors about times they made too long
 */
public record ServingOptions(
        Hardware hardware,
        Integer devices,
        boolean explicitSplit,
        LatencyTuning tuning,
        Offload offload,
        Double measuredSeconds,
        Double targetSeconds,
        Long runtimeBytes,
        EngineProfile engine,
        Map<String, String> speedOverrides) {

    /** Parses the hardware options; {@code options} are the already-parsed workload options (for the compute format). */
    public static ServingOptions parse(Function<String, String> values, String prefix, EstimateOptions options) {
        Function<String, String> v = name -> {
            String t = values.apply(name);
            return t == null || t.isBlank() ? null : t.trim();
        };
        Hardware hw = null;
        LatencyTuning tuning = LatencyTuning.GPU_DEFAULT;
        Long runtime = null;
        EngineProfile engine = null;
        String engineId = v.apply("engine");
        String id = v.apply("hardware");
        if (id != null) {
            try {
                if (HostDevice.is(
                        id)) { // calibrated from measurements: its own efficiencies, tuning and runtime memory
                    hw = HostDevice.hardware();
                    tuning = HostDevice.calibration().tuning();
                    if (v.apply("overhead-gib") == null) runtime = HostDevice.runtimeBytes();
                } else {
                    hw = id.endsWith(".json") || id.contains("/") || id.contains("\\")
                            ? HardwareCatalog.fromFile(Path.of(id))
                            : HardwareCatalog.get(id);
                    // a GPU the performance model covers (by its id, also in a file): the fitted efficiencies, unless
                    // the file sets its own, and the engine's profile
                    if (GpuPerformance.covers(hw.id())) {
                        engine = GpuPerformance.engine(prefix + "engine", engineId);
                        if (hw.efficiency().equals(HardwareCatalog.get(hw.id()).efficiency()))
                            hw = GpuPerformance.hardware(hw);
                        tuning = GpuPerformance.tuning(hw.id(), engine);
                    }
                }
                if (engineId != null && engine == null)
                    throw new InvalidFieldException(
                            prefix + "engine",
                            engineId,
                            "given only with a GPU the performance model covers ("
                                    + String.join(", ", GpuPerformance.coveredDevices()) + "); " + id
                                    + " uses its own or the default tuning");
            } catch (java.nio.file.InvalidPathException e) {
                throw new InvalidFieldException(prefix + "hardware", id, "a hardware id or the path of a JSON file");
            } catch (InvalidFieldException e) {
                throw e.field().equals("hardware") ? renamed(e, prefix) : e;
            }
            Double price = number(v, prefix, "price", 0, Hardware.MAX_PRICE_PER_HOUR_USD, true);
            if (price != null) hw = hw.withPricePerHourUsd(price);
            Double gbs = number(v, prefix, "bandwidth-gbs", 0, Hardware.MAX_BANDWIDTH_BYTES_PER_SECOND / 1e9, false);
            Double tflops = number(v, prefix, "peak-tflops", 0, Hardware.MAX_PEAK_FLOPS_PER_SECOND / 1e12, false);
            Long memory = options.deviceMemoryBytes();
            if (gbs != null || tflops != null || memory != null) {
                Map<String, Double> peaks = new LinkedHashMap<>(hw.peakFlopsPerSecond());
                if (tflops != null) peaks.put(Latency.computeFormat(hw, options.precision()), tflops * 1e12);
                hw = hw.toBuilder()
                        .peakFlopsPerSecond(peaks)
                        .memoryBytes(memory != null ? memory : hw.memoryBytes())
                        .memoryBandwidthBytesPerSecond(gbs != null ? gbs * 1e9 : hw.memoryBandwidthBytesPerSecond())
                        .build();
            }
            Hardware.Efficiency e = hw.efficiency();
            Double be = number(v, prefix, "bandwidth-efficiency", 0, 1, false);
            Double ce = number(v, prefix, "compute-efficiency", 0, 1, false);
            Double me = number(v, prefix, "communication-efficiency", 0, 1, false);
            if (be != null || ce != null || me != null)
                hw = hw.withEfficiency(new Hardware.Efficiency(
                        be != null ? be : e.bandwidth(),
                        ce != null ? ce : e.compute(),
                        me != null ? me : e.communication()));
        } else {
            for (String name : new String[] {
                "price",
                "bandwidth-gbs",
                "peak-tflops",
                "bandwidth-efficiency",
                "compute-efficiency",
                "communication-efficiency",
                "offload",
                "measured-ms-per-token",
                "engine"
            })
                if (v.apply(name) != null)
                    throw InvalidFieldException.withMessage(
                            prefix + name,
                            prefix + name + " needs " + prefix
                                    + "hardware (a catalog id, see 'strata hardware', or a JSON file)");
        }
        Map<String, String> speed = new LinkedHashMap<>();
        for (String name : SPEED_OPTIONS) if (hw != null && v.apply(name) != null) speed.put(name, v.apply(name));
        Integer devices = null;
        if (v.apply("devices") != null)
            devices = (int) (double) number(v, prefix, "devices", 1, Parallelism.MAX_DEGREE, false, true);
        boolean explicit = v.apply("tp") != null || v.apply("pp") != null || v.apply("dp") != null;
        Offload offload = Offload.parse(prefix + "offload", v.apply("offload"));
        Double measured = number(v, prefix, "measured-ms-per-token", 0, 1e9, false);
        Double target = number(v, prefix, "target-ms-per-token", 0, 1e9, false);
        return new ServingOptions(
                hw,
                devices,
                explicit,
                tuning,
                offload,
                measured == null ? null : measured / 1e3,
                target == null ? null : target / 1e3,
                runtime,
                engine,
                Map.copyOf(speed));
    }

    /** The options that slow a device down, in the order an error about a too long time blames them. */
    private static final List<String> SPEED_OPTIONS = List.of(
            "bandwidth-gbs", "peak-tflops", "bandwidth-efficiency", "compute-efficiency", "communication-efficiency");

    /** Times the estimators derive from the device that have bounds of their own: the error is about their inputs. */
    private static final Set<String> DERIVED_TIMES = Set.of("prefill-seconds", "decodeStepSeconds");

    /**
     * {@code e}, when it is about a time the estimators derived (a prefill over the cost model's million seconds),
     * renamed to the option that made the device that slow ({@code bandwidth-gbs=0.000001} was reported as
     * {@code prefill-seconds}); other errors as they are.
     */
    public InvalidFieldException blame(InvalidFieldException e, String prefix) {
        if (!DERIVED_TIMES.contains(e.field())) return e;
        String seconds = e.getMessage().replaceFirst("^[^=]*= ", "").replaceFirst(" is not allowed.*", "");
        String why = "fast enough that the cost model's times stay within 1,000,000 s (here "
                + (e.field().equals("prefill-seconds") ? "a prefill" : "a decode step") + " takes " + seconds
                + " s)";
        for (String name : SPEED_OPTIONS)
            if (speedOverrides.containsKey(name))
                return new InvalidFieldException(prefix + name, speedOverrides.get(name), why);
        return new InvalidFieldException(prefix + "hardware", hardware == null ? null : hardware.id(), why);
    }

    /**
     * The parallelism to use: the workload's own, or a split of {@code --devices} (tensor parallel up to 8, then
     * pipeline stages, as {@link Solve#split}); with --tp/--pp/--dp given, --devices must equal their product.
     */
    public Parallelism parallelism(TransformerSpec spec, Parallelism given, String prefix) {
        if (devices == null) return given;
        if (explicitSplit) {
            if (given.devices() != devices)
                throw new InvalidFieldException(
                        prefix + "devices", devices, "tp x pp x dp = " + given.devices() + " when those are given");
            return given;
        }
        return Solve.split(spec, devices, given)
                .orElseThrow(() -> new InvalidFieldException(
                        prefix + "devices",
                        devices,
                        "a count that splits into tensor parallel (up to 8, dividing the heads) x pipeline stages (at most the layers, "
                                + spec.layerCount() + ")"));
    }

    private static Double number(
            Function<String, String> v, String prefix, String name, double min, double max, boolean zeroAllowed) {
        return number(v, prefix, name, min, max, zeroAllowed, false);
    }

    private static Double number(
            Function<String, String> v,
            String prefix,
            String name,
            double min,
            double max,
            boolean zeroAllowed,
            boolean integer) {
        String t = v.apply(name);
        if (t == null) return null;
        double x;
        try {
            x = Inputs.parseNumber(t);
        } catch (NumberFormatException e) {
            x = Double.NaN;
        }
        boolean ok = x >= min && x <= max && (zeroAllowed || x > 0) && (!integer || x == Math.rint(x));
        if (!ok)
            throw new InvalidFieldException(
                    prefix + name,
                    t,
                    integer
                            ? "an integer from " + (long) min + " to " + (long) max
                            : "a number " + (zeroAllowed ? ">= " : "> ") + min + " and <= " + max);
        return x;
    }

    private static InvalidFieldException renamed(InvalidFieldException e, String prefix) {
        return prefix.isEmpty() ? e : InvalidFieldException.withMessage(prefix + "hardware", prefix + e.getMessage());
    }
}
