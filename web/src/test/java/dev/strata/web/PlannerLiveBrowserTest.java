package dev.strata.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.web.render.Render;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The planner's live updates and interactive charts in a real headless Chromium (as {@link BrowserTest}), against the
 * real server on a free local port. With {@code -Dstrata.screenshots=DIR} it saves the planner at 1440 and 390 px.
 */
class PlannerLiveBrowserTest extends ServedInChromium {

    @BeforeEach
    void desktop() {
        driver.manage().window().setSize(new Dimension(1440, 1400));
    }

    @Test
    void theResultsFollowTheFieldsWithoutAPageLoadAndTheUrlFollows() throws Exception {
        String q = "model=llama-3-8b&hardware=h100-sxm&devices=1&batch=8&prompt=1024&generate=256";
        open("/?" + q);
        JavascriptExecutor js = driver;
        // a page load would drop this
        js.executeScript("window.strataMarker = 'kept';");
        String before = tpot();

        WebElement batch = driver.findElement(By.id("batch"));
        batch.clear();
        batch.sendKeys("64");
        new WebDriverWait(driver, Duration.ofSeconds(20)).until(d -> !tpot().equals(before));
        assertThat(js.executeScript("return window.strataMarker")).isEqualTo("kept");
        new WebDriverWait(driver, Duration.ofSeconds(10))
                .until(d -> d.getCurrentUrl().contains("batch=64"));
        assertThat(driver.getCurrentUrl()).contains("model=llama-3-8b").contains("hardware=h100-sxm");
        // the card is the API's number for the state the URL holds (the card has 3 significant digits: 0.5 %)
        JsonNode api = Render.MAPPER.readTree(fetch(base + "/api/estimate?" + q.replace("batch=8", "batch=64")));
        assertThat(PlannerPageTest.seconds(tpot()))
                .isCloseTo(api.at("/latency/decodeSecondsPerToken/calibrated").doubleValue(), withinPercentage(0.5));
        // the chart data followed too, and the charts are drawn again
        waitForCharts();
        assertThat(driver.findElement(By.id("sweep-plot")).getAttribute("data-chosen"))
                .isEqualTo("64");

        // a bad value shows next to its field, still without a page load, and a good one clears it
        batch.clear();
        batch.sendKeys("0");
        new WebDriverWait(driver, Duration.ofSeconds(20))
                .until(d -> !d.findElements(By.id("error-batch")).isEmpty());
        assertThat(driver.findElement(By.id("error-batch")).getText()).startsWith("batch = 0 is not allowed");
        assertThat(js.executeScript("return window.strataMarker")).isEqualTo("kept");
        // Chromium logs the 400 answer of the refused value, and nothing else was logged meanwhile
        for (LogEntry e : driver.manage().logs().get(LogType.BROWSER))
            assertThat(e.getMessage()).contains("batch=0").contains("status of 400");
        batch.clear();
        batch.sendKeys("16");
        new WebDriverWait(driver, Duration.ofSeconds(20))
                .until(d -> d.findElements(By.id("error-batch")).isEmpty()
                        && d.getCurrentUrl().contains("batch=16"));

        // an advanced field: the layout shown follows
        driver.findElement(By.cssSelector("#more summary")).click();
        WebElement tp = driver.findElement(By.id("tp"));
        tp.sendKeys("1");
        new WebDriverWait(driver, Duration.ofSeconds(20))
                .until(d -> d.findElement(By.id("layout")).getText().contains("(as given)"));
        assertThat(driver.getCurrentUrl()).contains("tp=1");
        assertThat(js.executeScript("return window.strataMarker")).isEqualTo("kept");
        assertNoConsoleProblems();
    }

