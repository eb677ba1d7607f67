package dev.strata.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.web.http.StrataServer;
import dev.strata.web.render.Render;
import io.javalin.testtools.JavalinTest;
import org.junit.jupiter.api.Test;

/** The JSON API routes for optimal, fit, train and hardware, on a real server. */
class ScalingApiTest {
    @Test
    void optimalAnswersAsTheCommandLineDoes() {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            var res = client.get("/api/optimal?compute=5.76e23&law=chinchilla-unrounded");
            assertThat(res.code()).isEqualTo(200);
            JsonNode j = Render.MAPPER.readTree(res.body().string());
            // Hoffmann et al. 2022 §3.3: about 40B (measured 40.36B)
            assertThat(j.get("params").asDouble()).isBetween(39e9, 41e9);
            assertThat(j.has("tokens") && j.has("loss")).isTrue();
            var iso = Render.MAPPER.readTree(client.get("/api/optimal?compute=1e22&law=epoch-2024&iso-flop=3")
                    .body()
                    .string());
            assertThat(iso.get("isoFlop")).hasSize(3);
        });
    }

    @Test
    void fitTakesTheRunsAsACsvBody() {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            var res = client.post("/api/fit?d-col=tokens&bootstrap=10&seed=3", Runs.csv("N", "tokens", "loss", false));
            assertThat(res.code()).as(res.body().string()).isEqualTo(200);
            JsonNode j = Render.MAPPER.readTree(res.body().string());
            assertThat(j.at("/beta/value").asDouble()).isCloseTo(0.366, within(1e-3));
            assertThat(j.at("/beta/stdErr").isNumber()).isTrue();
            assertThat(j.get("points")).hasSize(16);
        });
    }

    @Test
    void trainAndHardwareAnswer() {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            var train = client.get(
                    "/api/train?model=deepseek-v3&tokens=14.8e12&hardware=h800&devices=2048&device-hours=2.664e6");
            assertThat(train.code()).isEqualTo(200);
            assertThat(Render.MAPPER.readTree(train.body().string()).get("mfu").asDouble())
                    .isBetween(0.25, 0.45);
            var hw = client.get("/api/hardware?format=csv");
            assertThat(hw.code()).isEqualTo(200);
            assertThat(hw.body().string()).startsWith("id,name,");
        });
    }

    @Test
    void badInputIs400WithTheFieldNamed() {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            var res = client.get("/api/optimal?compute=lots");
            assertThat(res.code()).isEqualTo(400);
            JsonNode e = Render.MAPPER.readTree(res.body().string());
            assertThat(e.get("field").asText()).isEqualTo("compute");
            assertThat(e.get("error").asText())
                    .isEqualTo("compute = \"lots\" is not allowed: must be a number (e.g. 2.5, 1.5e12, 15T)");
            var fit = client.post("/api/fit", "N,D,loss\n1e8,1e9,abc\n");
            assertThat(fit.code()).isEqualTo(400);
            assertThat(Render.MAPPER.readTree(fit.body().string()).get("error").asText())
                    .isEqualTo("row 1 (line 2), column \"loss\": \"abc\" is not a number");
            var train = client.get("/api/train?model=/etc/passwd&tokens=1e12&hardware=h100-sxm");
            assertThat(train.code()).isEqualTo(400);
            assertThat(Render.MAPPER
                            .readTree(train.body().string())
                            .get("field")
                            .asText())
                    .isEqualTo("model");
        });
    }
}
