package dev.strata.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The compare page, and the live forms of the compare, training and scaling pages, in a real headless Chromium (as
 * {@link BrowserTest}), against the real server on a free local port.
 * With {@code -Dstrata.screenshots=DIR} it saves the page at 1440 px ({@code compare.png}) and 390 px
 * ({@code compare-phone.png}).
 */
class CompareBrowserTest extends ServedInChromium {

    private static final String THREE_DEVICES =
            "/compare?model=llama-3.1-70b&hardware=h100-sxm,h200-sxm,mi300x&devices=2";

    @Test
    void theBestTimePerOutputTokenIsTheSmallestOfTheThreeDevices() throws Exception {
        driver.manage().logs().get(LogType.BROWSER); // drops what earlier pages logged
        driver.get(base + THREE_DEVICES);
        assertThat(driver.getTitle()).isEqualTo("Compare setups · strata");
        List<WebElement> tpot = driver.findElements(By.cssSelector("td[data-quantity='tpot']"));
        assertThat(tpot).hasSize(3);
        List<Double> seconds = new ArrayList<>();
        WebElement best = null;
        for (WebElement cell : tpot) {
            seconds.add(seconds(cell.findElement(By.cssSelector(".value")).getText()));
            if (cell.getAttribute("class").contains("best")) {
                assertThat(best).as("one best").isNull();
                best = cell;
            }
        }
        assertThat(best).isNotNull();
        assertThat(best.getText()).contains("best"); // the mark is visible, not only a class
        double smallest = seconds.stream().min(Double::compare).orElseThrow();
        assertThat(seconds(best.findElement(By.cssSelector(".value")).getText()))
                .isEqualTo(smallest);
        // the headers name the devices, in the order of the list
        List<String> headers = new ArrayList<>();
        for (WebElement th : driver.findElements(By.cssSelector("#compare th[data-setup]"))) headers.add(th.getText());
        assertThat(headers).hasSize(3);
        assertThat(headers.get(0)).startsWith("H100 SXM5 80GB");
        assertThat(headers.get(1)).startsWith("H200 SXM 141GB");
        assertThat(headers.get(2)).startsWith("Instinct MI300X 192GB");
        screenshot("compare", true);
        assertNoConsoleProblems();
    }

    @Test
    void theComparisonAndTheTrainingPageFollowTheirFieldsWithoutAPageLoad() throws Exception {
        driver.manage().logs().get(LogType.BROWSER);
        driver.get(base + THREE_DEVICES);
        JavascriptExecutor js = driver;
        js.executeScript("window.strataMarker = 'kept';"); // a page load would drop it
        WebElement hardware = driver.findElement(By.name("hardware"));
        hardware.clear();
        hardware.sendKeys("h100-sxm,h200-sxm");
        new WebDriverWait(driver, Duration.ofSeconds(20))
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .until(d -> d.findElements(By.cssSelector("td[data-quantity='tpot']"))
                                .size()
                        == 2);
        assertThat(js.executeScript("return window.strataMarker")).isEqualTo("kept");
        new WebDriverWait(driver, Duration.ofSeconds(10))
                .until(d -> d.getCurrentUrl().contains("hardware=h100-sxm%2Ch200-sxm"));
        // a bad item shows next to its field, still without a page load
        hardware.sendKeys(",nope");
        new WebDriverWait(driver, Duration.ofSeconds(20))
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .until(d -> !d.findElements(By.cssSelector("#compare-form .field-error"))
                        .isEmpty());
        assertThat(driver.findElement(By.cssSelector("#compare-form .field-error"))
                        .getText())
                .contains("nope");
        assertThat(js.executeScript("return window.strataMarker")).isEqualTo("kept");

        // the training page: more devices, another step, no page load
        driver.get(base + "/training?model=llama-3-8b&hardware=h100-sxm&devices=8&tokens=1e12");
        js.executeScript("window.strataMarker = 'kept';");
        String before = driver.findElement(By.id("step-table")).getText();
        WebElement devices = driver.findElement(By.name("devices"));
        devices.clear();
        devices.sendKeys("16");
        new WebDriverWait(driver, Duration.ofSeconds(30))
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .until(d -> !d.findElement(By.id("step-table")).getText().equals(before));
        assertThat(js.executeScript("return window.strataMarker")).isEqualTo("kept");
        assertThat(driver.getCurrentUrl()).contains("devices=16");
        // refused values are answered 400 (logged by Chromium); nothing else may be logged
        for (LogEntry e : driver.manage().logs().get(LogType.BROWSER))
            assertThat(e.getMessage()).contains("status of 400");
    }

