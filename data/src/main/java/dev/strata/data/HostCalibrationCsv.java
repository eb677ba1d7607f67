package dev.strata.data;

import dev.strata.model.InvalidFieldException;
import dev.strata.model.Microbenchmarks;
import dev.strata.model.NumericFormat;
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
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Reads the host calibration of the reference-stack harness ({@code cpu-calibration.csv}, written by
 * {@code data/reference/calibrate.py}; its README lists the factors) into {@link Microbenchmarks}. One row per factor:
 * {@code factor}, {@code variant}, {@code dtype}, {@code m}, {@code k}, {@code n}, {@code value}, {@code unit}, and
 * provenance columns ({@code machine}, {@code cores}, {@code torch_version}, {@code blas}, {@code date}). A full run
 * writes a second file of the same form after its points ({@code cpu-calibration-end.csv}); strata uses the two averaged.
 *
 * <ul>
 *   <li>{@code stream_sum_bandwidth}, {@code stream_copy_bandwidth} (GB/s): the larger is the stream bandwidth;</li>
 *   <li>{@code matvec_bandwidth} (GB/s of weight bytes, m rows, k inputs, n outputs) and {@code gemm_flops}
 *       (GFLOP/s at 2 m k n): matrix products, turned back into seconds per product;</li>
 *   <li>{@code kv_read_bandwidth} (GB/s of K and V; k cached tokens, n = KV heads x head size);</li>
 *   <li>{@code decode_glue_per_layer} and {@code decode_glue_fixed} (s) with variant {@code gpt2}, {@code llama} or
 *       {@code moe}: the layer styles {@code dense}, {@code gated} and {@code moe}, timed with the layers' matrix
 *       products replaced by their outputs (no product call in the slope; the tied output head's one in the
 *       intercept); runs before them wrote {@code decode_overhead_per_layer} and {@code decode_overhead_fixed}, timed
 *       with the products, whose calls ({@link #PRODUCTS_PER_LAYER}) the fit then takes out. Glue rows win over
 *       overhead rows of the same style and format;</li>
 *   <li>{@code decode_in_situ_per_layer} (s, k = hidden width): the time per layer outside the products of a
 *       real-width Llama-style model, measured among its products; runs before it recorded none;</li>
 *   <li>{@code product_output_bytes} (bytes per output element at the peak of a matrix product, per format);</li>
 *   <li>{@code torch_runtime_rss} (bytes, CPU: the process once a tiny model has run in each format and been freed;
 *       runs before it recorded only {@code torch_import_rss}, the process after {@code import torch}, which is then
 *       used) or {@code cuda_runtime_allocated} (bytes, GPU: what the CUDA allocator holds for cuBLAS once a product of each
 *       format has run): the runtime's own memory;</li>
 *   <li>{@code device_memory_bytes} (bytes): the memory capacity of the device the run measured (the machine's RAM, or
 *       the GPU's total memory); runs before it recorded none.</li>
 * </ul>
 * Unknown factors are ignored, so the harness may measure more than strata uses.
 */
final class HostCalibrationCsv {
    /**
     * Query heads per KV head of the harness's KV-read benchmark when its note does not say (calibrate.py
     * {@code kv_read}: 8 KV heads of 64, 4 query heads each).
     */
    public static final int DEFAULT_KV_READ_QUERIES_PER_KV_HEAD = 4;

    private static final Map<String, String> STYLES = Map.of("gpt2", "dense", "llama", "gated", "moe", "moe");
    /**
     * Matrix-product calls per layer and decode step of calibrate.py's tiny-width models ({@code overhead_spec}): Llama
     * style q, k, v, o, gate, up, down (7); GPT-2 style q, k, v, o, fc, proj (6); MoE q, k, v, o, the router, and gate,
     * up, down of the 2 routed experts a token picks and of the shared one (14).
     */
    public static final Map<String, Integer> PRODUCTS_PER_LAYER = Map.of("gated", 7, "dense", 6, "moe", 14);
    /** Matrix-product calls per decode step outside the layers of those models (with or without their layers' products): the (tied) output head. */
    public static final int PRODUCTS_PER_STEP = 1;

    private static final Pattern QUERY_HEADS = Pattern.compile("(\\d+) query heads each");
    private static final CSVFormat FORMAT = CSVFormat.RFC4180
            .builder()
            .setHeader()
            .setSkipHeaderRecord(true)
            .setIgnoreSurroundingSpaces(true)
            .setIgnoreEmptyLines(true)
            .get();

    private HostCalibrationCsv() {}

    /** File name the harness writes for a device ({@code cpu-calibration.csv}, {@code cuda-calibration.csv}). */
    public static String fileName(String device) {
        return device + "-calibration.csv";
    }

    /**
     * File name of the calibration a full run repeats after its points ({@code cpu-calibration-end.csv}); runs before
     * the harness repeated it have none.
     */
    public static String endFileName(String device) {
        return device + "-calibration-end.csv";
    }

    /** The shipped calibrations of a device's run as measured: before its points, and after them where repeated. */
    public static List<Microbenchmarks> shippedCalibrations(String device) {
        String folder = ReferenceRun.SHIPPED_FOLDERS.get(device);
        List<Microbenchmarks> all = new ArrayList<>();
        for (String name : List.of(fileName(device), endFileName(device))) {
            String resource = folder + name;
            try (InputStream in = HostCalibrationCsv.class.getResourceAsStream(resource)) {
                if (in == null && name.equals(fileName(device)))
                    throw new IllegalStateException(resource + " is missing from the strata-data jar");
                if (in != null) all.add(parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), resource));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return List.copyOf(all);
    }

    /**
     * A calibration file (a fresh run of the harness), averaged with the calibration after the points beside it
     * ({@link #readCalibrations}); errors name the file (field {@code calibration}).
     */
    public static Microbenchmarks read(Path file) {
        return averaged(readCalibrations(file));
    }

    /**
     * A calibration file as measured and, when it is named {@code <device>-calibration.csv} and the run repeated its
     * calibration after the points, that one ({@code <device>-calibration-end.csv} beside it); errors name the file.
     */
    public static List<Microbenchmarks> readCalibrations(Path file) {
        List<Microbenchmarks> all = new ArrayList<>(List.of(readOne(file)));
        String name = file.getFileName() == null ? "" : file.getFileName().toString();
        String suffix = fileName("");
        if (name.endsWith(suffix)) {
            Path end = file.resolveSibling(endFileName(name.substring(0, name.length() - suffix.length())));
            if (Files.isRegularFile(end)) all.add(readOne(end));
        }
        return List.copyOf(all);
    }

    /** The first calibration averaged with the second, if there is one. */
    public static Microbenchmarks averaged(List<Microbenchmarks> calibrations) {
        return calibrations.size() == 1
                ? calibrations.get(0)
                : calibrations.get(0).averagedWith(calibrations.get(1));
    }

    /** Most bytes of a calibration file. */
    static final long MAX_BYTES = 16L << 20;

    private static Microbenchmarks readOne(Path file) {
        try {
            return parse(UserFile.read(file, "calibration", MAX_BYTES, "a calibration CSV file"), file.toString());
        } catch (NoSuchFileException e) {
            throw new InvalidFieldException(
                    "calibration", file.toString(), "an existing cpu-calibration.csv or cuda-calibration.csv");
        } catch (IOException e) {
            throw new InvalidFieldException("calibration", file.toString(), "a readable file (" + e.getMessage() + ")");
        }
    }

    /** Parses the CSV text; {@code source} names it in errors. */
    public static Microbenchmarks parse(String text, String source) {
        double stream = 0;
        long runtime = 0, importRss = 0, memory = 0;
        String machine = "", date = "";
        List<Microbenchmarks.MatrixProduct> products = new ArrayList<>();
        List<Microbenchmarks.KvRead> kv = new ArrayList<>();
        Map<LayerFit, Double> slopes = new java.util.LinkedHashMap<>(), intercepts = new java.util.HashMap<>();
        Map<String, Double> outputBytes = new java.util.HashMap<>();
        List<Microbenchmarks.InSituLayer> inSitu = new ArrayList<>();
        try (Reader r = new StringReader(text);
                CSVParser p = CSVParser.builder().setReader(r).setFormat(FORMAT).get()) {
            for (String column : List.of("factor", "dtype", "value"))
                if (!p.getHeaderMap().containsKey(column))
                    throw InvalidFieldException.withMessage(
                            "calibration", source + ": no column '" + column + "' (not a cpu-calibration.csv)");
            for (CSVRecord row : p) {
                String factor = row.get("factor");
                String dtype = row.get("dtype");
                if (machine.isEmpty()) machine = describe(row);
                if (date.isEmpty() && row.isMapped("date")) date = row.get("date");
                switch (factor) {
                    case "stream_sum_bandwidth", "stream_copy_bandwidth" ->
                        stream = Math.max(stream, rate(row, source) * 1e9);
                    case "torch_runtime_rss", "cuda_runtime_allocated" -> runtime = (long) number(row, "value", source);
                    case "torch_import_rss" -> importRss = (long) number(row, "value", source);
                    case "device_memory_bytes" -> memory = whole(row, "value", source);
                    case "matvec_bandwidth" -> {
                        long m = whole(row, "m", source), k = whole(row, "k", source), n = whole(row, "n", source);
                        double bytes = (double) k * n * elementBytes(dtype, row, source);
                        products.add(
                                new Microbenchmarks.MatrixProduct(dtype, m, k, n, bytes / (rate(row, source) * 1e9)));
                    }
                    case "gemm_flops" -> {
                        long m = whole(row, "m", source), k = whole(row, "k", source), n = whole(row, "n", source);
                        products.add(new Microbenchmarks.MatrixProduct(
                                dtype, m, k, n, 2.0 * m * k * n / (rate(row, source) * 1e9)));
                    }
                    case "kv_read_bandwidth" -> {
                        double bytes = 2.0
                                * whole(row, "k", source)
                                * whole(row, "n", source)
                                * elementBytes(dtype, row, source);
                        Matcher q = QUERY_HEADS.matcher(row.isMapped("note") ? row.get("note") : "");
                        int g = q.find() ? Integer.parseInt(q.group(1)) : DEFAULT_KV_READ_QUERIES_PER_KV_HEAD;
                        kv.add(new Microbenchmarks.KvRead(dtype, bytes, g, bytes / (rate(row, source) * 1e9)));
                    }
                    case "decode_glue_per_layer", "decode_overhead_per_layer" ->
                        slopes.put(
                                LayerFit.of(factor, row, dtype, source),
                                number(row, "value", source)); // the intercept and product counts are joined below
                    case "decode_glue_fixed", "decode_overhead_fixed" ->
                        intercepts.put(LayerFit.of(factor, row, dtype, source), number(row, "value", source));
                    case "decode_in_situ_per_layer" -> {
                        elementBytes(dtype, row, source); // a format strata knows
                        inSitu.add(new Microbenchmarks.InSituLayer(
                                dtype, whole(row, "k", source), number(row, "value", source)));
                    }
                    case "product_output_bytes" -> {
                        elementBytes(dtype, row, source); // a format strata knows
                        outputBytes.put(dtype, number(row, "value", source));
                    }
                    default -> {} // a factor strata does not use
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (IllegalArgumentException e) {
            if (e instanceof InvalidFieldException) throw e;
            throw InvalidFieldException.withMessage(
                    "calibration", source + ": not a valid CSV file (" + e.getMessage() + ")");
        }
        if (stream <= 0)
            throw InvalidFieldException.withMessage(
                    "calibration", source + ": no stream_sum_bandwidth or stream_copy_bandwidth row");
        Map<List<String>, Microbenchmarks.LayerOverhead> layers =
                new java.util.LinkedHashMap<>(); // by style and format
        // rows timed without the products win
        for (boolean withoutProducts : new boolean[] {true, false})
            slopes.forEach((k, slope) -> {
                if (k.withoutProducts() == withoutProducts)
                    layers.putIfAbsent(
                            List.of(k.style(), k.format()),
                            new Microbenchmarks.LayerOverhead(
                                    k.style(),
                                    k.format(),
                                    slope,
                                    intercepts.getOrDefault(k, 0.0),
                                    withoutProducts ? 0 : PRODUCTS_PER_LAYER.get(k.style()),
                                    PRODUCTS_PER_STEP));
            });
        return new Microbenchmarks(
                machine,
                date,
                stream,
                products,
                kv,
                List.copyOf(layers.values()),
                runtime > 0 ? runtime : importRss,
                outputBytes,
                memory,
                inSitu);
    }

    /**
     * Which fit of the tiny models a {@code decode_glue_*} or {@code decode_overhead_*} row belongs to: timed without
     * the layers' products (glue) or with them, its layer style and its format.
     */
    private record LayerFit(boolean withoutProducts, String style, String format) {
        static LayerFit of(String factor, CSVRecord row, String format, String source) {
            return new LayerFit(factor.startsWith("decode_glue_"), HostCalibrationCsv.style(row, source), format);
        }
    }

    private static String describe(CSVRecord row) {
        StringBuilder sb = new StringBuilder();
        for (String c : List.of("machine", "cores", "torch_version", "blas"))
            if (row.isMapped(c) && !row.get(c).isBlank())
                sb.append(sb.length() == 0 ? "" : "; ")
                        .append(
                                c.equals("cores")
                                        ? row.get(c) + " cores"
                                        : c.equals("torch_version") ? "torch " + row.get(c) : row.get(c));
        return sb.toString();
    }

    private static String style(CSVRecord row, String source) {
        String variant = row.isMapped("variant") ? row.get("variant") : "";
        String style = STYLES.get(variant);
        if (style == null)
            throw InvalidFieldException.withMessage(
                    "calibration",
                    source + " row " + row.getRecordNumber() + ": variant '" + variant + "' is not one of "
                            + STYLES.keySet());
        return style;
    }

    private static int elementBytes(String dtype, CSVRecord row, String source) {
        try {
            NumericFormat f = NumericFormat.parse("dtype", dtype);
            if (f.bits() % 8 != 0 || f.groupSize() != 0) throw new IllegalArgumentException("not whole bytes");
            return f.bits() / 8;
        } catch (IllegalArgumentException e) {
            throw InvalidFieldException.withMessage(
                    "calibration",
                    source + " row " + row.getRecordNumber() + ": dtype '" + dtype
                            + "' is not fp32, bf16, fp16 or fp8");
        }
    }

    private static double number(CSVRecord row, String column, String source) {
        String t = row.isMapped(column) ? row.get(column) : "";
        try {
            double v = Double.parseDouble(t);
            if (Double.isFinite(v)) return v;
        } catch (NumberFormatException ignored) {
            // below
        }
        throw InvalidFieldException.withMessage(
                "calibration",
                source + " row " + row.getRecordNumber() + " column " + column + ": '" + t
                        + "' is not a finite number (factor " + row.get("factor") + ")");
    }

    /** The {@code value} of a rate row (GB/s or GFLOP/s): a positive finite number that turns into a positive time. */
    private static double rate(CSVRecord row, String source) {
        double v = number(row, "value", source);
        // above 1e18 bytes or FLOP per second: no device measures that
        if (v <= 0 || v > 1e9)
            throw InvalidFieldException.withMessage(
                    "calibration",
                    source + " row " + row.getRecordNumber() + " column value: '" + row.get("value")
                            + "' is not a rate (a number > 0 and <= 1e9, in "
                            + (row.isMapped("unit") && !row.get("unit").isBlank() ? row.get("unit") : "GB/s or GFLOP/s")
                            + "; factor " + row.get("factor") + ")");
        return v;
    }

    private static long whole(CSVRecord row, String column, String source) {
        double v = number(row, column, source);
        if (v != Math.rint(v) || v < 1)
            throw InvalidFieldException.withMessage(
                    "calibration",
                    source + " row " + row.getRecordNumber() + " column " + column + ": '" + row.get(column)
                            + "' is not a positive integer");
        return (long) v;
    }
}
