package dev.strata.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.web.render.Render;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The interactive charts of the Capacity, Training, Scaling, Validation and Models pages (charts.js) in a real headless Chromium (as {@link
 * CompareBrowserTest}), against the real server on a free local port: each chart drawn with uPlot from the JSON its
 * image is drawn from, the image hidden, values on hover, nothing on the console, no sideways scroll on a phone, and
 * the training and scaling charts drawn again after the live form replaced the page's content. With {@code
 * -Dstrata.screenshots=DIR} it saves the pages ({@code capacity-charts.png}, {@code training-chart.png}, {@code
 * scaling-charts.png}, {@code validation-chart.png}, {@code models-chart.png} and their {@code -phone} versions).
 */
class InteractiveChartsBrowserTest extends ServedInChromium {

    /** The capacity page's first visit: its defaults (CapacityPage.DEFAULTS), Llama 3 8B at 10 requests/s. */
    private static final String CAPACITY_QUERY =
            "model=llama-3-8b&rate=10&prompt=lognormal%3A1024%3A0.5&generate=256&ttft-p90-ms=500&tpot-p90-ms=50";

    private static final String TRAINING_QUERY = "model=llama-3-8b&hardware=h100-sxm&devices=8&tokens=1e12";

    /** A value shown with three significant digits (charts.js's sig) is within half a unit of its third digit. */
    private static final double SHOWN_PERCENT = 0.5;

    @Test
    void theCapacityChartsAreDrawnFromTheirJsonAndShowValuesOnHover() throws Exception {
        driver.manage().logs().get(LogType.BROWSER); // drops what earlier pages logged
        driver.get(base + "/capacity?" + CAPACITY_QUERY);
        waitForChart("frontier-plot", 90);
        waitForChart("latency-plot", 90);
        for (String img : new String[] {"frontier-chart", "latency-chart"})
            assertThat(driver.findElement(By.id(img)).isDisplayed()).as(img).isFalse();

        // the latency chart: on hover, the rate under the cursor and its percentiles, as the JSON gives them
        JsonNode latency = Render.MAPPER.readTree(fetch(base + "/chart/capacity-latency.json?" + CAPACITY_QUERY));
        Map<String, String> shown = hover("latency-plot", 0);
        assertThat(shown.keySet())
                .contains(
                        "time to first token p50",
                        "time to first token p90",
                        "time to first token p99",
                        "time per output token p50",
                        "time per output token p90",
                        "time per output token p99");
        double rate = number(shown.get("requests/s"), " req/s");
        JsonNode point = null;
        for (JsonNode p : latency.get("points"))
            if (Math.abs(p.get("rateRequestsPerSecond").doubleValue() - rate) <= rate * SHOWN_PERCENT / 100) point = p;
        assertThat(point).as("a point of the JSON at the rate shown, " + rate).isNotNull();
        assertThat(number(shown.get("time to first token p90"), " ms"))
                .isCloseTo(point.get("ttftP90Ms").doubleValue(), withinPercentage(SHOWN_PERCENT));
        assertThat(number(shown.get("time per output token p50"), " ms"))
                .isCloseTo(point.get("tpotP50Ms").doubleValue(), withinPercentage(SHOWN_PERCENT));

        // the frontier: on hover, a deployment of /api/plan's pareto, per user and per device
        JsonNode plan = Render.MAPPER.readTree(fetch(base + "/api/plan?" + CAPACITY_QUERY));
        Map<String, String> front = hover("frontier-plot", 0);
        double perUser = number(front.get("per user (p50)"), " tok/s");
        JsonNode best = null;
        for (JsonNode p : plan.get("pareto"))
            if (Math.abs(p.get("outputTokensPerSecondPerUser").doubleValue() - perUser)
                    <= perUser * SHOWN_PERCENT / 100) best = p;
        assertThat(best)
                .as("a point of the pareto at the per-user rate shown, " + perUser)
                .isNotNull();
        assertThat(number(front.get("frontier, per device"), " tok/s"))
                .isCloseTo(best.get("outputTokensPerSecondPerDevice").doubleValue(), withinPercentage(SHOWN_PERCENT));
        // the point's series is its device's, apart for a point that misses a service level (drawn hollow)
        String series = best.get("hardware").asText()
                + (best.get("meetsServiceLevels").booleanValue() ? "" : ", misses the levels");
        assertThat(front.get(series)).startsWith(front.get("frontier, per device"));
        screenshot("capacity-charts", true);
        assertNoConsoleProblems();
    }

