package dev.strata.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.web.http.StrataServer;
import dev.strata.web.render.Render;
import io.javalin.Javalin;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The server's conventions (issue 27): a request-log line per request, {@code /healthz}, {@code /api/version}, a taken
 * port or a bad host as one line and exit 2, and a clean stop on SIGTERM that lets the request in flight finish.
 */
class OperableServerTest {
    static final HttpClient HTTP = HttpClient.newHttpClient();

    static HttpResponse<String> get(Javalin app, String path) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** time, method, path, status, bytes, duration ({@link StrataServer#REQUEST_LOG_FORMAT}) */
    static final Pattern LOG_LINE = Pattern.compile(
            "\\[\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z] (GET|POST|HEAD) (\\S+) (\\d{3}) (\\d+) (\\d+)ms");

    @Test
    void everyRequestIsLoggedOnOneLineAndHealthAndVersionAnswer() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        Javalin app = StrataServer.create(log::add).start("127.0.0.1", 0);
        try {
            var health = get(app, "/healthz");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).isEqualTo("ok\n");
            var version = get(app, "/api/version");
            assertThat(version.statusCode()).isEqualTo(200);
            JsonNode v = Render.MAPPER.readTree(version.body());
            assertThat(v.path("version").asText()).isEqualTo(Version.VERSION);
            assertThat(v.path("java").asText()).isEqualTo(Runtime.version().toString());
            var estimate = get(app, "/api/estimate?model=gpt2&batch=2");
            var missing = get(app, "/no-such-page");
            assertThat(missing.statusCode()).isEqualTo(404);
        } finally {
            app.stop();
        }
        // Jetty logs a request once its answer is complete: all four are in by the time the server has stopped
        assertThat(log).hasSize(4);
        String[][] expected = {
            {"/healthz", "200"}, {"/api/version", "200"}, {"/api/estimate", "200"}, {"/no-such-page", "404"}
        };
        for (int i = 0; i < 4; i++) {
            Matcher m = LOG_LINE.matcher(log.get(i));
            assertThat(m.matches()).as(log.get(i)).isTrue();
            assertThat(m.group(2)).isEqualTo(expected[i][0]); // the path; the query stays out of the log
            assertThat(m.group(3)).isEqualTo(expected[i][1]);
        }
        Matcher health = LOG_LINE.matcher(log.get(0));
        assertThat(health.matches()).isTrue();
        assertThat(health.group(4)).isEqualTo("3"); // "ok\n"
    }

    @Test
    void aQuietServerLogsNothing() throws Exception {
        Javalin app = StrataServer.create().start("127.0.0.1", 0);
        try {
            assertThat(get(app, "/healthz").statusCode()).isEqualTo(200);
        } finally {
            app.stop();
        }
    }

    @Test
    void aTakenPortOrABadHostIsOneLineAndExit2() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            Cli r = Cli.run("serve", "--port", String.valueOf(port), "--quiet");
            assertThat(r.exitCode()).isEqualTo(2);
            assertThat(r.err().lines())
                    .containsExactly("strata: --port = " + port + " is not allowed: must be a port no other program "
                            + "listens on (127.0.0.1:" + port + " is in use)");
        }
        // 192.0.2.1 is TEST-NET-1 (RFC 5737): never an address of this machine
        Cli notHere = Cli.run("serve", "--host", "192.0.2.1", "--port", "0");
        assertThat(notHere.exitCode()).isEqualTo(2);
        assertThat(notHere.err().lines()).hasSize(1);
        assertThat(notHere.err())
                .startsWith("strata: --host = \"192.0.2.1\" is not allowed: must be an address of this machine");
        // .invalid never resolves (RFC 2606)
        Cli unknown = Cli.run("serve", "--host", "no-such-host.invalid", "--port", "0");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err().lines()).hasSize(1);
        assertThat(unknown.err()).contains("--host").contains("no-such-host.invalid");
        Cli badPort = Cli.run("serve", "--port", "70000");
        assertThat(badPort.exitCode()).isEqualTo(2);
        assertThat(badPort.err()).contains("--port = 70000").contains("0 to 65535");
    }

    @Test
    void sigtermLetsTheRequestInFlightFinishAndStops() throws Exception {
        // a real process, as an operator runs it: `strata serve`, then `kill <pid>` (Process.destroy sends SIGTERM)
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // its output goes to a file: a destroyed process's pipes are closed, the log would be lost
        Path output = Files.createTempFile("strata-serve", ".log");
        Process server = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        Main.class.getName(),
                        "serve",
                        "--port",
                        "0")
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        try {
            String first = "";
            for (int i = 0; i < 600 && first.isEmpty() && server.isAlive(); i++) {
                Thread.sleep(50); // polls for the first line, up to 30 s (a cold JVM on a busy machine)
                first = Files.readString(output).lines().findFirst().orElse("");
            }
            Matcher m =
                    Pattern.compile("strata serving http://127.0.0.1:(\\d+)/.*").matcher(String.valueOf(first));
            assertThat(m.matches()).as(first).isTrue();
            int port = Integer.parseInt(m.group(1));
            try (Socket s = new Socket("127.0.0.1", port)) {
                // 100,000 sweep rows (the HTTP cap), several megabytes: read a little, so that the answer is in
                // flight, stop the server, then read the rest
                OutputStream req = s.getOutputStream();
                req.write(
                        ("GET /api/sweep?model=gpt2&batch=1..100000&format=csv HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                                .getBytes(StandardCharsets.US_ASCII));
                req.flush();
                InputStream in = s.getInputStream();
                byte[] head = in.readNBytes(1024);
                assertThat(new String(head, StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 200");
                server.destroy(); // SIGTERM
                byte[] rest = in.readAllBytes();
                String body = new String(head, StandardCharsets.UTF_8) + new String(rest, StandardCharsets.UTF_8);
                // every row arrived: the header and 100,000 rows, the last one the batch of 100,000 (the fifth column)
                List<String> rows =
                        body.substring(body.indexOf("\r\n\r\n") + 4).lines().toList();
                assertThat(rows).hasSize(100_001);
                assertThat(rows.get(0).split(",")[4]).isEqualTo("batch");
                assertThat(rows.get(100_000).split(",")[4]).isEqualTo("100000");
            }
            // gone within its stop timeout (and a margin for the JVM's exit)
            assertThat(server.waitFor(StrataServer.STOP_TIMEOUT_MS + 20_000, TimeUnit.MILLISECONDS))
                    .isTrue();
            assertThat(server.exitValue()).isEqualTo(143); // 128 + SIGTERM, the JVM's exit after its shutdown hooks
            // the log has the sweep's line: the request finished with 200
            String log = Files.readString(output);
            assertThat(log).containsPattern("GET /api/sweep 200 \\d+ \\d+ms");
        } finally {
            server.destroyForcibly();
            Files.deleteIfExists(output);
        }
    }
}
