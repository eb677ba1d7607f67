package dev.strata.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.web.http.StrataServer;
import dev.strata.web.render.Render;
import io.javalin.testtools.HttpClient;
import io.javalin.testtools.JavalinTest;
import io.javalin.testtools.Response;
import java.io.StringReader;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;

/** The training and scaling pages, their charts and the API routes behind them, on a real server. */
class PagesTest {
    /** Llama-3-8B parameters (docs/architecture.md, exact). */
    private static final long LLAMA_3_8B = 8_030_261_248L;

    @Test
    void theTrainingPageShowsTheRunAndTheMemoryOfItsQuery() {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            String q = "model=llama-3-8b&hardware=h100-sxm&devices=1024&tokens=15e12&zero=1&recompute=selective";
            Response r = client.get("/training?" + q);
            assertThat(r.code()).isEqualTo(200);
            String html = r.body().string();
            assertThat(html)
                    .contains("<title>Training · strata</title>")
                    .contains("href=\"/models\"")
                    .contains("href=\"/scaling\"")
                    .contains("id=\"memory-table\"")
                    .contains("src=\"/chart/training-memory.png?model=llama-3-8b&amp;hardware=h100-sxm");
            // The cards show what /api/train answers for the same query.
            JsonNode train = json(client.get("/api/train?" + q));
            assertThat(html)
                    .contains(String.format(
                            Locale.ROOT, "$%,.0f", train.get("costUsd").doubleValue()))
                    .contains(String.format(
                            Locale.ROOT, "%,.0f", train.get("deviceHours").doubleValue()))
                    .contains(String.format(
                            Locale.ROOT, "%.1f days", train.get("wallDays").doubleValue()));
            assertThat(html).contains("id=\"run-csv\" href=\"/api/train?" + q.replace("&", "&amp;"));
            // A first visit shows the defaults (the same run).
            assertThat(client.get("/training").body().string())
                    .contains(String.format(
                            Locale.ROOT, "$%,.0f", train.get("costUsd").doubleValue()));
        });
    }

    @Test
    void theTrainingPageShowsTheStepTheLayoutPredictsAndTheModelsValidationError() {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            // the page's parallelism fields lay out the step-time model when no MFU is typed
            String q = "model=llama-3-8b&hardware=h100-sxm&devices=64&tokens=1e12&tp=2&pp=2";
            String html = client.get("/training?" + q).body().string();
            var api = json(client.get("/api/train?model=llama-3-8b&hardware=h100-sxm&devices=64&tokens=1e12&tp=2&pp=2"
                    + "&zero=1&recompute=selective"));
            assertThat(html).contains("id=\"step-cards\"").contains("id=\"step-table\"");
            // the MFU the API predicts for the same layout, as the card shows it (one decimal of a percent)
            assertThat(html)
                    .contains(String.format(
                            java.util.Locale.ROOT,
                            "%.1f %%",
                            100 * api.at("/step/mfu").doubleValue()));
            // the validation figures are validate --training's: 8 step times and 10 weak-scaling runs
            // (data/.../published)
            assertThat(html).contains("against 18 published Megatron-LM runs");
            // the four parts of the step, whose shares add up to the step (to the rounding of one decimal each)
            var shares = java.util.regex.Pattern.compile("<td class=\"num\">([0-9.]+) %</td>")
                    .matcher(html.substring(
                            html.indexOf("id=\"step-table\""),
                            html.indexOf("</table>", html.indexOf("id=\"step-table\""))));
            double sum = 0;
            int parts = 0;
            while (shares.find()) {
                sum += Double.parseDouble(shares.group(1));
                parts++;
            }
            assertThat(parts).isEqualTo(4);
            assertThat(sum).isCloseTo(100, within(0.2));
            // an MFU typed in times the run by itself: no step section
            String typed = client.get("/training?" + q + "&mfu=0.4").body().string();
            assertThat(typed).doesNotContain("id=\"step-cards\"").contains("40.0 % MFU");
        });
    }

    @Test
    void theTrainingPageSearchesLayoutsFastestFirstAndAppliesOne() {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            String q = "model=llama-3-8b&hardware=h100-sxm&devices=64&tokens=1e12&search=true";
            String html = client.get("/training?" + q).body().string();
            assertThat(html).contains("id=\"layouts-table\"").contains("name=\"search\"");
            // the search is /api/train's for the same model, devices and (default) global batch
            JsonNode api = json(client.get("/api/train?model=llama-3-8b&hardware=h100-sxm&devices=64&tokens=1e12"
                    + "&search=true&top=" + dev.strata.web.page.TrainingPage.SEARCH_TOP));
            JsonNode layouts = api.get("layouts");
            assertThat(layouts).hasSize(8);
            String table = html.substring(
                    html.indexOf("id=\"layouts-table\""),
                    html.indexOf("</table>", html.indexOf("id=\"layouts-table\"")));
            var links = java.util.regex.Pattern.compile("class=\"apply-layout\" href=\"([^\"]+)\"")
                    .matcher(table);
            List<String> hrefs = new java.util.ArrayList<>();
            while (links.find()) hrefs.add(links.group(1).replace("&amp;", "&"));
            assertThat(hrefs).hasSize(8);
            // fastest first: each row's MFU as the API gives it, in the API's order (one decimal of a percent)
            int at = 0;
            for (JsonNode l : layouts) {
                String mfu =
                        String.format(Locale.ROOT, "%.1f %%", 100 * l.get("mfu").doubleValue());
                at = table.indexOf(mfu, at);
                assertThat(at).as(mfu).isPositive();
            }
            // applying the fastest times the run at it: the step's MFU is the search's
            String applied = client.get(hrefs.get(0)).body().string();
            assertThat(hrefs.get(0))
                    .doesNotContain("search=")
                    .contains("tp=" + layouts.get(0).get("tp").asText());
            assertThat(applied)
                    .contains("id=\"step-cards\"")
                    .doesNotContain("id=\"layouts-table\"")
                    .contains(String.format(
                            Locale.ROOT,
                            "%.1f %%",
                            100 * layouts.get(0).get("mfu").doubleValue()));
            // without the option there is no search
            assertThat(client.get("/training?model=llama-3-8b&hardware=h100-sxm&devices=64")
                            .body()
                            .string())
                    .doesNotContain("id=\"layouts-table\"");
        });
    }

    @Test
    void trainingMemoryFollowsZeroStagesOfModelStates() {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            JsonNode m =
                    json(client.get("/api/training-memory?model=llama-3-8b&hardware=h100-sxm&devices=64&seq-len=4096"));
            assertThat(m.get("dataParallel").intValue()).isEqualTo(64); // devices / (tp x pp)
            assertThat(m.get("rows")).hasSize(12);
            assertThat(m.get("deviceMemoryBytes").longValue())
                    .isEqualTo(81_559L << 20); // H100 SXM: 81,559 MiB as the driver reports it (hardware.json)
            // ZeRO (Rajbhandari et al. 2020, docs/formulas.md): model states per GPU with N_d = 64 data-parallel ranks
            // are
            // 16Ψ, 4Ψ + 12Ψ/N_d, 2Ψ + 14Ψ/N_d and 16Ψ/N_d at stages 0-3 (mixed-precision Adam); tolerance: rounding of
            // 4 sharded terms.
            double psi = LLAMA_3_8B, nd = 64;
            double[] expected = {16 * psi, 4 * psi + 12 * psi / nd, 2 * psi + 14 * psi / nd, 16 * psi / nd};
            for (JsonNode row : m.get("rows")) {
                double states = row.get("weightsBytes").doubleValue()
                        + row.get("gradientsBytes").doubleValue()
                        + row.get("masterWeightsBytes").doubleValue()
                        + row.get("optimizerStatesBytes").doubleValue();
                assertThat(states)
                        .as(row.toString())
                        .isCloseTo(expected[row.get("zeroStage").intValue()], within(8.0));
            }
            // Each row is estimate's memory.training for the same workload.
            JsonNode estimate = json(
                    client.get(
                            "/api/estimate?model=llama-3-8b&prompt=4096&generate=0&dp=64&zero=2&recompute=full&device-memory-gb=80"));
            JsonNode row = null;
            for (JsonNode r : m.get("rows"))
                if (r.get("zeroStage").intValue() == 2
                        && r.get("recompute").asText().equals("full")) row = r;
            assertThat(row.get("perDeviceBytes").longValue())
                    .isEqualTo(estimate.at("/memory/training/perDeviceBytes").longValue());
            assertThat(row.get("fits").booleanValue())
                    .isEqualTo(estimate.at("/memory/training/fits").booleanValue());

            String csv = client.get("/api/training-memory?model=llama-3-8b&hardware=h100-sxm&devices=64&format=csv")
                    .body()
                    .string();
            List<CSVRecord> records = csv(csv);
            assertThat(records).hasSize(12);
            assertThat(records.get(0).toMap())
                    .containsKeys("zeroStage", "recompute", "chosen", "perDeviceBytes", "fits");
            assertThat(Long.parseLong(records.get(11).get("perDeviceBytes")))
                    .isEqualTo(m.get("rows").get(11).get("perDeviceBytes").longValue());
        });
    }

    @Test
    void badTrainingInputIs400WithTheMessageNextToItsField() {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            assertFieldError(client, "/training?devices=many", "devices");
            assertFieldError(client, "/training?tokens=-5", "tokens");
            assertFieldError(client, "/training?mfu=1.5", "mfu");
            assertFieldError(client, "/training?zero=7", "zero");
            assertFieldError(client, "/training?recompute=sometimes", "recompute");
            assertFieldError(client, "/training?seq-len=100000", "seq-len");
            assertFieldError(client, "/training?devices=1024&tp=8&dp=3", "dp");
            assertFieldError(client, "/training?devices=1000&tp=16", "devices");
            assertFieldError(client, "/training?model=../../etc/passwd", "model");
            assertFieldError(client, "/training?optimizer=lion", "optimizer");
            String html = assertFieldError(client, "/training?hardware=%3Cscript%3Ealert(1)%3C/script%3E", "hardware");
            assertThat(html).doesNotContain("<script>alert(1)").contains("&lt;script&gt;alert(1)&lt;/script&gt;");
            // The API names the same fields.
            assertThat(json(client.get("/api/training-memory?model=gpt2&hardware=h100-sxm&zero=9"))
                            .get("field")
                            .asText())
                    .isEqualTo("zero");
        });
    }

    @Test
    void theScalingPageShowsTheOptimumOfEveryLawAtTheBudget() {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            Response r = client.get("/scaling?law=chinchilla-unrounded&compute=5.76e23");
            assertThat(r.code()).isEqualTo(200);
            String html = r.body().string();
            // Hoffmann et al. 2022 §3.3 (docs/formulas.md): about 40B parameters at Gopher's budget with the unrounded
            // constants.
            assertThat(html).contains("<title>Scaling laws · strata</title>").contains("40.4 B parameters");
            assertThat(html)
                    .contains(
                            "src=\"/chart/frontier.png?law=chinchilla-unrounded&amp;compute=5.76e23&amp;width=580&amp;height=420\"")
                    .contains("src=\"/chart/allocation.png?")
                    .contains("src=\"/chart/isoflop.png?")
                    .contains("id=\"laws-table\"")
                    .contains("href=\"/api/optimal?law=chinchilla-unrounded&amp;compute=5.76e23&amp;format=csv\"");
            JsonNode laws = json(client.get("/api/laws?compute=5.76e23"));
            assertThat(laws.get("laws").findValuesAsText("id"))
                    .contains("chinchilla", "epoch-2024", "kaplan-2020", "deepseek-2024");
            JsonNode optimal = json(client.get("/api/optimal?law=deepseek-2024&compute=5.76e23"));
            for (JsonNode l : laws.get("laws"))
                if (l.get("id").asText().equals("deepseek-2024"))
                    assertThat(l.get("params")).isEqualTo(optimal.get("params"));
            assertThat(csv(client.get("/api/laws?compute=1e24&format=csv")
                            .body()
                            .string()))
                    .hasSize(laws.get("laws").size());
            // An allocation-only law has no iso-FLOP curves: the page says so instead of failing.
            String deepseek =
                    client.get("/scaling?law=deepseek-2024&compute=1e24").body().string();
            assertThat(deepseek).contains("id=\"isoflop-none\"").doesNotContain("isoflop.png");
            // With a model size, the off-optimal penalty.
            assertThat(client.get("/scaling?law=chinchilla&compute=5.76e23&params=280e9")
                            .body()
                            .string())
                    .contains("loss penalty vs the optimum");
        });
    }

    @Test
    void badScalingInputIs400WithTheMessageNextToItsField() {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            assertFieldError(client, "/scaling?compute=lots", "compute");
            assertFieldError(client, "/scaling?compute=-1", "compute");
            assertFieldError(client, "/scaling?compute=1e24&params=big", "params");
            String html = assertFieldError(client, "/scaling?law=%3Cimg%20src=x%3E", "law");
            assertThat(html).doesNotContain("<img src=x>").contains("&lt;img src=x&gt;");
        });
    }

    @Test
    void everyChartOfThePagesIsPngAndSvg() {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            for (String chart : List.of(
                    "training-memory.%s?model=mixtral-8x7b&hardware=a100-80gb-sxm&devices=64&tp=8",
                    "frontier.%s?compute=1e22",
                    "allocation.%s?compute=1e22",
                    "isoflop.%s?law=epoch-2024&compute=1e22&params=1e9")) {
                Response png = client.get("/chart/" + String.format(chart, "png"));
                assertThat(png.code()).as(chart).isEqualTo(200);
                assertThat(png.headers().get("Content-Type")).containsExactly("image/png");
                Response svg = client.get("/chart/" + String.format(chart, "svg"));
                assertThat(svg.headers().get("Content-Type")).containsExactly("image/svg+xml");
                assertThat(svg.body().string()).contains("<svg");
            }
            assertThat(json(client.get("/chart/isoflop.png?law=deepseek-2024&compute=1e22"))
                            .get("field")
                            .asText())
                    .isEqualTo("law");
            assertThat(json(client.get("/chart/training-memory.png?devices=abc"))
                            .get("field")
                            .asText())
                    .isEqualTo("devices");
            assertThat(json(client.get("/chart/frontier.svg?compute=0"))
                            .get("field")
                            .asText())
                    .isEqualTo("compute");
            assertThat(json(client.get("/chart/fit.png")).get("field").asText()).isEqualTo("data");
        });
    }

    @Test
    void fittingRunsOnThePageRecoversTheirLawAndItsResidualsAreTheApis() {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            String runs = Runs.csv("N", "D", "loss", false);
            Map<String, String> fields = new LinkedHashMap<>(Map.of("bootstrap", "20", "seed", "3"));
            Response r = multipart(client, "/scaling/fit?law=chinchilla&compute=1e23", fields, "runs.csv", runs);
            assertThat(r.code()).isEqualTo(200);
            String html = r.body().string();
            // Runs.TRUTH: beta = 0.366 and alpha = 0.348, recovered from exact losses (ScalingApiTest: within 1e-3).
            assertThat(html)
                    .contains("id=\"fit-table\"")
                    .contains(">0.366<")
                    .contains(">0.348<")
                    .contains("Runs from the file <b>runs.csv</b>")
                    .contains("src=\"data:image/png;base64,")
                    .contains("20 bootstrap resamples")
                    .contains("id=\"residuals-table\"");
            // The fitted law at the page's budget, C = 1e23: Hoffmann et al. 2022 eq. (4) with Runs.TRUTH's constants,
            // N_opt = G (C/6)^(beta/(alpha+beta)), G = (alpha A / (beta B))^(1/(alpha+beta)); D_opt = C / (6 N_opt).
            // The page prints three significant figures; the recovered constants are within 1e-3 of the truth, which
            // moves N_opt by well under 0.5 %, so the printed figure is the hand value's to 3 significant figures.
            double a = 0.348, bb = 0.366, g = Math.pow(a * 482 / (bb * 2085), 1 / (a + bb));
            double nOpt = g * Math.pow(1e23 / 6, bb / (a + bb));
            assertThat(html).contains("id=\"fit-optimum\"");
            String optimum = html.substring(html.indexOf("id=\"fit-optimum\""));
            String shown =
                    optimum.replaceAll("(?s).*compute-optimal model size N</td><td[^>]*>([^<]*) parameters.*", "$1");
            double nShown = Double.parseDouble(shown.replace(" B", "")) * 1e9;
            assertThat(nShown).isCloseTo(nOpt, org.assertj.core.api.Assertions.within(0.006 * nOpt));
            // Pasted text works as a file does (URL-encoded form), and the page states the default bootstrap.
            Response pasted = client.request(
                    "/scaling/fit",
                    b -> b.post(HttpRequest.BodyPublishers.ofString(
                                    "data=" + java.net.URLEncoder.encode(runs, java.nio.charset.StandardCharsets.UTF_8)
                                            + "&bootstrap=0"))
                            .header("Content-Type", "application/x-www-form-urlencoded"));
            assertThat(pasted.code()).isEqualTo(200);
            assertThat(pasted.body().string())
                    .contains(">0.366<")
                    .contains("0 bootstrap resamples")
                    .contains("bootstrap of 200");

            // The residuals CSV of the page equals the points of POST /api/fit for the same runs.
            List<CSVRecord> residuals = csv(multipart(client, "/scaling/residuals.csv", Map.of(), null, null, runs)
                    .body()
                    .string());
            JsonNode api = json(client.post("/api/fit?bootstrap=0", runs));
            assertThat(residuals).hasSize(16);
            for (int i = 0; i < 16; i++) {
                JsonNode p = api.get("points").get(i);
                assertThat(Double.parseDouble(residuals.get(i).get("residual")))
                        .isEqualTo(p.get("residual").doubleValue());
                assertThat(Double.parseDouble(residuals.get(i).get("predictedLoss")))
                        .isEqualTo(p.get("predictedLoss").doubleValue());
            }
            Response png = multipart(client, "/chart/fit.png", Map.of(), null, null, runs);
            assertThat(png.headers().get("Content-Type")).containsExactly("image/png");
            assertThat(multipart(client, "/chart/fit.svg", Map.of(), null, null, runs)
                            .body()
                            .string())
                    .contains("<svg");
        });
    }

    @Test
    void badRunsAre400NextToTheirFieldAndEscaped() {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            assertFitError(multipart(client, "/scaling/fit", Map.of(), null, null, ""), 400, "data");
            assertFitError(
                    multipart(
                            client,
                            "/scaling/fit",
                            Map.of("n-col", "params"),
                            null,
                            null,
                            Runs.csv("N", "D", "loss", false)),
                    400,
                    "n-col");
            assertFitError(
                    multipart(
                            client,
                            "/scaling/fit",
                            Map.of("bootstrap", "50000"),
                            null,
                            null,
                            Runs.csv("N", "D", "loss", false)),
                    400,
                    "bootstrap");
            assertFitError(
                    multipart(client, "/scaling/fit", Map.of(), null, null, "N,D,loss\n1e8,1e9,3\n"), 400, "data");
            String evil = Runs.csv("<script>alert(1)</script>", "D", "loss", false);
            String html =
                    assertFitError(multipart(client, "/scaling/fit", Map.of(), "<b>x</b>.csv", evil), 400, "n-col");
            assertThat(html)
                    .doesNotContain("<script>alert(1)")
                    .doesNotContain("<b>x</b>")
                    .contains("&lt;script&gt;alert(1)&lt;/script&gt;")
                    .contains("&lt;b&gt;x&lt;/b&gt;.csv");
            String huge = "N,D,loss\n" + "1e8,1e9,3.0\n".repeat((int) (StrataServer.MAX_BODY_BYTES / 12) + 10);
            assertFitError(multipart(client, "/scaling/fit", Map.of(), "big.csv", huge), 413, "data");
            assertThat(client.get("/scaling").code()).isEqualTo(200); // still answers afterwards
            Response back = client.get("/scaling/fit"); // a bookmarked result leads back to the page
            assertThat(back.code()).isEqualTo(302);
            assertThat(back.headers().get("Location")).containsExactly("/scaling");
        });
    }

    private static String assertFieldError(HttpClient client, String path, String field) {
        Response r = client.get(path);
        String html = r.body().string();
        assertThat(r.code()).as(path).isEqualTo(400);
        assertThat(html)
                .as(path)
                .contains("<span class=\"field-error\" id=\"error-" + field + "\">")
                .contains("name=\"" + field + "\"");
        assertThat(html).as(path).doesNotContain("Exception").contains("</html>");
        return html;
    }

    private static String assertFitError(Response r, int status, String field) {
        String html = r.body().string();
        assertThat(r.code())
                .as(html.length() > 400 ? html.substring(0, 400) : html)
                .isEqualTo(status);
        assertThat(html)
                .contains("id=\"error-" + field + "\"")
                .contains("id=\"fit-form\"")
                .doesNotContain("Exception");
        return html;
    }

    /** A multipart form post: the fields and, when {@code fileName} is given, the runs as a file, else as the text field. */
    @Test
    void aConfigUploadedToThePlannerIsEstimatedAsTheApiEstimatesItPosted() throws Exception {
        String config = Files.readString(Path.of("testdata", "hf-configs", "mixtral-8x7b-v0.1.json"));
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            Response r =
                    multipart(client, "/", Map.of("hardware", "h100-sxm", "batch", "4"), "mixtral.json", config, null);
            assertThat(r.code()).isEqualTo(200);
            String html = r.body().string();
            // 46,702,792,704: Mixtral 8x7B's published count (PublishedCountsTest), exact; the file is kept in the form
            assertThat(html).contains("46,702,792,704 parameters").contains("&quot;num_local_experts&quot;");
            assertThat(html).doesNotContain("id=\"unknown\"");
            // an upload that is not a config is refused next to the config field, by name
            Response bad = multipart(client, "/", Map.of(), "x.json", "{\"model_type\": \"nope\"}", null);
            assertThat(bad.code()).isEqualTo(400);
            assertThat(bad.body().string()).contains("id=\"error-config\"");
        });
    }

    private static Response multipart(
            HttpClient client, String path, Map<String, String> fields, String fileName, String runs) {
        return multipart(
                client, path, fields, fileName, fileName == null ? null : runs, fileName == null ? runs : null);
    }

    private static Response multipart(
            HttpClient client, String path, Map<String, String> fields, String fileName, String file, String data) {
        String boundary = "strata-test-boundary-7f3a";
        StringBuilder b = new StringBuilder();
        Map<String, String> all = new LinkedHashMap<>(fields);
        if (data != null) all.put("data", data);
        all.forEach((k, v) -> b.append("--")
                .append(boundary)
                .append("\r\nContent-Disposition: form-data; name=\"")
                .append(k)
                .append("\"\r\n\r\n")
                .append(v)
                .append("\r\n"));
        if (fileName != null)
            b.append("--")
                    .append(boundary)
                    .append("\r\nContent-Disposition: form-data; name=\"file\"; filename=\"")
                    .append(fileName)
                    .append("\"\r\nContent-Type: text/csv\r\n\r\n")
                    .append(file)
                    .append("\r\n");
        b.append("--").append(boundary).append("--\r\n");
        return client.request(
                path,
                r -> r.post(HttpRequest.BodyPublishers.ofString(b.toString()))
                        .header("Content-Type", "multipart/form-data; boundary=" + boundary));
    }

    private static JsonNode json(Response r) throws Exception {
        return Render.MAPPER.readTree(r.body().string());
    }

    private static List<CSVRecord> csv(String text) throws Exception {
        return new ArrayList<>(CSVFormat.RFC4180
                .builder()
                .setHeader()
                .setSkipHeaderRecord(true)
                .get()
                .parse(new StringReader(text))
                .getRecords());
    }
}