    @Test
    void theTrainingMemoryChartShowsValuesOnHoverAndIsDrawnAgainAfterALiveUpdate() throws Exception {
        driver.manage().logs().get(LogType.BROWSER);
        driver.get(base + "/training?" + TRAINING_QUERY);
        waitForChart("memory-plot", 30);
        assertThat(driver.findElement(By.id("memory-chart")).isDisplayed()).isFalse();
        checkTrainingHover(TRAINING_QUERY);

        // the live form: more devices replace the page's content without a page load, and the chart is drawn again
        JavascriptExecutor js = driver;
        js.executeScript("window.strataMarker = 'kept';");
        WebElement devices = driver.findElement(By.name("devices"));
        devices.clear();
        devices.sendKeys("16");
        new WebDriverWait(driver, Duration.ofSeconds(30))
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .until(d -> d.findElement(By.id("memory-plot"))
                                .getAttribute("data-src")
                                .contains("devices=16")
                        && d.findElements(By.cssSelector("#memory-plot.live .uplot"))
                                        .size()
                                == 1);
        assertThat(js.executeScript("return window.strataMarker")).isEqualTo("kept");
        assertThat(driver.findElement(By.id("memory-chart")).isDisplayed()).isFalse();
        assertThat(driver.findElements(By.cssSelector("main .uplot"))).hasSize(1);
        checkTrainingHover(TRAINING_QUERY.replace("devices=8", "devices=16"));
        screenshot("training-chart", true);
        assertNoConsoleProblems();
    }

    /** The scaling page's first visit: its defaults (ScalingPage.DEFAULTS), Gopher's budget under Chinchilla. */
    private static final String SCALING_QUERY = "law=chinchilla&compute=5.76e23";

    @Test
    void theScalingChartsShowValuesOnHoverAndAreDrawnAgainAfterALiveUpdate() throws Exception {
        driver.manage().logs().get(LogType.BROWSER);
        driver.get(base + "/scaling?" + SCALING_QUERY);
        for (String name : new String[] {"frontier", "allocation", "isoflop"}) {
            waitForChart(name + "-plot", 30);
            assertThat(driver.findElement(By.id(name + "-chart")).isDisplayed())
                    .as(name)
                    .isFalse();
        }
        checkScalingHover(SCALING_QUERY);

        // the live budget form: a larger budget replaces #budget-results without a page load; the charts follow
        JavascriptExecutor js = driver;
        js.executeScript("window.strataMarker = 'kept';");
        WebElement compute = driver.findElement(By.name("compute"));
        compute.clear();
        compute.sendKeys("1e25");
        for (String name : new String[] {"frontier", "allocation", "isoflop"})
            new WebDriverWait(driver, Duration.ofSeconds(30))
                    .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                    .until(d -> d.findElement(By.id(name + "-plot"))
                                    .getAttribute("data-src")
                                    .contains("compute=1e25")
                            && d.findElements(By.cssSelector("#" + name + "-plot.live .uplot canvas"))
                                            .size()
                                    == 1);
        assertThat(js.executeScript("return window.strataMarker")).isEqualTo("kept");
        assertThat(driver.findElements(By.cssSelector("main .uplot"))).hasSize(3);
        checkScalingHover("law=chinchilla&compute=1e25");
        screenshot("scaling-charts", true);
        assertNoConsoleProblems();
    }

