package dev.strata.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.web.http.StrataServer;
import dev.strata.web.render.Render;
import io.javalin.Javalin;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigInteger;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every CSV strata writes, read back with Apache Commons CSV (RFC 4180, header row), gives the same values as the
 * JSON of the same request: each JSON leaf (dotted path, arrays as {@code [i]}) is one {@code quantity,value} row of a
 * single result, or one column of a list (presets, hardware); integers come back as the same integer, other numbers
 * as the same double (bit for bit), booleans as {@code true}/{@code false}, null as an empty cell, and text as the
 * same text, with a leading apostrophe when it starts with {@code = + - @}, a tab or a carriage return (docs/architecture.md, "Contracts":
 * neutralised so a spreadsheet never runs it). Covers the command line and the HTTP API, and model names with commas,
 * quotes, a newline and a formula.
 */
class CsvRoundTripTest {
    /** A model name that needs quoting: a comma, double quotes and a newline. */
    static final String QUOTED_NAME = "evil, \"quoted\"\nname";
    /** A model name a spreadsheet would run as a command (the classic DDE payload of OWASP's "CSV Injection"). */
    static final String FORMULA_NAME = "=cmd|' /C calc'!A0";
    /**
     * A plain number (Render.plainDouble): an optional minus, digits without separators or leading zeros, an optional
     * '.' fraction and an optional exponent (1.5E24).
     */
    static final java.util.regex.Pattern PLAIN_NUMBER =
            java.util.regex.Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE]-?[0-9]+)?");

    static Javalin app;
    static HttpClient http;

    @BeforeAll
    static void start() {
        app = StrataServer.create().start("127.0.0.1", 0);
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void stop() {
        app.stop();
    }

    // ---- command line ----

    @Test
    void estimateOfEveryKindOfModelRoundTrips() throws Exception {
        for (String model : new String[] {"gpt2", "llama-3-8b", "mixtral-8x7b", "gemma-2-9b", "deepseek-v3"}) {
            String[] args = {
                "estimate", "--model", model, "--batch", "4", "--tp", "2", "--device-memory-gib", "80", "--kv", "fp8"
            };
            single(cliJson(args), cli(args, "csv"));
        }
        String[] qlora = {
            "estimate", "--model", "llama-3-8b", "--weights", "nf4-dq", "--lora-rank", "16", "--recompute", "full"
        };
        single(cliJson(qlora), cli(qlora, "csv"));
    }

    @Test
    void modelNamesWithCommasQuotesNewlinesAndFormulasComeBackAsWrittenOrNeutralised(@TempDir Path dir)
            throws Exception {
        for (String name :
                new String[] {QUOTED_NAME, FORMULA_NAME, "+1", "-1", "@SUM(A1:A2)", "\tx", "\rx", "名前, \"ok\""}) {
            Path config = withName(dir, name);
            String[] args = {"estimate", "--model", config.toString()};
            JsonNode json = cliJson(args);
            assertThat(json.at("/model/name").textValue()).isEqualTo(name); // JSON keeps the name as it is
            Map<String, String> rows = single(json, cli(args, "csv"));
            assertThat(rows.get("model.name")).isEqualTo(expectedCell(name));
            String[] spec = {"spec", "--model", config.toString()};
            single(cliJson(spec), cli(spec, "csv"));
        }
        // the two names of the issue, spelled out
        assertThat(expectedCell(QUOTED_NAME)).isEqualTo(QUOTED_NAME);
        assertThat(expectedCell(FORMULA_NAME)).isEqualTo("'=cmd|' /C calc'!A0");
    }

    @Test
    void presetsAndHardwareRoundTripRowByRow() throws Exception {
        list(cliJson("presets").get("presets"), cli(new String[] {"presets"}, "csv"));
        list(cliJson("hardware").get("hardware"), cli(new String[] {"hardware"}, "csv"));
    }

    @Test
    void optimalTrainAndFitRoundTrip(@TempDir Path dir) throws Exception {
        String[] optimal = {"optimal", "--compute", "1e24", "--law", "chinchilla", "--params", "7e10", "--iso-flop", "5"
        };
        single(cliJson(optimal), cli(optimal, "csv"));
        String[] kaplan = {"optimal", "--loss", "2.2", "--law", "kaplan-2020"};
        single(cliJson(kaplan), cli(kaplan, "csv"));
        String[] train = {
            "train", "--model", "llama-3-8b", "--tokens", "15e12", "--hardware", "h100-sxm", "--devices", "1024"
        };
        single(cliJson(train), cli(train, "csv"));
        String[] tpu = {"train", "--params", "1e9", "--tokens", "1e12", "--hardware", "tpu-v5e"
        }; // energy null: an empty cell
        single(cliJson(tpu), cli(tpu, "csv"));
        Path runs = dir.resolve("runs.csv");
        Files.writeString(runs, Runs.csv("N", "D", "loss", false));
        String[] fit = {"fit", "--data", runs.toString(), "--bootstrap", "8", "--seed", "5"};
        single(cliJson(fit), cli(fit, "csv"));
    }

    // ---- HTTP ----

    @Test
    void everyApiCsvVariantRoundTrips() throws Exception {
        for (String q : new String[] {
            "/api/estimate?model=llama-3-8b&batch=2&dp=2&zero=3",
            "/api/estimate?model=deepseek-v3&ep=8&tp=8",
            "/api/optimal?compute=1e23&law=epoch-2024&iso-flop=4",
            "/api/train?model=gpt2&tokens=1e10&hardware=a100-80gb-sxm&price=1.5"
        }) {
            single(json(get(q)), get(q + "&format=csv"));
        }
        list(json(get("/api/presets")).get("presets"), get("/api/presets?format=csv"));
        list(json(get("/api/hardware")).get("hardware"), get("/api/hardware?format=csv"));
        String runs = Runs.csv("N", "D", "loss", false);
        single(json(post("/api/fit?bootstrap=4", runs)), post("/api/fit?bootstrap=4&format=csv", runs));
    }

    @Test
    void aPostedConfigWithAnEvilNameRoundTripsOverHttp() throws Exception {
        for (String name : new String[] {QUOTED_NAME, FORMULA_NAME}) {
            ObjectNode config = (ObjectNode)
                    Render.MAPPER.readTree(Files.readString(Path.of("testdata/hf-configs/llama-3-8b.json")));
            config.put("_name_or_path", name);
            String body = "{\"config\": " + Render.MAPPER.writeValueAsString(config) + ", \"batch\": 3}";
            Map<String, String> rows =
                    single(json(post("/api/estimate", body)), post("/api/estimate?format=csv", body));
            assertThat(rows.get("model.name")).isEqualTo(expectedCell(name));
            assertThat(rows.get("params.total")).isEqualTo("8030261248"); // docs/architecture.md, Llama-3-8B; exact
        }
    }

    // ---- comparison ----

    /**
     * A single result: the CSV is {@code quantity,value} with one row per JSON leaf, in order, and each value equal.
     * Returns the rows by quantity.
     */
    static Map<String, String> single(JsonNode json, String csv) throws IOException {
        assertThat(csv).startsWith("quantity,value\r\n");
        List<Map.Entry<String, JsonNode>> leaves = leaves(json);
        Map<String, String> rows = new LinkedHashMap<>();
        try (CSVParser p = CSVFormat.RFC4180
                .builder()
                .setHeader()
                .setSkipHeaderRecord(true)
                .get()
                .parse(new StringReader(csv))) {
            assertThat(p.getHeaderNames()).containsExactly("quantity", "value");
            List<CSVRecord> records = p.getRecords();
            assertThat(records).hasSameSizeAs(leaves);
            for (int i = 0; i < records.size(); i++) {
                CSVRecord r = records.get(i);
                assertThat(r.size()).isEqualTo(2);
                assertThat(r.get(0)).isEqualTo(leaves.get(i).getKey());
                assertSameValue(leaves.get(i).getKey(), leaves.get(i).getValue(), r.get(1));
                rows.put(r.get(0), r.get(1));
            }
        }
        return rows;
    }

    /** A list: the CSV has the union of the objects' leaves as columns and one row per object, each cell equal. */
    static void list(JsonNode array, String csv) throws IOException {
        try (CSVParser p = CSVFormat.RFC4180
                .builder()
                .setHeader()
                .setSkipHeaderRecord(true)
                .get()
                .parse(new StringReader(csv))) {
            List<String> columns = p.getHeaderNames();
            List<CSVRecord> records = p.getRecords();
            assertThat(records).hasSize(array.size());
            List<String> union = new ArrayList<>();
            for (int i = 0; i < array.size(); i++) {
                Map<String, JsonNode> leaves = new LinkedHashMap<>();
                for (var leaf : leaves(array.get(i))) {
                    leaves.put(leaf.getKey(), leaf.getValue());
                    if (!union.contains(leaf.getKey())) union.add(leaf.getKey());
                }
                CSVRecord r = records.get(i);
                assertThat(r.size()).isEqualTo(columns.size());
                for (String c : columns) {
                    if (leaves.containsKey(c)) assertSameValue("[" + i + "]." + c, leaves.get(c), r.get(c));
                    else
                        assertThat(r.get(c))
                                .as("[" + i + "]." + c + " (absent in the JSON)")
                                .isEmpty();
                }
            }
            assertThat(columns).containsExactlyElementsOf(union);
        }
    }

    static void assertSameValue(String path, JsonNode v, String cell) {
        if (v.isIntegralNumber()) assertThat(new BigInteger(cell)).as(path).isEqualTo(v.bigIntegerValue());
        else if (v.isNumber()) {
            // exact: Render.plainDouble promises the form that reads back to the same double
            assertThat(Double.parseDouble(cell)).as(path).isEqualTo(v.doubleValue());
            // Double.parseDouble also takes what a spreadsheet does not (" 1.5", "1.5d", "0x1.8p0", "NaN"), so the form
            // is checked apart
            assertThat(cell).as(path + " is a plain number").matches(PLAIN_NUMBER);
        } else if (v.isBoolean()) assertThat(cell).as(path).isEqualTo(Boolean.toString(v.booleanValue()));
        else if (v.isNull()) assertThat(cell).as(path).isEmpty();
        else assertThat(cell).as(path).isEqualTo(expectedCell(v.textValue()));
    }

    /** What a text cell must hold: the text, after an apostrophe when a spreadsheet would run it as a formula. */
    static String expectedCell(String text) {
        if (text.isEmpty()) return text;
        char c = text.charAt(0);
        return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r' ? "'" + text : text;
    }

    /** The leaves of a JSON tree as (dotted path, value); written here, not taken from Render, so the two can disagree. */
    static List<Map.Entry<String, JsonNode>> leaves(JsonNode node) {
        List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
        walk("", node, out);
        return out;
    }

    private static void walk(String path, JsonNode node, List<Map.Entry<String, JsonNode>> out) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                var e = it.next();
                walk(path.isEmpty() ? e.getKey() : path + "." + e.getKey(), e.getValue(), out);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) walk(path + "[" + i + "]", node.get(i), out);
        } else {
            out.add(Map.entry(path, node));
        }
    }

    // ---- plumbing ----

    static Path withName(Path dir, String name) throws IOException {
        ObjectNode config =
                (ObjectNode) Render.MAPPER.readTree(Files.readString(Path.of("testdata/hf-configs/llama-3-8b.json")));
        config.put("_name_or_path", name);
        Path file = dir.resolve("config-" + Integer.toHexString(name.hashCode()) + ".json");
        Files.writeString(file, Render.MAPPER.writeValueAsString(config));
        return file;
    }

    static JsonNode cliJson(String... args) throws IOException {
        return Render.MAPPER.readTree(cli(args, "json"));
    }

    static String cli(String[] args, String format) {
        String[] all = java.util.Arrays.copyOf(args, args.length + 2);
        all[args.length] = "--format";
        all[args.length + 1] = format;
        Cli r = Cli.run(all);
        assertThat(r.exitCode()).as(String.join(" ", all) + ": " + r.err()).isZero();
        return r.out();
    }

    static JsonNode json(String text) throws IOException {
        return Render.MAPPER.readTree(text);
    }

    static String get(String target) throws Exception {
        return send(HttpRequest.newBuilder(uri(target)).GET().build());
    }

    static String post(String target, String body) throws Exception {
        return send(HttpRequest.newBuilder(uri(target))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
    }

    private static URI uri(String target) {
        return URI.create("http://127.0.0.1:" + app.port() + target);
    }

    private static String send(HttpRequest request) throws Exception {
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertThat(r.statusCode()).as(request.uri() + ": " + r.body()).isEqualTo(200);
        return r.body();
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
