package dev.strata.web;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/** The real headless Chromium the browser tests drive: Debian's chromium and chromium-driver (.ci/run installs them). */
final class Chromium {
    private Chromium() {}

    /**
     * A fresh headless Chromium with its own profile, a 1440 x 1400 window and its console kept for the test to read
     * (what the content security policy refused shows there); fails saying what to install when it is missing.
     */
    static ChromeDriver start() throws IOException {
        Path chromium = Path.of("/usr/bin/chromium"), chromedriver = Path.of("/usr/bin/chromedriver");
        if (!Files.isExecutable(chromium) || !Files.isExecutable(chromedriver))
            throw new AssertionError(
                    "the browser tests need Debian's chromium and chromium-driver (apt-get install chromium chromium-driver; .ci/run installs them)");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.toFile());
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--window-size=1440,1400",
                "--user-data-dir=" + Files.createTempDirectory("strata-chromium"));
        options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(chromedriver.toFile())
                .usingAnyFreePort()
                .build();
        return new ChromeDriver(service, options);
    }

    /**
     * What the page logged at warning or above, and any content-security-policy refusal; Chromium's own request for an
     * icon (the app has none), once a session, is not the page's.
     */
    static java.util.List<String> consoleProblems(ChromeDriver driver) {
        java.util.List<String> problems = new java.util.ArrayList<>();
        for (org.openqa.selenium.logging.LogEntry e :
                driver.manage().logs().get(org.openqa.selenium.logging.LogType.BROWSER))
            if (e.getMessage().contains("/favicon.ico ")) continue;
            else if (e.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()
                    || e.getMessage().contains("Content Security Policy")) problems.add(e.getMessage());
        return problems;
    }

    /** Saves a screenshot (the whole page up to 6,000 pixels tall) when -Dstrata.screenshots=DIR is set. */
    static void screenshot(ChromeDriver driver, String name, boolean wholePage) throws IOException {
        String dir = System.getProperty("strata.screenshots");
        if (dir == null || dir.isBlank()) return;
        Files.createDirectories(Path.of(dir));
        org.openqa.selenium.Dimension window = driver.manage().window().getSize();
        if (wholePage) {
            long height = (Long) driver.executeScript("return document.documentElement.scrollHeight;");
            int inner = ((Long) driver.executeScript("return window.innerHeight;")).intValue();
            driver.manage().window().setSize(new org.openqa.selenium.Dimension(window.getWidth(), (int)
                    Math.min(6000, height + (window.getHeight() - inner))));
        }
        try {
            Files.write(Path.of(dir, name + ".png"), driver.getScreenshotAs(org.openqa.selenium.OutputType.BYTES));
        } finally {
            if (wholePage) driver.manage().window().setSize(window);
        }
    }
}