    /**
     * Hovers the three scaling charts: the compute (or size) under the cursor and each law's (or budget's) value
     * there, as the chart's JSON gives them, to the three significant digits shown.
     */
    private static void checkScalingHover(String query) throws Exception {
        // the frontier: the compute shown is one of the JSON's budgets, and Chinchilla's loss there is the JSON's
        JsonNode frontier = Render.MAPPER.readTree(fetch(base + "/chart/frontier.json?" + query));
        Map<String, String> shown = hover("frontier-plot", 0);
        assertThat(shown.keySet()).contains("chinchilla", "epoch-2024", "kaplan-2020");
        int i = at(frontier, "chinchilla", plain(shown.get("training compute C (FLOPs)")));
        assertThat(plain(shown.get("chinchilla")))
                .isCloseTo(line(frontier, "chinchilla").get("y").get(i).doubleValue(), withinPercentage(SHOWN_PERCENT));
        // the allocation: every law's compute-optimal size at the compute shown
        JsonNode allocation = Render.MAPPER.readTree(fetch(base + "/chart/allocation.json?" + query));
        shown = hover("allocation-plot", 0);
        for (String law : new String[] {"chinchilla", "deepseek-2024"}) {
            int k = at(allocation, law, plain(shown.get("training compute C (FLOPs)")));
            assertThat(plain(shown.get(law)))
                    .as(law)
                    .isCloseTo(line(allocation, law).get("y").get(k).doubleValue(), withinPercentage(SHOWN_PERCENT));
        }
        // the iso-FLOP curves and their minima: each has its own sizes, so some have a value under the cursor
        JsonNode iso = Render.MAPPER.readTree(fetch(base + "/chart/isoflop.json?" + query));
        shown = hover("isoflop-plot", 0);
        double n = plain(shown.get("parameters N"));
        int curves = 0;
        List<JsonNode> all = new ArrayList<>();
        iso.get("lines").forEach(all::add);
        iso.get("points").forEach(all::add);
        for (JsonNode curve : all) {
            String v = shown.get(curve.get("name").asText());
            assertThat(v).as(curve.get("name").asText()).isNotNull();
            if (v.equals("--")) continue;
            curves++;
            int k = at(iso, curve.get("name").asText(), n);
            assertThat(plain(v)).isCloseTo(curve.get("y").get(k).doubleValue(), withinPercentage(SHOWN_PERCENT));
        }
        assertThat(curves).as("series with a value at N = " + n).isPositive();
    }

    @Test
    void theValidationScatterShowsEachPointsRunOnHover() throws Exception {
        driver.manage().logs().get(LogType.BROWSER);
        String query = "device=cpu&quantity=decode_seconds_per_token";
        driver.get(base + "/validation?" + query);
        waitForChart("validation-plot", 30);
        assertThat(driver.findElement(By.id("validation-chart")).isDisplayed()).isFalse();
        JsonNode figure = Render.MAPPER.readTree(fetch(base + "/chart/validation.json?" + query));
        assertThat(figure.get("identity").asBoolean()).isTrue();
        Map<String, String> shown = hover("validation-plot", 0);
        double measured = plain(shown.get("measured (s)"));
        // the point under the cursor: its series's estimate at that measured time, with its model, batch and context
        int points = 0;
        for (JsonNode s : figure.get("points")) {
            String v = shown.get(s.get("name").asText());
            assertThat(v).as(s.get("name").asText()).isNotNull();
            if (v.equals("--")) continue;
            points++;
            int k = at(figure, s.get("name").asText(), measured);
            assertThat(plain(v)).isCloseTo(s.get("y").get(k).doubleValue(), withinPercentage(SHOWN_PERCENT));
            assertThat(v).endsWith(", " + s.get("labels").get(k).asText());
            assertThat(s.get("labels").get(k).asText()).matches(".+, batch \\d+, context \\d+");
        }
        assertThat(points).as("points at the measured time " + measured).isPositive();
        screenshot("validation-chart", true);
        assertNoConsoleProblems();
    }

