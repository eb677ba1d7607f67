package dev.strata.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.web.render.Render;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidateCliTest {
    @Test
    void theReportCsvHasOneRowPerMeasuredPointWithTheContractColumns() throws Exception {
        Cli r = Cli.run("validate", "--report", "--format", "csv");
        List<CSVRecord> rows = CSVFormat.RFC4180
                .builder()
                .setHeader()
                .setSkipHeaderRecord(true)
                .get()
                .parse(new java.io.StringReader(r.out()))
                .getRecords();
        // docs/architecture.md, "Contracts": quantity, model, dtype, batch, context, measured, estimated, floor
        // (latency rows)
        assertThat(rows.get(0).getParser().getHeaderNames())
                .startsWith("quantity", "model", "dtype", "batch", "context", "measured", "estimated", "floor");
        assertThat(rows.stream().map(x -> x.get("quantity")).distinct())
                .contains(
                        "params",
                        "prefill_flops",
                        "weights_bytes",
                        "peak_memory_bytes",
                        "prefill_seconds",
                        "decode_seconds_per_token");
        for (CSVRecord row : rows) {
            boolean latency = row.get("quantity").endsWith("_seconds")
                    || row.get("quantity").endsWith("_per_token");
            assertThat(row.get("floor").isEmpty()).as(row.toString()).isEqualTo(!latency);
            Double.parseDouble(row.get("measured"));
            Double.parseDouble(row.get("estimated"));
        }
        // 38 points (5 models x 2 formats, 19 shapes) have params and decode rows; 18 of them have a prefill
        assertThat(rows.stream().filter(x -> x.get("quantity").equals("params")))
                .hasSize(38);
        assertThat(rows.stream().filter(x -> x.get("quantity").equals("decode_seconds_per_token")))
                .hasSize(38);
        assertThat(rows.stream().filter(x -> x.get("quantity").equals("prefill_flops")))
                .hasSize(18);
    }

    @Test
    void theJsonReportHasSummaryTargetsAndTheCalibrationItWasEstimatedWith() throws Exception {
        JsonNode json = Render.MAPPER.readTree(
                Cli.run("validate", "--report", "--format", "json").out());
        assertThat(json.get("points").size()).isGreaterThan(200);
        assertThat(json.get("summary").findValuesAsText("quantity"))
                .contains("decode_seconds_per_token", "peak_memory_bytes");
        assertThat(json.get("targets").findValuesAsText("target"))
                .contains("parameters exact", "prefill FLOPs within 0.5 % of the profiler's count");
        JsonNode cal = json.get("calibration");
        assertThat(cal.get("hardware").get("id").asText()).isEqualTo("host");
        assertThat(cal.get("formats").has("fp32")).isTrue();
        assertThat(cal.get("formats").has("bf16")).isTrue();
        assertThat(cal.get("checks").size()).isGreaterThan(20);
    }

    @Test
    void theTableShowsPointsSummaryAndTargets() {
        Cli r = Cli.run("validate", "--report");
        assertThat(r.out())
                .contains("quantity")
                .contains("decode_seconds_per_token")
                .contains("medianAbsRelativeError")
                .contains("parameters exact");
        // the run: where it comes from, its machine, and (the shipped CPU run calibrated twice) the drift between its
        // calibrations
        assertThat(r.out()).contains("source").contains("Xeon").contains("calibrationDrift.matrixProductTimeMedian");
    }

    @Test
    void aChartIsWrittenAsPngOrSvg(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("v.png"), svg = dir.resolve("v.svg");
        Cli.run("validate", "--report", "--chart", png.toString(), "--format", "json");
        Cli.run(
                "validate",
                "--report",
                "--chart",
                svg.toString(),
                "--chart-quantity",
                "peak_memory_bytes",
                "--format",
                "json");
        byte[] head = Files.readAllBytes(png);
        assertThat(head[1]).isEqualTo((byte) 'P'); // \x89PNG
        assertThat(Files.readString(svg)).contains("<svg").contains("y = x");
        Cli bad =
                Cli.run("validate", "--report", "--chart", dir.resolve("v.gif").toString());
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("--chart").contains(".png or .svg");
    }

    @Test
    void theShippedGpuRunIsReportedWithDeviceCuda() throws Exception {
        Cli r = Cli.run("validate", "--report", "--device", "cuda", "--format", "csv");
        List<CSVRecord> rows = CSVFormat.RFC4180
                .builder()
                .setHeader()
                .setSkipHeaderRecord(true)
                .get()
                .parse(new java.io.StringReader(r.out()))
                .getRecords();
        // 46 points (data/reference/README.md), every one prefilled on the GPU
        assertThat(rows.stream().filter(x -> x.get("quantity").equals("params")))
                .hasSize(46);
        assertThat(rows.stream().filter(x -> x.get("quantity").equals("prefill_flops")))
                .hasSize(46);
        assertThat(rows.stream().map(x -> x.get("model")).distinct()).contains("llama-3-8b");
        JsonNode json = Render.MAPPER.readTree(Cli.run("validate", "--report", "--device", "cuda", "--format", "json")
                .out());
        assertThat(json.get("run").get("machine").asText()).contains("H100");
        assertThat(json.get("calibration").get("hardware").get("name").asText()).contains("H100");
        Cli bad = Cli.run("validate", "--report", "--device", "tpu");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("--device").contains("tpu").contains("cpu, cuda");
    }

    @Test
    void aRunThatCalibratedTwiceIsEstimatedWithTheMeanAndReportsTheDrift(@TempDir Path dir) throws Exception {
        // the shipped CPU run's points and first calibration in a folder, validated; then again with a calibration
        // after
        // the points in which every matrix-vector product ran at half its rate (time doubled: +100 %), the rest the
        // same
        String shipped = "/dev/strata/data/measured/";
        Files.createDirectories(dir.resolve("specs"));
        for (String f : List.of(
                "cpu-reference.csv",
                "cpu-calibration.csv",
                "specs/gpt2-124m.json",
                "specs/llama-11m.json",
                "specs/llama-3.2-1b.json",
                "specs/moe-194m.json",
                "specs/qwen2.5-0.5b.json"))
            try (var in = ValidateCliTest.class.getResourceAsStream(shipped + f)) {
                Files.write(dir.resolve(f), in.readAllBytes());
            }
        JsonNode once =
                Render.MAPPER.readTree(Cli.run("validate", "--report", "--data", dir.toString(), "--format", "json")
                        .out());
        List<CSVRecord> rows = CSVFormat.RFC4180
                .builder()
                .setHeader()
                .setSkipHeaderRecord(true)
                .get()
                .parse(Files.newBufferedReader(dir.resolve("cpu-calibration.csv")))
                .getRecords();
        try (var out = CSVFormat.RFC4180
                .builder()
                .setHeader(rows.get(0).getParser().getHeaderNames().toArray(String[]::new))
                .get()
                .print(Files.newBufferedWriter(dir.resolve("cpu-calibration-end.csv")))) {
            for (CSVRecord row : rows) {
                List<String> cells = new java.util.ArrayList<>(row.toList());
                if (row.get("factor").equals("matvec_bandwidth"))
                    cells.set(
                            row.getParser().getHeaderMap().get("value"),
                            Double.toString(Double.parseDouble(row.get("value")) / 2));
                out.printRecord(cells);
            }
        }
        JsonNode twice =
                Render.MAPPER.readTree(Cli.run("validate", "--report", "--data", dir.toString(), "--format", "json")
                        .out());
        JsonNode drift = twice.get("run").get("calibrationDrift");
        assertThat(once.get("run").has("calibrationDrift")).isFalse();
        // the matrix-vector products (36 of the 48 products) took twice as long; the GEMMs and the stream the same
        assertThat(drift.get("matrixProducts").asInt()).isEqualTo(48);
        assertThat(drift.get("matrixProductTimeMedian").asDouble())
                .isEqualTo(1.0, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(drift.get("matrixProductTimeMin").asDouble())
                .isEqualTo(0.0, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(drift.get("matrixProductTimeMax").asDouble())
                .isEqualTo(1.0, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(drift.get("streamTime").asDouble()).isEqualTo(0.0, org.assertj.core.api.Assertions.within(1e-12));
        // estimated with the mean: the matrix-vector products 1.5 times as long, so every decode estimate is longer
        // than from the first calibration alone, and the counts are the same
        java.util.Map<String, Double> before = new java.util.HashMap<>(), after = new java.util.HashMap<>();
        for (JsonNode p : once.get("points"))
            before.put(key(p), p.get("estimated").asDouble());
        for (JsonNode p : twice.get("points"))
            after.put(key(p), p.get("estimated").asDouble());
        assertThat(after.keySet()).isEqualTo(before.keySet());
        before.forEach((k, v) -> {
            if (k.startsWith("decode_seconds_per_token"))
                assertThat(after.get(k)).as(k).isGreaterThan(v);
            if (k.startsWith("params") || k.startsWith("prefill_flops"))
                assertThat(after.get(k)).as(k).isEqualTo(v);
        });
    }

    private static String key(JsonNode p) {
        return p.get("quantity").asText() + "/" + p.get("model").asText() + "/"
                + p.get("dtype").asText() + "/" + p.get("batch").asText() + "/"
                + p.get("context").asText();
    }

    @Test
    void withoutPythonTheLiveRunSaysWhatIsMissingInOneLine(@TempDir Path dir) {
        Cli r = Cli.run("validate", "--python", dir.resolve("no-python").toString());
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.err()).contains("python3-torch");
    }

    @Test
    void theHostIsHardwareLikeAnyOther() throws Exception {
        JsonNode est =
                Render.MAPPER.readTree(Cli.run("estimate", "--model", "gpt2", "--hardware", "host", "--format", "json")
                        .out());
        JsonNode latency = est.get("latency");
        assertThat(latency.get("hardware").asText()).isEqualTo("host");
        double floor = latency.get("decodeSecondsPerToken").get("floor").asDouble();
        double calibrated =
                latency.get("decodeSecondsPerToken").get("calibrated").asDouble();
        assertThat(calibrated).isGreaterThan(floor);
        assertThat(latency.get("tuning").has("layerOverheadSeconds")).isTrue();
        // the runtime term of the memory estimate is the measured runtime memory (import torch), not 1 GiB
        assertThat(est.get("memory").get("runtimeOverheadBytes").asLong()).isBetween(100_000_000L, 1_000_000_000L);
        // fp32 runs at the fp32 calibration: other efficiencies than bf16
        JsonNode fp32 = Render.MAPPER.readTree(
                Cli.run("estimate", "--model", "gpt2", "--hardware", "host", "--weights", "fp32", "--format", "json")
                        .out());
        assertThat(fp32.get("latency").get("computeFormat").asText()).isEqualTo("fp32");
        assertThat(fp32.get("latency").get("efficiency")).isNotEqualTo(latency.get("efficiency"));
    }
}
