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
}
