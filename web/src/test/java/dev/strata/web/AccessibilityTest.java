package dev.strata.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.web.http.StrataServer;
import io.javalin.Javalin;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Every page, at desktop and phone widths, with nothing logged to the browser's console as an error, and checked by
 * Deque's axe-core (its WebJar, pinned in the parent pom) inside
 * the real headless Chromium against the real server: no violation of serious or critical impact (axe's WCAG 2.0/2.1
 * A and AA rules and its best practices).
 */
class AccessibilityTest {
    private static Javalin app;
    private static ChromeDriver driver;
    private static String base;
    private static String axe;

    /** The pages, each in a state that shows its results (and the planner with a setup that does not fit). */
    static final List<String> PAGES = List.of(
            "/",
            "/?model=llama-3.1-70b&hardware=h100-sxm&devices=1",
            "/compare?model=llama-3.1-70b&hardware=h100-sxm,h200-sxm,mi300x&devices=2",
            "/capacity",
            "/capacity?model=llama-3-8b&rate=10&prompt=1024&generate=256&ttft-p90-ms=12.1&tpot-p90-ms=50&hardware=h100-sxm&mode=aggregated",
            "/hardware",
            "/hardware?hardware=h100-sxm&device-memory-gib=96&price=3",
            "/training",
            "/training?search=true",
            "/scaling",
            "/validation",
            "/validation?device=cpu",
            "/models",
            "/api-docs",
            "/nowhere");

    @BeforeAll
    static void start() throws IOException {
        try (InputStream in = AccessibilityTest.class.getResourceAsStream(
                "/META-INF/resources/webjars/axe-core/" + axeVersion() + "/axe.min.js")) {
            if (in == null) throw new AssertionError("axe-core's WebJar is not on the test classpath");
            axe = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        app = StrataServer.create().start("127.0.0.1", 0);
        base = "http://127.0.0.1:" + app.port();
        driver = Chromium.start();
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(60));
    }

    /** The version directory inside the WebJar (the one the parent pom pins). */
    private static String axeVersion() throws IOException {
        try (InputStream in = AccessibilityTest.class.getResourceAsStream(
                "/META-INF/maven/org.webjars.npm/axe-core/pom.properties")) {
            java.util.Properties p = new java.util.Properties();
            p.load(in);
            return p.getProperty("version");
        }
    }

    @AfterAll
    static void stop() {
        if (driver != null) driver.quit();
        if (app != null) app.stop();
    }

    @Test
    void noPageLogsAnErrorToTheConsoleNorScrollsSidewaysOnAPhone() {
        List<String> found = new ArrayList<>();
        for (int width : new int[] {1440, 390}) {
            driver.manage().window().setSize(new Dimension(width, 1400));
            for (String page : PAGES) {
                driver.manage().logs().get(LogType.BROWSER); // drops what earlier pages logged
                driver.get(base + page);
                if (page.equals("/api-docs"))
                    new WebDriverWait(driver, Duration.ofSeconds(30))
                            .until(d -> !d.findElements(By.cssSelector(".swagger-ui .opblock"))
                                    .isEmpty());
                for (LogEntry e : driver.manage().logs().get(LogType.BROWSER))
                    // the page that does not exist is answered 404, which Chromium logs; nothing else may be
                    if (e.getLevel().intValue() >= Level.SEVERE.intValue() && !page.equals("/nowhere"))
                        found.add(page + " at " + width + " px: " + e.getMessage());
                if (width == 390) {
                    long overflow = (Long)
                            driver.executeScript("return document.documentElement.scrollWidth - window.innerWidth");
                    if (overflow > 0) found.add(page + " scrolls sideways by " + overflow + " px at 390 px");
                }
            }
        }
        assertThat(found).as("console errors and sideways scrolling").isEmpty();
    }

    @Test
    void noPageHasASeriousOrCriticalViolation() {
        List<String> found = new ArrayList<>();
        for (int width : new int[] {1440, 390}) {
            driver.manage().window().setSize(new Dimension(width, 1400));
            for (String page : PAGES) {
                driver.get(base + page);
                if (page.equals("/api-docs")) // Swagger UI renders after its script has fetched /openapi.json
                new WebDriverWait(driver, Duration.ofSeconds(30))
                            .until(d -> !d.findElements(By.cssSelector(".swagger-ui .opblock"))
                                            .isEmpty()
                                    && !d.findElements(
                                                    By.cssSelector(".swagger-ui .models, .swagger-ui section.models"))
                                            .isEmpty());
                found.addAll(violations(page + " at " + width + " px"));
            }
        }
        assertThat(found)
                .as("axe-core violations of serious or critical impact")
                .isEmpty();
    }

    /** Runs axe on the loaded page; each serious or critical violation as "page: rule (impact): target, ...". */
    @SuppressWarnings("unchecked")
    private static List<String> violations(String where) {
        driver.executeScript(axe);
        Object result = driver.executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "axe.run(document, {resultTypes: ['violations']})"
                + ".then(r => done(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')"
                + ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
                + " targets: v.nodes.slice(0, 5).map(n => n.target.join(' '))}))))"
                + ".catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e), targets: []}]));");
        List<String> out = new ArrayList<>();
        for (Object o : (List<Object>) result) {
            Map<String, Object> v = (Map<String, Object>) o;
            out.add(where + ": " + v.get("id") + " (" + v.get("impact") + ", " + v.get("help") + "): "
                    + v.get("targets"));
        }
        return out;
    }
}
