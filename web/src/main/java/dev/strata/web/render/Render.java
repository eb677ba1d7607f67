package dev.strata.web.render;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.io.NumberOutput;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NumericNode;
import com.fasterxml.jackson.databind.node.ValueNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.csv.CSVPrinter;

/**
 * Renders a JSON result in the three formats. JSON is the result itself; CSV and the table are its leaves, one row
 * per quantity named by its JSON path ({@code params.breakdown.embedding}), so all three always agree.
 */
public final class Render {
    /**
     * The one mapper of the web module; results are Jackson trees. Doubles are written by Jackson's Schubfach writer
     * (the shortest form that reads back to the same double, as the CSV cells: {@link #plainDouble}), several times
     * faster than JDK 17's {@code Double.toString}.
     */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    /** Largest whole number a double holds with every smaller one (2^53): beyond it a double's integer is not exact. */
    public static final long LARGEST_EXACT_WHOLE = 1L << 53;

    /**
     * Whether {@code value} is a whole number every double up to which is exact; every output writes such a number as
     * an integer: {@code 7822209187840}, not {@code 7.82220918784E12} (JSON), {@code 16}, not {@code 16.0}. Counts kept
     * as doubles (FLOPs, bytes per layer) read as the exact integers they are, and they skip the shortest-decimal
     * search. Larger values and fractions stay doubles.
     */
    public static boolean isWhole(double value) {
        return value == (long) value && Math.abs(value) <= LARGEST_EXACT_WHOLE;
    }

    /**
     * The node factory of every result tree: a double that {@link #isWhole} becomes an integer node, so that the JSON,
     * CSV and table of every command and API answer write whole numbers alike, whichever report put them. Results only:
     * {@link #MAPPER} reads input with Jackson's own factory, so that a field that must be an integer still refuses
     * {@code 8.0}.
     */
    public static final JsonNodeFactory NODES = new JsonNodeFactory() {
        @Override
        public NumericNode numberNode(double v) {
            return isWhole(v) ? super.numberNode((long) v) : super.numberNode(v);
        }

        @Override
        public ValueNode numberNode(Double v) {
            return v == null ? nullNode() : numberNode(v.doubleValue());
        }
    };

    private Render() {}

    /** The result in {@code format}, ending with a newline. */
    public static String render(JsonNode result, Format format) {
        return switch (format) {
            case JSON -> json(result) + "\n";
            case CSV -> csv(result);
            case TABLE -> table(result);
        };
    }

