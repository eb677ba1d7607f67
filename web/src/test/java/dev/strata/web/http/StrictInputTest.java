package dev.strata.web.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.web.render.Render;
import io.javalin.testtools.HttpClient;
import io.javalin.testtools.JavalinTest;
import io.javalin.testtools.Response;
import java.net.http.HttpRequest;
import org.junit.jupiter.api.Test;

/**
 * Issue 28, finding 8 and the duplicate parameters of finding 9: input the server used to ignore without a word. A
 * JSON field of the wrong type, text after the JSON, a key or a parameter given twice and an unknown body field are
 * each a 400 naming the field; a method override header is ignored.
 */
class StrictInputTest {

    static JsonNode error(Response r, String field) throws Exception {
        String text = r.body().string();
        assertThat(r.code()).as(text).isEqualTo(400);
        JsonNode e = Render.MAPPER.readTree(text);
        assertThat(e.path("field").asText()).as(text).isEqualTo(field);
        return e;
    }

    static Response post(HttpClient client, String path, String body, String... headers) {
        return client.request(path, r -> {
            r.post(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
            for (int i = 0; i < headers.length; i += 2) r.header(headers[i], headers[i + 1]);
        });
    }

    @Test
    void aTypedBodyFieldOfAnotherJsonTypeIsRefusedNamingIt() {
        // "batch": [8] and {"v": 8} answered 200 with batch 1, "hardware": {"id": ...} 200 without hardware
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            for (String[] c : new String[][] {
                {"batch", "[8]"},
                {"batch", "{\"v\": 8}"},
                {"hardware", "{\"id\": \"h100-sxm\"}"},
                {"tp", "[]"},
                {"weights", "[\"bf16\"]"},
                {"target-ms-per-token", "{}"}
            }) {
                JsonNode e = error(
                        post(client, "/api/estimate", "{\"model\": \"gpt2\", \"" + c[0] + "\": " + c[1] + "}"), c[0]);
                assertThat(e.path("error").asText()).contains("must be a JSON string, number or boolean");
            }
            error(post(client, "/api/estimate", "{\"model\": [\"gpt2\"]}"), "model");
            error(post(client, "/api/estimate", "{\"config\": \"llama\"}"), "config");
            error(
                    post(client, "/api/estimate", "{\"model\": \"gpt2\", \"config\": {\"model_type\": \"gpt2\"}}"),
                    "model");
            // the types a value may have: a string, a number, a boolean; null is absent
            var ok = post(
                    client,
                    "/api/estimate",
                    "{\"model\": \"gpt2\", \"batch\": \"8\", \"tp\": 2, \"sequence-parallel\": true, \"kv\": null}");
            assertThat(ok.code()).isEqualTo(200);
            JsonNode j = Render.MAPPER.readTree(ok.body().string());
            assertThat(j.at("/workload/batch").intValue()).isEqualTo(8);
            assertThat(j.at("/workload/tensorParallel").intValue()).isEqualTo(2);
        });
    }

    @Test
    void textAfterTheJsonADuplicateKeyAndAnUnknownFieldAreRefused() {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            for (String body :
                    new String[] {"{\"model\": \"gpt2\"} trailing", "{\"model\": \"gpt2\"} {}", "{\"model\": \"gpt2\"}]"
                    })
                assertThat(error(post(client, "/api/estimate", body), "body")
                                .path("error")
                                .asText())
                        .as(body)
                        .startsWith("request body is not valid JSON");
            assertThat(error(post(client, "/api/estimate", "{\"model\": \"gpt2\", \"batch\": 2, \"batch\": 8}"), "body")
                            .path("error")
                            .asText())
                    .contains("Duplicate field 'batch'");
            // also inside the config
            error(
                    post(
                            client,
                            "/api/estimate",
                            "{\"config\": {\"model_type\": \"gpt2\", \"n_layer\": 2, \"n_layer\": 3}}"),
                    "body");
            // a misspelt option was ignored: the estimate of batch 1 answered a request for batch 8
            assertThat(error(post(client, "/api/estimate", "{\"model\": \"gpt2\", \"bacth\": 8}"), "bacth")
                            .path("error")
                            .asText())
                    .contains("not a field of an estimate")
                    .contains("batch");
            // an option in the body and the query at once
            error(post(client, "/api/estimate?batch=2", "{\"model\": \"gpt2\", \"batch\": 8}"), "batch");
            // format may come from the body
            var csv = post(client, "/api/estimate", "{\"model\": \"gpt2\", \"format\": \"csv\"}");
            assertThat(csv.headers().get("Content-Type").get(0)).startsWith("text/csv");
        });
    }

    @Test
    void aMethodOverrideHeaderIsIgnored() {
        // Javalin took X-HTTP-Method-Override as the method: a POST with GET ran the GET route
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            var post = post(
                    client, "/api/estimate", "{\"model\": \"gpt2\", \"batch\": 8}", "X-HTTP-Method-Override", "GET");
            assertThat(post.code()).isEqualTo(200); // the POST route, which read the body
            assertThat(Render.MAPPER
                            .readTree(post.body().string())
                            .at("/workload/batch")
                            .intValue())
                    .isEqualTo(8);
            var get = client.request("/api/presets", r -> r.get().header("X-HTTP-Method-Override", "DELETE"));
            assertThat(get.code()).isEqualTo(200);
            var presets = client.request(
                    "/api/presets",
                    r -> r.post(HttpRequest.BodyPublishers.noBody()).header("X-HTTP-Method-Override", "GET"));
            assertThat(presets.code()).isEqualTo(404); // there is no POST /api/presets
        });
    }

    @Test
    void aParameterGivenTwiceIsRefusedNamingIt() {
        // the first was kept without a word: batch=2&batch=8 meant batch 2
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            assertThat(error(client.get("/api/estimate?model=gpt2&batch=2&batch=8"), "batch")
                            .path("error")
                            .asText())
                    .contains("batch=2 and batch=8");
            error(client.get("/api/estimate?model=gpt2&model=gpt2"), "model");
            error(client.get("/api/sweep?model=gpt2&batch=1..4&batch=8"), "batch");
            // the spelling without dashes is the same parameter
            error(client.get("/api/fit?exclude-highest-loss=1&excludehighestloss=2"), "excludehighestloss");
            // and a form field given twice
            var form = client.request(
                    "/",
                    r -> r.post(HttpRequest.BodyPublishers.ofString("model=gpt2&model=llama-3-8b"))
                            .header("Content-Type", "application/x-www-form-urlencoded"));
            assertThat(form.code()).isEqualTo(400);
        });
    }
}