    @Test
    void theModelsParametersChartShowsEachTermOnHover() throws Exception {
        driver.manage().logs().get(LogType.BROWSER);
        // Mixtral: a mixture of experts, so a term (the routed experts) has inactive parameters too
        driver.get(base + "/models?model=mixtral-8x7b");
        waitForChart("params-plot", 30);
        assertThat(driver.findElement(By.id("params-chart")).isDisplayed()).isFalse();
        JsonNode d = Render.MAPPER.readTree(fetch(base + "/chart/params.json?model=mixtral-8x7b"));
        Map<String, String> shown = hover("params-plot", 0);
        // "routedExperts, 45.1 B": the term under the cursor and its total, then its active and inactive parts
        String term = shown.get("term");
        int i = -1;
        for (int k = 0; k < d.get("terms").size(); k++)
            if (term.startsWith(d.get("terms").get(k).asText() + ", ")) i = k;
        assertThat(i).as("the term of " + term).isNotNegative();
        double active = d.get("series").get(0).get("billions").get(i).doubleValue();
        double inactive = d.get("series").get(1).get("billions").get(i).doubleValue();
        assertThat(number(term.substring(term.indexOf(", ") + 2), " B"))
                .isCloseTo(active + inactive, withinPercentage(SHOWN_PERCENT));
        assertThat(number(shown.get("active"), " B")).isCloseTo(active, withinPercentage(SHOWN_PERCENT));
        assertThat(number(shown.get("inactive (routed experts not chosen)"), " B"))
                .isCloseTo(inactive, withinPercentage(SHOWN_PERCENT));
        screenshot("models-chart", true);
        assertNoConsoleProblems();
    }

    /** The series of a figure's JSON with this name. */
    private static JsonNode line(JsonNode figure, String name) {
        for (String kind : new String[] {"lines", "points"})
            for (JsonNode s : figure.get(kind)) if (s.get("name").asText().equals(name)) return s;
        throw new AssertionError("no series " + name + " in " + figure.get("title"));
    }

    /** The index of the series's x shown as {@code x} (three significant digits: within half a percent). */
    private static int at(JsonNode figure, String name, double x) {
        JsonNode xs = line(figure, name).get("x");
        for (int i = 0; i < xs.size(); i++)
            if (Math.abs(xs.get(i).doubleValue() - x) <= Math.abs(x) * SHOWN_PERCENT / 100) return i;
        throw new AssertionError("no x of " + name + " near " + x);
    }

    /** "5.76e23", "1.93" or "1,930" as a number; what follows ", " (a point's label) is left out. */
    private static double plain(String text) {
        assertThat(text).as("a value").isNotNull().isNotEqualTo("--");
        int cut = text.indexOf(", ");
        return Double.parseDouble((cut < 0 ? text : text.substring(0, cut)).replace(",", ""));
    }

    @Test
    void onAPhoneTheChartsFitTheScreen() throws Exception {
        Dimension window = driver.manage().window().getSize();
        driver.manage().window().setSize(new Dimension(390, 844));
        try {
            JavascriptExecutor js = driver;
            driver.manage().logs().get(LogType.BROWSER);
            driver.get(base + "/capacity?" + CAPACITY_QUERY);
            waitForChart("frontier-plot", 90);
            waitForChart("latency-plot", 90);
            assertFits(js, "frontier-plot", "latency-plot");
            screenshot("capacity-charts-phone", true);
            driver.get(base + "/training?" + TRAINING_QUERY);
            waitForChart("memory-plot", 30);
            assertFits(js, "memory-plot");
            screenshot("training-chart-phone", true);
            driver.get(base + "/scaling?" + SCALING_QUERY);
            for (String name : new String[] {"frontier", "allocation", "isoflop"}) waitForChart(name + "-plot", 30);
            assertFits(js, "frontier-plot", "allocation-plot", "isoflop-plot");
            screenshot("scaling-charts-phone", true);
            driver.get(base + "/validation?device=cpu&quantity=decode_seconds_per_token");
            waitForChart("validation-plot", 30);
            assertFits(js, "validation-plot");
            screenshot("validation-chart-phone", true);
            driver.get(base + "/models?model=mixtral-8x7b");
            waitForChart("params-plot", 30);
            assertFits(js, "params-plot");
            screenshot("models-chart-phone", true);
            assertNoConsoleProblems();
        } finally {
            driver.manage().window().setSize(window);
        }
    }

