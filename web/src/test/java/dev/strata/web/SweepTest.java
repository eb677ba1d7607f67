package dev.strata.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.web.http.StrataServer;
import dev.strata.web.render.Render;
import io.javalin.testtools.JavalinTest;
import java.io.StringReader;
import java.time.Duration;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;

class SweepTest {

    static List<CSVRecord> csv(String text) throws Exception {
        return CSVFormat.RFC4180
                .builder()
                .setHeader()
                .setSkipHeaderRecord(true)
                .get()
                .parse(new StringReader(text))
                .getRecords();
    }

    @Test
    void rangesAndListsExpandLastOptionFastest() throws Exception {
        Cli r = Cli.run(
                "sweep",
                "--model",
                "llama-3-8b",
                "--hardware",
                "h100-sxm",
                "--prompt",
                "512,2048",
                "--batch",
                "1..16x2");
        assertThat(r.exitCode()).as(r.err()).isZero();
        List<CSVRecord> rows = csv(r.out());
        assertThat(rows).hasSize(10);
        assertThat(rows.stream().map(x -> x.get("batch")).toList())
                .containsExactly("1", "2", "4", "8", "16", "1", "2", "4", "8", "16");
        assertThat(rows.get(0).get("promptTokens")).isEqualTo("512");
        assertThat(rows.get(9).get("promptTokens")).isEqualTo("2048");
        // each row is the estimate of that point: the same decode floor as `estimate` gives
        JsonNode one = Render.MAPPER.readTree(Cli.run(
                        "estimate",
                        "--model",
                        "llama-3-8b",
                        "--hardware",
                        "h100-sxm",
                        "--prompt",
                        "2048",
                        "--batch",
                        "4",
                        "--format",
                        "json")
                .out());
        assertThat(Double.parseDouble(rows.get(7).get("decodeFloorSeconds")))
                .isEqualTo(one.at("/latency/decodeSecondsPerToken/floor").doubleValue());
        assertThat(Long.parseLong(rows.get(7).get("kvCacheBytes")))
                .isEqualTo(one.at("/memory/kvCacheBytes").longValue());
    }

    @Test
    void stepRangesModelsAndFormatsVaryToo() throws Exception {
        List<CSVRecord> rows = csv(Cli.run(
                        "sweep",
                        "--model",
                        "gpt2,llama-3.2-1b",
                        "--weights",
                        "bf16,int4",
                        "--generate",
                        "16",
                        "--prompt",
                        "250..1000+250")
                .out());
        assertThat(rows).hasSize(2 * 2 * 4);
        assertThat(rows.stream().map(x -> x.get("promptTokens")).distinct().toList())
                .containsExactly("250", "500", "750", "1000");
        // int4 (= int4-g128) weights are smaller than bf16 for the same model
        assertThat(Long.parseLong(rows.get(4).get("weightsBytes")))
                .isLessThan(Long.parseLong(rows.get(0).get("weightsBytes")));
        // beyond a model's context is refused, as estimate refuses it: before the header, though 512 alone would run
        // (Sweep.check), so a file redirected from the command holds no partial table
        Cli tooLong = Cli.run("sweep", "--model", "gpt2", "--prompt", "512,1024");
        assertThat(tooLong.exitCode()).isEqualTo(2);
        assertThat(tooLong.out()).isEmpty();
        assertThat(tooLong.err()).contains("prompt = 1024").contains("context length");
        Cli laterPoint = Cli.run(
                "sweep", "--model", "llama-3-8b", "--hardware", "h100-sxm", "--tp", "1,2,3", "--batch", "1..64");
        assertThat(laterPoint.exitCode())
                .isEqualTo(2); // tp 3 does not divide 32 heads: found before 128 good rows are written
        assertThat(laterPoint.out()).isEmpty();
        assertThat(laterPoint.err()).contains("parallelism.tensor = 3");
    }

    @Test
    void badSweepsExitTwo() {
        for (String[] args : new String[][] {
            {"sweep", "--model", "gpt2", "--batch", "8..1"},
            {"sweep", "--model", "gpt2", "--batch", "1..8x1"},
            {"sweep", "--model", "gpt2", "--batch", "1,,2"},
            {"sweep", "--model", "gpt2", "--batch", "0..4"},
            {"sweep", "--model", "gpt2,nope"},
            {"sweep", "--model", "gpt2", "--batch", "1..100000", "--prompt", "1..100000"}
        }) {
            Cli r = Cli.run(args);
            assertThat(r.exitCode()).as(String.join(" ", args) + ": " + r.err()).isEqualTo(2);
            assertThat(r.err().strip().lines().count()).isEqualTo(1);
        }
    }

