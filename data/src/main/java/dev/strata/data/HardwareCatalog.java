package dev.strata.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.model.Hardware;
import dev.strata.model.InvalidFieldException;
import dev.strata.model.Microbenchmarks;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The built-in accelerators ({@code hardware.json} in this module's resources): dense datasheet peaks, memory,
 * links, power and an editable default price per device-hour, each with its source. Efficiency factors are the
 * documented defaults of {@link Hardware.Efficiency} unless an entry gives its own.
 *
 * <p>Besides the datasheet devices ({@link #all()}, {@link #ids()}), id {@value #HOST_ID} is the machine strata runs
 * on, as measured by the reference-stack harness ({@link #host()}): its floor figures are the best the microbenchmarks
 * reached, its calibration the microbenchmarks themselves.
 */
public final class HardwareCatalog {
    /** The figures every entry must name a source for. */
    public static final List<String> SOURCED_FIGURES = List.of(
            "peakFlopsPerSecond",
            "memoryBytes",
            "memoryBandwidthBytesPerSecond",
            "scaleUpBandwidthBytesPerSecond",
            "hostLinkBytesPerSecond",
            "powerWatts",
            "pricePerHourUsd");

    private static final Map<String, HardwareEntry> ENTRIES = load();

    /** Id of the measured host. */
    public static final String HOST_ID = "host";
    /**
     * Memory of the host when the JVM cannot tell the machine's physical memory: 8 GiB (an assumption; shown as the
     * source).
     */
    public static final long HOST_MEMORY_FALLBACK_BYTES = 8L << 30;

    private HardwareCatalog() {}

    /**
     * The host as the shipped CPU run's calibrations describe it (before its points and, where repeated, after).
     *
     * @return the host's entry
     */
    public static HardwareEntry host() {
        return Host.SHIPPED;
    }

    private static final class Host {
        static final HardwareEntry SHIPPED = host(HostCalibrationCsv.shippedCalibrations("cpu"));
    }

    /**
     * The host as {@code calibration} describes it: {@link #host(List)} of that one calibration.
     *
     * @param calibration the host's microbenchmarks
     * @return the host's entry
     */
    public static HardwareEntry host(Microbenchmarks calibration) {
        return host(List.of(calibration));
    }

    /**
     * The host as one or more calibrations of the same machine describe it (a run's, before and after its points).
     * Floor figures: memory bandwidth = the best the benchmarks of any of them reached (stream, matrix products, KV
     * reads: {@link Microbenchmarks#bestBandwidthBytesPerSecond()}); peak per format = the best matrix-product FLOP/s
     * any of them measured in that format; so the floor is a lower bound on every benchmark of every calibration
     * (averaged times would put it above the benchmarks of a calibration that ran in a fast minute). The entry's
     * benchmarks, which the calibrated factors are fitted to, are the calibrations averaged
     * ({@link Microbenchmarks#averagedWith}). Memory capacity: what the calibration recorded for its device (a GPU's
     * total memory, or the measured machine's RAM; {@link Microbenchmarks#memoryBytes()}), else this machine's physical
     * memory ({@link #recordedMemory} tells which). No links, power or price (0: not applicable). The efficiencies are
     * placeholders until the calibration is fitted (estimator {@code HostCalibration}).
     *
     * @param calibrations calibrations of one machine, in the order measured
     * @return the host's entry
     */
    public static HardwareEntry host(List<Microbenchmarks> calibrations) {
        Microbenchmarks calibration = HostCalibrationCsv.averaged(calibrations);
        double bandwidth = 0;
        Map<String, Double> peaks = new LinkedHashMap<>();
        for (Microbenchmarks c : calibrations) {
            bandwidth = Math.max(bandwidth, c.bestBandwidthBytesPerSecond());
            for (String f : calibration.formats()) {
                double best = c.bestFlopsPerSecond(f);
                if (Hardware.FORMATS.contains(f) && best > 0) peaks.merge(f, best, Math::max);
            }
        }
        long physical = physicalMemoryBytes();
        long memory = recordedMemory(calibration)
                ? calibration.memoryBytes()
                : physical > 0 ? physical : HOST_MEMORY_FALLBACK_BYTES;
        Hardware hw = Hardware.builder(HOST_ID)
                .name("this machine (" + (calibration.machine().isEmpty() ? "measured" : calibration.machine()) + ")")
                .peakFlopsPerSecond(peaks)
                .memoryBytes(memory)
                .memoryBandwidthBytesPerSecond(bandwidth)
                .build();
        String measured = "measured by data/reference/calibrate.py"
                + (calibration.date().isEmpty() ? "" : " on " + calibration.date());
        Map<String, String> sources = new LinkedHashMap<>();
        sources.put(
                "peakFlopsPerSecond",
                measured + ": the best matrix-product FLOP/s per format (of every calibration of the run)");
        sources.put(
                "memoryBytes",
                recordedMemory(calibration)
                        ? measured + ": the total memory of the device it ran on"
                        : physical > 0
                                ? "physical memory of the machine strata runs on (JVM operating-system bean; the calibration recorded none)"
                                : "not readable here and not recorded by the calibration: an assumed 8 GiB");
        sources.put(
                "memoryBandwidthBytesPerSecond",
                measured
                        + ": the best of stream, matrix-vector and KV-read bandwidth (of every calibration of the run)");
        sources.put("scaleUpBandwidthBytesPerSecond", "not applicable (one host)");
        sources.put("hostLinkBytesPerSecond", "not applicable (host memory is the device memory)");
        sources.put("powerWatts", "not measured");
        sources.put("pricePerHourUsd", "not applicable (your own machine); pass --price to cost it");
        return new HardwareEntry(hw, "none", "none", sources, calibration);
    }

    /**
     * Whether the host's memory capacity is the calibration's own record of its device, rather than this machine's
     * physical memory (a run made before the harness recorded {@code device_memory_bytes}).
     *
     * @param calibration the host's microbenchmarks
     * @return whether the calibration recorded its device's memory
     */
    public static boolean recordedMemory(Microbenchmarks calibration) {
        return calibration.memoryBytes() > 0;
    }

    private static long physicalMemoryBytes() {
        try {
            if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                    instanceof com.sun.management.OperatingSystemMXBean os)
                return Math.min(os.getTotalMemorySize(), Hardware.MAX_MEMORY_BYTES);
        } catch (RuntimeException | LinkageError e) {
            // below
        }
        return 0;
    }

    /**
     * All entries in catalog order.
     *
     * @return the entries
     */
    public static List<HardwareEntry> all() {
        return List.copyOf(ENTRIES.values());
    }

    /**
     * Ids in catalog order.
     *
     * @return the ids
     */
    public static List<String> ids() {
        return List.copyOf(ENTRIES.keySet());
    }

    /**
     * The entry with this id ({@value #HOST_ID} too); an unknown id names the known ones (field {@code hardware}).
     *
     * @param id a device id
     * @return the entry, with the sources of its figures
     */
    public static HardwareEntry entry(String id) {
        if (HOST_ID.equals(id)) return host();
        HardwareEntry e = id == null ? null : ENTRIES.get(id);
        if (e == null)
            throw new InvalidFieldException(
                    "hardware", id, "a hardware id, one of " + String.join(", ", ENTRIES.keySet()) + ", " + HOST_ID);
        return e;
    }

    /**
     * The device with this id; an unknown id names the known ones (field {@code hardware}). For {@value #HOST_ID}, the
     * floor figures with placeholder efficiencies: fit its calibration for latency.
     *
     * @param id a device id
     * @return the device
     */
    public static Hardware get(String id) {
        return entry(id).hardware();
    }

    /**
     * A device of the user's own from a JSON file in the catalog's form (one object with {@code id}, {@code name},
     * {@code peakFlopsPerSecond}, {@code memoryBytes}, {@code memoryBandwidthBytesPerSecond} and optionally the link
     * bandwidths, power, price and efficiency). Sources are not required; every missing or ill-typed figure is named.
     *
     * @param path the JSON file
     * @return the device
     */
    public static Hardware fromFile(Path path) {
        JsonNode h;
        try {
            h = new ObjectMapper().readTree(UserFile.read(path, "hardware", 1 << 20, "a JSON file"));
        } catch (NoSuchFileException e) {
            throw new InvalidFieldException(
                    "hardware",
                    path.toString(),
                    "a hardware id (" + String.join(", ", ENTRIES.keySet()) + ") or an existing JSON file");
        } catch (JsonProcessingException e) {
            throw InvalidFieldException.withMessage(
                    "hardware",
                    "hardware file is not valid JSON: " + e.getOriginalMessage().replaceAll("\\s+", " "));
        } catch (IOException e) {
            throw new InvalidFieldException(
                    "hardware", path.toString(), "a readable JSON file (" + e.getMessage() + ")");
        }
        if (h == null || !h.isObject())
            throw new InvalidFieldException("hardware", path.toString(), "a JSON object describing one device");
        Map<String, Double> peaks = new LinkedHashMap<>();
        JsonNode p = h.get("peakFlopsPerSecond");
        if (p == null || !p.isObject())
            throw new InvalidFieldException(
                    "hardware.peakFlopsPerSecond", p, "an object of format id -> FLOP/s, e.g. {\"bf16\": 9.89e14}");
        p.fields()
                .forEachRemaining(f ->
                        peaks.put(f.getKey(), number(f.getValue(), "hardware.peakFlopsPerSecond." + f.getKey(), true)));
        Hardware.Efficiency eff = Hardware.Efficiency.DEFAULT;
        JsonNode e = h.get("efficiency");
        if (e != null && e.isObject())
            eff = new Hardware.Efficiency(
                    number(e.get("bandwidth"), "hardware.efficiency.bandwidth", false, eff.bandwidth()),
                    number(e.get("compute"), "hardware.efficiency.compute", false, eff.compute()),
                    number(e.get("communication"), "hardware.efficiency.communication", false, eff.communication()));
        double memory = number(h.get("memoryBytes"), "hardware.memoryBytes", true);
        if (memory != Math.rint(memory) || memory > Hardware.MAX_MEMORY_BYTES)
            throw new InvalidFieldException(
                    "hardware.memoryBytes", h.get("memoryBytes"), "an integer from 1 to " + Hardware.MAX_MEMORY_BYTES);
        return Hardware.builder(h.path("id").asText("custom"))
                .name(h.path("name").asText(""))
                .peakFlopsPerSecond(peaks)
                .memoryBytes((long) memory)
                .memoryBandwidthBytesPerSecond(
                        number(h.get("memoryBandwidthBytesPerSecond"), "hardware.memoryBandwidthBytesPerSecond", true))
                .scaleUpBandwidthBytesPerSecond(number(
                        h.get("scaleUpBandwidthBytesPerSecond"), "hardware.scaleUpBandwidthBytesPerSecond", false, 0))
                .hostLinkBytesPerSecond(
                        number(h.get("hostLinkBytesPerSecond"), "hardware.hostLinkBytesPerSecond", false, 0))
                .powerWatts(number(h.get("powerWatts"), "hardware.powerWatts", false, 0))
                .pricePerHourUsd(number(h.get("pricePerHourUsd"), "hardware.pricePerHourUsd", false, 0))
                .efficiency(eff)
                .build();
    }

    private static double number(JsonNode v, String field, boolean required) {
        return number(v, field, required, 0);
    }

    private static double number(JsonNode v, String field, boolean required, double fallback) {
        if (v == null || v.isNull()) {
            if (required) throw InvalidFieldException.withMessage(field, field + " is missing: it must be a number");
            return fallback;
        }
        if (!v.isNumber() || !Double.isFinite(v.doubleValue()))
            throw new InvalidFieldException(field, v, "a finite number");
        return v.doubleValue();
    }

    private static Map<String, HardwareEntry> load() {
        try (InputStream in = HardwareCatalog.class.getResourceAsStream("hardware.json")) {
            if (in == null) throw new IllegalStateException("hardware.json is missing from the strata-data jar");
            JsonNode root = new ObjectMapper().readTree(in);
            Map<String, HardwareEntry> m = new LinkedHashMap<>();
            for (JsonNode h : root.get("hardware")) {
                HardwareEntry e = entry(h);
                if (m.put(e.id(), e) != null) throw new IllegalStateException("hardware.json: duplicate id " + e.id());
            }
            return Collections.unmodifiableMap(m);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static HardwareEntry entry(JsonNode h) {
        String id = h.get("id").asText();
        Map<String, Double> peaks = new LinkedHashMap<>();
        h.get("peakFlopsPerSecond")
                .fields()
                .forEachRemaining(f -> peaks.put(f.getKey(), f.getValue().doubleValue()));
        Hardware.Efficiency eff = Hardware.Efficiency.DEFAULT;
        JsonNode e = h.get("efficiency");
        if (e != null)
            eff = new Hardware.Efficiency(
                    e.path("bandwidth").asDouble(eff.bandwidth()),
                    e.path("compute").asDouble(eff.compute()),
                    e.path("communication").asDouble(eff.communication()));
        Hardware hw = Hardware.builder(id)
                .name(h.get("name").asText())
                .peakFlopsPerSecond(peaks)
                .memoryBytes(h.get("memoryBytes").longValue())
                .memoryBandwidthBytesPerSecond(
                        h.get("memoryBandwidthBytesPerSecond").doubleValue())
                .scaleUpBandwidthBytesPerSecond(
                        h.get("scaleUpBandwidthBytesPerSecond").doubleValue())
                .hostLinkBytesPerSecond(h.get("hostLinkBytesPerSecond").doubleValue())
                .powerWatts(h.get("powerWatts").doubleValue())
                .pricePerHourUsd(h.get("pricePerHourUsd").doubleValue())
                .efficiency(eff)
                .build();
        Map<String, String> sources = new LinkedHashMap<>();
        h.get("sources")
                .fields()
                .forEachRemaining(f -> sources.put(f.getKey(), f.getValue().asText()));
        for (String figure : SOURCED_FIGURES)
            if (sources.getOrDefault(figure, "").isBlank())
                throw new IllegalStateException("hardware.json: " + id + " has no source for " + figure);
        return new HardwareEntry(
                hw, h.path("scaleUpLink").asText(""), h.path("hostLink").asText(""), sources);
    }
}
