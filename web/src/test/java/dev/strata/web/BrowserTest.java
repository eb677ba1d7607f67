package dev.strata.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.web.render.Render;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The app in a real headless Chromium (Debian's chromium and chromium-driver, installed by .ci/run), against the real
 * server on a free local port. With {@code -Dstrata.screenshots=DIR} it also saves a screenshot of each page.
 */
class BrowserTest extends ServedInChromium {

    @Test
    void theModelsPageUpdatesItsNumbersAndChartAndItsCsvMatchesTheApi() throws Exception {
        driver.get(base + "/models?model=llama-3-8b");
        assertThat(driver.getTitle()).isEqualTo("Models · strata");
        assertThat(cardValue("Total parameters")).isEqualTo("8,030,261,248"); // docs/architecture.md, exact
        String chartBefore = driver.findElement(By.id("params-chart")).getAttribute("src");
        assertImageLoaded("params-chart");
        screenshot("models", false);

        new Select(driver.findElement(By.id("model"))).selectByValue("mixtral-8x7b");
        driver.findElement(By.cssSelector("form.inputs button")).click();
        new WebDriverWait(driver, Duration.ofSeconds(10))
                .until(d -> d.getCurrentUrl().contains("model=mixtral-8x7b"));
        assertThat(cardValue("Active per token")).isEqualTo("12,879,925,248"); // docs/architecture.md, exact
        String chartAfter = driver.findElement(By.id("params-chart")).getAttribute("src");
        assertThat(chartAfter).isNotEqualTo(chartBefore).contains("mixtral-8x7b");
        assertImageLoaded("params-chart");

        // The CSV link of the page gives the same numbers as the JSON API.
        String csvHref = driver.findElement(By.linkText("CSV")).getAttribute("href");
        Map<String, String> csv = new HashMap<>();
        for (CSVRecord r : CSVFormat.RFC4180
                .builder()
                .setHeader()
                .setSkipHeaderRecord(true)
                .get()
                .parse(new StringReader(fetch(csvHref)))) csv.put(r.get("quantity"), r.get("value"));
        JsonNode json = Render.MAPPER.readTree(fetch(base + "/api/estimate?model=mixtral-8x7b"));
        assertThat(Long.parseLong(csv.get("params.total")))
                .isEqualTo(json.at("/params/total").longValue());
        assertThat(Long.parseLong(csv.get("params.active")))
                .isEqualTo(json.at("/params/active").longValue());
        assertThat(Long.parseLong(csv.get("params.breakdown.routedExperts")))
                .isEqualTo(json.at("/params/breakdown/routedExperts").longValue());
    }

    @Test
    void thePlannerUpdatesItsResultsAndChartsAndItsCsvMatchesTheApi() throws Exception {
        driver.get(base + "/?model=llama-3-8b&hardware=a100-80gb-sxm&devices=1&batch=1&prompt=512&generate=128");
        assertThat(driver.getTitle()).isEqualTo("Capacity planner · strata");
        // Issue figure: Llama-3-8B bf16 at batch 1, 576 tokens of context: floor 7.40 ms/token on an A100 80GB
        assertThat(driver.findElement(By.cssSelector("#card-tpot .sub")).getText())
                .startsWith("floor 7.40 ms");
        assertThat(driver.findElement(By.cssSelector("#card-fits .value")).getText())
                .isEqualTo("yes");
        String memoryBefore = driver.findElement(By.id("memory-chart")).getAttribute("src");
        String sweepBefore = driver.findElement(By.id("sweep-chart")).getAttribute("src");
        assertImageLoaded("memory-chart");
        assertImageLoaded("sweep-chart");
        screenshot("planner", true);

        new Select(driver.findElement(By.id("model"))).selectByValue("llama-3.1-70b");
        new Select(driver.findElement(By.id("hardware"))).selectByValue("h100-sxm");
        WebElement devices = driver.findElement(By.id("devices"));
        devices.clear();
        devices.sendKeys("4");
        WebElement batch = driver.findElement(By.id("batch"));
        batch.clear();
        batch.sendKeys("16");
        driver.findElement(By.cssSelector("#planner button")).click();
        new WebDriverWait(driver, Duration.ofSeconds(20))
                .until(d -> d.getCurrentUrl().contains("model=llama-3.1-70b"));
        assertThat(driver.getCurrentUrl()).contains("devices=4").contains("batch=16"); // the state lives in the URL
        assertThat(driver.findElement(By.id("memory-chart")).getAttribute("src"))
                .isNotEqualTo(memoryBefore)
                .contains("llama-3.1-70b");
        assertThat(driver.findElement(By.id("sweep-chart")).getAttribute("src")).isNotEqualTo(sweepBefore);
        assertImageLoaded("memory-chart");
        assertImageLoaded("sweep-chart");

        // the page's CSV download has the same numbers as the JSON API for the same state
        Map<String, String> csv = new HashMap<>();
        for (CSVRecord r : CSVFormat.RFC4180
                .builder()
                .setHeader()
                .setSkipHeaderRecord(true)
                .get()
                .parse(new StringReader(
                        fetch(driver.findElement(By.id("estimate-csv")).getAttribute("href")))))
            csv.put(r.get("quantity"), r.get("value"));
        JsonNode json = Render.MAPPER.readTree(
                fetch(base + "/api/estimate?model=llama-3.1-70b&hardware=h100-sxm&devices=4&weights=bf16&kv=bf16"
                        + "&batch=16&prompt=512&generate=128")); // the form kept the first page's lengths
        for (String key : new String[] {
            "latency.decodeSecondsPerToken.floor",
            "latency.decodeSecondsPerToken.calibrated",
            "throughput.tokensPerSecond.calibrated",
            "memory.perDeviceBytes",
            "cost.costPerMillionTokensUsd",
            "capacity.maxBatch"
        })
            assertThat(Double.parseDouble(csv.get(key)))
                    .as(key)
                    .isEqualTo(json.at("/" + key.replace('.', '/')).asDouble());
        // the sweep CSV under the chart streams one row per batch
        assertThat(fetch(driver.findElement(By.id("sweep-csv")).getAttribute("href"))
                        .lines()
                        .count())
                .isEqualTo(1 + 11);

        // a bad value is shown next to its field
        driver.get(base + "/?model=llama-3-8b&hardware=h100-sxm&batch=0");
        assertThat(driver.findElement(By.id("error-batch")).getText()).startsWith("batch = 0 is not allowed");
    }

    @Test
    void aPastedConfigIsPostedAndThePageShowsThatModelsNumbers() throws Exception {
        driver.get(base + "/?model=llama-3-8b&hardware=h100-sxm&devices=2");
        assertThat(driver.findElement(By.id("showing")).getText())
                .contains("Llama 3 8B")
                .contains("8,030,261,248");
        driver.findElement(By.id("config"))
                .sendKeys(Files.readString(Path.of("testdata/hf-configs/mixtral-8x7b-v0.1.json")));
        driver.findElement(By.cssSelector("#planner button")).click();
        new WebDriverWait(driver, Duration.ofSeconds(20))
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class) // the results are replaced live
                .until(d -> d.findElement(By.id("showing")).getText().contains("pasted config.json"));
        // Mixtral 8x7B's exact count (docs/architecture.md), not the preset's that the Model list still names
        assertThat(driver.findElement(By.id("showing")).getText())
                .contains("46,702,792,704 parameters")
                .contains("12,879,925,248 active per token");
        assertThat(driver.getCurrentUrl()).doesNotContain("config"); // posted: a config is too long for a URL
        assertThat(driver.findElement(By.id("planner")).getAttribute("method")).isEqualTo("post");
        // the other fields came along: 2 devices, and the config is still in its field for the next change
        assertThat(driver.findElement(By.cssSelector("#card-fits .label")).getText())
                .startsWith("Fits on 2 x");
        assertThat(driver.findElement(By.id("config")).getAttribute("value")).contains("\"num_local_experts\"");
        screenshot("planner-config", false);
    }

    @Test
    void theCardsSayWhatTheyMeasureAndASetupThatDoesNotFitIsMarked() throws Exception {
        driver.get(base + "/?model=llama-3-8b&hardware=h100-sxm&batch=8&prompt=1024&generate=256");
        for (String q : new String[] {"fits", "ttft", "tpot", "throughput", "cost", "capacity"})
            assertThat(driver.findElements(By.cssSelector("[data-quantity='" + q + "']")))
                    .as(q)
                    .hasSize(1);
        JsonNode json = Render.MAPPER.readTree(
                fetch(base + "/api/estimate?model=llama-3-8b&hardware=h100-sxm&batch=8&prompt=1024&generate=256"));
        // time to first token is what one request waits (the serving simulation's mean), the batch's prefill apart
        WebElement ttft = driver.findElement(By.cssSelector("[data-quantity='ttft']"));
        assertThat(ttft.findElement(By.cssSelector(".label")).getText()).isEqualTo("Time to first token, per request");
        String ttftText = ttft.findElement(By.cssSelector(".value")).getText();
        assertThat(ttftText).endsWith(" ms");
        assertThat(Double.parseDouble(ttftText.replace(" ms", "")))
                .isCloseTo(
                        json.at("/latency/perRequest/timeToFirstTokenMeanSeconds")
                                        .asDouble()
                                * 1e3,
                        org.assertj.core.api.Assertions.withinPercentage(0.5));
        assertThat(ttft.findElement(By.cssSelector(".sub")).getText()).contains("whole batch's prefill");
        // cost per million output tokens includes the prompts, as the cost per request does
        WebElement cost = driver.findElement(By.cssSelector("[data-quantity='cost']"));
        double perMillion = json.at("/cost/costPerRequestUsd").asDouble() / 256 * 1e6;
        assertThat(Double.parseDouble(
                        cost.findElement(By.cssSelector(".value")).getText().substring(1)))
                .isCloseTo(perMillion, org.assertj.core.api.Assertions.withinPercentage(0.5));
        assertThat(cost.findElement(By.cssSelector(".sub")).getText()).startsWith("prompt prefill included");
        assertThat(driver.findElements(By.cssSelector(".not-fitting"))).isEmpty();

        // 70B in bf16 on one A100 80GB (81,920 MiB = 85.9 GB as the driver reports it): the verdict says why, and
        // latency and cost are marked as not fitting
        driver.get(base + "/?model=llama-3.1-70b&hardware=a100-80gb-sxm&devices=1");
        assertThat(driver.findElement(By.cssSelector("[data-quantity='fits'] .value"))
                        .getText())
                .isEqualTo("no");
        assertThat(driver.findElement(By.id("misfit")).getText())
                .startsWith("Does not fit: needs")
                .contains("per device, the device has 85.9 GB");
        for (String q : new String[] {"ttft", "tpot", "throughput", "cost"}) {
            WebElement card = driver.findElement(By.cssSelector("[data-quantity='" + q + "']"));
            assertThat(card.getAttribute("class")).as(q).contains("not-fitting");
            assertThat(card.getText()).as(q).contains("does not fit");
        }
        screenshot("planner-not-fitting", false);
    }

    /** The pages of the navigation bar, and the file names of their phone screenshots. */
    private static final String[][] PAGES = {
        {"/", "planner-phone"},
        {"/models", "models-phone"},
        {"/training", "training-phone"},
        {"/training?devices=64&search=true", "training-search-phone"},
        {"/scaling", "scaling-phone"},
        {"/validation", "validation-phone"},
        {"/api-docs", null}
    };

    @Test
    void everyPageFitsAPhoneScreenWithoutSidewaysScrollingOrConsoleErrors() throws Exception {
        Dimension window = driver.manage().window().getSize();
        driver.manage().window().setSize(new Dimension(390, 844));
        try {
            for (String[] page : PAGES) {
                driver.manage().logs().get(LogType.BROWSER); // drops what earlier pages logged
                driver.get(base + page[0]);
                new WebDriverWait(driver, Duration.ofSeconds(20))
                        .until(d -> "complete"
                                .equals(((JavascriptExecutor) d).executeScript("return document.readyState")));
                JavascriptExecutor js = driver;
                assertThat((Long) js.executeScript("return window.innerWidth")).isLessThanOrEqualTo(390L);
                assertThat((Long) js.executeScript("return document.documentElement.scrollWidth - window.innerWidth"))
                        .as(page[0] + " scrolls sideways by this many pixels")
                        .isLessThanOrEqualTo(0L);
                // the navigation wraps: every link is on screen
                for (WebElement a : driver.findElements(By.cssSelector("nav a")))
                    assertThat((Long)
                                    js.executeScript("return Math.ceil(arguments[0].getBoundingClientRect().right)", a))
                            .as(a.getText())
                            .isLessThanOrEqualTo(390L);
                // charts are drawn for the phone's width, so their text is not scaled down to a few pixels
                for (WebElement img : driver.findElements(By.cssSelector("img.chart"))) {
                    String src = img.getAttribute("src");
                    if (src.startsWith("data:")) continue;
                    new WebDriverWait(driver, Duration.ofSeconds(20))
                            .until(d -> Boolean.TRUE.equals(((JavascriptExecutor) d)
                                    .executeScript(
                                            "return arguments[0].complete && arguments[0].naturalWidth > 0", img)));
                    assertThat((Long) js.executeScript("return arguments[0].naturalWidth", img))
                            .as(src)
                            .isEqualTo(380L);
                }
                if (page[1] != null) screenshot(page[1], true);
                List<String> problems = new ArrayList<>();
                for (LogEntry e : driver.manage().logs().get(LogType.BROWSER))
                    if (e.getLevel().intValue() >= Level.WARNING.intValue()) problems.add(e.getMessage());
                assertThat(problems).as(page[0]).isEmpty();
            }
            // number fields bring up a number keyboard, and stay text fields (the server parses them)
            driver.get(base + "/");
            for (String name : new String[] {"devices", "batch", "prompt", "generate"}) {
                WebElement input = driver.findElement(By.name(name));
                assertThat(input.getAttribute("inputmode")).as(name).isEqualTo("numeric");
                assertThat(input.getAttribute("type")).as(name).isEqualTo("text");
            }
            driver.get(base + "/training");
            assertThat(driver.findElement(By.name("price")).getAttribute("inputmode"))
                    .isEqualTo("decimal");
            assertThat(driver.findElement(By.name("tokens")).getAttribute("inputmode"))
                    .isNull(); // takes 15e12: the text keyboard has the e
        } finally {
            driver.manage().window().setSize(window);
        }
    }

    @Test
    void theTrainingPageUpdatesItsRunMemoryAndChartAndItsCsvMatchesTheApi() throws Exception {
        driver.get(base + "/training");
        assertThat(driver.getTitle()).isEqualTo("Training · strata");
        assertImageLoaded("memory-chart");
        String chartBefore = driver.findElement(By.id("memory-chart")).getAttribute("src");
        String wallBefore = cardValue("Wall time");
        screenshot("training", true);

        WebElement devices = driver.findElement(By.id("devices"));
        devices.clear();
        devices.sendKeys("2048");
        new Select(driver.findElement(By.id("zero"))).selectByValue("3");
        driver.findElement(By.cssSelector("form.inputs button")).click();
        new WebDriverWait(driver, Duration.ofSeconds(10))
                .until(d -> d.getCurrentUrl().contains("devices=2048"));
        assertThat(cardValue("Wall time")).isNotEqualTo(wallBefore);
        String chartAfter = driver.findElement(By.id("memory-chart")).getAttribute("src");
        assertThat(chartAfter)
                .isNotEqualTo(chartBefore)
                .contains("devices=2048")
                .contains("zero=3");
        assertImageLoaded("memory-chart");
        assertThat(driver.findElement(By.cssSelector("#memory-table tr.chosen")).getText())
                .startsWith("3 selective");

        // The run's CSV gives the numbers of the JSON API for the same query.
        String csvHref = driver.findElement(By.id("run-csv")).getAttribute("href");
        Map<String, String> csv = new HashMap<>();
        for (CSVRecord r : csv(fetch(csvHref))) csv.put(r.get("quantity"), r.get("value"));
        JsonNode json = Render.MAPPER.readTree(
                fetch(driver.findElement(By.id("run-json")).getAttribute("href")));
        for (String key : new String[] {
            "costUsd", "wallSeconds", "deviceHours", "energyKwh", "flops.total", "flops.perToken.total"
        })
            assertThat(Double.parseDouble(csv.get(key)))
                    .as(key)
                    .isEqualTo(json.at("/" + key.replace('.', '/')).doubleValue());
        // So does the memory table's.
        List<CSVRecord> rows = csv(fetch(driver.findElement(By.id("memory-csv")).getAttribute("href")));
        JsonNode memory = Render.MAPPER.readTree(fetch(
                driver.findElement(By.id("memory-csv")).getAttribute("href").replace("&format=csv", "")));
        assertThat(rows).hasSize(memory.get("rows").size());
        for (int i = 0; i < rows.size(); i++)
            assertThat(Long.parseLong(rows.get(i).get("perDeviceBytes")))
                    .isEqualTo(memory.get("rows").get(i).get("perDeviceBytes").longValue());
    }

    @Test
    void theTrainingPagesErrorsAreWordedForThePage() {
        driver.get(base + "/training?model=my-model&tokens=0&mfu=1.5&devices=1");
        // a browser cannot give a file path: the page names the presets only
        assertThat(driver.findElement(By.id("error-model")).getText())
                .startsWith("model = \"my-model\" is not allowed: must be a preset id (gpt2,")
                .doesNotContain("path");
        // numbers as people write them: no 0.0, 1.0E45 or <=
        assertThat(driver.findElement(By.id("error-tokens")).getText())
                .isEqualTo("tokens = 0 is not allowed: must be a number above 0 and at most 1.00 × 10⁴⁵");
        driver.get(base + "/training?mfu=1.5");
        assertThat(driver.findElement(By.id("error-mfu")).getText())
                .isEqualTo("mfu = 1.5 is not allowed: must be a number above 0 and at most 1");
        // 1 is a valid count of devices
        driver.get(base + "/training?devices=1&tp=1&pp=1");
        assertThat(driver.findElements(By.cssSelector(".field-error"))).isEmpty();
    }

    @Test
    void theScalingPageUpdatesItsOptimumAndChartsAndFitsPastedRuns() throws Exception {
        driver.get(base + "/scaling");
        assertThat(driver.getTitle()).isEqualTo("Scaling laws · strata");
        for (String chart : new String[] {"frontier-chart", "allocation-chart", "isoflop-chart"})
            assertImageLoaded(chart);
        String chartBefore = driver.findElement(By.id("isoflop-chart")).getAttribute("src");
        String sizeBefore = cardValue("Model size N");
        screenshot("scaling", true);

        new Select(driver.findElement(By.id("law"))).selectByValue("epoch-2024");
        WebElement compute = driver.findElement(By.id("compute"));
        compute.clear();
        compute.sendKeys("1e25");
        driver.findElement(By.cssSelector("form.inputs button")).click();
        new WebDriverWait(driver, Duration.ofSeconds(10))
                .until(d -> d.getCurrentUrl().contains("compute=1e25"));
        assertThat(cardValue("Model size N")).isNotEqualTo(sizeBefore);
        String chartAfter = driver.findElement(By.id("isoflop-chart")).getAttribute("src");
        assertThat(chartAfter)
                .isNotEqualTo(chartBefore)
                .contains("law=epoch-2024")
                .contains("compute=1e25");
        assertImageLoaded("isoflop-chart");

        // The optimum's CSV gives the numbers of the JSON API.
        Map<String, String> csv = new HashMap<>();
        for (CSVRecord r : csv(fetch(driver.findElement(By.id("optimal-csv")).getAttribute("href"))))
            csv.put(r.get("quantity"), r.get("value"));
        JsonNode json = Render.MAPPER.readTree(fetch(base + "/api/optimal?law=epoch-2024&compute=1e25"));
        assertThat(Long.parseLong(csv.get("params")))
                .isEqualTo(json.get("params").longValue());
        assertThat(Long.parseLong(csv.get("tokens")))
                .isEqualTo(json.get("tokens").longValue());
        assertThat(Double.parseDouble(csv.get("loss")))
                .isEqualTo(json.get("loss").doubleValue());

        // Fit your own runs: paste them, fit, see the constants and the chart.
        driver.findElement(By.id("data")).sendKeys(noisyRuns());
        WebElement bootstrap = driver.findElement(By.id("bootstrap"));
        bootstrap.clear();
        bootstrap.sendKeys("50");
        driver.findElement(By.cssSelector("#fit-form button[type=submit]")).click();
        new WebDriverWait(driver, Duration.ofSeconds(60))
                .until(d -> !d.findElements(By.id("fit-table")).isEmpty());
        // Runs.TRUTH's beta, 0.366, within what 1 % noise on 25 runs allows (tolerance chosen from the spread the page
        // reports, about 0.02).
        String beta = driver.findElement(By.xpath("//table[@id='fit-table']//tr[td[1]='β']/td[3]"))
                .getText();
        assertThat(Double.parseDouble(beta)).isCloseTo(Runs.TRUTH.beta(), org.assertj.core.api.Assertions.within(0.05));
        assertThat(driver.findElement(By.id("fit-procedure")).getText())
                .contains("25 of 25 runs used")
                .contains("50 bootstrap resamples");
        assertImageLoaded("fit-chart");
        ((JavascriptExecutor) driver).executeScript("document.getElementById('fit').scrollIntoView()");
        screenshot("scaling-fit", false);
    }

    /**
     * 5 x 5 runs (N 1e8..1e10, D 1e9..1e11, log-spaced) with Runs.TRUTH's losses times a deterministic factor within
     * ±1 %, so the fit has a spread to report.
     */
    private static String noisyRuns() {
        StringBuilder sb = new StringBuilder("N,D,loss\n");
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j < 5; j++) {
                double n = 1e8 * Math.pow(10, i / 2.0), d = 1e9 * Math.pow(10, j / 2.0);
                double loss = Runs.TRUTH.loss(n, d) * (1 + 0.01 * Math.sin(7.3 * (5 * i + j)));
                sb.append(String.format(java.util.Locale.ROOT, "%.4g,%.4g,%.5f%n", n, d, loss));
            }
        }
        return sb.toString();
    }

    private static List<CSVRecord> csv(String text) throws IOException {
        return CSVFormat.RFC4180
                .builder()
                .setHeader()
                .setSkipHeaderRecord(true)
                .get()
                .parse(new StringReader(text))
                .getRecords();
    }

    @Test
    void theValidationPageShowsTheScatterOfEstimateAgainstMeasured() throws Exception {
        // the page opens on the published GPU runs with a verdict per group; the CPU run is one choice away
        driver.get(base + "/validation");
        assertThat(driver.getTitle()).isEqualTo("Validation · strata");
        assertThat(driver.findElement(By.id("published-summary")).getText()).contains("h200-sxm");
        screenshot("validation-published", true);
        new Select(driver.findElement(By.id("device"))).selectByValue("cpu");
        driver.findElement(By.cssSelector("form.inputs button")).click();
        new WebDriverWait(driver, Duration.ofSeconds(10))
                .until(d -> d.getCurrentUrl().contains("device=cpu"));
        assertImageLoaded("validation-chart");
        new Select(driver.findElement(By.id("quantity"))).selectByValue("peak_memory_bytes");
        driver.findElement(By.cssSelector("form.inputs button")).click();
        new WebDriverWait(driver, Duration.ofSeconds(10))
                .until(d -> d.getCurrentUrl().contains("quantity=peak_memory_bytes"));
        assertImageLoaded("validation-chart");
        screenshot("validation", true);
    }

    private static String cardValue(String label) {
        for (WebElement card : driver.findElements(By.cssSelector(".card")))
            if (card.findElement(By.cssSelector(".label")).getText().equals(label))
                return card.findElement(By.cssSelector(".value")).getText();
        throw new AssertionError("no card " + label);
    }

    @Test
    void theApiDocsPageShowsEveryOperationOfTheDescriptionWithNothingRefusedByTheContentSecurityPolicy()
            throws Exception {
        JsonNode doc = Render.MAPPER.readTree(fetch(base + "/openapi.json"));
        List<String> operations = new ArrayList<>(); // "GET /api/estimate", as Swagger UI shows each
        doc.get("paths")
                .fields()
                .forEachRemaining(path -> path.getValue()
                        .fieldNames()
                        .forEachRemaining(
                                method -> operations.add(method.toUpperCase(Locale.ROOT) + " " + path.getKey())));
        driver.manage().logs().get(LogType.BROWSER); // drops what earlier pages logged
        driver.get(base + "/api-docs");
        assertThat(driver.getTitle()).isEqualTo("HTTP API · strata");
        new WebDriverWait(driver, Duration.ofSeconds(20))
                .until(d -> d.findElements(By.cssSelector(".opblock")).size() == operations.size());
        List<String> shown = new ArrayList<>();
        for (WebElement op : driver.findElements(By.cssSelector(".opblock")))
            shown.add(op.findElement(By.cssSelector(".opblock-summary-method")).getText() + " "
                    + op.findElement(By.cssSelector(".opblock-summary-path")).getAttribute("data-path"));
        assertThat(shown).containsExactlyInAnyOrderElementsOf(operations);
        // the title and version of the description: Swagger UI read it whole
        assertThat(driver.findElement(By.cssSelector(".info .title")).getText())
                .contains("strata HTTP API")
                .contains(doc.at("/info/version").asText());
        screenshot("api-docs", true);
        // nothing was refused (Chromium logs each refusal by the content security policy) and nothing failed
        List<String> problems = new ArrayList<>();
        for (LogEntry e : driver.manage().logs().get(LogType.BROWSER))
            if (e.getLevel().intValue() >= Level.WARNING.intValue()
                    || e.getMessage().contains("Content Security Policy")) problems.add(e.getMessage());
        assertThat(problems).isEmpty();
    }

    private static void assertImageLoaded(String id) {
        new WebDriverWait(driver, Duration.ofSeconds(10))
                .until(d -> Boolean.TRUE.equals(((JavascriptExecutor) d)
                        .executeScript(
                                "const i = document.getElementById(arguments[0]); return i.complete && i.naturalWidth > 0;",
                                id)));
    }
}
