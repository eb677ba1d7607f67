package dev.strata.web;

import dev.strata.web.http.StrataServer;
import io.javalin.Javalin;
import java.io.IOException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * A browser test class's real server on a free port and its headless Chromium ({@link Chromium}), started once before
 * the class's tests and stopped after them. Test classes run one after another, so the fields serve one class at a
 * time.
 */
abstract class ServedInChromium {
    static Javalin app;
    static ChromeDriver driver;
    /** The server's address, {@code http://127.0.0.1:PORT}. */
    static String base;

    @BeforeAll
    static void startServerAndChromium() throws IOException {
        app = StrataServer.create().start("127.0.0.1", 0);
        base = "http://127.0.0.1:" + app.port();
        driver = Chromium.start();
    }

    /** The body of a GET of {@code url}, which must answer 200. */
    static String fetch(String url) throws Exception {
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient()
                .send(
                        java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
        org.assertj.core.api.Assertions.assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    /** {@link Chromium#screenshot} of this class's browser. */
    static void screenshot(String name, boolean wholePage) throws IOException {
        Chromium.screenshot(driver, name, wholePage);
    }

    @AfterAll
    static void stopServerAndChromium() {
        if (driver != null) driver.quit();
        if (app != null) app.stop();
        driver = null;
        app = null;
    }
}
