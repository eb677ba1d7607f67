package dev.strata.web.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.web.render.Render;
import io.javalin.testtools.JavalinTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /api/simulate} and {@code POST /api/plan}: a posted config.json or preset with the options as fields,
 * and for a simulation the requests themselves ({@code trace}); the same answer as GET for the same options, and
 * refusals that name the field.
 */
class PostedServingTest {
    private static final String TRACE = "[{\"arrival_seconds\": 0, \"prompt_tokens\": 300, \"output_tokens\": 20},"
            + " {\"arrival_seconds\": 0.25, \"prompt_tokens\": 1200, \"output_tokens\": 6},"
            + " {\"arrival_seconds\": 0.5, \"prompt_tokens\": 700, \"output_tokens\": 40, \"prefix_group\": \"sys\","
            + " \"prefix_tokens\": 200}]";

    /** A 200 answer's JSON. */
    private static JsonNode json(io.javalin.testtools.Response r) throws Exception {
        String text = r.body().string();
        assertThat(r.code()).as(text).isEqualTo(200);
        return Render.MAPPER.readTree(text);
    }

    @Test
    void aPostedConfigAndTraceAreSimulatedRequestByRequest() throws Exception {
        String config = Files.readString(Path.of("testdata/hf-configs/qwen2.5-7b.json"));
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            var csv = StrictInputTest.post(
                    client,
                    "/api/simulate",
                    "{\"config\": " + config
                            + ", \"hardware\": \"h100-sxm\", \"engine\": \"vllm\", \"format\": \"csv\","
                            + " \"trace\": " + TRACE + "}");
            String text = csv.body().string();
            assertThat(csv.code()).as(text).isEqualTo(200);
            String[] lines = text.trim().split("\n");
            assertThat(lines).hasSize(4); // the header and the three requests, in arrival order
            assertThat(lines[1]).startsWith("0,300,20,");
            assertThat(lines[2]).startsWith("0.25,1200,6,");
            assertThat(lines[3]).startsWith("0.5,700,40,");
            JsonNode j = json(StrictInputTest.post(
                    client,
                    "/api/simulate",
                    "{\"config\": " + config + ", \"hardware\": \"h100-sxm\", \"trace\": " + TRACE + "}"));
            assertThat(j.at("/requests/completed").intValue()).isEqualTo(3);
            assertThat(j.at("/traffic/arrivals").asText()).isEqualTo("trace");
        });
    }

    @Test
    void aPostedPresetAnswersAsTheGetWithTheSameOptions() throws Exception {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            String query = "model=llama-3-8b&hardware=h100-sxm&rate=4&requests=100&prompt=lognormal:600:0.5&seed=3";
            JsonNode get = json(client.get("/api/simulate?" + query));
            JsonNode post = json(StrictInputTest.post(
                    client,
                    "/api/simulate",
                    "{\"model\": \"llama-3-8b\", \"hardware\": \"h100-sxm\", \"rate\": 4, \"requests\": 100,"
                            + " \"prompt\": \"lognormal:600:0.5\", \"seed\": 3}"));
            assertThat(post).isEqualTo(get);
            String plan = "model=llama-3-8b&rate=4&ttft-p90-ms=1000&tpot-p90-ms=100&hardware=h100-sxm&devices=1,2"
                    + "&requests=50";
            JsonNode getPlan = json(client.get("/api/plan?" + plan));
            JsonNode posted = json(StrictInputTest.post(
                    client,
                    "/api/plan",
                    "{\"model\": \"llama-3-8b\", \"rate\": 4, \"ttft-p90-ms\": 1000, \"tpot-p90-ms\": 100,"
                            + " \"hardware\": \"h100-sxm\", \"devices\": \"1,2\", \"requests\": 50}"));
            // the search's own time is measured, the rest is the same answer
            ((com.fasterxml.jackson.databind.node.ObjectNode) posted).remove("searchSeconds");
            ((com.fasterxml.jackson.databind.node.ObjectNode) getPlan).remove("searchSeconds");
            assertThat(posted).isEqualTo(getPlan);
            assertThat(posted.get("deployments")).isNotEmpty();
        });
    }

    @Test
    void aBadTraceOrFieldIsRefusedNamingIt() throws Exception {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            String base = "\"model\": \"llama-3-8b\", \"hardware\": \"h100-sxm\"";
            StrictInputTest.error(
                    StrictInputTest.post(client, "/api/simulate", "{" + base + ", \"trace\": \"t.csv\"}"), "trace");
            StrictInputTest.error(
                    StrictInputTest.post(client, "/api/simulate", "{" + base + ", \"trace\": []}"), "trace");
            StrictInputTest.error(
                    StrictInputTest.post(
                            client,
                            "/api/simulate",
                            "{" + base
                                    + ", \"trace\": [{\"arrival_seconds\": 0, \"prompt_tokens\": 10, \"output_tokens\": 2},"
                                    + " {\"arrival_seconds\": 1, \"prompt_tokens\": 0, \"output_tokens\": 2}]}"),
                    "trace[1].prompt_tokens");
            StrictInputTest.error(
                    StrictInputTest.post(
                            client,
                            "/api/simulate",
                            "{" + base + ", \"trace\": [{\"arrival_seconds\": 0, \"prompt_tokens\": 10.5,"
                                    + " \"output_tokens\": 2}]}"),
                    "trace[0].prompt_tokens");
            StrictInputTest.error(
                    StrictInputTest.post(
                            client,
                            "/api/simulate",
                            "{" + base
                                    + ", \"trace\": [{\"arrival_seconds\": 0, \"prompt_tokens\": 10, \"output_tokens\": 2,"
                                    + " \"user\": \"x\"}]}"),
                    "trace[0].user");
            StrictInputTest.error(
                    StrictInputTest.post(
                            client,
                            "/api/simulate",
                            "{" + base + ", \"trace\": [{\"arrival_seconds\": -1, \"prompt_tokens\": 10,"
                                    + " \"output_tokens\": 2}]}"),
                    "trace[0].arrival_seconds");
            StrictInputTest.error(
                    StrictInputTest.post(
                            client,
                            "/api/simulate",
                            "{" + base
                                    + ", \"trace\": [{\"arrival_seconds\": 0, \"prompt_tokens\": 10, \"output_tokens\": 2,"
                                    + " \"prefix_group\": \"a\", \"prefix_tokens\": 11}]}"),
                    "trace[0].prefix_tokens");
            // a trace is the traffic: a drawn traffic's option beside it is refused, naming it
            StrictInputTest.error(
                    StrictInputTest.post(
                            client,
                            "/api/simulate",
                            "{" + base + ", \"prefix-tokens\": 10, \"trace\": [{\"arrival_seconds\": 0,"
                                    + " \"prompt_tokens\": 10, \"output_tokens\": 2}]}"),
                    "prefix-tokens");
            JsonNode unknown = StrictInputTest.error(
                    StrictInputTest.post(client, "/api/simulate", "{" + base + ", \"rat\": 4}"), "rat");
            assertThat(unknown.path("error").asText()).contains("\"trace\"").contains("strata simulate");
            StrictInputTest.error(
                    StrictInputTest.post(client, "/api/plan", "{\"model\": \"llama-3-8b\", \"trace\": []}"), "trace");
            StrictInputTest.error(
                    StrictInputTest.post(client, "/api/simulate?rate=4", "{" + base + ", \"rate\": 4}"), "rate");
            StrictInputTest.error(
                    StrictInputTest.post(client, "/api/plan", "{\"model\": \"llama-3-8b\", \"config\": {}}"), "model");
        });
    }
}
