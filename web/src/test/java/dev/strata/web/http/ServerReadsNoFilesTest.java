package dev.strata.web.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.testtools.JavalinTest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Lengths from a dataset ({@code empirical:FILE.csv:COLUMN}) are the command line's: over HTTP the server reads no
 * file a request names, and says so with a 400 that names the field.
 */
class ServerReadsNoFilesTest {

    @Test
    void anEmpiricalLengthIsRefusedOverHttpNamingTheField() {
        String file = URLEncoder.encode("empirical:/etc/hostname:prompt_tokens", StandardCharsets.UTF_8);
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            for (String path : new String[] {
                "/api/simulate?model=llama-3-8b&hardware=h100-sxm&rate=4&requests=50&prompt=" + file,
                "/api/simulate?model=llama-3-8b&hardware=h100-sxm&rate=4&requests=50&generate=" + file,
                "/api/plan?model=llama-3-8b&hardware=h100-sxm&rate=2&requests=50&ttft-p90-ms=2000&tpot-p90-ms=100"
                        + "&prompt=" + file
            }) {
                var e = StrictInputTest.error(client.get(path), path.contains("generate=") ? "generate" : "prompt");
                assertThat(e.path("error").asText()).as(path).contains("command line only");
            }
        });
    }
}
