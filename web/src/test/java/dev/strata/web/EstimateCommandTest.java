package dev.strata.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.web.render.Render;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class EstimateCommandTest {
    private static final String CONFIGS = "testdata/hf-configs/";

    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    private static JsonNode json(String... args) throws Exception {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        all.add("--format");
        all.add("json");
        Run r = run(all.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isZero();
        return Render.MAPPER.readTree(r.out());
    }

    @Test
    void theJsonHasTheContractKeysOfDesignMd() throws Exception {
        JsonNode j = json(
                "estimate",
                "--model",
                CONFIGS + "llama-3-8b.json",
                "--batch",
                "4",
                "--prompt",
                "4000",
                "--generate",
                "96");
        for (String path : List.of(
                "/flops/prefill/total",
                "/flops/decodePerToken/total",
                "/flops/trainingPerToken/total",
                "/memory/weightsBytes",
                "/memory/kvCacheBytesPerToken",
                "/memory/kvCacheBytes",
                "/memory/activationsBytes",
                "/memory/totalBytes",
                "/memory/perDeviceBytes",
                "/params/total",
                "/params/active"))
            assertThat(j.at(path).isMissingNode()).as(path).isFalse();
        // docs/architecture.md: 131,072 B/token; safetensors 16,060,522,496 bytes; KV 4 sequences x 4096 tokens; exact
        assertThat(j.at("/memory/kvCacheBytesPerToken").longValue()).isEqualTo(131_072);
        assertThat(j.at("/memory/weightsBytes").longValue()).isEqualTo(16_060_522_496L);
        assertThat(j.at("/memory/kvCacheBytes").longValue()).isEqualTo(4L * 4096 * 131_072);
        // params unchanged by this section
        assertThat(j.at("/params/total").longValue()).isEqualTo(8_030_261_248L);
        // no device capacity given: no verdict
        assertThat(j.at("/memory/fits").isMissingNode()).isTrue();
        assertThat(j.at("/flops/convention/attention").textValue()).isEqualTo("full");
    }

    @Test
    void aDeviceCapacityAddsTheVerdict() throws Exception {
        JsonNode j = json("estimate", "--model", "llama-3-8b", "--device-memory-gib", "16");
        // 16 GiB = 17,179,869,184 bytes < 16 GB of weights + 1 GiB overhead: does not fit
        assertThat(j.at("/memory/fits").booleanValue()).isFalse();
        assertThat(j.at("/memory/deviceMemoryBytes").longValue()).isEqualTo(17_179_869_184L);
        assertThat(j.at("/memory/headroomBytes").longValue()).isNegative();
        JsonNode tp2 = json("estimate", "--model", "llama-3-8b", "--device-memory-gib", "16", "--tp", "2");
        assertThat(tp2.at("/memory/fits").booleanValue()).isTrue();
        assertThat(tp2.at("/memory/devices").intValue()).isEqualTo(2);
        assertThat(tp2.at("/memory/dominant").textValue()).isEqualTo("weightsBytes");
    }

    @Test
    void deepseekV3FromItsConfigCachesTheLatent() throws Exception {
        // 61 layers x (512 + 64) x 2 bytes = 70,272 B/token (docs/formulas.md: kv_lora_rank + rope per layer); exact
        JsonNode j = json("estimate", "--model", CONFIGS + "deepseek-v3.json", "--tp", "8", "--ep", "8");
        assertThat(j.at("/memory/kvCacheBytesPerToken").longValue()).isEqualTo(70_272);
        assertThat(j.at("/flops/prefill/breakdown/routedExperts").doubleValue()).isPositive();
        assertThat(j.at("/flops/prefill/breakdown/attentionKeyValueUp").doubleValue())
                .isPositive();
    }

    @Test
    void trainingOptionsReachTheTrainingSection() throws Exception {
        JsonNode z3 = json(
                "estimate",
                "--model",
                "llama-3-8b",
                "--dp",
                "8",
                "--zero",
                "3",
                "--recompute",
                "full",
                "--optimizer",
                "adam8bit");
        JsonNode t = z3.at("/memory/training");
        assertThat(t.at("/method").textValue()).isEqualTo("full");
        assertThat(z3.at("/workload/zeroStage").intValue()).isEqualTo(3);
        assertThat(z3.at("/precision/optimizerStates").textValue()).isEqualTo("int8-g2048");
        // ZeRO-3 over 8: the weights per device are an eighth of 2 x 8,030,261,248 bytes (ceil); exact
        assertThat(t.at("/perDevice/weightsBytes").longValue()).isEqualTo(2 * 8_030_261_248L / 8);
        assertThat(z3.at("/flops/trainingPerToken/recomputed").doubleValue()).isPositive();
        JsonNode qlora = json("estimate", "--model", "llama-3-8b", "--weights", "nf4-dq", "--lora-rank", "16");
        assertThat(qlora.at("/memory/training/method").textValue()).isEqualTo("qlora");
        assertThat(qlora.at("/memory/training/trainableParams").longValue()).isEqualTo(41_943_040L);
        // int4 weights without LoRA: nothing to train, the section is absent
        assertThat(json("estimate", "--model", "llama-3-8b", "--weights", "int4")
                        .at("/memory/training")
                        .isMissingNode())
                .isTrue();
    }

    @Test
    void csvGivesOneRowPerTerm() {
        Run r = run("estimate", "--model", "llama-3-8b", "--format", "csv");
        assertThat(r.code()).isZero();
        assertThat(r.out()).startsWith("quantity,value\r\n");
        assertThat(r.out())
                .contains(
                        "memory.kvCacheBytesPerToken,131072\r\n",
                        "memory.weightsBytes,16060522496\r\n",
                        "flops.prefill.breakdown.mlp,",
                        "memory.training.optimizerStatesBytes,64242089984\r\n");
    }

    @Test
    void badInputExitsWith2AndOneLineNamingTheOption() {
        expectBad(
                new String[] {"--batch", "-1"},
                "strata: --batch = -1 is not allowed: must be an integer from 1 to 16777216");
        expectBad(new String[] {"--zero", "4"}, "strata: --zero = 4 is not allowed: must be an integer from 0 to 3");
        expectBad(
                new String[] {"--kv", "int4"},
                "strata: --kv = \"int4\" is not allowed: must be a 4-bit format with its group size");
        expectBad(
                new String[] {"--tp", "3"},
                "strata: --tp = 3 is not allowed: must be a divisor of the attention heads (attention.heads = 32)");
        expectBad(new String[] {"--recompute", "some"}, "strata: --recompute = \"some\"");
        expectBad(new String[] {"--prompt", "8000", "--generate", "500"}, "strata: --prompt = 8000 is not allowed");
        // rounds to 0 bytes: this was refused as "deviceMemoryBytes = 0", a name the user never typed
        expectBad(
                new String[] {"--device-memory-gib", "1e-300"},
                "strata: --device-memory-gib = \"1e-300\" is not allowed: must be a number > 0");
        expectBad(
                new String[] {"--device-memory-gb", "1e-10"}, "strata: --device-memory-gb = \"1e-10\" is not allowed");
        expectBad(
                new String[] {"--lora-rank", "16", "--lora-targets", "router"},
                "strata: --lora-targets = \"router\" is not allowed: must be at least one projection Llama 3 8B has, of [down, gate, k, o, q, up, v]");
    }

    private static void expectBad(String[] options, String messageStart) {
        List<String> args = new ArrayList<>(List.of("estimate", "--model", "llama-3-8b"));
        args.addAll(Arrays.asList(options));
        Run r = run(args.toArray(String[]::new));
        assertThat(r.code()).as(String.join(" ", options)).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).startsWith(messageStart);
    }
}
