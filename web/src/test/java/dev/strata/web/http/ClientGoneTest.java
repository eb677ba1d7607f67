package dev.strata.web.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Issue 28, finding 4's second half: work went on after its client left. A heavy request runs on the heavy pool while
 * its request thread watches the connection ({@link HeavyWork}); a client that closes stops the work, and the request
 * log shows it as {@value StrataServer#CLIENT_CLOSED}. Real sockets against the real server.
 */
class ClientGoneTest {

    /**
     * 450 runs (the fit budget allows 454 at the default 1,000 resamples): a fit that takes seconds here, so it is
     * still running when its client closes after 300 ms.
     */
    static String bigFit() {
        StringBuilder csv = new StringBuilder("N,D,loss\n");
        java.util.Random noise = new java.util.Random(1);
        for (int i = 0; i < 450; i++) {
            double n = 1e7 * Math.pow(1.02, i), d = 20 * n * (1 + 0.5 * noise.nextDouble());
            double loss = (1.7 + 400 / Math.pow(n, 0.34) + 410 / Math.pow(d, 0.28)) * (1 + 0.01 * noise.nextGaussian());
            csv.append(String.format(Locale.ROOT, "%.0f,%.0f,%.6f%n", n, d, loss));
        }
        return csv.toString();
    }

    @Test
    void aFitWhoseClientClosesStopsAndFreesItsSlot() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        Javalin app = StrataServer.create(log::add).start("127.0.0.1", 0);
        try {
            byte[] body = bigFit().getBytes(StandardCharsets.US_ASCII);
            try (Socket s = new Socket("127.0.0.1", app.port())) {
                OutputStream out = s.getOutputStream();
                out.write(("POST /api/fit HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\nContent-Length: "
                                + body.length + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                Thread.sleep(300);
            } // closed: the client has gone
            // and the server goes on: a small fit (16 runs, no resamples) is answered
            String runs = "N,D,loss\n" + smallRuns();
            var ok = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(
                                            URI.create("http://127.0.0.1:" + app.port() + "/api/fit?bootstrap=0"))
                                    .POST(HttpRequest.BodyPublishers.ofString(runs))
                                    .header("Content-Type", "text/csv")
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        } finally {
            app.stop();
        }
        // the request log holds both (in the order they ended, which depends on the slots this machine has)
        assertThat(log).hasSize(2);
        assertThat(log).anyMatch(l -> l.contains("POST /api/fit " + StrataServer.CLIENT_CLOSED + " "));
        assertThat(log).anyMatch(l -> l.contains("POST /api/fit 200 "));
    }

    /** 4 x 4 exact runs of L = 1.82 + 482/N^0.348 + 2085/D^0.366 (Besiroglu et al. 2024's refit, rounded). */
    static String smallRuns() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++) {
                double n = 1e8 * Math.pow(10, i * 2 / 3.0), d = 1e9 * Math.pow(10, j * 2 / 3.0);
                sb.append(String.format(
                        Locale.ROOT,
                        "%.0f,%.0f,%.9f%n",
                        n,
                        d,
                        1.82 + 482 / Math.pow(n, 0.348) + 2085 / Math.pow(d, 0.366)));
            }
        return sb.toString();
    }
}