    private static void assertFits(JavascriptExecutor js, String... boxes) {
        assertThat((Long) js.executeScript("return window.innerWidth")).isLessThanOrEqualTo(390L);
        assertThat((Long) js.executeScript("return document.documentElement.scrollWidth - window.innerWidth"))
                .as("the page scrolls sideways by this many pixels")
                .isLessThanOrEqualTo(0L);
        for (String id : boxes)
            assertThat((Long) js.executeScript(
                            "return Math.ceil(document.querySelector('#' + arguments[0] + ' .uplot')"
                                    + ".getBoundingClientRect().right)",
                            id))
                    .as(id)
                    .isLessThanOrEqualTo(390L);
    }

    /** Hovers the training chart: the bar under the cursor and its terms, as /api/training-memory gives them. */
    private static void checkTrainingHover(String query) throws Exception {
        JsonNode memory = Render.MAPPER.readTree(fetch(base + "/api/training-memory?" + query));
        Map<String, String> shown = hover("memory-plot", 0);
        assertThat(shown.keySet())
                .contains(
                        "weights",
                        "gradients",
                        "master weights",
                        "optimizer states",
                        "activations",
                        "runtime overhead");
        // "ZeRO 1 · selective (chosen), 45.2 GB"
        String bar = shown.get("ZeRO stage · recompute");
        JsonNode row = null;
        for (JsonNode r : memory.get("rows"))
            if (bar.startsWith("ZeRO " + r.get("zeroStage").asInt() + " · "
                    + r.get("recompute").asText())) row = r;
        assertThat(row).as("the row of " + bar).isNotNull();
        assertThat(number(bar.substring(bar.lastIndexOf(", ") + 2), " GB"))
                .isCloseTo(row.get("perDeviceBytes").doubleValue() / 1e9, withinPercentage(SHOWN_PERCENT));
        assertThat(number(shown.get("weights"), " GB"))
                .isCloseTo(row.get("weightsBytes").doubleValue() / 1e9, withinPercentage(SHOWN_PERCENT));
        assertThat(number(shown.get("activations"), " GB"))
                .isCloseTo(row.get("activationsBytes").doubleValue() / 1e9, withinPercentage(SHOWN_PERCENT));
    }

    private static void waitForChart(String id, int seconds) {
        new WebDriverWait(driver, Duration.ofSeconds(seconds))
                .until(d -> d.findElements(By.cssSelector("#" + id + ".live .uplot canvas"))
                                .size()
                        == 1);
    }

    /**
     * Moves the cursor over a chart ({@code dx} pixels right of its middle), waits until uPlot's legend shows values
     * rather than "--", and gives the legend as label to value.
     */
    private static Map<String, String> hover(String id, int dx) {
        WebElement over = driver.findElement(By.cssSelector("#" + id + " .u-over"));
        new Actions(driver).moveToElement(over, dx, 0).perform();
        new WebDriverWait(driver, Duration.ofSeconds(5))
                .until(d -> !d.findElements(By.cssSelector("#" + id + " .u-legend .u-value"))
                        .get(0)
                        .getText()
                        .equals("--"));
        Map<String, String> legend = new LinkedHashMap<>();
        for (WebElement s : driver.findElements(By.cssSelector("#" + id + " .u-legend .u-series")))
            legend.put(
                    s.findElement(By.cssSelector(".u-label")).getText().replaceAll(":$", ""),
                    s.findElement(By.cssSelector(".u-value")).getText());
        return legend;
    }

    /** "2,410 tok/s" without its unit, as a number. */
    private static double number(String text, String unit) {
        assertThat(text).as("a value in " + unit).contains(unit);
        return Double.parseDouble(text.substring(0, text.indexOf(unit)).replace(",", ""));
    }

    private static void assertNoConsoleProblems() {
        assertThat(Chromium.consoleProblems(driver)).isEmpty();
    }
}
