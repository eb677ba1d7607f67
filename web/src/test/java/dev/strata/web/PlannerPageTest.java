package dev.strata.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.web.http.StrataServer;
import dev.strata.web.page.PlannerPage;
import dev.strata.web.render.Render;
import io.javalin.testtools.JavalinTest;
import io.javalin.testtools.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jfree.chart.LegendItem;
import org.jfree.chart.LegendItemCollection;
import org.junit.jupiter.api.Test;

/** The planner's fields beyond the basics (parallelism, prefill chunk, engine, price, efficiency), on a real server. */
class PlannerPageTest {

    @Test
    void theAdvancedFieldsArePassedToTheEstimateTheChartsAndTheLinks() {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            String fields = "&tp=2&pp=3&ep=1&prefill-chunk=256&engine=vllm&price=3.5&bandwidth-efficiency=0.8"
                    + "&compute-efficiency=0.7&communication-efficiency=0.6";
            Response r = client.get("/?model=llama-3.1-70b&hardware=h100-sxm&devices=6&batch=16" + fields);
            assertThat(r.code()).isEqualTo(200);
            String html = r.body().string();
            // each field is in the form under its API name, with its value, and the section is open as one is set
            for (String[] f : new String[][] {
                {"tp", "2"},
                {"pp", "3"},
                {"ep", "1"},
                {"prefill-chunk", "256"},
                {"price", "3.5"},
                {"bandwidth-efficiency", "0.8"},
                {"compute-efficiency", "0.7"},
                {"communication-efficiency", "0.6"}
            })
                assertThat(html)
                        .as(f[0])
                        .containsPattern("name=\"" + Pattern.quote(f[0]) + "\" id=\"" + Pattern.quote(f[0])
                                + "\" inputmode=\"[a-z]+\"( placeholder=\"[^\"]*\")? value=\"" + Pattern.quote(f[1])
                                + "\"");
            assertThat(html).contains("<option value=\"vllm\" selected>").contains("id=\"more\" open");
            // the layout used is on the page
            assertThat(html).contains("Layout: <strong>tp 2 x pp 3 x ep 1</strong> on 6 devices (as given)");
            // the numbers are the API's for the same query: the time per output token and the price in the cost card
            JsonNode api = json(client.get("/api/estimate?model=llama-3.1-70b&hardware=h100-sxm&devices=6&batch=16"
                    + fields + "&prompt=1024&generate=256&weights=bf16&kv=bf16"));
            assertThat(api.at("/workload/tensorParallel").intValue()).isEqualTo(2);
            assertThat(api.at("/latency/efficiency/bandwidth").doubleValue()).isEqualTo(0.8);
            assertThat(api.at("/latency/engine/id").asText()).isEqualTo("vllm");
            assertThat(seconds(cardValue(html, "tpot")))
                    // the card shows 3 significant digits (Show.seconds): within 0.5 %
                    .isCloseTo(
                            api.at("/latency/decodeSecondsPerToken/calibrated").doubleValue(), withinPercentage(0.5));
            assertThat(html).contains("at $3.50 per device-hour");
            // the charts, their data for the interactive charts and the downloads carry the fields too
            for (String link : new String[] {
                "src=\"/chart/memory.png?", "data-src=\"/api/estimate?", "id=\"estimate-csv\" href=\"/api/estimate?",
                "src=\"/chart/sweep.png?", "data-src=\"/api/sweep?", "id=\"sweep-csv\" href=\"/api/sweep?"
            }) {
                int at = html.indexOf(link);
                assertThat(at).as(link).isPositive();
                String url = html.substring(at, html.indexOf('"', at + link.length()));
                assertThat(url)
                        .as(link)
                        .contains("tp=2&amp;pp=3")
                        .contains("engine=vllm")
                        .contains("price=3.5")
                        .contains("bandwidth-efficiency=0.8");
            }
            // the images draw with the fields (a 200 PNG); the sweep's JSON lines are tp 2 x pp 3 at every point
            for (String chart : new String[] {"memory", "sweep"}) {
                Response png = client.get("/chart/" + chart + ".png?model=llama-3.1-70b&hardware=h100-sxm&devices=6"
                        + fields.replace("&ep=1&prefill-chunk=256", ""));
                assertThat(png.code()).as(chart).isEqualTo(200);
                assertThat(png.headers().get("Content-Type")).as(chart).containsExactly("image/png");
            }
            String sweepUrl = html.substring(html.indexOf("data-src=\"/api/sweep?") + "data-src=\"".length());
            sweepUrl = sweepUrl.substring(0, sweepUrl.indexOf('"')).replace("&amp;", "&");
            String lines = client.get(sweepUrl).body().string();
            assertThat(lines.lines().count()).isEqualTo(11); // batch 1..1024 doubling: 11 points
            for (String line : lines.lines().toList()) {
                JsonNode row = Render.MAPPER.readTree(line);
                assertThat(row.get("tensorParallel").intValue()).isEqualTo(2);
                assertThat(row.get("pipelineParallel").intValue()).isEqualTo(3);
            }
        });
    }

    @Test
    void everyCardAndTableTermExplainsItselfInATooltip() {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            String html = client.get("/?model=mixtral-8x7b&hardware=h100-sxm&devices=2")
                    .body()
                    .string();
            java.util.regex.Matcher labels = java.util.regex.Pattern.compile("<div class=\"label\">(.*?)</div>")
                    .matcher(html);
            int cards = 0;
            while (labels.find()) {
                cards++;
                assertThat(labels.group(1)).as("card label").contains("<span class=\"term\" title=\"");
            }
            assertThat(cards).isEqualTo(6); // fits, ttft, tpot, throughput, cost, capacity
            for (String table : new String[] {"memory", "decode"}) {
                String body = html.substring(html.indexOf("<table id=\"" + table + "\""));
                body = body.substring(body.indexOf("<tbody>"), body.indexOf("</tbody>"));
                java.util.regex.Matcher rows =
                        java.util.regex.Pattern.compile("<tr><td>(.*?)</td>").matcher(body);
                int n = 0;
                while (rows.find()) {
                    n++;
                    assertThat(rows.group(1)).as(table + " term").contains("<span class=\"term\" title=\"");
                }
                assertThat(n).as(table + " rows").isGreaterThanOrEqualTo(4);
            }
        });
    }

    @Test
    void theGlossaryExplainsEveryLatencyTermAndEveryMemoryTerm() {
        for (var c : dev.strata.estimator.latency.LatencyComponent.values())
            assertThat(dev.strata.web.page.Glossary.of(c.key())).as(c.key()).isNotBlank();
        for (String m : new String[] {"weightsBytes", "kvCacheBytes", "activationsBytes", "runtimeOverheadBytes"})
            assertThat(dev.strata.web.page.Glossary.of(m)).as(m).isNotBlank();
    }

    @Test
    void sixDevicesAreLaidOutAndThePageSaysHow() {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            // 70B on 6 devices without tp or pp: the API's split, which the page names
            String html = client.get("/?model=llama-3.1-70b&hardware=h100-sxm&devices=6")
                    .body()
                    .string();
            JsonNode api = json(client.get("/api/estimate?model=llama-3.1-70b&hardware=h100-sxm&devices=6"));
            assertThat(html)
                    .contains("Layout: <strong>tp "
                            + api.at("/workload/tensorParallel").intValue() + " x pp "
                            + api.at("/workload/pipelineParallel").intValue()
                            + " x ep 1</strong> on 6 devices (the split")
                    .doesNotContain("id=\"more\" open");
            // given as 2 x 3, shown as such
            String given = client.get("/?model=llama-3.1-70b&hardware=h100-sxm&devices=6&tp=2&pp=3")
                    .body()
                    .string();
            assertThat(given).contains("Layout: <strong>tp 2 x pp 3 x ep 1</strong> on 6 devices (as given)");
            // 3 x 2 is another layout, and another time per token
            String other = client.get("/?model=llama-3.1-70b&hardware=h100-sxm&devices=6&tp=3&pp=2")
                    .body()
                    .string();
            assertThat(other).contains("field-error"); // 64 heads do not split 3 ways
        });
    }

    @Test
    void aParameterThePageDoesNotUseIsNamed() {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            Response r = client.get("/?model=llama-3-8b&hardware=h100-sxm&batsh=16&dp=2");
            assertThat(r.code()).isEqualTo(200);
            String html = r.body().string();
            assertThat(html)
                    .contains("id=\"unknown\"")
                    .contains("<code>batsh</code>")
                    .contains("<code>dp</code>");
            // the known fields are not named
            assertThat(html.substring(
                            html.indexOf("id=\"unknown\""), html.indexOf("</p>", html.indexOf("id=\"unknown\""))))
                    .doesNotContain("<code>model</code>")
                    .doesNotContain("<code>hardware</code>");
            assertThat(client.get("/?model=llama-3-8b&tp=1").body().string()).doesNotContain("id=\"unknown\"");
        });
    }

    @Test
    void badValuesAreA400NamingTheFieldNextToIt() {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            Map<String, String> bad = Map.of(
                    "tp", "0",
                    "pp", "x",
                    "ep", "0",
                    "prefill-chunk", "-5",
                    "engine", "nope",
                    "price", "-1",
                    "bandwidth-efficiency", "1.5",
                    "compute-efficiency", "0",
                    "communication-efficiency", "abc");
            for (var e : bad.entrySet()) {
                Response r = client.get("/?model=llama-3-8b&hardware=h100-sxm&" + e.getKey() + "=" + e.getValue());
                assertThat(r.code()).as(e.getKey()).isEqualTo(400);
                String html = r.body().string();
                Matcher m = Pattern.compile("id=\"error-" + Pattern.quote(e.getKey()) + "\">([^<]*)<")
                        .matcher(html);
                assertThat(m.find())
                        .as(e.getKey() + " has its error next to it")
                        .isTrue();
                assertThat(m.group(1))
                        .as(e.getKey())
                        .startsWith(e.getKey() + " = ")
                        .contains("is not allowed");
                assertThat(html).as(e.getKey()).contains("id=\"more\" open");
            }
        });
    }

    @Test
    void numberFieldsCarryInputmodeAndFractionsTheDecimalOne() {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            String html = client.get("/").body().string();
            for (String name :
                    new String[] {"devices", "batch", "prompt", "generate", "tp", "pp", "ep", "prefill-chunk"})
                assertThat(html).as(name).contains("name=\"" + name + "\" id=\"" + name + "\" inputmode=\"numeric\"");
            for (String name :
                    new String[] {"price", "bandwidth-efficiency", "compute-efficiency", "communication-efficiency"})
                assertThat(html).as(name).contains("name=\"" + name + "\" id=\"" + name + "\" inputmode=\"decimal\"");
            // uPlot is served by the app at the path the page names, and the page's script too
            Matcher m = Pattern.compile("<script src=\"(/webjars/uplot/[0-9.]+/dist/uPlot.iife.min.js)\"")
                    .matcher(html);
            assertThat(m.find()).isTrue();
            Response js = client.get(m.group(1));
            assertThat(js.code()).isEqualTo(200);
            assertThat(js.body().string()).contains("uPlot");
            assertThat(client.get("/static/planner.js").code()).isEqualTo(200);
        });
    }

    @Test
    void chartLegendsAndTablesNameTheTermsInWords() {
        assertThat(PlannerPage.words("kvCacheBytes")).isEqualTo("KV cache");
        assertThat(PlannerPage.words("runtimeOverheadBytes")).isEqualTo("runtime overhead");
        assertThat(PlannerPage.words("attentionProjections")).isEqualTo("attention projections");
        LegendItemCollection items = PlannerPage.memoryChart(PlannerPage.values(name -> null))
                .getPlot()
                .getLegendItems();
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < items.getItemCount(); i++) {
            LegendItem item = items.get(i);
            labels.add(item.getLabel());
        }
        assertThat(labels)
                .contains("KV cache", "runtime overhead", "weights")
                .noneMatch(l -> l.matches(".*[a-z][A-Z].*"));
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            String html = client.get("/").body().string();
            assertThat(html).contains(">KV cache</span></td>").doesNotContain(">kvCacheBytes<");
        });
    }

    /** The value of the card showing {@code quantity}. */
    private static String cardValue(String html, String quantity) {
        Matcher m = Pattern.compile("data-quantity=\"" + quantity + "\"[^>]*>.*?<div class=\"value[^\"]*\">([^<]*)<")
                .matcher(html);
        assertThat(m.find()).as(quantity).isTrue();
        return m.group(1);
    }

    /** A time as {@code Show.seconds} writes it ("35.2 ms", "1.22 s", "901 µs"), in seconds. */
    static double seconds(String text) {
        String[] parts = text.trim().split(" ");
        double v = Double.parseDouble(parts[0].replace(",", ""));
        return switch (parts[1]) {
            case "s" -> v;
            case "ms" -> v / 1e3;
            case "µs" -> v / 1e6;
            case "ns" -> v / 1e9;
            default -> throw new AssertionError("no unit in " + text);
        };
    }

    private static JsonNode json(Response r) throws Exception {
        assertThat(r.code()).isEqualTo(200);
        return Render.MAPPER.readTree(r.body().string());
    }
}
