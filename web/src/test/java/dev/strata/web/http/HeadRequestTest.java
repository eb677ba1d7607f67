package dev.strata.web.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.testtools.JavalinTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeadRequestTest {

    @Test
    void headAnswersWhatGetAnswersWithoutTheBody() {
        // RFC 9110 §9.3.2: HEAD is GET without the content; Javalin alone answered every HEAD with 200 and an empty
        // text/plain, even where the GET is a 400, a 404 or an image
        List<String> paths = List.of(
                "/api/presets",
                "/api/hardware?format=csv",
                "/api/optimal?compute=abc",
                "/no-such-page",
                "/chart/params.png?model=gpt2",
                "/models",
                "/compare?hardware=h100-sxm,mi300x",
                "/compare?hardware=h100-sxm,nope",
                "/compare?hardware=h100-sxm,mi300x&format=csv",
                "/static/strata.css",
                "/openapi.json",
                "/api-docs",
                "/static/api-docs.js",
                "/api/sweep?model=gpt2&batch=1..8",
                "/api/estimate?model=gpt2",
                "/api/estimate?model=nope");
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            HttpClient http = HttpClient.newHttpClient();
            for (String path : paths) {
                URI uri = URI.create("http://localhost:" + server.port() + path);
                var head = http.send(
                        HttpRequest.newBuilder(uri)
                                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                var get = http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
                assertThat(head.statusCode()).as(path).isEqualTo(get.statusCode());
                assertThat(head.headers().firstValue("Content-Type"))
                        .as(path)
                        .isEqualTo(get.headers().firstValue("Content-Type"))
                        .isPresent();
                assertThat(head.headers().firstValue("Content-Length"))
                        .as(path)
                        .contains(Integer.toString(get.body().length));
                assertThat(head.headers().firstValue("X-Frame-Options"))
                        .as(path)
                        .contains("DENY");
                assertThat(head.body()).as(path).isEmpty();
                assertThat(get.body()).as(path).isNotEmpty();
            }
        });
    }
}