    /**
     * The result as compact JSON in UTF-8, as the HTTP API answers: no indentation (a third fewer bytes than
     * {@link #json}, and less work per request).
     */
    public static byte[] compactJson(JsonNode result) {
        try {
            return COMPACT.writeValueAsBytes(result);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final ObjectWriter COMPACT = MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT);

    /** The result as indented JSON, as the command line prints it. */
    public static String json(JsonNode result) {
        try {
            return MAPPER.writeValueAsString(result);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One row per leaf: {@code quantity,value}. */
    public static String csv(JsonNode result) {
        StringBuilder sb = new StringBuilder();
        try (CSVPrinter p = Csv.printer(sb, "quantity", "value")) {
            for (Map.Entry<String, JsonNode> leaf : leaves(result)) {
                p.printRecord(leaf.getKey(), cell(leaf.getValue()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sb.toString();
    }

    /** A table for people: aligned, integers with thousands separators, other numbers to 4 significant digits. */
    public static String table(JsonNode result) {
        List<Map.Entry<String, JsonNode>> rows = leaves(result);
        int width = 0;
        for (var r : rows) width = Math.max(width, r.getKey().length());
        StringBuilder sb = new StringBuilder();
        for (var r : rows) {
            sb.append(String.format(Locale.ROOT, "%-" + width + "s  %s%n", r.getKey(), pretty(r.getValue())));
        }
        return sb.toString();
    }

    /**
     * A list of objects (one per row) in {@code format}: JSON gives {@code wrapper}, CSV and the table give one
     * line per object with the union of their leaves as columns (nested keys joined with dots, as {@link #leaves}).
     */
    public static String rows(JsonNode wrapper, JsonNode rows, Format format) {
        if (format == Format.JSON) return json(wrapper) + "\n";
        List<String> columns = new ArrayList<>();
        List<Map<String, JsonNode>> flat = new ArrayList<>();
        for (JsonNode r : rows) {
            Map<String, JsonNode> m = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> leaf : leaves(r)) {
                m.put(leaf.getKey(), leaf.getValue());
                if (!columns.contains(leaf.getKey())) columns.add(leaf.getKey());
            }
            flat.add(m);
        }
        StringBuilder sb = new StringBuilder();
        if (format == Format.CSV) {
            try (CSVPrinter p = Csv.printer(sb, columns.toArray(String[]::new))) {
                for (Map<String, JsonNode> r : flat) {
                    List<Object> cells = new ArrayList<>();
                    for (String c : columns) cells.add(r.containsKey(c) ? cell(r.get(c)) : "");
                    p.printRecord(cells);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return sb.toString();
        }
        List<String[]> cells = new ArrayList<>();
        cells.add(columns.toArray(String[]::new));
        for (Map<String, JsonNode> r : flat) {
            String[] line = new String[columns.size()];
            for (int i = 0; i < line.length; i++)
                line[i] = r.containsKey(columns.get(i)) ? pretty(r.get(columns.get(i))) : "";
            cells.add(line);
        }
        int[] w = new int[columns.size()];
        for (String[] line : cells)
            for (int i = 0; i < w.length; i++) w[i] = Math.max(w[i], Math.min(line[i].length(), 60));
        for (String[] line : cells) {
            StringBuilder l = new StringBuilder();
            for (int i = 0; i < w.length; i++) {
                String c = line[i].length() > 60 ? line[i].substring(0, 57) + "..." : line[i];
                l.append(String.format(Locale.ROOT, "%-" + w[i] + "s", c)).append(i + 1 < w.length ? "  " : "");
            }
            sb.append(l.toString().stripTrailing()).append(System.lineSeparator());
        }
        return sb.toString();
    }

    /** The leaves of a tree as (dotted path, value), arrays indexed {@code [i]}. */
    public static List<Map.Entry<String, JsonNode>> leaves(JsonNode node) {
        List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
        collect("", node, out);
        return out;
    }

    private static void collect(String path, JsonNode node, List<Map.Entry<String, JsonNode>> out) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                var e = it.next();
                collect(path.isEmpty() ? e.getKey() : path + "." + e.getKey(), e.getValue(), out);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) collect(path + "[" + i + "]", node.get(i), out);
        } else {
            out.add(Map.entry(path, node));
        }
    }

    /** A CSV cell: numbers as plain numbers, text neutralised. */
    public static Object cell(JsonNode v) {
        if (v.isIntegralNumber()) return v.bigIntegerValue();
        if (v.isNumber()) return plainDouble(v.doubleValue());
        if (v.isBoolean()) return v.booleanValue();
        if (v.isNull()) return "";
        return Csv.text(v.asText());
    }

    /**
     * A double as a plain number a spreadsheet reads: the shortest form that reads back to the same double, exponent
     * allowed (1.5E24), written by Jackson's Schubfach writer (Giulietti 2020, the algorithm of Double.toString since
     * JDK 19; several times faster than JDK 17's, which is not always shortest).
     */
    public static String plainDouble(double d) {
        if (isWhole(d)) return Long.toString((long) d);
        return NumberOutput.toString(d, true);
    }

    private static String pretty(JsonNode v) {
        if (v.isIntegralNumber()) return String.format(Locale.ROOT, "%,d", v.bigIntegerValue());
        if (v.isNumber()) {
            double d = v.doubleValue();
            if (d == 0) return "0";
            double a = Math.abs(d);
            return a >= 1e6 || a < 1e-3
                    ? String.format(Locale.ROOT, "%.4g", d)
                    : String.format(Locale.ROOT, "%.4f", d).replaceAll("\\.?0+$", "");
        }
        if (v.isNull()) return "-";
        return v.asText();
    }
}
