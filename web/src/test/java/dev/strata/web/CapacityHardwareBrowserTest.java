package dev.strata.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.data.HardwareCatalog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The capacity and hardware pages in a real headless Chromium against the real server, at a desktop's and a phone's
 * width: no sideways scrolling, no console errors, charts drawn. With {@code -Dstrata.screenshots=DIR} it saves a
 * screenshot of each page at each width.
 */
class CapacityHardwareBrowserTest extends ServedInChromium {

    /** The capacity page as a first visit shows it (its form's defaults). */
    private static final String CAPACITY =
            "/capacity?model=llama-3-8b&rate=10&prompt=lognormal%3A1024%3A0.5&generate=256&ttft-p90-ms=500"
                    + "&tpot-p90-ms=50&hardware=";

    @Test
    void theCapacityPageFitsADesktopAndAPhoneAndItsFormLeadsToTheResult() throws Exception {
        for (int width : new int[] {1440, 390}) {
            open(CAPACITY, width);
            assertThat(driver.getTitle()).isEqualTo("Capacity · strata");
            assertThat(driver.findElements(By.cssSelector("#deployments tbody tr")))
                    .isNotEmpty();
            chartsDrawn(width);
            fits(width);
            screenshot(width == 1440 ? "capacity" : "capacity-phone", true);
            noConsoleErrors(CAPACITY);
        }
        // with JavaScript the plan follows the fields, with no page load
        open(CAPACITY, 1440);
        ((JavascriptExecutor) driver).executeScript("window.strataMarker = 'kept';");
        WebElement live = driver.findElement(By.id("rate"));
        live.clear();
        live.sendKeys("15");
        new WebDriverWait(driver, Duration.ofSeconds(60))
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .until(d -> d.findElement(By.id("best-cards")).getText().contains("asked 15.0"));
        assertThat(((JavascriptExecutor) driver).executeScript("return window.strataMarker"))
                .isEqualTo("kept");
        assertThat(driver.getCurrentUrl()).contains("rate=15");
        // the form submits by GET to the page with its state in the URL, and the result comes with the answer
        open("/capacity", 1440);
        WebElement rate = driver.findElement(By.id("rate"));
        assertThat(rate.getAttribute("inputmode")).isEqualTo("decimal");
        rate.clear();
        rate.sendKeys("20");
        driver.findElement(By.cssSelector("#capacity button")).click();
        new WebDriverWait(driver, Duration.ofSeconds(60))
                .until(d -> d.getCurrentUrl().contains("rate=20"));
        assertThat(driver.findElement(By.id("best-cards")).getText()).contains("asked 20.0");
        noConsoleErrors("/capacity?rate=20");
    }

    @Test
    void theHardwarePageFitsADesktopAndAPhoneWithItsTableScrollingInItsBox() throws Exception {
        for (int width : new int[] {1440, 390}) {
            open("/hardware", width);
            assertThat(driver.getTitle()).isEqualTo("Hardware · strata");
            assertThat(driver.findElements(By.cssSelector("#hardware-table tbody tr")))
                    .hasSize(HardwareCatalog.all().size());
            fits(width);
            if (width == 390) {
                // the table is wider than a phone: it scrolls inside its own box, not the page
                WebElement box = driver.findElement(By.cssSelector(".table-scroll")),
                        table = driver.findElement(By.id("hardware-table"));
                JavascriptExecutor js = driver;
                assertThat((Long) js.executeScript(
                                "return Math.max(arguments[0].scrollWidth - arguments[0].clientWidth,"
                                        + " arguments[1].scrollWidth - arguments[1].clientWidth)",
                                box,
                                table))
                        .isPositive();
            }
            screenshot(width == 1440 ? "hardware" : "hardware-phone", true);
            noConsoleErrors("/hardware");
        }
        // with JavaScript the custom device follows its fields, with no page load
        open("/hardware", 1440);
        ((JavascriptExecutor) driver).executeScript("window.strataMarker = 'kept';");
        driver.findElement(By.id("bandwidth-gbs")).sendKeys("4000");
        new WebDriverWait(driver, Duration.ofSeconds(20))
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .until(d -> !d.findElements(By.id("custom-table")).isEmpty()
                        && d.findElement(By.id("custom-table")).getText().contains("4.00 TB/s"));
        assertThat(((JavascriptExecutor) driver).executeScript("return window.strataMarker"))
                .isEqualTo("kept");
        assertThat(driver.getCurrentUrl()).contains("bandwidth-gbs=4000");
        // a custom device: the form's answer shows it and links to its estimate
        open("/hardware?hardware=h100-sxm&device-memory-gib=96&bandwidth-gbs=4000&price=3", 390);
        assertThat(driver.findElement(By.id("custom-table")).getText()).contains("4.00 TB/s");
        fits(390);
        noConsoleErrors("/hardware with a custom device");
    }

    private static void open(String path, int width) {
        driver.manage().window().setSize(new Dimension(width, width == 1440 ? 1400 : 844));
        driver.manage().logs().get(LogType.BROWSER); // drops what earlier pages logged
        driver.get(base + path);
        new WebDriverWait(driver, Duration.ofSeconds(60))
                .until(d -> "complete".equals(((JavascriptExecutor) d).executeScript("return document.readyState")));
    }

    /** No sideways scrolling at {@code width}, and every link of the navigation on screen. */
    private static void fits(int width) {
        JavascriptExecutor js = driver;
        assertThat((Long) js.executeScript("return document.documentElement.scrollWidth - window.innerWidth"))
                .as("scrolls sideways by this many pixels at " + width)
                .isLessThanOrEqualTo(0L);
        for (WebElement a : driver.findElements(By.cssSelector("nav a")))
            assertThat((Long) js.executeScript("return Math.ceil(arguments[0].getBoundingClientRect().right)", a))
                    .as(a.getText())
                    .isLessThanOrEqualTo((long) width);
    }

    /** Each chart of the page loaded; on a phone, the one drawn for its width (380 px). */
    private static void chartsDrawn(int width) {
        List<WebElement> charts = driver.findElements(By.cssSelector("img.chart"));
        assertThat(charts).hasSize(2);
        for (WebElement img : charts) {
            new WebDriverWait(driver, Duration.ofSeconds(60))
                    .until(d -> Boolean.TRUE.equals(((JavascriptExecutor) d)
                            .executeScript("return arguments[0].complete && arguments[0].naturalWidth > 0", img)));
            assertThat((Long) ((JavascriptExecutor) driver).executeScript("return arguments[0].naturalWidth", img))
                    .isEqualTo(width == 1440 ? 900L : 380L);
        }
    }

    private static void noConsoleErrors(String what) {
        List<String> problems = new ArrayList<>();
        for (LogEntry e : driver.manage().logs().get(LogType.BROWSER))
            if (e.getLevel().intValue() >= Level.WARNING.intValue()
                    || e.getMessage().contains("Content Security Policy")) problems.add(e.getMessage());
        assertThat(problems).as(what).isEmpty();
    }
}