    @Test
    void theScalingBudgetFollowsItsFieldsAndTheRunsTypedForAFitStay() {
        driver.manage().logs().get(LogType.BROWSER);
        driver.get(base + "/scaling?law=chinchilla&compute=5.76e23");
        JavascriptExecutor js = driver;
        js.executeScript("window.strataMarker = 'kept';");
        driver.findElement(By.id("data")).sendKeys("N,D,loss\n1e8,2e9,3.1\n");
        String before = driver.findElement(By.id("optimal-table")).getText();
        WebElement compute = driver.findElement(By.id("compute"));
        compute.clear();
        compute.sendKeys("1e24");
        new WebDriverWait(driver, Duration.ofSeconds(30))
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .until(d -> !d.findElement(By.id("optimal-table")).getText().equals(before));
        assertThat(js.executeScript("return window.strataMarker")).isEqualTo("kept");
        assertThat(driver.getCurrentUrl()).contains("compute=1e24");
        // the fit's runs are still there, and the fit now posts with the new budget
        assertThat(driver.findElement(By.id("data")).getAttribute("value")).contains("1e8,2e9,3.1");
        assertThat(driver.findElement(By.id("fit-form")).getAttribute("action")).contains("compute=1e24");
        assertNoConsoleProblems();
    }

    @Test
    void onAPhoneTheTableScrollsInsideItsContainerAndThePageDoesNot() throws Exception {
        Dimension window = driver.manage().window().getSize();
        driver.manage().window().setSize(new Dimension(390, 844));
        try {
            driver.manage().logs().get(LogType.BROWSER);
            driver.get(base + THREE_DEVICES);
            new WebDriverWait(driver, Duration.ofSeconds(20))
                    .until(d ->
                            "complete".equals(((JavascriptExecutor) d).executeScript("return document.readyState")));
            JavascriptExecutor js = driver;
            assertThat((Long) js.executeScript("return window.innerWidth")).isLessThanOrEqualTo(390L);
            assertThat((Long) js.executeScript("return document.documentElement.scrollWidth - window.innerWidth"))
                    .as("the page scrolls sideways by this many pixels")
                    .isLessThanOrEqualTo(0L);
            // the table is wider than the screen and scrolls in its own box
            assertThat(
                            (Boolean)
                                    js.executeScript(
                                            "const s = document.querySelector('.compare-scroll'); return s.scrollWidth > s.clientWidth"))
                    .isTrue();
            for (String name : new String[] {"devices", "batch", "prompt", "generate", "tp"})
                assertThat(driver.findElement(By.name(name)).getAttribute("inputmode"))
                        .as(name)
                        .isEqualTo("numeric");
            screenshot("compare-phone", true);
            assertNoConsoleProblems();
        } finally {
            driver.manage().window().setSize(window);
        }
    }

    @Test
    void theFormIsAGetWhoseUrlIsTheComparison() {
        driver.get(base + "/?model=llama-3-8b&hardware=h100-sxm&devices=1");
        driver.findElement(By.id("compare-link")).click();
        new WebDriverWait(driver, Duration.ofSeconds(20))
                .until(d -> d.getCurrentUrl().contains("/compare?"));
        assertThat(driver.findElements(By.cssSelector("#compare th[data-setup]")))
                .hasSize(1);
        WebElement weights = driver.findElement(By.id("weights"));
        weights.clear();
        weights.sendKeys("bf16,fp8,int4");
        driver.findElement(By.cssSelector("#compare-form button[type=submit]")).click();
        new WebDriverWait(driver, Duration.ofSeconds(20))
                .until(d -> d.getCurrentUrl().contains("weights=bf16%2Cfp8%2Cint4"));
        assertThat(driver.findElements(By.cssSelector("#compare th[data-setup]")))
                .hasSize(3);
        assertThat(driver.findElement(By.cssSelector("#compare th[data-setup='3']"))
                        .getText())
                .startsWith("int4");
    }

    /** A duration as the page shows it ({@code Show.seconds}: 19.6 ns, 843 µs, 7.40 ms, 1.32 s), in seconds. */
    private static double seconds(String text) {
        String[] parts = text.trim().split(" ");
        double v = Double.parseDouble(parts[0].replace(",", ""));
        return switch (parts[1]) {
            case "ns" -> v * 1e-9;
            case "µs" -> v * 1e-6;
            case "ms" -> v * 1e-3;
            case "s" -> v;
            case "min" -> v * 60;
            case "h" -> v * 3600;
            default -> throw new AssertionError("unit of " + text);
        };
    }

    private static void assertNoConsoleProblems() {
        assertThat(Chromium.consoleProblems(driver)).isEmpty();
    }
}