    @Test
    void theModelPickerSearchesThePresetsAndTakesAnUploadedConfig() throws Exception {
        open("/?model=llama-3-8b&hardware=h100-sxm&batch=4");
        WebElement search = driver.findElement(By.id("model-search"));
        assertThat(search.isDisplayed()).isTrue();
        search.sendKeys("mixtral");
        Select models = new Select(driver.findElement(By.id("model")));
        // the chosen model stays; every other option left names Mixtral
        for (WebElement o : models.getOptions())
            if (!o.getAttribute("value").equals("llama-3-8b"))
                assertThat(o.getAttribute("value") + " " + o.getText()).containsIgnoringCase("mixtral");
        assertThat(models.getOptions()).hasSizeGreaterThan(1);

        // a config.json chosen from disk: its model's numbers, with no page load; the count is the one posted to the
        // API
        driver.executeScript("window.strataMarker = 'kept';");
        Path file = Path.of("testdata", "hf-configs", "mixtral-8x7b-v0.1.json").toAbsolutePath();
        driver.findElement(By.id("config-file")).sendKeys(file.toString());
        new WebDriverWait(driver, Duration.ofSeconds(20))
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class) // the results are replaced live
                .until(d -> d.findElement(By.id("showing")).getText().contains("mixtral"));
        // 46,702,792,704: Mixtral 8x7B's published count (PublishedCountsTest), exact
        assertThat(driver.findElement(By.id("showing")).getText()).contains("46,702,792,704 parameters");
        assertThat(driver.executeScript("return window.strataMarker")).isEqualTo("kept");
        assertNoConsoleProblems();
    }

    @Test
    void theChartsShowValuesOnHoverAndMarkTheChosenAndTheLargestBatch() throws Exception {
        open("/?model=llama-3-8b&hardware=h100-sxm&devices=1&batch=8&prompt=1024&generate=256");
        waitForCharts();
        // the server's images stay in the page (export, no JavaScript) but are hidden behind the interactive charts
        assertThat(driver.findElement(By.id("sweep-chart")).isDisplayed()).isFalse();
        assertThat(driver.findElement(By.cssSelector("#sweep-plot .uplot")).isDisplayed())
                .isTrue();
        WebElement over = driver.findElement(By.cssSelector("#sweep-plot .u-over"));
        new Actions(driver).moveToElement(over).perform();
        // the legend shows the values under the cursor: a whole batch, times in ms, a throughput
        List<WebElement> values = driver.findElements(By.cssSelector("#sweep-plot .u-legend .u-value"));
        new WebDriverWait(driver, Duration.ofSeconds(5))
                .until(d -> values.get(2).getText().endsWith(" ms"));
        assertThat(values.get(0).getText()).matches("[0-9,]+");
        assertThat(values.get(1).getText()).matches("[0-9.]+ ms");
        assertThat(values.get(3).getText()).matches("[0-9,]+ tok/s");
        // legends in words
        List<String> labels = new ArrayList<>();
        for (WebElement l : driver.findElements(By.cssSelector("#memory-plot .u-legend .u-label")))
            labels.add(l.getText());
        assertThat(labels).contains("KV cache", "runtime overhead", "weights", "device memory");
        WebElement memory = driver.findElement(By.cssSelector("#memory-plot .u-over"));
        new Actions(driver)
                .moveToElement(memory, -memory.getSize().getWidth() / 4, 0)
                .perform();
        new WebDriverWait(driver, Duration.ofSeconds(5))
                .until(d -> d.findElements(By.cssSelector("#memory-plot .u-legend .u-value")).stream()
                        .anyMatch(v -> v.getText().endsWith(" GB")));
        // the marks: the batch of the page and the largest that fits (the API's capacity.maxBatch)
        JsonNode api = Render.MAPPER.readTree(fetch(
                base + "/api/estimate?model=llama-3-8b&hardware=h100-sxm&devices=1&batch=8&prompt=1024&generate=256"));
        assertThat(driver.findElement(By.id("sweep-plot")).getAttribute("data-max"))
                .isEqualTo(String.valueOf(api.at("/capacity/maxBatch").longValue()));
        screenshot("planner", true);
        assertNoConsoleProblems();
    }

    @Test
    void onAPhoneTheLivePlannerDoesNotScrollSideways() throws Exception {
        driver.manage().window().setSize(new Dimension(390, 844));
        open("/?model=llama-3.1-70b&hardware=h100-sxm&devices=6&batch=16");
        waitForCharts();
        JavascriptExecutor js = driver;
        assertThat((Long) js.executeScript("return document.documentElement.scrollWidth - window.innerWidth"))
                .as("scrolls sideways by this many pixels")
                .isLessThanOrEqualTo(0L);
        for (String id : new String[] {"memory-plot", "sweep-plot"})
            assertThat((Long) js.executeScript(
                            "return Math.ceil(document.querySelector('#' + arguments[0] + ' .uplot')"
                                    + ".getBoundingClientRect().right)",
                            id))
                    .as(id)
                    .isLessThanOrEqualTo(390L);
        driver.findElement(By.cssSelector("#more summary")).click();
        assertThat((Long) js.executeScript("return document.documentElement.scrollWidth - window.innerWidth"))
                .as("with More options open")
                .isLessThanOrEqualTo(0L);
        driver.findElement(By.cssSelector("#more summary")).click();
        screenshot("planner-phone", true);
        assertNoConsoleProblems();
    }

    /** Loads a page, drops what earlier pages logged, and waits until its charts are drawn. */
    private static void open(String path) {
        driver.get(base + path);
        driver.manage().logs().get(LogType.BROWSER);
        waitForCharts();
    }

    private static void waitForCharts() {
        new WebDriverWait(driver, Duration.ofSeconds(20))
                .until(d -> d.findElements(By.cssSelector("#memory-plot.live .uplot"))
                                        .size()
                                == 1
                        && d.findElements(By.cssSelector("#sweep-plot.live .uplot"))
                                        .size()
                                == 1);
    }

    private static String tpot() {
        return driver.findElement(By.cssSelector("[data-quantity='tpot'] .value"))
                .getText();
    }

    /** Nothing refused by the content security policy, no error or warning on the console. */
    private static void assertNoConsoleProblems() {
        List<String> problems = new ArrayList<>();
        for (LogEntry e : driver.manage().logs().get(LogType.BROWSER))
            // the browser asks for a favicon of its own accord; the app has none, and no page names one
            if ((e.getLevel().intValue() >= Level.WARNING.intValue()
                            || e.getMessage().contains("Content Security Policy"))
                    && !e.getMessage().contains("/favicon.ico ")) problems.add(e.getMessage());
        assertThat(problems).isEmpty();
    }
}
