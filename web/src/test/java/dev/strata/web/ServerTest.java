package dev.strata.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.web.http.StrataServer;
import dev.strata.web.render.Render;
import io.javalin.testtools.JavalinTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ServerTest {

    @Test
    void theModelsPageIsServedWithSecurityHeaders() {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            var page = client.get("/models?model=mixtral-8x7b");
            assertThat(page.code()).isEqualTo(200);
            assertThat(page.body().string())
                    .contains("<title>Models · strata</title>")
                    .contains("12,879,925,248");
            assertThat(page.headers().get("Content-Security-Policy").get(0)).contains("default-src 'self'");
            assertThat(page.headers().get("X-Content-Type-Options")).containsExactly("nosniff");
            assertThat(client.get("/static/strata.css").code()).isEqualTo(200);
        });
    }

    @Test
    void thePlannerShowsTheEstimateAndMarksABadFieldWith400() {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            var ok = client.get("/?model=mixtral-8x7b&hardware=h100-sxm&devices=2&batch=4");
            assertThat(ok.code()).isEqualTo(200);
            assertThat(ok.body().string())
                    .contains("id=\"card-tpot\"")
                    .contains("/chart/memory.png?")
                    .contains("/chart/sweep.png?");
            var bad = client.get("/?model=llama-3-8b&hardware=h100-sxm&devices=3&prompt=%3Cb%3Ex");
            assertThat(bad.code()).isEqualTo(400);
            String html = bad.body().string();
            assertThat(html)
                    .contains("id=\"error-prompt\"")
                    .doesNotContain("<b>x")
                    .contains("&lt;b&gt;x");
            assertThat(client.get("/chart/memory.svg?model=llama-3-8b&hardware=h100-sxm")
                            .body()
                            .string())
                    .contains("<svg");
            assertThat(client.get("/chart/sweep.png?model=llama-3-8b&hardware=h100-sxm&sweep=context")
                            .code())
                    .isEqualTo(200);
            assertError(client.get("/chart/sweep.png?model=llama-3-8b&hardware=h100-sxm&prompt=0"), 400, "prompt");
        });
    }

    @Test
    void simulateAnswersTheServingSummaryAndRefusesTooMuchWorkBeforeDoingIt() {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            var ok = client.get("/api/simulate?model=llama-3-8b&hardware=h100-sxm&rate=5&requests=200");
            assertThat(ok.code()).isEqualTo(200);
            JsonNode j = Render.MAPPER.readTree(ok.body().string());
            assertThat(j.at("/ttftSeconds/p90").doubleValue()).isPositive();
            assertThat(j.at("/requests/completed").intValue()).isEqualTo(200);
            assertThat(j.has("perRequest")).isFalse();
            // running sequences and KV use over the run: at most 256 intervals from 0, shares within [0, 1], and the
            // integral of running sequences is the batch's mean over busy time times the busy time, at most the span
            JsonNode points = j.at("/timeline/points");
            double width = j.at("/timeline/intervalSeconds").doubleValue();
            assertThat(points.size()).isBetween(1, 256);
            assertThat(points.get(0).get("startSeconds").doubleValue()).isZero();
            double integral = 0;
            for (JsonNode p : points) {
                assertThat(p.get("kvUtilization").doubleValue()).isBetween(0.0, 1.0);
                integral += p.get("sequences").doubleValue() * width;
            }
            assertThat(integral)
                    .isPositive()
                    .isLessThanOrEqualTo(j.at("/batch/max").doubleValue() * (points.size() * width));
            var timeline = client.get(
                    "/chart/simulate-timeline.svg?model=llama-3-8b&hardware=h100-sxm&rate=5" + "&requests=100");
            assertThat(timeline.code()).isEqualTo(200);
            assertThat(timeline.body().string()).contains("running sequences per replica");
            var csv = client.get("/api/simulate?model=llama-3-8b&hardware=h100-sxm&rate=5&requests=20&format=csv");
            assertThat(csv.body().string().trim().split("\n")).hasSize(21);
            // the table is of the summary, as the command line's (it was a 500: rows of the requests it had removed)
            var table = client.get("/api/simulate?model=llama-3-8b&hardware=h100-sxm&rate=5&requests=20&format=table");
            assertThat(table.code()).isEqualTo(200);
            String tableText = table.body().string();
            assertThat(tableText).contains("ttftSeconds.p90").doesNotContain("timeline");
            // 1,000,000 requests of 100,000 tokens: refused at once, naming the field
            assertError(
                    client.get(
                            "/api/simulate?model=llama-3-8b&hardware=h100-sxm&rate=5&requests=1000000&prompt=100000"),
                    400,
                    "requests");
            assertError(
                    client.get("/api/simulate?model=llama-3-8b&hardware=h100-sxm&rate=5&trace=x.csv"), 400, "trace");
            assertError(client.get("/api/simulate?model=llama-3-8b&hardware=h100-sxm"), 400, "rate");
            // latency against request rate as a chart, PNG or SVG; a bad rate list names the field
            var chart = client.get("/chart/serving.png?model=llama-3-8b&hardware=h100-sxm&rates=2,8&requests=100");
            assertThat(chart.code()).isEqualTo(200);
            assertThat(chart.headers().get("Content-Type")).containsExactly("image/png");
            assertThat(client.get("/chart/serving.svg?model=llama-3-8b&hardware=h100-sxm&rates=4&requests=50")
                            .body()
                            .string())
                    .contains("time to first token p90");
            assertError(client.get("/chart/serving.png?model=llama-3-8b&hardware=h100-sxm&rates=0"), 400, "rates");
            // plan: a search answered, and a grid over the limit refused before any work
            var plan = client.get("/api/plan?model=llama-3-8b&rate=4&ttft-p90-ms=500&tpot-p90-ms=40&hardware=h100-sxm"
                    + "&requests=200");
            assertThat(plan.code()).isEqualTo(200);
            assertThat(Render.MAPPER
                            .readTree(plan.body().string())
                            .at("/deployments/0/hardware")
                            .asText())
                    .isEqualTo("h100-sxm");
            String wide = String.join(",", java.util.Collections.nCopies(200, "4096"));
            assertError(
                    client.get("/api/plan?model=llama-3-8b&rate=4&ttft-p90-ms=500&tpot-p90-ms=40&max-batched-tokens="
                            + wide + "&max-seqs=" + wide),
                    400,
                    "max-batched-tokens");
        });
    }

    @Test
    void theValidationPageShowsTheShippedRunsAndRefusesAnUnknownQuantity() {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            var page = client.get("/validation?quantity=params");
            assertThat(page.code()).isEqualTo(200);
            // the shipped CPU run calibrated twice: its drift (docs/validation.md: matrix products -1.2 % in the
            // median)
            assertThat(page.body().string())
                    .contains("id=\"summary\"")
                    .contains("/chart/validation.png?quantity=params")
                    .contains("id=\"points\"")
                    .contains("id=\"drift\"")
                    .contains("changed by -1.2 % in the median")
                    // the targets as validate --report gives them (docs/validation.md: every one met, bf16 batch 1 at
                    // 8.3 %)
                    .contains("id=\"targets\"")
                    .contains(
                            "decode time per token, batch 1, bf16: median error at most 10 %</td><td class=\"num\">10</td><td class=\"num\">8.3 %</td><td>yes</td>")
                    .doesNotContain("<strong>no</strong>")
                    // counts are exact: an error of zero is written without a sign
                    .contains(">0.0 %</td>")
                    .doesNotContain("+0.0 %")
                    .doesNotContain("-0.0 %");
            var bad = client.get("/validation?quantity=%3Cx%3E");
            assertThat(bad.code()).isEqualTo(400);
            assertThat(bad.body().string()).contains("id=\"error-quantity\"").contains("&lt;x&gt;");
            assertThat(client.get("/chart/validation.png?quantity=decode_seconds_per_token")
                            .code())
                    .isEqualTo(200);
            assertError(client.get("/chart/validation.svg?quantity=nope"), 400, "quantity");
            // the GPU run: the same page, its own summary and chart; an unknown device is a 400 naming the field
            var gpu = client.get("/validation?device=cuda&quantity=decode_seconds_per_token");
            assertThat(gpu.code()).isEqualTo(200);
            assertThat(gpu.body().string())
                    .doesNotContain("id=\"drift\"")
                    .contains("H100")
                    .contains("<option value=\"cuda\" selected")
                    .contains("/chart/validation.png?quantity=decode_seconds_per_token&amp;device=cuda")
                    .contains("llama-3-8b");
            // with no run named, the page opens on the published GPU runs: a verdict per group, the cross-validation
            // and the targets (docs/validation.md, "Published GPU runs")
            var published = client.get("/validation");
            assertThat(published.code()).isEqualTo(200);
            assertThat(published.body().string())
                    .contains("id=\"published-summary\"")
                    .contains("id=\"cross-validation\"")
                    .contains("leaveOneModelOut")
                    .contains("<option value=\"published\" selected")
                    .contains("(excused)")
                    .doesNotContainPattern("[0-9]e[-+][0-9]") // times for readers: 2.06 ms, 14.8 µs
                    .containsPattern(">[0-9.]+ (ms|s|µs)</td>");
            // bytes with their unit, times in ms/s, no exponents (were 2.621e+05 and 1.484e-05)
            for (String q : new String[] {"peak_memory_bytes", "decode_seconds_per_token", "prefill_flops"})
                assertThat(client.get("/validation?device=cpu&quantity=" + q)
                                .body()
                                .string())
                        .as(q)
                        .doesNotContainPattern("[0-9]e[-+][0-9]")
                        .containsPattern(">[0-9.,]+ (kB|MB|GB|ms|s|µs|MFLOP|GFLOP|TFLOP)</td>");
            var tpu = client.get("/validation?device=tpu");
            assertThat(tpu.code()).isEqualTo(400);
            assertThat(tpu.body().string()).contains("id=\"error-device\"");
            assertThat(client.get("/chart/validation.png?quantity=peak_memory_bytes&device=cuda")
                            .code())
                    .isEqualTo(200);
            assertError(client.get("/chart/validation.png?device=tpu"), 400, "device");
        });
    }

    @Test
    void thePlannerAcceptsAPastedConfig() throws Exception {
        String config = Files.readString(Path.of("testdata/hf-configs/qwen2.5-7b.json"));
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            var r = client.request(
                    "/",
                    b -> b.post(java.net.http.HttpRequest.BodyPublishers.ofString("hardware=h100-sxm&batch=2&config="
                                    + java.net.URLEncoder.encode(config, java.nio.charset.StandardCharsets.UTF_8)))
                            .header("Content-Type", "application/x-www-form-urlencoded"));
            assertThat(r.code()).isEqualTo(200);
            assertThat(r.body().string()).contains("id=\"card-fits\"");
            var bad = client.request(
                    "/",
                    b -> b.post(java.net.http.HttpRequest.BodyPublishers.ofString(
                                    "hardware=h100-sxm&config=%7B%22model_type%22%3A%22bert%22%7D"))
                            .header("Content-Type", "application/x-www-form-urlencoded"));
            assertThat(bad.code()).isEqualTo(400);
            assertThat(bad.body().string()).contains("model_type = &quot;bert&quot;");
        });
    }

    @Test
    void aConfigInThePlannersQueryIsHonouredNotIgnored() throws Exception {
        String config = Files.readString(Path.of("testdata/hf-configs/mixtral-8x7b-v0.1.json"));
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            // the form without JavaScript sends a pasted config in the query: the page shows that model, not the preset
            var r = client.get("/?model=llama-3-8b&hardware=h100-sxm&devices=2&config="
                    + java.net.URLEncoder.encode(config, java.nio.charset.StandardCharsets.UTF_8));
            assertThat(r.code()).isEqualTo(200);
            assertThat(r.body().string())
                    .contains("46,702,792,704 parameters")
                    .contains("from the pasted config.json")
                    .doesNotContain("8,030,261,248");
            // an empty config field is no config: the preset
            var preset = client.get("/?model=llama-3-8b&hardware=h100-sxm&config=");
            assertThat(preset.code()).isEqualTo(200);
            assertThat(preset.body().string())
                    .contains("Showing <strong>Llama 3 8B</strong>, 8,030,261,248 parameters.");
            // a config that is not one is a 400 next to the field, as when posted
            var bad = client.get("/?hardware=h100-sxm&config=%7B%22model_type%22%3A%22bert%22%7D");
            assertThat(bad.code()).isEqualTo(400);
            assertThat(bad.body().string()).contains("model_type = &quot;bert&quot;");
        });
    }

    @Test
    void aBadModelOnThePageIsShownNextToTheFieldAndEscaped() {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            var page = client.get("/models?model=%3Cscript%3Ealert(1)%3C/script%3E");
            assertThat(page.code()).isEqualTo(400); // as every page answers a field error
            String html = page.body().string();
            assertThat(html)
                    .contains("id=\"error-model\"")
                    .doesNotContain("<script>alert(1)")
                    .contains("&lt;script&gt;");
            assertThat(client.get("/models?model=gpt2").code()).isEqualTo(200);
            assertThat(client.get("/models").code()).isEqualTo(200); // no model: the default preset
        });
    }

    @Test
    void chartsArePngAndSvgAtStableUrls() {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            var png = client.get("/chart/params.png?model=deepseek-v3");
            assertThat(png.code()).isEqualTo(200);
            assertThat(png.headers().get("Content-Type")).containsExactly("image/png");
            var svg = client.get("/chart/params.svg?model=deepseek-v3");
            assertThat(svg.body().string()).contains("<svg");
            assertError(client.get("/chart/params.gif?model=gpt2"), 400, "chart");
            assertError(client.get("/chart/nope.png"), 400, "chart");
            assertError(client.get("/chart/params.png?model=gpt2&width=99999"), 400, "width");
        });
    }

    @Test
    void presetsAreListedWithTheirCounts() {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            JsonNode json =
                    Render.MAPPER.readTree(client.get("/api/presets").body().string());
            assertThat(json.get("presets").findValuesAsText("id")).contains("gpt2", "deepseek-v3", "gpt3-175b");
            assertThat(client.get("/api/presets?format=csv").body().string()).startsWith("id,name,paramsTotal");
        });
    }

    @Test
    void getEstimateGivesTheSameJsonAsTheCommandLine() {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            var r = client.get("/api/estimate?model=mixtral-8x7b");
            assertThat(r.code()).isEqualTo(200);
            JsonNode http = Render.MAPPER.readTree(r.body().string());
            JsonNode cli = Render.MAPPER.readTree(Cli.run("estimate", "--model", "mixtral-8x7b", "--format", "json")
                    .out());
            assertThat(http).isEqualTo(cli);
            assertThat(http.at("/params/active").longValue()).isEqualTo(12_879_925_248L); // docs/architecture.md, exact
            assertThat(client.get("/api/estimate?model=gpt2&format=csv").body().string())
                    .contains("params.total,124439808");
        });
    }

    @Test
    void postEstimateImportsAnInlineConfig() {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            String config = Files.readString(Path.of("testdata/hf-configs/qwen2.5-7b.json"));
            var r = client.post("/api/estimate", "{\"config\": " + config + "}");
            assertThat(r.code()).isEqualTo(200);
            assertThat(Render.MAPPER
                            .readTree(r.body().string())
                            .at("/params/total")
                            .longValue())
                    .isEqualTo(7_615_616_512L); // docs/architecture.md
        });
    }

    @Test
    void badInputIs400WithTheFieldNamed() {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            assertError(client.get("/api/estimate"), 400, "model");
            assertError(client.get("/api/estimate?model=nope"), 400, "model");
            assertError(client.get("/api/estimate?model=../../etc/passwd"), 400, "model");
            assertError(client.get("/api/estimate?model=gpt2&format=xml"), 400, "format");
            assertError(client.post("/api/estimate", "{\"config\": {\"model_type\": \"bert\"}}"), 400, "model_type");
            assertError(
                    client.post("/api/estimate", "{\"config\": {\"model_type\": \"llama\", \"hidden_size\": -1}}"),
                    400,
                    "hidden_size");
            assertError(client.post("/api/estimate", "{\"config\": "), 400, "body");
            assertError(client.post("/api/estimate", "[]"), 400, "body");
            assertError(client.post("/api/estimate", "{}"), 400, "config");
            assertError(client.get("/no/such/page"), 404, null);
        });
    }

    @Test
    void anOversizedBodyIs413() {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            String huge = "{\"config\": {\"pad\": \"" + "x".repeat((int) StrataServer.MAX_BODY_BYTES + 10) + "\"}}";
            var r = client.post("/api/estimate", huge);
            assertThat(r.code()).isEqualTo(413);
            assertThat(Render.MAPPER.readTree(r.body().string()).get("error").asText())
                    .isNotBlank();
            assertThat(client.get("/api/estimate?model=gpt2").code()).isEqualTo(200); // still answers afterwards
        });
    }

    @Test
    void validationIsJsonCsvAndAChart() {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            JsonNode json =
                    Render.MAPPER.readTree(client.get("/api/validate").body().string());
            assertThat(json.get("points").size()).isGreaterThan(200);
            assertThat(json.get("targets").size()).isGreaterThan(5);
            assertThat(client.get("/api/validate?format=csv").body().string())
                    .startsWith("quantity,model,dtype,batch,context,measured,estimated,floor,");
            var png = client.get("/chart/validation.png?quantity=peak_memory_bytes");
            assertThat(png.code()).isEqualTo(200);
            assertThat(png.headers().get("Content-Type")).containsExactly("image/png");
            assertThat(client.get("/chart/validation.svg").body().string()).contains("<svg");
            assertError(client.get("/chart/validation.png?quantity=speed"), 400, "quantity");
            JsonNode gpu = Render.MAPPER.readTree(
                    client.get("/api/validate?device=cuda").body().string());
            assertThat(gpu.get("run").get("machine").asText()).contains("H100");
            assertThat(gpu.get("points").size())
                    .isGreaterThan(300); // 46 points x 8 quantities less the ones not compared
            // the shipped H100 run predates calibrate.py's device_memory_bytes: its capacity is not known, so none is
            // shown
            // (not this machine's RAM); the CPU run's host is this machine, whose memory the JVM reads
            JsonNode gpuHost = gpu.get("calibration").get("hardware");
            assertThat(gpuHost.get("memoryBytes").isNull()).isTrue();
            assertThat(gpuHost.get("memoryBytesNote").asText()).contains("device_memory_bytes");
            assertThat(json.get("calibration")
                            .get("hardware")
                            .get("memoryBytes")
                            .asLong())
                    .isPositive();
            assertError(client.get("/api/validate?device=tpu"), 400, "device");
        });
    }

    private static void assertError(io.javalin.testtools.Response r, int status, String field) throws Exception {
        assertThat(r.code()).isEqualTo(status);
        JsonNode e = Render.MAPPER.readTree(r.body().string());
        assertThat(e.get("error").asText()).isNotBlank().doesNotContain("Exception");
        if (field != null) assertThat(e.get("field").asText()).isEqualTo(field);
    }
}
