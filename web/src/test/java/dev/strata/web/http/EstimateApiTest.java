package dev.strata.web.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.web.render.Render;
import io.javalin.testtools.JavalinTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class EstimateApiTest {

    @Test
    void queryParametersAreTheOptionNamesWithoutDashes() {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            var r = client.get(
                    "/api/estimate?model=llama-3-8b&batch=2&prompt=1024&generate=0&tp=2&device-memory-gib=80");
            assertThat(r.code()).isEqualTo(200);
            JsonNode j = Render.MAPPER.readTree(r.body().string());
            assertThat(j.at("/workload/batch").longValue()).isEqualTo(2);
            assertThat(j.at("/workload/tensorParallel").intValue()).isEqualTo(2);
            // 2 sequences x 1024 tokens x 131,072 B/token (docs/architecture.md); exact
            assertThat(j.at("/memory/kvCacheBytes").longValue()).isEqualTo(2L * 1024 * 131_072);
            assertThat(j.at("/memory/fits").booleanValue()).isTrue();
        });
    }

    @Test
    void prefillPassesHoldAtMostTheTokenBudget() {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            String q =
                    "/api/estimate?model=llama-3.1-70b&hardware=h100-sxm&devices=4&batch=32&prompt=8192&generate=256";
            JsonNode budgeted = Render.MAPPER.readTree(client.get(q).body().string());
            JsonNode whole = Render.MAPPER.readTree(
                    client.get(q + "&max-batched-tokens=0").body().string());
            JsonNode alone =
                    Render.MAPPER.readTree(client.get(q.replace("batch=32", "batch=1") + "&max-batched-tokens=0")
                            .body()
                            .string());
            // the default budget, 8,192 tokens (EstimateOptions.DEFAULT_MAX_BATCHED_TOKENS): one 8k prompt a pass
            assertThat(budgeted.at("/workload/prefillTokenBudget").longValue()).isEqualTo(8192);
            assertThat(budgeted.at("/workload/prefillSequencesPerPass").longValue())
                    .isEqualTo(1);
            assertThat(whole.at("/workload/prefillSequencesPerPass").longValue())
                    .isEqualTo(32);
            // a pass of one prompt holds the activations of one sequence prefilled alone (exact: the same pass)
            assertThat(budgeted.at("/memory/prefillActivationsBytes").longValue())
                    .isEqualTo(alone.at("/memory/prefillActivationsBytes").longValue());
            // 32 passes of one prompt take 32 times one prompt's prefill (to rounding)
            double one = alone.at("/latency/prefillSeconds/calibrated").doubleValue();
            assertThat(budgeted.at("/latency/prefillSeconds/calibrated").doubleValue())
                    .isCloseTo(32 * one, org.assertj.core.api.Assertions.within(1e-9 * 32 * one));
            // the budget leaves room for more sequences than one pass of the whole batch
            assertThat(budgeted.at("/capacity/maxBatch").longValue())
                    .isGreaterThan(whole.at("/capacity/maxBatch").longValue());
            expect400(
                    client.get(q + "&max-batched-tokens=-1"),
                    "max-batched-tokens",
                    "max-batched-tokens = -1 is not allowed: must be an integer from 0 to 16777216");
        });
    }

    @Test
    void csvHasOneRowPerTerm() {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            var r = client.get("/api/estimate?model=llama-3-8b&format=csv");
            assertThat(r.code()).isEqualTo(200);
            assertThat(r.body().string()).contains("memory.kvCacheBytesPerToken,131072\r\n");
        });
    }

    @Test
    void badWorkloadsAre400WithTheOptionAsField() {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            expect400(client.get("/api/estimate?model=llama-3-8b&batch=-1"), "batch", "batch = -1 is not allowed");
            expect400(client.get("/api/estimate?model=llama-3-8b&zero=4"), "zero", "zero = 4 is not allowed");
            expect400(client.get("/api/estimate?model=llama-3-8b&kv=int4"), "kv", "kv = \"int4\" is not allowed");
            expect400(
                    client.get("/api/estimate?model=llama-3-8b&tp=3"),
                    "tp",
                    "tp = 3 is not allowed: must be a divisor of the attention heads");
        });
    }

    @Test
    void aRefusalFoundWhileTheAnswerIsWrittenIsStillACleanJson400() {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            // the measured time is checked in the calibration section, after the latency and cost sections were
            // written:
            // the answer is the error alone, with its length, not those sections followed by the error
            var r = client.get("/api/estimate?model=llama-3-8b&hardware=h100-sxm&measured-ms-per-token=0.001");
            assertThat(r.headers().get("Content-Length")).isNotEmpty();
            expect400(r, "measured-ms-per-token", "measured-ms-per-token = 0.001 is not allowed");
            // and the next answer on the same server is whole
            var ok = client.get("/api/estimate?model=llama-3-8b&hardware=h100-sxm");
            assertThat(ok.code()).isEqualTo(200);
            assertThat(Render.MAPPER
                            .readTree(ok.body().string())
                            .at("/capacity/maxBatch")
                            .isIntegralNumber())
                    .isTrue();
        });
    }

    @Test
    void everyEstimateAnswerFitsTheResponseBufferWithRoomToSpare() {
        // the answer is written into Jetty's buffer before any of it is sent (so a refusal can still be a 400): the
        // largest answers, with the cheapest list over the whole catalog and every optional section, must fit in it
        int largest = 0;
        for (var preset : dev.strata.data.PresetCatalog.all()) {
            for (var hw : dev.strata.data.HardwareCatalog.all()) {
                java.util.Map<String, String> q = java.util.Map.of(
                        "hardware",
                        hw.id(),
                        "target-ms-per-token",
                        "50",
                        "lora-rank",
                        "64",
                        "recompute",
                        "full",
                        "offload",
                        "kv-cache");
                var options = dev.strata.web.report.EstimateOptions.parse(q::get, "");
                try {
                    byte[] json = dev.strata.web.report.EstimateReport.compactJson(
                            dev.strata.web.report.ResolvedModel.of(preset.id()),
                            options,
                            dev.strata.web.report.ServingOptions.parse(q::get, "", options));
                    largest = Math.max(largest, json.length);
                } catch (IllegalArgumentException refused) {
                    // a setup the estimators refuse has no answer to hold
                }
            }
        }
        assertThat(largest).isGreaterThan(8_000).isLessThan(StrataServer.ESTIMATE_BUFFER_BYTES / 3);
    }

    private static void expect400(io.javalin.testtools.Response r, String field, String message) throws Exception {
        assertThat(r.code()).isEqualTo(400);
        JsonNode e = Render.MAPPER.readTree(r.body().string());
        assertThat(e.get("field").textValue()).isEqualTo(field);
        assertThat(e.get("error").textValue()).startsWith(message);
    }

    @Test
    void postTakesAConfigAndTheOptionsAsBodyFields() throws Exception {
        String config = Files.readString(Path.of("testdata/hf-configs/deepseek-v3.json"));
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            var r = client.post(
                    "/api/estimate",
                    "{\"config\": " + config + ", \"batch\": 2, \"prompt\": 1000, \"generate\": 24, \"kv\": \"fp8\"}");
            assertThat(r.code()).isEqualTo(200);
            JsonNode j = Render.MAPPER.readTree(r.body().string());
            // MLA latent in fp8: 61 x 576 x 1 byte per token, 2 sequences x 1024 tokens; exact
            assertThat(j.at("/memory/kvCacheBytesPerToken").longValue()).isEqualTo(61L * 576);
            assertThat(j.at("/memory/kvCacheBytes").longValue()).isEqualTo(2L * 1024 * 61 * 576);
        });
    }

    @Test
    void getAndPostGiveTheSameAnswer() {
        // GET reads the query, POST the body's fields: the same options give the same status, content type and text, in
        // every format, for answers and refusals alike
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            String body =
                    "{\"model\": \"llama-3-8b\", \"hardware\": \"h100-sxm\", \"batch\": 4, \"target-ms-per-token\": 20}";
            for (String format : java.util.List.of("", "format=json", "format=JSON", "format=csv", "format=table")) {
                var get = client.get(
                        "/api/estimate?model=llama-3-8b&hardware=h100-sxm&batch=4&target-ms-per-token=20&" + format);
                var post = client.post("/api/estimate?" + format, body);
                assertThat(get.code()).as(format).isEqualTo(200);
                assertSameAnswer(get, post, format);
            }
            var get = client.get("/api/estimate?model=llama-3-8b&batch=0");
            var post = client.post("/api/estimate", "{\"model\": \"llama-3-8b\", \"batch\": 0}");
            expect400(get, "batch", "batch = 0 is not allowed");
            assertSameAnswer(get, post, "batch=0");
            // the path with a trailing slash is the same endpoint (Javalin ignores trailing slashes)
            assertSameAnswer(
                    client.get("/api/estimate/?model=gpt2&batch=2"),
                    client.get("/api/estimate?model=gpt2&batch=2"),
                    "slash");
            // other spellings of the path are still no route
            assertThat(client.get("/api//estimate?model=gpt2").code()).isEqualTo(404);
        });
    }

    private static void assertSameAnswer(io.javalin.testtools.Response a, io.javalin.testtools.Response b, String what)
            throws Exception {
        assertThat(a.code()).as(what).isEqualTo(b.code());
        assertThat(a.headers().get("Content-Type"))
                .as(what)
                .isEqualTo(b.headers().get("Content-Type"));
        assertThat(a.headers().get("Content-Security-Policy"))
                .as(what)
                .isEqualTo(b.headers().get("Content-Security-Policy"))
                .isNotNull();
        assertThat(a.body().string()).as(what).isEqualTo(b.body().string());
    }
}
