package dev.strata.web.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.web.Cli;
import dev.strata.web.render.Render;
import io.javalin.testtools.JavalinTest;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Issue 28, findings 4 and 5: small requests that asked for unbounded work. An 800-byte config with 100,000 layers
 * kept the server busy for minutes (and on after its client left), 10,000 fit rows for more than 96 s. The server
 * counts the work before it starts and refuses what is over its budget ({@code WorkBudget}) with a 400 that names the
 * limit; each refusal is bounded here by a generous 10 s (the work itself took minutes).
 */
class WorkBudgetTest {
    static final Duration REFUSED_AT_ONCE = Duration.ofSeconds(10);

    /**
     * DeepSeek-V3's config (testdata/hf-configs) with its dense and MoE layers alternating: every layer a run of its
     * own, the slowest shape for the estimators.
     */
    static ObjectNode deepConfig(int layers) throws Exception {
        ObjectNode c = (ObjectNode)
                Render.MAPPER.readTree(Files.readString(Path.of("testdata", "hf-configs", "deepseek-v3.json")));
        c.put("num_hidden_layers", layers);
        c.put("moe_layer_freq", 2);
        return c;
    }

    /** A POST of a URL-encoded form, as the pages send it. */
    static io.javalin.testtools.Response form(io.javalin.testtools.HttpClient client, String path, String body) {
        return client.request(
                path,
                r -> r.post(HttpRequest.BodyPublishers.ofString(body))
                        .header("Content-Type", "application/x-www-form-urlencoded"));
    }

    static String body(ObjectNode config, String extra) {
        return "{\"config\": " + config + ", \"hardware\": \"h100-sxm\"" + extra + "}";
    }

    @Test
    void aConfigWithMoreLayersThanTheBudgetAllowsIsRefusedBeforeAnyWork() throws Exception {
        ObjectNode huge = deepConfig(100_000);
        assertTimeoutPreemptively(
                REFUSED_AT_ONCE,
                () -> JavalinTest.test(StrataServer.create(), (server, client) -> {
                    var r = client.post("/api/estimate", body(huge, ""));
                    assertThat(r.code()).isEqualTo(400);
                    JsonNode e = Render.MAPPER.readTree(r.body().string());
                    assertThat(e.path("field").asText()).isEqualTo("config");
                    // with a device: 16 plain evaluations + 4,096 device counts + 4 x 63 batch and context probes =
                    // 4,364;
                    // 4,194,304 / 4,364 = 961 layers
                    assertThat(e.path("error").asText())
                            .contains("at most 961 layers")
                            .contains("4,364 evaluations")
                            .contains("budget of 4,194,304");
                    // a target time per token adds the cheapest batch (4,096) and each catalog device's doublings:
                    // fewer
                    // layers
                    var t = client.post("/api/estimate", body(huge, ", \"target-ms-per-token\": 50"));
                    assertThat(t.code()).isEqualTo(400);
                    assertThat(Render.MAPPER
                                    .readTree(t.body().string())
                                    .path("error")
                                    .asText())
                            .containsPattern("at most 4[0-9]{2} layers");
                    // the planner page refuses the pasted config the same way, next to the field
                    var page = form(
                            client,
                            "/",
                            "model=gpt2&hardware=h100-sxm&config="
                                    + URLEncoder.encode(huge.toString(), StandardCharsets.UTF_8));
                    assertThat(page.code()).isEqualTo(400);
                    assertThat(page.body().string()).contains("at most 961 layers");
                }));
    }

    @Test
    void aConfigWithinTheBudgetIsEstimated() throws Exception {
        ObjectNode atTheLimit = deepConfig(961);
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            var r = client.post("/api/estimate", body(atTheLimit, ""));
            assertThat(r.code()).as(r.body().string()).isEqualTo(200);
            assertThat(Render.MAPPER
                            .readTree(r.body().string())
                            .at("/model/layers")
                            .intValue())
                    .isEqualTo(961);
            // without a device there is no search: the model's own limit (100,000 layers) is the only one
            var plain = client.post("/api/estimate", "{\"config\": " + deepConfig(5_000) + "}");
            assertThat(plain.code()).as(plain.body().string()).isEqualTo(200);
        });
        // the command line has no budget
        Path file = Files.createTempFile("deep", ".json");
        try {
            Files.writeString(file, deepConfig(2_000).toString());
            Cli r = Cli.run("estimate", "--model", file.toString(), "--format", "json");
            assertThat(r.exitCode()).as(r.err()).isZero();
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void aFitOfMoreRunsThanTheBudgetAllowsIsRefusedBeforeAnyWork() {
        StringBuilder csv = new StringBuilder("N,D,loss\n");
        for (int i = 0; i < 10_000; i++) {
            double n = 1e7 * Math.pow(1.0007, i), d = 20 * n;
            csv.append(String.format(
                    Locale.ROOT, "%.0f,%.0f,%.6f%n", n, d, 1.7 + 400 / Math.pow(n, 0.34) + 410 / Math.pow(d, 0.28)));
        }
        assertTimeoutPreemptively(
                REFUSED_AT_ONCE,
                () -> JavalinTest.test(StrataServer.create(), (server, client) -> {
                    var r = client.post("/api/fit", csv.toString());
                    assertThat(r.code()).isEqualTo(400);
                    JsonNode e = Render.MAPPER.readTree(r.body().string());
                    assertThat(e.path("field").asText()).isEqualTo("data");
                    // 2,500,000 / (4,500 grid starts + 1,000 default resamples) = 454 runs
                    assertThat(e.path("error").asText())
                            .contains("at most 454 runs")
                            .contains("55,000,000");
                    // fewer resamples allow more runs, still not 10,000: 2,500,000 / 4,500 = 555
                    var none = client.post("/api/fit?bootstrap=0", csv.toString());
                    assertThat(Render.MAPPER
                                    .readTree(none.body().string())
                                    .path("error")
                                    .asText())
                            .contains("at most 555 runs");
                    // the scaling page refuses it next to its field
                    var page = form(
                            client,
                            "/scaling/fit",
                            "data=" + URLEncoder.encode(csv.toString(), StandardCharsets.UTF_8));
                    assertThat(page.code()).isEqualTo(400);
                    assertThat(page.body().string()).contains("at most");
                }));
    }

    @Test
    void aTrainingLayoutSearchOverTheBudgetIsRefusedNamingTheDevices() throws Exception {
        // DeepSeek-V3 on 65,536 devices: 23,112 layouts to try (tp, pp, micro-batch, recompute, sequence parallelism,
        // ZeRO and 17 expert-parallel degrees), over the server's 20,000; the run without a layout searches them
        assertTimeoutPreemptively(
                REFUSED_AT_ONCE,
                () -> JavalinTest.test(StrataServer.create(), (server, client) -> {
                    var r = client.get("/api/train?model=deepseek-v3&hardware=h100-sxm&devices=65536&tokens=1e12");
                    assertThat(r.code()).isEqualTo(400);
                    JsonNode e = Render.MAPPER.readTree(r.body().string());
                    assertThat(e.toString())
                            .contains("devices")
                            .contains("20,000")
                            .contains("23,112");
                    // with a layout nothing is searched
                    assertThat(client.get("/api/train?model=deepseek-v3&hardware=h100-sxm&devices=65536&tokens=1e12"
                                            + "&tp=8&pp=8&ep=64&global-batch=8192")
                                    .code())
                            .isEqualTo(200);
                }));
    }
}
