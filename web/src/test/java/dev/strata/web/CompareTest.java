package dev.strata.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.web.http.StrataServer;
import dev.strata.web.render.Render;
import io.javalin.testtools.HttpClient;
import io.javalin.testtools.JavalinTest;
import io.javalin.testtools.Response;
import java.io.StringReader;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;

/** The compare page ({@code /compare}) and its CSV on the real server, against {@code /api/estimate}. */
class CompareTest {
    /** A cell of the table: its quantity, setup, classes and raw value (null: none). */
    private record Cell(String quantity, int setup, String classes, String value) {
        boolean best() {
            return classes.contains("best");
        }
    }

    private static final Pattern CELL = Pattern.compile(
            "<td class=\"([^\"]*)\" data-quantity=\"([a-z-]+)\" data-setup=\"([0-9]+)\"(?: data-value=\"([^\"]*)\")?>");
    private static final Pattern JSON_LINK =
            Pattern.compile("<a class=\"setup-json\" href=\"/api/estimate\\?([^\"]*)\">");

    /** Each setup's cells by quantity, from the page's HTML. */
    private static Map<Integer, Map<String, Cell>> cells(String html) {
        Map<Integer, Map<String, Cell>> out = new LinkedHashMap<>();
        Matcher m = CELL.matcher(html);
        while (m.find()) {
            Cell c = new Cell(m.group(2), Integer.parseInt(m.group(3)), m.group(1), m.group(4));
            out.computeIfAbsent(c.setup(), k -> new LinkedHashMap<>()).put(c.quantity(), c);
        }
        return out;
    }

    /** The query of each setup's JSON link (the setup's options, one item each), in column order. */
    private static List<String> setupQueries(String html) {
        List<String> out = new ArrayList<>();
        Matcher m = JSON_LINK.matcher(html);
        while (m.find()) out.add(m.group(1).replace("&amp;", "&"));
        return out;
    }

    private static double value(Map<String, Cell> setup, String quantity) {
        return Double.parseDouble(setup.get(quantity).value());
    }

