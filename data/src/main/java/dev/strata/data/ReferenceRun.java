package dev.strata.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.model.InvalidFieldException;
import dev.strata.model.Microbenchmarks;
import dev.strata.model.TransformerSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * One run of the reference-stack harness ({@code data/reference/run.py}): the measured points
 * ({@code cpu-reference.csv}, one row per point and quantity), the host calibration taken in the same run
 * ({@code cpu-calibration.csv}) and the strata spec of every model measured ({@code specs/<model>.json}); a run on a
 * GPU ({@code run.py --device cuda}) names its files {@code cuda-*} instead. The runs shipped with strata are
 * {@link #shipped(String)} (the CPU run: {@link #shipped()}); a fresh run's output folder is {@link #read(Path)}.
 *
 * @param source      where it was read from, for messages and provenance ("shipped" or the folder)
 * @param device      what the models ran on: {@code cpu} or {@code cuda} (the files' prefix)
 * @param points      every row of {@code cpu-reference.csv}, in file order
 * @param calibrations the host calibrations of the same run as measured: before its points ({@code cpu-calibration.csv})
 *                     and, where the run repeated it, after them ({@code cpu-calibration-end.csv})
 * @param specs        the spec of every model the points name, by the {@code spec} column (path relative to the CSV)
 */
public record ReferenceRun(
        String source,
        String device,
        List<MeasuredPoint> points,
        List<Microbenchmarks> calibrations,
        Map<String, TransformerSpec> specs) {
    /** The devices the harness measures on ({@code run.py --device}), each the prefix of its files. */
    public static final List<String> DEVICES = List.of("cpu", "cuda");
    /** Folder of each shipped run inside this module's resources. */
    public static final Map<String, String> SHIPPED_FOLDERS = Map.of("cpu", "measured/", "cuda", "measured-cuda/");

    private static final CSVFormat FORMAT = CSVFormat.RFC4180
            .builder()
            .setHeader()
            .setSkipHeaderRecord(true)
            .setIgnoreSurroundingSpaces(true)
            .setIgnoreEmptyLines(true)
            .get();
    private static final List<String> REQUIRED =
            List.of("quantity", "model", "spec", "dtype", "batch", "context", "measured");

    /**
     * Checks the fields; an invalid one throws an {@code InvalidFieldException} naming it.
     *
     * @param source where it was read from, for messages and provenance ("shipped" or the folder)
     * @param device what the models ran on: {@code cpu} or {@code cuda} (the files' prefix)
     * @param points every row of {@code cpu-reference.csv}, in file order
     * @param calibrations the host calibrations of the same run as measured: before its points ({@code
     *     cpu-calibration.csv}) and, where the run repeated it, after them ({@code cpu-calibration-end.csv})
     * @param specs the spec of every model the points name, by the {@code spec} column (path relative to the CSV)
     */
    public ReferenceRun {
        points = List.copyOf(points);
        calibrations = List.copyOf(calibrations);
        if (calibrations.isEmpty() || calibrations.size() > 2)
            throw new IllegalArgumentException("a run has one or two calibrations, not " + calibrations.size());
        specs = Collections.unmodifiableMap(new LinkedHashMap<>(specs));
    }

    /**
     * One measured quantity of one point.
     *
     * @param quantity         {@code params}, {@code weights_bytes}, {@code kv_cache_bytes}, {@code prefill_flops},
     *                         {@code peak_memory_bytes}, {@code prefill_seconds}, {@code decode_seconds_per_token}, ...
     * @param model            model id
     * @param spec             spec path relative to the CSV ({@code specs/<model>.json})
     * @param dtype            numeric format of weights, activations and KV cache alike
     * @param batch            sequences
     * @param context          prompt tokens, which is also the position of the decode steps
     * @param generated        room in the KV cache after the prompt
     * @param kvCapacityTokens tokens the KV cache holds (context + generated); decode steps attend over all of them
     * @param measured         the measured value, in {@code unit}
     * @param unit             {@code count}, {@code bytes}, {@code FLOP} or {@code s}
     * @param spreadP10        10th percentile of repeated timings, or NaN
     * @param spreadP90        90th percentile of repeated timings, or NaN
     * @param baselineRssBytes resident memory of the measuring process right after importing torch
     * @param prefillLogits    {@code all} (logits of every prompt position) or {@code last}
     * @param loadAverage      1-minute load average around the point
     * @param otherCpuCores    cores other processes kept busy during the point
     * @param loadedMachine    whether other processes competed for the cores
     */
    public record MeasuredPoint(
            String quantity,
            String model,
            String spec,
            String dtype,
            long batch,
            long context,
            long generated,
            long kvCapacityTokens,
            double measured,
            String unit,
            double spreadP10,
            double spreadP90,
            long baselineRssBytes,
            String prefillLogits,
            double loadAverage,
            double otherCpuCores,
            boolean loadedMachine) {}

    /**
     * The points file of a device's run ({@code cpu-reference.csv}, {@code cuda-reference.csv}).
     *
     * @param device {@code cpu} or {@code cuda}
     * @return the file name
     */
    public static String pointsFile(String device) {
        return device + "-reference.csv";
    }

    /**
     * {@code device} if it is one of {@link #DEVICES}; otherwise an error naming {@code field}.
     *
     * @param field the option the device came from, named in the error
     * @param device the device
     * @return {@code device}
     */
    public static String checkDevice(String field, String device) {
        if (!DEVICES.contains(device))
            throw new InvalidFieldException(field, device, "one of " + String.join(", ", DEVICES));
        return device;
    }

    /**
     * The CPU run shipped in this module's resources.
     *
     * @return the run
     */
    public static ReferenceRun shipped() {
        return shipped("cpu");
    }

    /**
     * The run shipped for a device ({@link #DEVICES}), read on first use (the CPU run alone does not read the GPU's);
     * another device is an error naming the field {@code device}.
     *
     * @param device {@code cpu} or {@code cuda}
     * @return the run
     */
    public static ReferenceRun shipped(String device) {
        return SHIPPED.computeIfAbsent(checkDevice("device", device), ReferenceRun::loadShipped);
    }

    private static final Map<String, ReferenceRun> SHIPPED = new java.util.concurrent.ConcurrentHashMap<>();

    private static ReferenceRun loadShipped(String device) {
        String folder = SHIPPED_FOLDERS.get(device);
        String file = pointsFile(device);
        List<MeasuredPoint> points = parse(resource(folder + file), "shipped " + file);
        Map<String, TransformerSpec> specs = new LinkedHashMap<>();
        for (MeasuredPoint p : points) specs.computeIfAbsent(p.spec(), s -> spec(resource(folder + s), "shipped " + s));
        return new ReferenceRun("shipped", device, points, HostCalibrationCsv.shippedCalibrations(device), specs);
    }

    /**
     * A harness output folder (its {@code --out}): a CPU run ({@code cpu-reference.csv}) or else a GPU run
     * ({@code cuda-reference.csv}); errors name the file (field {@code data}).
     *
     * @param folder the harness's output folder
     * @return the run
     */
    public static ReferenceRun read(Path folder) {
        String device = DEVICES.stream()
                .filter(d -> Files.isRegularFile(folder.resolve(pointsFile(d))))
                .findFirst()
                .orElse("cpu");
        Path csv = folder.resolve(pointsFile(device));
        List<MeasuredPoint> points = parse(text(csv), csv.toString());
        Map<String, TransformerSpec> specs = new LinkedHashMap<>();
        for (MeasuredPoint p : points) {
            if (p.spec().contains("..") || Path.of(p.spec()).isAbsolute())
                throw new InvalidFieldException(
                        "data", p.spec(), "a spec path inside the run's folder (specs/<model>.json)");
            specs.computeIfAbsent(
                    p.spec(),
                    s -> spec(text(folder.resolve(s)), folder.resolve(s).toString()));
        }
        return new ReferenceRun(
                folder.toString(),
                device,
                points,
                HostCalibrationCsv.readCalibrations(folder.resolve(HostCalibrationCsv.fileName(device))),
                specs);
    }

    /**
     * The host calibration the estimates use: the calibrations averaged ({@link Microbenchmarks#averagedWith}).
     *
     * @return the calibration
     */
    public Microbenchmarks calibration() {
        return HostCalibrationCsv.averaged(calibrations);
    }

    /**
     * The spec a point was measured with.
     *
     * @param p a point of this run
     * @return the spec
     */
    public TransformerSpec spec(MeasuredPoint p) {
        return specs.get(p.spec());
    }

    /**
     * Parses {@code cpu-reference.csv} text; {@code source} names it in errors.
     *
     * @param text the CSV text
     * @param source what the text is, for errors
     * @return the points, in file order
     */
    public static List<MeasuredPoint> parse(String text, String source) {
        List<MeasuredPoint> out = new ArrayList<>();
        try (Reader r = new StringReader(text);
                CSVParser p = CSVParser.builder().setReader(r).setFormat(FORMAT).get()) {
            for (String column : REQUIRED)
                if (!p.getHeaderMap().containsKey(column))
                    throw InvalidFieldException.withMessage(
                            "data", source + ": no column '" + column + "' (not a cpu-reference.csv)");
            for (CSVRecord row : p) {
                long context = whole(row, "context", source);
                long generated =
                        row.isMapped("generated") && !row.get("generated").isBlank()
                                ? whole(row, "generated", source)
                                : 0;
                long capacity = row.isMapped("kv_capacity_tokens")
                                && !row.get("kv_capacity_tokens").isBlank()
                        ? whole(row, "kv_capacity_tokens", source)
                        : context + generated;
                out.add(new MeasuredPoint(
                        row.get("quantity"),
                        row.get("model"),
                        row.get("spec"),
                        row.get("dtype"),
                        whole(row, "batch", source),
                        context,
                        generated,
                        capacity,
                        number(row, "measured", source),
                        optional(row, "unit"),
                        optionalNumber(row, "spread_p10"),
                        optionalNumber(row, "spread_p90"),
                        (long) orZero(optionalNumber(row, "baseline_rss_bytes")),
                        optional(row, "prefill_logits"),
                        orZero(optionalNumber(row, "load_avg_1m")),
                        orZero(optionalNumber(row, "other_cpu_cores")),
                        "true".equalsIgnoreCase(optional(row, "loaded_machine"))));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (IllegalArgumentException e) {
            if (e instanceof InvalidFieldException) throw e;
            throw InvalidFieldException.withMessage("data", source + ": not a valid CSV file (" + e.getMessage() + ")");
        }
        return out;
    }

    private static TransformerSpec spec(String json, String source) {
        try {
            return SpecJson.read(new ObjectMapper().readTree(json));
        } catch (IOException e) {
            throw InvalidFieldException.withMessage(
                    "data", source + " is not valid JSON: " + e.getMessage().replaceAll("\\s+", " "));
        }
    }

    private static String resource(String name) {
        try (InputStream in = ReferenceRun.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException(name + " is missing from the strata-data jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Most bytes of a file of a reference run (its measurements, its specs). */
    static final long MAX_BYTES = 64L << 20;

    private static String text(Path file) {
        try {
            return UserFile.read(file, "data", MAX_BYTES, "a file written by data/reference/run.py");
        } catch (NoSuchFileException e) {
            throw new InvalidFieldException(
                    "data", file.toString(), "an existing file written by data/reference/run.py");
        } catch (IOException e) {
            throw new InvalidFieldException("data", file.toString(), "a readable file (" + e.getMessage() + ")");
        }
    }

    private static String optional(CSVRecord row, String column) {
        return row.isMapped(column) ? row.get(column) : "";
    }

    private static double optionalNumber(CSVRecord row, String column) {
        String t = optional(row, column);
        if (t.isBlank()) return Double.NaN;
        try {
            return Double.parseDouble(t);
        } catch (NumberFormatException e) {
            throw InvalidFieldException.withMessage(
                    "data", "row " + row.getRecordNumber() + " column " + column + ": '" + t + "' is not a number");
        }
    }

    private static double orZero(double v) {
        return Double.isNaN(v) ? 0 : v;
    }

    private static double number(CSVRecord row, String column, String source) {
        String t = row.get(column);
        try {
            double v = Double.parseDouble(t);
            if (Double.isFinite(v)) return v;
        } catch (NumberFormatException ignored) {
            // below
        }
        throw InvalidFieldException.withMessage(
                "data",
                source + " row " + row.getRecordNumber() + " column " + column + ": '" + t
                        + "' is not a finite number");
    }

    private static long whole(CSVRecord row, String column, String source) {
        double v = number(row, column, source);
        if (v != Math.rint(v) || v < 0)
            throw InvalidFieldException.withMessage(
                    "data",
                    source + " row " + row.getRecordNumber() + " column " + column + ": '" + row.get(column)
                            + "' is not a whole number");
        return (long) v;
    }
}
