package dev.strata.web.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Regression tests for what the HTTP fuzz test ({@link HttpFuzzTest}) found: requests a browser would not send, sent
 * byte for byte over a socket, must get a 4xx with a JSON error like any other bad input, never a 5xx or an HTML page.
 */
class MalformedRequestTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static Javalin app;

    @BeforeAll
    static void start() {
        app = StrataServer.create().start("127.0.0.1", 0);
    }

    @AfterAll
    static void stop() {
        app.stop();
    }

    static RawHttp.Response send(String request) throws Exception {
        try (RawHttp http = new RawHttp(app.port())) {
            return http.send(request.getBytes(StandardCharsets.ISO_8859_1), request.startsWith("HEAD "));
        }
    }

    /** Asserts a JSON error with {@code status} and, when not null, {@code field}; returns the message. */
    static String jsonError(RawHttp.Response r, int status, String field) throws Exception {
        assertThat(r.status()).as(r.text()).isEqualTo(status);
        assertThat(r.header("content-type")).startsWith("application/json");
        JsonNode e = JSON.readTree(r.body());
        assertThat(e.path("error").asText()).isNotBlank();
        if (field != null) assertThat(e.path("field").asText()).isEqualTo(field);
        return e.get("error").asText();
    }

    @Test
    void aChunkedBodyWhoseChunkIsShorterThanAnnouncedIs400NamingTheBody() throws Exception {
        // 0x11 = 17 bytes announced, 16 sent: reading the body fails; this answered 500 "UncheckedIOException"
        String message = jsonError(
                send("POST /api/estimate HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "11\r\n{\"model\":\"gpt2\"}\r\n0\r\n\r\n"),
                400,
                "body");
        assertThat(message).startsWith("request body could not be read");
        jsonError(
                send("POST /api/fit HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nN,D\r\n0\r\n\r\n"),
                400,
                "body");
    }

    @Test
    void aMethodOtherThanGetHeadOrPostIs405WithAJsonError() throws Exception {
        // "get" and "G%54" are not method names Javalin accepts: they answered 500 with an empty body
        for (String method : new String[] {"get", "G%54", "PUT", "DELETE", "OPTIONS", "PROPFIND", "XYZZY"}) {
            RawHttp.Response r =
                    send(method + " /api/estimate?model=gpt2 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
            assertThat(jsonError(r, 405, "method")).startsWith("method = \"" + method + "\" is not allowed");
            assertThat(r.header("allow")).isEqualTo("GET, HEAD, POST");
        }
        assertThat(send("HEAD /api/estimate?model=gpt2 HTTP/1.1\r\nHost: x\r\n\r\n")
                        .status())
                .isEqualTo(200);
    }

    @Test
    void requestsJettyRefusesBeforeAnyRouteGetAJsonErrorNotAnHtmlPage() throws Exception {
        // These answered Jetty's HTML error page (and 505 for an unknown HTTP version)
        jsonError(send("GET /static/../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n"), 400, null);
        jsonError(send("GET /static/%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n"), 400, null);
        jsonError(send("GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n"), 400, null);
        jsonError(send("GET /api/es timate HTTP/1.1\r\nHost: x\r\n\r\n"), 400, null);
        jsonError(send("GET /api/presets HTTP/1.1\r\n\r\n"), 400, null); // no Host header
        jsonError(send("GET / HTTP/9.9\r\nHost: x\r\n\r\n"), 400, null);
        jsonError(send("GET /api/presets\r\n\r\n"), 400, null); // HTTP/0.9
        jsonError(send("\u00c9\u0000garbage\r\n\r\n"), 400, null);
        jsonError(
                send("GET /api/estimate?model=gpt2&x=" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n"),
                414,
                "uri");
        jsonError(
                send("GET /api/presets HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(20_000) + "\r\n\r\n"),
                431,
                "headers");
    }

    @Test
    void aQueryValueWithBrokenPercentEncodingIs400NamingTheParameter() throws Exception {
        // Javalin dropped such a parameter without a word: batch=%zz meant the default batch (200), model=llama%zz
        // "model is missing". Sent raw: HTTP clients refuse to send these URLs at all.
        assertThat(jsonError(
                        send("GET /api/estimate?model=llama-3-8b&batch=%zz HTTP/1.1\r\nHost: x\r\n\r\n"), 400, "batch"))
                .startsWith("batch = \"%zz\" is not allowed: must be percent-encoded");
        assertThat(jsonError(send("GET /api/estimate?model=llama%zz-3-8b HTTP/1.1\r\nHost: x\r\n\r\n"), 400, "model"))
                .startsWith("model = \"llama%zz-3-8b\" is not allowed");
        jsonError(send("GET /api/optimal?compute=1e24&law=% HTTP/1.1\r\nHost: x\r\n\r\n"), 400, "law");
        jsonError(send("GET /api/estimate?model=gpt2&%zz=1 HTTP/1.1\r\nHost: x\r\n\r\n"), 400, "query");
        assertThat(send("GET /api/estimate?model=gpt2&batch=%32 HTTP/1.1\r\nHost: x\r\n\r\n")
                        .status())
                .isEqualTo(200); // %32 is "2"
    }

    /**
     * Issue 28, finding 6: a multipart body the servlet cannot parse (no part, no closing boundary, no boundary at all)
     * escaped as a 500 "ServletException" from every route that reads a form.
     */
    @Test
    void aBrokenMultipartBodyIs400NamingTheBody() throws Exception {
        String[][] bodies = {
            {"multipart/form-data; boundary=b", ""}, // the probe's: curl --data-binary ''
            {"multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=\"data\"\r\n\r\nN,D"},
            {"multipart/form-data; boundary=b", "--x\r\n\r\n--x--\r\n"},
            {"multipart/form-data", "xx"}
        };
        for (String path : new String[] {"/", "/scaling/fit", "/chart/fit.png", "/scaling/residuals.csv"})
            for (String[] b : bodies) {
                byte[] body = b[1].getBytes(StandardCharsets.UTF_8);
                String head = "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: " + b[0] + "\r\nContent-Length: "
                        + body.length + "\r\n\r\n";
                assertThat(jsonError(send(head + b[1]), 400, "body"))
                        .as(path + " " + b[1])
                        .startsWith("request body is not a readable form");
            }
    }
}