    @Test
    void everySetupsNumbersAreTheEstimateApisForThatSetup() {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            // 3 devices x 2 weight formats = 6 setups, the most one page compares
            Response r = client.get(
                    "/compare?model=llama-3.1-70b&hardware=h100-sxm,h200-sxm,mi300x&devices=2&weights=bf16,fp8");
            String html = r.body().string();
            assertThat(r.code()).isEqualTo(200);
            assertThat(html)
                    .contains("<title>Compare setups · strata</title>")
                    .contains("href=\"/compare\" class=\"active\"");
            List<String> queries = setupQueries(html);
            Map<Integer, Map<String, Cell>> cells = cells(html);
            assertThat(queries).hasSize(6);
            assertThat(cells).hasSize(6);
            // the product in list order, the first list varying slowest; headers name what differs
            String[][] expected = {
                {"h100-sxm", "bf16"}, {"h100-sxm", "fp8"}, {"h200-sxm", "bf16"},
                {"h200-sxm", "fp8"}, {"mi300x", "bf16"}, {"mi300x", "fp8"}
            };
            for (int i = 0; i < 6; i++)
                assertThat(queries.get(i))
                        .contains("hardware=" + expected[i][0])
                        .contains("weights=" + expected[i][1])
                        .contains("devices=2");
            assertThat(html).contains(">H200 SXM 141GB, fp8 <a class=\"setup-json\"");
            for (int i = 0; i < 6; i++) {
                String query = queries.get(i);
                JsonNode api = json(client.get("/api/estimate?" + query));
                Map<String, Cell> c = cells.get(i + 1);
                // the same code path: the same doubles, exactly
                assertThat(value(c, "tpot"))
                        .as(query)
                        .isEqualTo(api.at("/latency/decodeSecondsPerToken/calibrated")
                                .doubleValue());
                assertThat(value(c, "ttft"))
                        .as(query)
                        .isEqualTo(api.at("/latency/perRequest/timeToFirstTokenMeanSeconds")
                                .doubleValue());
                assertThat(value(c, "throughput"))
                        .as(query)
                        .isEqualTo(
                                api.at("/throughput/tokensPerSecond/calibrated").doubleValue());
                assertThat(value(c, "cost-request"))
                        .as(query)
                        .isEqualTo(api.at("/cost/costPerRequestUsd").doubleValue());
                // the planner's cost card: the request's cost (prefill included) over its 256 output tokens (the
                // planner's default), to the last bits of one division and one product
                assertThat(value(c, "cost"))
                        .as(query)
                        .isCloseTo(api.at("/cost/costPerRequestUsd").doubleValue() / 256 * 1e6, within(1e-12));
                assertThat(value(c, "memory"))
                        .as(query)
                        .isEqualTo(api.at("/memory/perDeviceBytes").doubleValue());
                assertThat(value(c, "headroom"))
                        .as(query)
                        .isEqualTo(api.at("/memory/headroomFraction").doubleValue());
                assertThat(value(c, "max-batch"))
                        .as(query)
                        .isEqualTo(api.at("/capacity/maxBatch").doubleValue());
                assertThat(value(c, "max-context"))
                        .as(query)
                        .isEqualTo(api.at("/capacity/maxContextTokens").doubleValue());
                assertThat(value(c, "min-devices"))
                        .as(query)
                        .isEqualTo(api.at("/capacity/minDevices").doubleValue());
                assertThat(c.get("fits").value())
                        .as(query)
                        .isEqualTo(api.at("/memory/fits").asText());
            }
            // the planner's defaults fill what the query leaves out: the same page as the planner's query
            String planner = client.get("/?model=llama-3.1-70b&hardware=mi300x&devices=2&weights=fp8")
                    .body()
                    .string();
            assertThat(planner)
                    .contains(String.format(java.util.Locale.ROOT, "%.3g ms", value(cells.get(6), "tpot") * 1e3));
        });
    }

    @Test
    void theBestOfEachRowIsMarkedAmongTheSetupsThatFit() {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            // Llama 3.1 70B in bf16 on one 80 GB H100 does not fit (about 141 GB of weights, docs/architecture.md)
            String html = client.get("/compare?model=llama-3.1-70b&hardware=h100-sxm&devices=1,2,4")
                    .body()
                    .string();
            Map<Integer, Map<String, Cell>> cells = cells(html);
            assertThat(cells.get(1).get("fits").value()).isEqualTo("false");
            assertThat(html)
                    .contains("1 device <span class=\"tag\">does not fit</span>")
                    .contains("<span class=\"why\">needs 147.2 GB per device, the device has 85.5 GB</span>");
            for (Cell c : cells.get(1).values()) {
                assertThat(c.classes()).as(c.quantity()).contains("not-fitting");
                assertThat(c.best()).as(c.quantity()).isFalse();
            }
            // one device alone costs less per token (no tensor-parallel traffic) yet is not the best: it does not fit
            assertThat(value(cells.get(1), "cost")).isLessThan(value(cells.get(2), "cost"));
            assertThat(cells.get(2).get("cost").best()).isTrue();
            // every marked cell holds the lowest (time, cost, devices) or highest (throughput, headroom, capacity)
            // value among the setups that fit; ties would all be marked
            Map<String, Boolean> lower = Map.of(
                    "ttft",
                    true,
                    "tpot",
                    true,
                    "cost",
                    true,
                    "cost-request",
                    true,
                    "min-devices",
                    true,
                    "throughput",
                    false,
                    "headroom",
                    false,
                    "max-batch",
                    false,
                    "max-context",
                    false);
            int marked = 0;
            for (var q : lower.entrySet()) {
                List<Double> fitting = new ArrayList<>();
                for (int s = 2; s <= 3; s++) fitting.add(value(cells.get(s), q.getKey()));
                double best = q.getValue()
                        ? fitting.stream().min(Double::compare).orElseThrow()
                        : fitting.stream().max(Double::compare).orElseThrow();
                // marks are for rows that differ (a row the same for all has no best)
                boolean differs = html.contains("<tr data-quantity=\"" + q.getKey() + "\" class=\"differs\">");
                for (int s = 2; s <= 3; s++) {
                    Cell c = cells.get(s).get(q.getKey());
                    boolean isBest = differs && Double.parseDouble(c.value()) == best;
                    assertThat(c.best()).as(q.getKey() + " of setup " + s).isEqualTo(isBest);
                    if (c.best()) marked++;
                }
            }
            assertThat(marked).isGreaterThanOrEqualTo(7);
            // four devices decode fastest (each reads a quarter of the weights)
            assertThat(cells.get(3).get("tpot").best()).isTrue();
            // rows that differ are highlighted; the price, the same for all, is not
            assertThat(html)
                    .contains("<tr data-quantity=\"tpot\" class=\"differs\">")
                    .contains("<tr data-quantity=\"price\">");
        });
    }

    @Test
    void moreThanSixSetupsIs400NamingTheListsAndTheCount() {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            Response r =
                    client.get("/compare?model=llama-3-8b&hardware=h100-sxm,h200-sxm,mi300x&weights=bf16,fp8,int4");
            String html = r.body().string();
            assertThat(r.code()).isEqualTo(400);
            assertThat(html)
                    .contains("id=\"error-hardware\"")
                    .contains("the lists hardware (3) x weights (3) make 9 setups; at most 6 are compared at once")
                    .doesNotContain("id=\"compare\"");
            // the CSV's refusal is the API's JSON error
            Response csv = client.get("/compare?hardware=h100-sxm,h200-sxm,mi300x&weights=bf16,fp8,int4&format=csv");
            assertThat(csv.code()).isEqualTo(400);
            JsonNode error = json(csv);
            assertThat(error.get("field").asText()).isEqualTo("hardware");
            assertThat(error.get("error").asText()).contains("9 setups");
        });
    }

    @Test
    void aBadListItemIs400NamingTheFieldAndTheItem() {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            assertThat(fieldError(client, "/compare?hardware=h100-sxm,nope", "hardware"))
                    .contains("hardware = &quot;nope&quot; is not allowed");
            assertThat(fieldError(client, "/compare?hardware=h100-sxm,/etc/passwd", "hardware"))
                    .contains("/etc/passwd")
                    .contains("a catalog id");
            assertThat(fieldError(client, "/compare?model=llama-3-8b,..%2Fsecret.json", "model"))
                    .contains("a catalog id");
            assertThat(fieldError(client, "/compare?hardware=h100-sxm&batch=8,0", "batch"))
                    .contains("batch = 0 is not allowed")
                    .contains("setup 2 of 2: batch 0");
            assertThat(fieldError(client, "/compare?hardware=h100-sxm,,mi300x", "hardware"))
                    .contains("without empty items");
            assertThat(fieldError(client, "/compare?hardware=h100-sxm&weights=bf16,fp7", "weights"))
                    .contains("fp7");
            Response format = client.get("/compare?hardware=h100-sxm&format=xml");
            assertThat(format.code()).isEqualTo(400);
            assertThat(json(format).get("field").asText()).isEqualTo("format");
        });
    }

    @Test
    void theCsvHasOneRowPerSetupWithTheNumbersOfThePage() throws Exception {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            String q = "model=llama-3.1-70b&hardware=h100-sxm,h200-sxm,mi300x&devices=2";
            String html = client.get("/compare?" + q).body().string();
            assertThat(html)
                    .contains(
                            "id=\"compare-csv\" href=\"/compare?model=llama-3.1-70b&amp;hardware=h100-sxm%2Ch200-sxm%2Cmi300x");
            Response r = client.get("/compare?" + q + "&format=csv");
            assertThat(r.code()).isEqualTo(200);
            assertThat(r.headers().get("Content-Type")).containsExactly("text/csv; charset=utf-8");
            String text = r.body().string();
            List<CSVRecord> rows = CSVFormat.RFC4180
                    .builder()
                    .setHeader()
                    .setSkipHeaderRecord(true)
                    .get()
                    .parse(new StringReader(text))
                    .getRecords();
            assertThat(rows).hasSize(3);
            assertThat(rows.get(0).getParser().getHeaderNames())
                    .contains(
                            "tpot_seconds",
                            "ttft_seconds",
                            "throughput_tokens_per_second",
                            "cost_per_million_output_tokens_usd",
                            "memory_per_device_bytes",
                            "fits");
            Map<Integer, Map<String, Cell>> cells = cells(html);
            String[] hardware = {"h100-sxm", "h200-sxm", "mi300x"};
            for (int i = 0; i < 3; i++) {
                CSVRecord row = rows.get(i);
                assertThat(row.get("hardware")).isEqualTo(hardware[i]);
                assertThat(row.get("setup")).isEqualTo(Integer.toString(i + 1));
                // plain numbers, equal to the page's raw values (the same estimate)
                for (String[] col : new String[][] {
                    {"tpot_seconds", "tpot"},
                    {"ttft_seconds", "ttft"},
                    {"throughput_tokens_per_second", "throughput"},
                    {"cost_per_million_output_tokens_usd", "cost"},
                    {"max_batch", "max-batch"},
                    {"memory_per_device_bytes", "memory"}
                })
                    assertThat(Double.parseDouble(row.get(col[0])))
                            .as(col[0])
                            .isEqualTo(value(cells.get(i + 1), col[1]));
                assertThat(row.get("fits")).isEqualTo("true");
                assertThat(row.get("tensor_parallel")).isEqualTo("2");
            }
        });
    }

    @Test
    void aPastedConfigReplacesTheModelsAndIsPosted() throws Exception {
        String config = Files.readString(Path.of("testdata/hf-configs/mixtral-8x7b-v0.1.json"));
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            Response r = client.request(
                    "/compare",
                    b -> b.post(HttpRequest.BodyPublishers.ofString("model=llama-3-8b,gpt2&hardware=h100-sxm,h200-sxm"
                                    + "&devices=2&config=" + URLEncoder.encode(config, StandardCharsets.UTF_8)))
                            .header("Content-Type", "application/x-www-form-urlencoded"));
            String html = r.body().string();
            assertThat(r.code()).isEqualTo(200);
            assertThat(html)
                    .contains("(from the pasted config.json)")
                    .containsPattern("id=\"compare-form\"[^>]* method=\"post\"")
                    .contains("Models (not used: a config is pasted)");
            Map<Integer, Map<String, Cell>> cells = cells(html);
            assertThat(cells).hasSize(2); // the model list is not used: hardware alone varies
            JsonNode api = json(client.request(
                    "/api/estimate",
                    b -> b.post(HttpRequest.BodyPublishers.ofString(
                                    "{\"config\": " + config + ", \"hardware\": \"h200-sxm\", \"devices\": 2,"
                                            + " \"batch\": 8, \"prompt\": 1024, \"generate\": 256}"))
                            .header("Content-Type", "application/json")));
            assertThat(value(cells.get(2), "tpot"))
                    .isEqualTo(
                            api.at("/latency/decodeSecondsPerToken/calibrated").doubleValue());
        });
    }

    @Test
    void thePlannerLinksToTheComparisonOfItsQueryAndTheNavigationHasIt() {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            String html = client.get("/?model=llama-3-8b&hardware=h200-sxm&devices=1&batch=4")
                    .body()
                    .string();
            Matcher m = Pattern.compile(
                            "<a id=\"compare-link\" href=\"/compare\\?([^\"]*)\">Compare with other hardware/formats</a>")
                    .matcher(html);
            assertThat(m.find()).isTrue();
            String query = URLDecoder.decode(m.group(1).replace("&amp;", "&"), StandardCharsets.UTF_8);
            assertThat(query)
                    .contains("model=llama-3-8b")
                    .contains("hardware=h200-sxm")
                    .contains("batch=4");
            assertThat(html).contains("<a href=\"/compare\">Compare</a>");
            // the link opens a comparison of the same setup (one column)
            Response compare = client.get("/compare?" + m.group(1).replace("&amp;", "&"));
            assertThat(compare.code()).isEqualTo(200);
            assertThat(cells(compare.body().string())).hasSize(1);
        });
    }

    private static String fieldError(HttpClient client, String path, String field) {
        Response r = client.get(path);
        String html = r.body().string();
        assertThat(r.code()).as(path).isEqualTo(400);
        assertThat(html).as(path).contains("<span class=\"field-error\" id=\"error-" + field + "\">");
        assertThat(html).as(path).doesNotContain("Exception").doesNotContain("id=\"compare\"");
        int at = html.indexOf("id=\"error-" + field + "\">");
        return html.substring(at, html.indexOf("</span>", at));
    }

    private static JsonNode json(Response r) throws Exception {
        return Render.MAPPER.readTree(r.body().string());
    }
}
