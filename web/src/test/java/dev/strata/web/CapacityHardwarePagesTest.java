package dev.strata.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.data.HardwareCatalog;
import dev.strata.data.HardwareEntry;
import dev.strata.model.Hardware;
import dev.strata.web.http.StrataServer;
import dev.strata.web.render.Render;
import io.javalin.testtools.JavalinTest;
import io.javalin.testtools.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The capacity and hardware pages on a real server, against the API routes they show. */
class CapacityHardwarePagesTest {
    /** A plan the page's first visit asks for, spelled as a query. */
    private static final String PLAN_QUERY =
            "model=llama-3-8b&rate=10&prompt=lognormal%3A1024%3A0.5&generate=256&ttft-p90-ms=500&tpot-p90-ms=50";

    private static final Pattern CELL = Pattern.compile("<td[^>]*>(.*?)</td>");

    @Test
    void theCapacityPageListsTheDeploymentsOfApiPlanForTheSameQuery() {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            Response r = client.get("/capacity?" + PLAN_QUERY);
            assertThat(r.code()).isEqualTo(200);
            String html = r.body().string();
            assertThat(html)
                    .contains("<title>Capacity · strata</title>")
                    .contains("href=\"/capacity\" class=\"active\"")
                    .contains("href=\"/hardware\"")
                    .contains("inputmode=\"decimal\"")
                    .contains("id=\"plan-json\" href=\"/api/plan?" + PLAN_QUERY.replace("&", "&amp;") + "\"")
                    .contains("src=\"/chart/capacity-frontier.png?")
                    .contains("id=\"frontier-csv\" href=\"/api/plan?" + PLAN_QUERY.replace("&", "&amp;")
                            + "&amp;format=csv&amp;rows=pareto\"")
                    .contains("src=\"/chart/capacity-latency.png?");
            JsonNode plan = Render.MAPPER.readTree(
                    client.get("/api/plan?" + PLAN_QUERY).body().string());
            JsonNode deployments = plan.get("deployments");
            // the frontier's CSV link: a header and a row per point of the answer's pareto
            String frontierCsv = client.get("/api/plan?" + PLAN_QUERY + "&format=csv&rows=pareto")
                    .body()
                    .string();
            assertThat(frontierCsv.trim().split("\n"))
                    .hasSize(1 + plan.get("pareto").size());
            assertThat(frontierCsv).startsWith("hardware,").contains("outputTokensPerSecondPerUser");
            List<List<String>> rows = rows(html, "deployments");
            assertThat(deployments.size()).isPositive();
            assertThat(rows).hasSize(deployments.size());
            for (int i = 0; i < rows.size(); i++) {
                List<String> row = rows.get(i);
                JsonNode d = deployments.get(i);
                // columns: #, hardware, devices, tp × pp × ep, replicas, weights · KV, mode with the scheduler's
                // limits, $/hour, $/M tokens, TTFT p90, TPOT p90, max rate, headroom
                assertThat(row.get(1)).isEqualTo(d.get("hardware").asText());
                assertThat(row.get(2)).isEqualTo(d.get("devices").asText());
                assertThat(row.get(3))
                        .isEqualTo(d.get("tp").asText() + " × " + d.get("pp").asText() + " × "
                                + d.get("ep").asText());
                assertThat(row.get(4)).isEqualTo(d.get("replicas").asText());
                assertThat(row.get(5))
                        .isEqualTo(
                                d.get("weights").asText() + " · " + d.get("kv").asText());
                assertThat(row.get(6))
                        .isEqualTo(d.get("mode").asText() + " "
                                + String.format(
                                        java.util.Locale.ROOT,
                                        "%,d seqs · %,d tokens",
                                        d.get("maxSeqs").asLong(),
                                        d.get("maxBatchedTokens").asLong()));
                // the page rounds: dollars to the cent, times and rates to three significant digits (0.5 %)
                assertThat(number(row.get(7))).isCloseTo(d.get("costPerHourUsd").doubleValue(), within(0.005));
                assertThat(seconds(row.get(9)))
                        .isCloseTo(
                                d.get("ttftSeconds").doubleValue(),
                                within(0.005 * d.get("ttftSeconds").doubleValue()));
                assertThat(seconds(row.get(10)))
                        .isCloseTo(
                                d.get("tpotSeconds").doubleValue(),
                                within(0.005 * d.get("tpotSeconds").doubleValue()));
                double max = d.get("maxRateRequestsPerSecond").doubleValue();
                assertThat(number(row.get(11))).isCloseTo(max, within(0.005 * max));
                // headroom: the largest sustained rate over the asked 10 requests/s, two decimals
                assertThat(number(row.get(12))).isCloseTo(max / 10, within(0.005));
            }
            // the charts the page shows are drawn
            String q = PLAN_QUERY + "&width=900&height=480";
            Response frontier = client.get("/chart/capacity-frontier.png?" + q);
            assertThat(frontier.code()).isEqualTo(200);
            assertThat(frontier.headers().get("Content-Type")).containsExactly("image/png");
            Response latency = client.get("/chart/capacity-latency.svg?" + q);
            assertThat(latency.code()).isEqualTo(200);
            assertThat(latency.body().string()).contains("time per output token p99");
            // the page's interactive charts draw from the figures of the images: the plan, and the latency as JSON
            assertThat(html)
                    .contains("data-src=\"/api/plan?" + PLAN_QUERY.replace("&", "&amp;") + "\"")
                    .contains("data-src=\"/chart/capacity-latency.json?" + PLAN_QUERY.replace("&", "&amp;") + "\"");
            Response json = client.get("/chart/capacity-latency.json?" + PLAN_QUERY);
            assertThat(json.code()).isEqualTo(200);
            assertThat(json.headers().get("Content-Type").get(0)).startsWith("application/json");
            JsonNode d = Render.MAPPER.readTree(json.body().string());
            // the levels and rate as asked (500 ms, 50 ms, 10 requests/s; exact: the query's numbers times 1)
            assertThat(d.get("ttftP90LevelMs").doubleValue()).isEqualTo(500.0);
            assertThat(d.get("tpotP90LevelMs").doubleValue()).isEqualTo(50.0);
            assertThat(d.get("rateRequestsPerSecond").doubleValue()).isEqualTo(10.0);
            // one point per fraction of the cheapest deployment's largest sustained rate, the last that rate itself
            JsonNode points = d.get("points");
            assertThat(points).hasSize(6); // CapacityPage.CHART_FRACTIONS
            double max = deployments.get(0).get("maxRateRequestsPerSecond").doubleValue();
            assertThat(points.get(5).get("rateRequestsPerSecond").doubleValue()).isCloseTo(max, within(1e-9 * max));
            assertThat(points.get(0).get("rateRequestsPerSecond").doubleValue())
                    .isCloseTo(0.25 * max, within(1e-9 * max));
            for (JsonNode p : points) {
                assertThat(p.get("ttftP50Ms").doubleValue())
                        .isLessThanOrEqualTo(p.get("ttftP90Ms").doubleValue());
                assertThat(p.get("tpotP90Ms").doubleValue())
                        .isLessThanOrEqualTo(p.get("tpotP99Ms").doubleValue());
            }
            // only the charts with figures of their own answer JSON
            Response none = client.get("/chart/capacity-frontier.json?" + PLAN_QUERY);
            assertThat(none.code()).isEqualTo(400);
            assertThat(none.body().string()).contains("a name ending in .png or .svg");
        });
    }

    @Test
    void theEngineAndItsHttpFrontEndReachThePlanAndTheLatencyChart() {
        // vLLM through its HTTP server: the plan and the chart's simulations take the engine's front end, so the
        // first token at the chart's lowest rate comes no sooner than that time (fitted, about 45 ms)
        String q = PLAN_QUERY + "&hardware=h100-sxm&engine=vllm&client=http";
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            Response r = client.get("/capacity?" + q);
            assertThat(r.code()).isEqualTo(200);
            assertThat(r.body().string())
                    .contains("<option value=\"vllm\" selected>")
                    .contains("<option value=\"http\" selected>");
            JsonNode plan =
                    Render.MAPPER.readTree(client.get("/api/plan?" + q).body().string());
            double front =
                    dev.strata.data.GpuPerformance.engine("engine", "vllm").httpFrontendSeconds();
            assertThat(plan.get("engine").asText()).isEqualTo("vllm");
            assertThat(plan.get("client").asText()).isEqualTo("http");
            assertThat(plan.get("frontendSeconds").asDouble()).isEqualTo(front);
            JsonNode d = Render.MAPPER.readTree(
                    client.get("/chart/capacity-latency.json?" + q).body().string());
            assertThat(d.at("/points/0/ttftP50Ms").doubleValue()).isGreaterThan(1e3 * front);
        });
    }

    @Test
    void theFrontierHasSeveralNonDominatedPointsMarkedByTheLevelsTheyMeet() {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            // the page's first visit: one device type wins, but its loads (1, 2, 4, ... requests in flight) trade
            // tokens/s per device against tokens/s per user, so the frontier has several points (it had one when it
            // held only the deployments meeting the levels at the asked rate)
            Response r = client.get("/api/plan?" + PLAN_QUERY);
            assertThat(r.code()).isEqualTo(200);
            JsonNode plan = Render.MAPPER.readTree(r.body().string());
            JsonNode pareto = plan.get("pareto");
            assertThat(pareto.size()).isGreaterThan(1);
            double ttft = plan.get("ttftP90Seconds").doubleValue(),
                    tpot = plan.get("tpotP90Seconds").doubleValue();
            boolean anyMet = false;
            for (int i = 0; i < pareto.size(); i++) {
                JsonNode p = pareto.get(i);
                double device = p.get("outputTokensPerSecondPerDevice").doubleValue();
                double user = p.get("outputTokensPerSecondPerUser").doubleValue();
                // the mark is the point's own p90 times against the asked levels (exact: the same doubles)
                assertThat(p.get("meetsServiceLevels").booleanValue())
                        .isEqualTo(p.get("ttftSeconds").doubleValue() <= ttft
                                && p.get("tpotSeconds").doubleValue() <= tpot);
                anyMet |= p.get("meetsServiceLevels").booleanValue();
                // sorted by tokens/s per device, so along the frontier tokens/s per user falls: no point beats another
                // on both axes
                if (i > 0) {
                    JsonNode q = pareto.get(i - 1);
                    assertThat(device)
                            .isGreaterThanOrEqualTo(
                                    q.get("outputTokensPerSecondPerDevice").doubleValue());
                    assertThat(user)
                            .isLessThanOrEqualTo(
                                    q.get("outputTokensPerSecondPerUser").doubleValue());
                    assertThat(device > q.get("outputTokensPerSecondPerDevice").doubleValue()
                                    || user
                                            < q.get("outputTokensPerSecondPerUser")
                                                    .doubleValue())
                            .as("two points at the same place")
                            .isTrue();
                }
            }
            assertThat(anyMet)
                    .as("some point of the frontier meets both levels")
                    .isTrue();
            String html = client.get("/capacity?" + PLAN_QUERY).body().string();
            assertThat(html).contains("id=\"frontier-note\">" + pareto.size() + " points");
        });
    }

    @Test
    void whenNothingMeetsTheLevelsThePageSaysWhichLevelTheClosestMisses() {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            // 12.1 ms to the first token: just above the fastest prefill of 1,024 tokens on an H100 SXM (12.05 ms at
            // tp 8, the plan's own bound, pruned.fastestFirstTokenSeconds), so candidates are simulated but, with
            // prefill and decode on the same replicas, queueing keeps every p90 above the level (a separate prefill
            // pool can meet it)
            String q = "model=llama-3-8b&rate=10&prompt=1024&generate=256&ttft-p90-ms=12.1&tpot-p90-ms=50"
                    + "&hardware=h100-sxm&mode=aggregated";
            Response r = client.get("/capacity?" + q);
            assertThat(r.code()).isEqualTo(200);
            String html = r.body().string();
            JsonNode plan =
                    Render.MAPPER.readTree(client.get("/api/plan?" + q).body().string());
            assertThat(plan.get("deployments")).isEmpty();
            JsonNode closest = plan.get("closest");
            assertThat(closest.get("misses").get(0).asText()).isEqualTo("ttft-p90-ms");
            assertThat(html)
                    .contains("id=\"no-deployment\"")
                    .contains("No deployment meets both service levels")
                    .contains("The closest, " + closest.get("replicas").asText() + " × "
                            + closest.get("devices").asText() + " h100-sxm")
                    .contains("misses the time to first token")
                    .contains("<code>ttft-p90-ms</code>")
                    .doesNotContain("id=\"latency-chart\"");

            // a per-token level under every candidate's batch-1 decode step: nothing is simulated, the bound says why
            String none = "model=llama-3-8b&rate=10&ttft-p90-ms=500&tpot-p90-ms=1";
            String page = client.get("/capacity?" + none).body().string();
            JsonNode p = Render.MAPPER.readTree(
                    client.get("/api/plan?" + none).body().string());
            assertThat(p.has("closest")).isFalse();
            assertThat(page)
                    .contains("No candidate was worth simulating")
                    .contains(String.format(
                                    Locale.ROOT,
                                    "%,d",
                                    p.at("/pruned/decodeStepOverTpot").longValue())
                            + " whose decode step at batch 1 is over the per-token level");
        });
    }

    @Test
    void badCapacityInputIsA400NamingTheField() {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            String[][] cases = {
                {"rate=1e9", "rate"}, // over the API's 10⁶ requests per second
                {"rate=fast", "rate"},
                {"ttft-p90-ms=0", "ttft-p90-ms"},
                // 1,000 requests x 4,000 output tokens: over the 10⁶ output tokens a plan over HTTP simulates per
                // replica
                {"generate=4000", "generate"},
                {"prompt=lognormal%3Abad%3A1", "prompt"},
                {"hardware=%2Fetc%2Fpasswd", "hardware"}, // the server reads no files a client names
                {"hardware=h100-sxm,nope", "hardware"},
                {"model=nope", "model"}
            };
            for (String[] c : cases) {
                Response r = client.get("/capacity?" + c[0]);
                assertThat(r.code()).as(c[0]).isEqualTo(400);
                assertThat(r.body().string()).as(c[0]).contains("id=\"error-" + c[1] + "\"");
                // the API refuses the same value naming the same field
                Response api = client.get(
                        "/api/plan?" + PLAN_QUERY.replaceAll(c[0].split("=")[0] + "=[^&]*", "") + "&" + c[0]);
                assertThat(api.code()).as(c[0]).isEqualTo(400);
                assertThat(Render.MAPPER
                                .readTree(api.body().string())
                                .get("field")
                                .asText())
                        .as(c[0])
                        .isEqualTo(c[1]);
            }
        });
    }

    @Test
    void theHardwarePageListsEveryCatalogDeviceWithItsFigures() {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            Response r = client.get("/hardware");
            assertThat(r.code()).isEqualTo(200);
            String html = r.body().string();
            assertThat(html).contains("<title>Hardware · strata</title>").contains("class=\"table-scroll\"");
            // the head's second row names the number formats of the peak columns, which follow device, memory and
            // bandwidth; after them come the two links, power and the price
            String head = between(html, "<table id=\"hardware-table\"", "</thead>");
            List<String> formats = headers(head.substring(head.lastIndexOf("<tr>")));
            int bf16 = 3 + formats.indexOf("bf16"), price = 3 + formats.size() + 3;
            assertThat(formats).contains("bf16", "fp8");
            for (HardwareEntry e : HardwareCatalog.all()) {
                Hardware h = e.hardware();
                String row = between(html, "<tr id=\"device-" + e.id() + "\">", "</tr>");
                List<String> cells = cells(row);
                assertThat(cells.get(0)).as(e.id()).contains(h.name());
                // memory in GB with one decimal, bandwidth in TB/s with two (the catalog's bytes)
                assertThat(number(cells.get(1))).as(e.id()).isCloseTo(h.memoryBytes() / 1e9, within(0.05));
                assertThat(number(cells.get(2)))
                        .as(e.id())
                        .isCloseTo(h.memoryBandwidthBytesPerSecond() / 1e12, within(0.005));
                // peaks to three significant digits (0.5 %)
                double peak = h.peakFlopsPerSecond().getOrDefault("bf16", 0.0) / 1e12;
                if (peak > 0) assertThat(number(cells.get(bf16))).as(e.id()).isCloseTo(peak, within(0.005 * peak));
                if (h.pricePerHourUsd() > 0)
                    assertThat(number(cells.get(price))).as(e.id()).isCloseTo(h.pricePerHourUsd(), within(0.005));
                if (e.scaleUpLink() != null) assertThat(row).contains(e.scaleUpLink());
                assertThat(html).contains("id=\"sources-" + e.id() + "\"");
            }
            assertThat(rows(html, "hardware-table"))
                    .hasSize(HardwareCatalog.all().size());
        });
    }

    @Test
    void theCustomDeviceIsCheckedAsTheEstimateChecksItAndLinksToItsEstimate() {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            String q = "model=llama-3-8b&hardware=h100-sxm&device-memory-gib=96&bandwidth-gbs=4000&price=3";
            Response r = client.get("/hardware?" + q);
            assertThat(r.code()).isEqualTo(200);
            String html = r.body().string();
            List<String> custom = cells(between(html, "<table id=\"custom-table\"", "</table>"));
            assertThat(number(custom.get(1))).isCloseTo(96 * Math.pow(2, 30) / 1e9, within(0.05)); // 96 GiB in GB
            assertThat(number(custom.get(2))).isCloseTo(4.0, within(0.005)); // 4,000 GB/s in TB/s
            assertThat(html).contains("$3.00/h");
            Matcher link =
                    Pattern.compile("id=\"custom-json\" href=\"([^\"]+)\"").matcher(html);
            assertThat(link.find()).isTrue();
            // the link is /api/estimate with the same overrides, and the estimate prices the device at them
            String href = link.group(1).replace("&amp;", "&");
            assertThat(href)
                    .startsWith("/api/estimate?model=llama-3-8b&hardware=h100-sxm")
                    .contains("&device-memory-gib=96&bandwidth-gbs=4000")
                    .contains("&price=3");
            Response answer = client.get(href);
            assertThat(answer.code()).isEqualTo(200);
            JsonNode estimate = Render.MAPPER.readTree(answer.body().string());
            assertThat(estimate.at("/cost/pricePerDeviceHourUsd").doubleValue()).isCloseTo(3.0, within(1e-9));

            // and to the capacity page, which plans for the device as changed: each deployment priced at $3 per
            // device-hour
            Matcher plan =
                    Pattern.compile("id=\"custom-capacity\" href=\"([^\"]+)\"").matcher(html);
            assertThat(plan.find()).isTrue();
            String capacityHref = plan.group(1).replace("&amp;", "&");
            assertThat(capacityHref).startsWith("/capacity?").contains("&price=3");
            Response capacity = client.get(capacityHref);
            assertThat(capacity.code()).isEqualTo(200);
            String capacityHtml = capacity.body().string();
            assertThat(capacityHtml).contains("id=\"custom-device\"").contains("price = 3");
            JsonNode customPlan = Render.MAPPER.readTree(client.get("/api/plan?"
                            + capacityHref.substring("/capacity?".length())
                            + "&rate=10&prompt=lognormal%3A1024%3A0.5&generate=256&ttft-p90-ms=500&tpot-p90-ms=50")
                    .body()
                    .string());
            List<List<String>> rows = rows(capacityHtml, "deployments");
            assertThat(rows).hasSize(customPlan.get("deployments").size()).isNotEmpty();
            for (JsonNode d : customPlan.get("deployments")) {
                assertThat(d.get("hardware").asText()).isEqualTo("h100-sxm");
                // replicas x devices x the $3 given
                assertThat(d.get("costPerHourUsd").doubleValue())
                        .isCloseTo(
                                3.0
                                        * d.get("replicas").asInt()
                                        * d.get("devices").asInt(),
                                within(1e-9));
            }
            // an override with no single device to change is refused, naming hardware
            Response none = client.get("/api/plan?" + PLAN_QUERY + "&price=3");
            assertThat(none.code()).isEqualTo(400);
            assertThat(Render.MAPPER.readTree(none.body().string()).get("field").asText())
                    .isEqualTo("hardware");
            assertThat(client.get("/capacity?price=3").code()).isEqualTo(400);

            String[][] bad = {
                {"bandwidth-gbs=-4", "bandwidth-gbs"},
                {"bandwidth-gbs=1e20", "bandwidth-gbs"}, // over the model's 10¹⁵ bytes per second
                {"peak-tflops=NaN", "peak-tflops"},
                {"device-memory-gib=0", "device-memory-gib"},
                {"price=-1", "price"},
                {"price=1&hardware=..%2Fx.json", "hardware"}
            };
            for (String[] c : bad) {
                Response b = client.get("/hardware?" + c[0]);
                assertThat(b.code()).as(c[0]).isEqualTo(400);
                assertThat(b.body().string()).as(c[0]).contains("id=\"error-" + c[1] + "\"");
            }
        });
    }

    /** The cells of each body row of the table with {@code id}, as text without tags. */
    private static List<List<String>> rows(String html, String id) {
        String table = between(html, "<table id=\"" + id + "\"", "</table>");
        String body = table.substring(table.indexOf("<tbody>"));
        List<List<String>> rows = new ArrayList<>();
        for (String tr : body.split("<tr")) if (tr.contains("<td")) rows.add(cells(tr));
        return rows;
    }

    /** The text of each header cell in {@code table}. */
    private static List<String> headers(String table) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("<th[^>]*>(.*?)</th>").matcher(table);
        while (m.find()) out.add(m.group(1));
        return out;
    }

    private static List<String> cells(String row) {
        List<String> out = new ArrayList<>();
        Matcher m = CELL.matcher(row);
        while (m.find())
            out.add(m.group(1).replaceAll("<br>", " ").replaceAll("<[^>]+>", "").trim());
        return out;
    }

    private static String between(String s, String start, String end) {
        int i = s.indexOf(start);
        assertThat(i).as(start).isNotNegative();
        return s.substring(i, s.indexOf(end, i));
    }

    /** A duration as the page shows it: "115 ms", "1.20 s", "843 µs". */
    private static double seconds(String cell) {
        double v = number(cell);
        if (cell.endsWith(" ms")) return v / 1e3;
        if (cell.endsWith(" µs")) return v / 1e6;
        assertThat(cell).endsWith(" s");
        return v;
    }

    /** The first number in a cell: "$2.00/h" 2.0, "115 ms" 115, "1,234.5 GB" 1234.5. */
    private static double number(String cell) {
        Matcher m = Pattern.compile("-?[0-9][0-9,]*(\\.[0-9]+)?").matcher(cell);
        assertThat(m.find()).as(cell).isTrue();
        return Double.parseDouble(m.group().replace(",", ""));
    }
}
