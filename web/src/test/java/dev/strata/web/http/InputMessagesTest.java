package dev.strata.web.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.web.Cli;
import dev.strata.web.render.Render;
import io.javalin.testtools.JavalinTest;
import io.javalin.testtools.Response;
import org.junit.jupiter.api.Test;

/**
 * Issue 28, finding 9: messages that named the wrong field or the wrong bound, and numbers that were not numbers.
 * (Duplicate parameters are in {@link StrictInputTest}, duplicate CSV columns and identical runs in the data and
 * estimator modules' tests.)
 */
class InputMessagesTest {

    static JsonNode error(Response r) throws Exception {
        String text = r.body().string();
        assertThat(r.code()).as(text).isEqualTo(400);
        return Render.MAPPER.readTree(text);
    }

    @Test
    void aTimeTooLongForTheCostModelNamesTheOptionThatMadeTheDeviceThatSlow() {
        // Llama 3.1 405B at 1 kB/s: a prefill of about 1.2e9 s, beyond the cost model's 1e6 s; the error named
        // prefill-seconds, which the user never sent
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            JsonNode e =
                    error(client.get("/api/estimate?model=llama-3.1-405b&hardware=h100-sxm&bandwidth-gbs=0.000001"));
            assertThat(e.path("field").asText()).isEqualTo("bandwidth-gbs");
            assertThat(e.path("error").asText())
                    .startsWith("bandwidth-gbs = \"0.000001\" is not allowed: must be fast enough")
                    .contains("a prefill takes");
            assertThat(error(client.get("/api/estimate?model=gpt2&hardware=h100-sxm&peak-tflops=1e-300"))
                            .path("field")
                            .asText())
                    .isEqualTo("peak-tflops");
        });
        Cli cli = Cli.run(
                "estimate", "--model", "llama-3.1-405b", "--hardware", "h100-sxm", "--bandwidth-gbs", "0.000001");
        assertThat(cli.exitCode()).isEqualTo(2);
        assertThat(cli.err()).startsWith("strata: --bandwidth-gbs = \"0.000001\"");
    }

    @Test
    void anIntegerOptionStatesItsRangeAsIntegers() {
        // devices=0 said "must be an integer > 1.0 and <= 1048576": 1 is allowed, and 1.0 is not how an integer reads
        JavalinTest.test(
                StrataServer.create(),
                (server, client) -> assertThat(error(client.get("/api/estimate?model=gpt2&hardware=h100-sxm&devices=0"))
                                .path("error")
                                .asText())
                        .isEqualTo("devices = \"0\" is not allowed: must be an integer from 1 to 1048576"));
    }

    @Test
    void digitsOtherThanAsciiAreNotNumbers() {
        // Java's Long.parseLong reads full-width (U+FF18) and Arabic-Indic (U+0668) digits as 8: batch=８ was batch 8
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            for (String eight : new String[] {"%EF%BC%98", "%D9%A8", "1%D9%A8"}) {
                assertThat(error(client.get("/api/estimate?model=gpt2&batch=" + eight))
                                .path("field")
                                .asText())
                        .isEqualTo("batch");
                assertThat(error(client.get("/api/sweep?model=gpt2&batch=1..1" + eight))
                                .path("field")
                                .asText())
                        .isEqualTo("batch");
                assertThat(error(client.get("/chart/params.png?model=gpt2&width=4" + eight + "0"))
                                .path("field")
                                .asText())
                        .isEqualTo("width");
                assertThat(error(client.get("/api/optimal?compute=1e22&law=chinchilla&iso-flop=1" + eight))
                                .path("field")
                                .asText())
                        .isEqualTo("iso-flop");
            }
        });
        Cli cli = Cli.run("estimate", "--model", "gpt2", "--batch", "\uFF18");
        assertThat(cli.exitCode()).isEqualTo(2);
        assertThat(cli.err()).contains("--batch");
    }
}