    @Test
    void theHttpSweepStreamsCsvAndJsonLinesAndLimitsItsSize() {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            var r = client.get("/api/sweep?model=llama-3-8b&hardware=a100-80gb-sxm&batch=1..8");
            assertThat(r.code()).isEqualTo(200);
            assertThat(r.headers().get("Content-Type").get(0)).startsWith("text/csv");
            assertThat(csv(r.body().string())).hasSize(8);
            var j = client.get("/api/sweep?model=gpt2&batch=1,2&format=json");
            assertThat(j.body()
                            .string()
                            .lines()
                            .map(l -> {
                                try {
                                    return Render.MAPPER
                                            .readTree(l)
                                            .get("paramsTotal")
                                            .longValue();
                                } catch (Exception e) {
                                    throw new AssertionError(e);
                                }
                            })
                            .toList())
                    .containsExactly(124_439_808L, 124_439_808L);
            var big = client.get("/api/sweep?model=gpt2&batch=1..1000&prompt=1..1000");
            assertThat(big.code()).isEqualTo(400);
            assertThat(Render.MAPPER.readTree(big.body().string()).get("error").asText())
                    .contains("at most 100000 points");
            assertThat(client.get("/api/sweep?model=../x.json").code()).isEqualTo(400);
            assertThat(client.get("/api/sweep?model=llama-3-8b&tp=3,4").code())
                    .isEqualTo(400); // tp 3 does not divide 32 heads
        });
    }

    /**
     * Issue 28, finding 3: a range was expanded into a list before the cap was checked, so {@code batch=1..16777216}
     * filled the server's heap and the command line's {@code --batch 1..9223372036854775807} grew to gigabytes. The
     * points are counted from the ranges as written: each of these is refused at once (bounded here by a generous
     * 10 s; the expansion took minutes).
     */
    @Test
    void sweepsOverTheCapAreRefusedBeforeAnyRangeIsExpanded() {
        assertTimeoutPreemptively(
                Duration.ofSeconds(10),
                () -> JavalinTest.test(StrataServer.create(), (server, client) -> {
                    for (String range :
                            new String[] {"1..16777216", "1..9223372036854775807", "0..9223372036854775807"}) {
                        var r = client.get("/api/sweep?model=gpt2&batch=" + range);
                        assertThat(r.code()).isEqualTo(400);
                        JsonNode e = Render.MAPPER.readTree(r.body().string());
                        assertThat(e.path("field").asText()).isEqualTo("batch");
                        assertThat(e.path("error").asText()).contains("at most 100000 points");
                    }
                    // 16,777,216 values: b - a + 1 of 1..16777216
                    assertThat(client.get("/api/sweep?model=gpt2&batch=1..16777216")
                                    .body()
                                    .string())
                            .contains("16,777,216");
                    // 1..1024x2 has 11 values, 200..800+200 four: 44 points, under the cap
                    assertThat(csv(client.get("/api/sweep?model=gpt2&batch=1..1024x2&prompt=200..800%2B200")
                                    .body()
                                    .string()))
                            .hasSize(44);
                }));
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            for (String range :
                    new String[] {"1..9223372036854775807", "1..9223372036854775807x2", "0..9223372036854775807"}) {
                Cli r = Cli.run("sweep", "--model", "gpt2", "--batch", range);
                assertThat(r.exitCode()).as(range + ": " + r.err()).isEqualTo(2);
                assertThat(r.err().strip().lines().count()).isEqualTo(1);
                assertThat(r.out()).isEmpty();
            }
        });
    }

    /** The command line's cap is 10,000,000 points unless --max-points says otherwise (up to 100,000,000). */
    @Test
    void theCommandLineCapIsAFlag() {
        // 20 x 10 = 200 points: refused under --max-points 199, run under 200
        Cli refused =
                Cli.run("sweep", "--model", "gpt2", "--batch", "1..20", "--generate", "1..10", "--max-points", "199");
        assertThat(refused.exitCode()).isEqualTo(2);
        // named by the option with the most values, the one to cut first
        assertThat(refused.err()).contains("--batch").contains("at most 199 points (this sweep has 200)");
        Cli run = Cli.run("sweep", "--model", "gpt2", "--batch", "1..20", "--generate", "1..10", "--max-points", "200");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out().lines().count()).isEqualTo(201); // the header and 200 rows
        // the default: 1..4000 x 1..4000 is 16,000,000 points, over 10,000,000
        Cli dflt = Cli.run("sweep", "--model", "gpt2", "--batch", "1..4000", "--prompt", "1..4000");
        assertThat(dflt.exitCode()).isEqualTo(2);
        assertThat(dflt.err()).contains("at most 10000000 points").contains("16,000,000");
        for (String cap : new String[] {"0", "100000001", "x"}) {
            Cli bad = Cli.run("sweep", "--model", "gpt2", "--max-points", cap);
            assertThat(bad.exitCode()).as(cap).isEqualTo(2);
            assertThat(bad.err()).contains("--max-points");
        }
    }

    /**
     * Issue 28, finding 6: an empty item ({@code batch=,}) made an empty list, whose first value was read anyway: a
     * 500. Every option that may vary names itself, with the value and what is allowed.
     */
    @Test
    void anEmptyListItemIs400NamingTheOption() {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            for (String name : dev.strata.web.report.SweepRequest.AXES.keySet())
                for (String value : new String[] {",", ",,", "1,", ",1", " , "}) {
                    String v = name.equals("model") ? value.replace("1", "gpt2") : value;
                    String query = (name.equals("model") ? "" : "model=gpt2&") + name + "="
                            + java.net.URLEncoder.encode(v, java.nio.charset.StandardCharsets.UTF_8);
                    var r = client.get("/api/sweep?" + query);
                    assertThat(r.code()).as(query).isEqualTo(400);
                    JsonNode e = Render.MAPPER.readTree(r.body().string());
                    assertThat(e.path("field").asText()).as(query).isEqualTo(name);
                    assertThat(e.path("error").asText()).as(query).contains("without empty items");
                }
        });
    }
}
