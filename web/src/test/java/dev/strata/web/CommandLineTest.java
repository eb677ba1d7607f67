package dev.strata.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.web.render.Render;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandLineTest {

    @Test
    void versionIsTheBuildsProjectVersion() throws Exception {
        // the parent pom's <version>: the build fills it into version.properties, nothing in the code repeats it
        String pomVersion = javax.xml.parsers.DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(Path.of("pom.xml").toFile())
                .getDocumentElement()
                .getElementsByTagName("version")
                .item(0)
                .getTextContent()
                .trim();
        Cli r = Cli.run("--version");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out().trim()).isEqualTo("strata " + pomVersion);
        assertThat(pomVersion).matches("\\d+\\.\\d+\\.\\d+.*");
    }

    @Test
    void estimateOnASharedConfigGivesTheExactCountAsIntegers() throws IOException {
        // docs/architecture.md: Mixtral-8x7B 46,702,792,704 total, 12,879,925,248 active. Exact.
        Cli r = Cli.run("estimate", "--model", "testdata/hf-configs/mixtral-8x7b-v0.1.json", "--format", "json");
        assertThat(r.exitCode()).isZero();
        JsonNode json = Render.MAPPER.readTree(r.out());
        assertThat(json.at("/params/total").isIntegralNumber()).isTrue();
        assertThat(json.at("/params/total").longValue()).isEqualTo(46_702_792_704L);
        assertThat(json.at("/params/active").longValue()).isEqualTo(12_879_925_248L);
        assertThat(json.at("/params/breakdown/routedExperts").longValue())
                .isEqualTo(45_097_156_608L); // 32 x 8 x 3 x 4096 x 14336
    }

    @Test
    void estimateOfAPresetReportsThePublishedFigureBeside() throws IOException {
        JsonNode json = Render.MAPPER.readTree(
                Cli.run("estimate", "--model", "llama-3-8b", "--format", "json").out());
        assertThat(json.at("/params/total").longValue())
                .isEqualTo(json.at("/params/published/total").longValue())
                .isEqualTo(8_030_261_248L);
        assertThat(json.at("/model/id").asText()).isEqualTo("llama-3-8b");
    }

    @Test
    void csvHasOneRowPerTermThatSumsToTheTotal() throws IOException {
        Cli r = Cli.run("estimate", "--model", "gpt2", "--format", "csv");
        List<CSVRecord> rows = CSVFormat.RFC4180
                .builder()
                .setHeader()
                .setSkipHeaderRecord(true)
                .get()
                .parse(new StringReader(r.out()))
                .getRecords();
        long total = 0, sum = 0;
        for (CSVRecord row : rows) {
            if (row.get("quantity").equals("params.total")) total = Long.parseLong(row.get("value"));
            if (row.get("quantity").startsWith("params.breakdown.")) sum += Long.parseLong(row.get("value"));
        }
        assertThat(total).isEqualTo(124_439_808L).isEqualTo(sum);
        assertThat(r.out()).startsWith("quantity,value\r\n");
    }

    @Test
    void tableIsTheDefaultAndReadable() {
        Cli r = Cli.run("estimate", "--model", "gpt2");
        assertThat(r.out()).contains("params.total").contains("124,439,808");
    }

    @Test
    void presetsListsEveryPresetInEachFormat() throws IOException {
        JsonNode json =
                Render.MAPPER.readTree(Cli.run("presets", "--format", "json").out());
        assertThat(json.get("presets").size()).isGreaterThanOrEqualTo(16);
        String csv = Cli.run("presets", "--format", "csv").out();
        assertThat(csv.lines().count()).isEqualTo(json.get("presets").size() + 1L);
        assertThat(Cli.run("presets").out()).contains("deepseek-v3").contains("671,026,419,200");
    }

    @Test
    void specJsonIsAcceptedBackAsAModel(@TempDir Path dir) throws IOException {
        Cli spec = Cli.run("spec", "--model", "deepseek-v3");
        assertThat(spec.exitCode()).isZero();
        Path file = dir.resolve("deepseek.json");
        Files.writeString(file, spec.out());
        JsonNode json = Render.MAPPER.readTree(Cli.run("estimate", "--model", file.toString(), "--format", "json")
                .out());
        assertThat(json.at("/params/total").longValue()).isEqualTo(671_026_419_200L); // same as the preset
    }

    @Test
    void aMalformedConfigExitsTwoWithOneLine(@TempDir Path dir) throws IOException {
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"model_type\": \"llama\", \"hidden_size\": ");
        Cli r = Cli.run("estimate", "--model", bad.toString(), "--format", "json");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().strip())
                .startsWith("strata: config is not valid JSON")
                .doesNotContain("\n")
                .doesNotContain("Exception");
    }

    @Test
    void badInputExitsTwoNamingWhatWasWrong(@TempDir Path dir) throws IOException {
        Path unknown = dir.resolve("bert.json");
        Files.writeString(unknown, "{\"model_type\": \"bert\", \"hidden_size\": 768}");
        assertBad(Cli.run("estimate", "--model", unknown.toString()), "model_type = \"bert\"");
        Path zero = dir.resolve("zero.json");
        Files.writeString(
                zero,
                "{\"model_type\":\"llama\",\"hidden_size\":0,\"intermediate_size\":8,\"num_hidden_layers\":1,\"num_attention_heads\":1,\"vocab_size\":10}");
        assertBad(Cli.run("estimate", "--model", zero.toString()), "hidden_size = 0");
        Path heads = dir.resolve("heads.json");
        Files.writeString(
                heads,
                "{\"model_type\":\"llama\",\"hidden_size\":10,\"intermediate_size\":8,\"num_hidden_layers\":1,\"num_attention_heads\":3,\"vocab_size\":10}");
        assertBad(Cli.run("estimate", "--model", heads.toString()), "num_attention_heads = 3");
        Path kv = dir.resolve("kv.json");
        Files.writeString(
                kv,
                "{\"model_type\":\"llama\",\"hidden_size\":16,\"intermediate_size\":8,\"num_hidden_layers\":1,\"num_attention_heads\":4,\"num_key_value_heads\":3,\"vocab_size\":10}");
        assertBad(Cli.run("estimate", "--model", kv.toString()), "num_key_value_heads = 3");
        Path topk = dir.resolve("topk.json");
        Files.writeString(
                topk,
                "{\"model_type\":\"mixtral\",\"hidden_size\":16,\"intermediate_size\":8,\"num_hidden_layers\":1,\"num_attention_heads\":4,\"vocab_size\":10,\"num_local_experts\":2,\"num_experts_per_tok\":3}");
        assertBad(Cli.run("estimate", "--model", topk.toString()), "num_experts_per_tok = 3");
        assertBad(Cli.run("estimate", "--model", "no-such-preset"), "model = \"no-such-preset\"");
        assertBad(Cli.run("estimate", "--model", "gpt2", "--format", "xml"), "--format = \"xml\"");
        assertBad(Cli.run("estimate"), "Missing required option: '--model");
        assertBad(Cli.run("estimate", "--model", "gpt2", "--bogus"), "Unknown option: '--bogus'");
    }

    private static void assertBad(Cli r, String mention) {
        assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains(mention);
        assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
    }

    @Test
    void wholeNumbersAreIntegersInEveryCommandsOutputAndReadBackAsInput(@TempDir Path dir) throws IOException {
        // the H100's datasheet figures (hardware catalog): 989 TFLOP/s bf16, 3.35 TB/s, 700 W are whole numbers below
        // 2^53 and print as integers in JSON and CSV alike; the efficiency 0.7 stays a fraction; 1e24 FLOPs (above
        // 2^53) stays a double. Exact.
        JsonNode hw = Render.MAPPER
                .readTree(Cli.run("hardware", "--format", "json").out())
                .at("/hardware/0");
        assertThat(hw.at("/id").asText()).isEqualTo("h100-sxm");
        assertThat(hw.at("/peakFlopsPerSecond/bf16").isIntegralNumber()).isTrue();
        assertThat(hw.at("/peakFlopsPerSecond/bf16").longValue()).isEqualTo(989_000_000_000_000L);
        assertThat(hw.at("/memoryBandwidthBytesPerSecond").longValue()).isEqualTo(3_350_000_000_000L);
        assertThat(hw.at("/powerWatts").isIntegralNumber()).isTrue();
        assertThat(hw.at("/efficiency/bandwidth").isIntegralNumber()).isFalse();
        assertThat(hw.at("/efficiency/bandwidth").doubleValue())
                .isEqualTo(dev.strata.data.GpuPerformance.gpu().bandwidth());
        assertThat(Cli.run("hardware", "--format", "csv").out())
                .contains(",989000000000000,")
                .doesNotContain("9.89E14");
        JsonNode optimal = Render.MAPPER.readTree(
                Cli.run("optimal", "--compute", "1e24", "--format", "json").out());
        assertThat(optimal.at("/compute").isIntegralNumber()).isFalse();
        assertThat(optimal.at("/compute").doubleValue()).isEqualTo(1e24);
        // the device as printed is valid hardware input and gives the catalog device's estimate, to the byte
        Path file = dir.resolve("h100.json");
        Files.writeString(file, hw.toString());
        String fromFile = Cli.run(
                        "estimate", "--model", "llama-3-8b", "--hardware", file.toString(), "--format", "json")
                .out();
        String fromCatalog = Cli.run("estimate", "--model", "llama-3-8b", "--hardware", "h100-sxm", "--format", "json")
                .out();
        assertThat(Render.MAPPER.readTree(fromFile).at("/latency"))
                .isEqualTo(Render.MAPPER.readTree(fromCatalog).at("/latency"));
    }

    @Test
    void anFp8CheckpointIsSizedInItsOwnFormatUnlessWeightsSaysOtherwise() throws IOException {
        // Kimi K2's config: quantization_config fp8 with 128 x 128 blocks; weights default to that format and the
        // output says where it came from; --weights bf16 overrides it (2 bytes per weight: more than twice the bytes)
        JsonNode fp8 = Render.MAPPER.readTree(
                Cli.run("estimate", "--model", "testdata/hf-configs/kimi-k2-instruct.json", "--format", "json")
                        .out());
        assertThat(fp8.at("/precision/weights").asText()).isEqualTo("fp8-b128x128");
        assertThat(fp8.at("/precision/weightsSource").asText()).startsWith("checkpoint (quantization_config: fp8");
        JsonNode bf16 = Render.MAPPER.readTree(Cli.run(
                        "estimate",
                        "--model",
                        "testdata/hf-configs/kimi-k2-instruct.json",
                        "--weights",
                        "bf16",
                        "--format",
                        "json")
                .out());
        assertThat(bf16.at("/precision/weights").asText()).isEqualTo("bf16");
        assertThat(bf16.at("/precision/weightsSource").isMissingNode()).isTrue();
        // the layer matrices take 2 bytes against 1 + 4/16384; the embedding and head (16-bit in both) are under 0.3 %
        // of Kimi K2's weights: the ratio is between 1.99 and 2
        double ratio = (double) bf16.at("/memory/weightsBytes").asLong()
                / fp8.at("/memory/weightsBytes").asLong();
        assertThat(ratio).isBetween(1.99, 2.0);
        // the model section names the family the config was read as
        assertThat(fp8.at("/model/family").asText()).isEqualTo("kimi_k2");
    }

    @Test
    void aSnapshotFolderIsEstimatedWithWhatItsSafetensorsHold(@TempDir Path dir) throws IOException {
        // a folder with a config.json and one safetensors file holding only the embedding (100 x 64 BF16): strata
        // counts the whole model from the config, the checkpoint section says what the file holds and what is missing
        Files.writeString(
                dir.resolve("config.json"),
                "{\"model_type\": \"llama\", \"hidden_size\": 64, \"num_hidden_layers\": 2, \"num_attention_heads\": 4,"
                        + " \"num_key_value_heads\": 2, \"intermediate_size\": 96, \"vocab_size\": 100}");
        byte[] header =
                "{\"model.embed_tokens.weight\": {\"dtype\": \"BF16\", \"shape\": [100, 64], \"data_offsets\": [0, 12800]}}"
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (var out = Files.newOutputStream(dir.resolve("model.safetensors"))) {
            out.write(java.nio.ByteBuffer.allocate(8)
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                    .putLong(header.length)
                    .array());
            out.write(header);
            out.write(new byte[12800]);
        }
        Cli r = Cli.run("estimate", "--model", dir.toString(), "--format", "json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode json = Render.MAPPER.readTree(r.out());
        long total = json.at("/params/total").asLong();
        assertThat(json.at("/checkpoint/parameters").asLong()).isEqualTo(6_400); // 100 x 64
        assertThat(json.at("/checkpoint/bytes").asLong()).isEqualTo(12_800);
        assertThat(json.at("/checkpoint/differenceFromStrata").asLong()).isEqualTo(6_400 - total);
        assertThat(json.at("/checkpoint/differenceByTerm/embedding").isMissingNode())
                .isTrue(); // it agrees
        assertThat(json.at("/checkpoint/differenceByTerm/outputHead").asLong()).isEqualTo(-6_400); // untied, absent
        assertThat(json.at("/model/name").asText()).isEqualTo(dir.getFileName().toString());
    }
}
