package dev.strata.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.data.Percentage.withPercentage;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code strata train} with a layout: the step-time model's command-line contract. */
class TrainStepCliTest {
    static final String[] LAYOUT = {
        "train",
        "--model",
        "llama-3.1-70b",
        "--hardware",
        "h100-sxm",
        "--devices",
        "1024",
        "--tp",
        "8",
        "--pp",
        "4",
        "--interleave",
        "5",
        "--global-batch",
        "512",
        "--micro-batch",
        "1",
        "--seq-len",
        "8192",
        "--recompute",
        "selective",
        "--sequence-parallel",
        "true",
        "--weights",
        "bf16",
        "--format",
        "json"
    };

    static ScalingCliTest.Run run(String... args) {
        return ScalingCliTest.run(args);
    }

    /** The layout with options replaced or added: pairs of option and value. */
    static String[] with(String... extra) {
        List<String> a = new ArrayList<>(List.of(LAYOUT));
        for (int i = 0; i < extra.length; i += 2) {
            int at = a.indexOf(extra[i]);
            if (at >= 0) a.set(at + 1, extra[i + 1]);
            else {
                a.add(extra[i]);
                a.add(extra[i + 1]);
            }
        }
        return a.toArray(String[]::new);
    }

    @Test
    void oneStepWithoutTokens() throws Exception {
        ScalingCliTest.Run r = run(LAYOUT);
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode j = r.json();
        JsonNode s = j.get("step");
        for (String key : List.of(
                "seconds",
                "computeSeconds",
                "communicationSeconds",
                "bubbleSeconds",
                "optimizerSeconds",
                "mfu",
                "hfu",
                "tokensPerSecond")) assertThat(s.get(key).isNumber()).as(key).isTrue();
        // the parts add up to the step (TrainingStep's definition); relative 1e-9
        double parts = s.get("computeSeconds").asDouble()
                + s.get("communicationSeconds").asDouble()
                + s.get("bubbleSeconds").asDouble()
                + s.get("optimizerSeconds").asDouble();
        assertThat(parts).isCloseTo(s.get("seconds").asDouble(), withPercentage(1e-7));
        // one step: 512 x 8192 tokens, its wall time the step's
        assertThat(j.get("tokens").asDouble()).isEqualTo(512.0 * 8192);
        assertThat(j.get("wallSeconds").asDouble()).isCloseTo(s.get("seconds").asDouble(), withPercentage(1e-7));
        assertThat(s.get("tokensPerSecond").asDouble())
                .isCloseTo(512.0 * 8192 / s.get("seconds").asDouble(), withPercentage(1e-7));
        // the train JSON keeps its keys; the MFU is the step's
        for (String key : List.of("mfu", "mfuSource", "deviceHours", "costUsd", "energyKwh", "flops", "hardware"))
            assertThat(j.has(key)).as(key).isTrue();
        assertThat(j.get("mfu").asDouble()).isEqualTo(s.get("mfu").asDouble());
        assertThat(j.at("/layout/dp").asInt()).isEqualTo(32); // 1024 / (8 x 4)
        // 70B over tp 8 x pp 4 with selective recomputation and sequence parallelism fits an 80 GB H100
        assertThat(j.at("/layout/fitsMemory").asBoolean()).isTrue();
        assertThat(j.at("/layout/memoryBytesPerDevice").asLong()).isBetween(1L, 81_559L << 20);
        // Llama 3 405B reached 38-43 % BF16 MFU on 8-16K H100s (arXiv:2407.21783 Table 4): a 70B model on 1,024 in
        // the same range; a broad bound of 30-55 %
        assertThat(s.get("mfu").asDouble()).isBetween(0.30, 0.55);
        // selective recomputation with sequence parallelism executes only the attention core again: HFU >= MFU by
        // less than 15 % (Korthikanti et al. 2022 Table 5: 2.7 % for the 175B..1T models)
        assertThat(s.get("hfu").asDouble() / s.get("mfu").asDouble()).isBetween(0.9, 1.15);
    }

    @Test
    void tokensScaleTheRunAndAnExplicitMfuKeepsTheOldModel() throws Exception {
        JsonNode one = run(LAYOUT).json();
        JsonNode run = run(with("--tokens", "15e12")).json();
        double steps = 15e12 / (512.0 * 8192);
        assertThat(run.get("wallSeconds").asDouble())
                .isCloseTo(steps * one.at("/step/seconds").asDouble(), withPercentage(1e-7));
        // --mfu without a layout: today's behaviour, no step
        JsonNode mfu = run(
                        "train",
                        "--model",
                        "llama-3.1-70b",
                        "--hardware",
                        "h100-sxm",
                        "--devices",
                        "1024",
                        "--tokens",
                        "15e12",
                        "--mfu",
                        "0.4",
                        "--format",
                        "json")
                .json();
        assertThat(mfu.has("step")).isFalse();
        assertThat(mfu.get("mfu").asDouble()).isEqualTo(0.4);
    }

    @Test
    void badLayoutsExitTwoNamingTheOption() {
        ScalingCliTest.Run r = run(with("--devices", "1000"));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("devices = 1000").contains("a multiple of tp x pp = 32");
        assertThat(r.err().strip().lines()).hasSize(1);
        r = run(with("--global-batch", "100"));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("global-batch = 100");
        r = run(with("--weights", "int4"));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("weights = \"int4\"").contains("fp16, bf16, fp8");
        r = run(with("--recompute", "some"));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("recompute");
        r = run(with("--sequence-parallel", "maybe"));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("sequence-parallel = \"maybe\"");
        r = run(with("--mfu", "0.4"));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("mfu");
        r = run("train", "--params", "1e9", "--hardware", "h100-sxm", "--tp", "2");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--model");
    }

    @Test
    void interleavingShrinksTheBubble() throws Exception {
        // Narayanan et al. 2021 §2.2.2: the bubble is (p - 1) / V micro-batch times
        JsonNode v5 = run(LAYOUT).json();
        JsonNode v1 = run(with("--interleave", "1")).json();
        assertThat(v5.at("/step/bubbleSeconds").asDouble()
                        / v1.at("/step/bubbleSeconds").asDouble())
                .isCloseTo(1.0 / 5, within(0.02)); // the micro-batch time also changes a little (more transfers)
    }

    @Test
    void validateTrainingPrintsThePublishedRuns() throws Exception {
        ScalingCliTest.Run r = run("validate", "--training", "--format", "json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode j = r.json();
        // 8 step times (Korthikanti et al. 2022) and 10 weak-scaling runs (Narayanan et al. 2021 Table 1)
        assertThat(j.get("runs")).hasSize(18);
        assertThat(j.at("/sets/weakScaling/runs").asInt()).isEqualTo(10);
        // Narayanan et al. 2021 Table 1: the 1T model on 3,072 GPUs achieved 163 teraFLOP/s per GPU
        assertThat(j.at("/runs/17/id").asText()).isEqualTo("1008b-3072gpu");
        assertThat(j.at("/runs/17/measuredTflopsPerGpu").asDouble()).isCloseTo(163, within(1e-6));
        // Korthikanti et al. 2022: the 1T model with full recomputation took 94.42 s per step
        assertThat(j.at("/runs/6/id").asText()).isEqualTo("1t-full");
        assertThat(j.at("/runs/6/measuredSeconds").asDouble()).isEqualTo(94.42);
        assertThat(j.get("medianAbsError").asDouble()).isLessThanOrEqualTo(0.05);
        assertThat(j.get("worstAbsError").asDouble()).isLessThanOrEqualTo(0.10);
        assertThat(run("validate", "--training").out()).contains("median |error|");
    }

    @Test
    void searchListsTheLayoutsThatFitFastestFirst() throws Exception {
        ScalingCliTest.Run r = run(
                "train",
                "--model",
                "llama-3-8b",
                "--hardware",
                "h100-sxm",
                "--devices",
                "16",
                "--global-batch",
                "64",
                "--search",
                "--top",
                "5",
                "--tokens",
                "1e12",
                "--format",
                "json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode j = r.json();
        assertThat(j.get("layouts")).hasSize(5);
        assertThat(j.get("fitting").asInt()).isGreaterThanOrEqualTo(5);
        double previous = 0;
        for (JsonNode l : j.get("layouts")) {
            assertThat(l.get("tp").asInt() * l.get("pp").asInt() * l.get("dp").asInt())
                    .isEqualTo(16);
            assertThat(l.get("memoryBytesPerDevice").asLong()).isLessThanOrEqualTo(81_559L << 20);
            assertThat(l.get("stepSeconds").asDouble()).isGreaterThanOrEqualTo(previous);
            previous = l.get("stepSeconds").asDouble();
            // 1e12 tokens at the layout's rate
            assertThat(l.get("wallSeconds").asDouble())
                    .isCloseTo(1e12 / l.get("tokensPerSecond").asDouble(), withPercentage(1e-7));
        }
        ScalingCliTest.Run bad = run(
                "train",
                "--model",
                "llama-3-8b",
                "--hardware",
                "h100-sxm",
                "--devices",
                "16",
                "--global-batch",
                "64",
                "--search",
                "--tp",
                "2");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("tp");
    }

    static final String[] PLAIN = {
        "train",
        "--model",
        "llama-3-8b",
        "--tokens",
        "15e12",
        "--hardware",
        "h100-sxm",
        "--devices",
        "1024",
        "--format",
        "json"
    };

    @Test
    void withoutALayoutTheRunIsTimedAtTheFastestLayoutThatFits() throws Exception {
        ScalingCliTest.Run r = run(PLAIN);
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode j = r.json();
        // the step-time model's MFU, not an assumed one
        assertThat(j.get("mfu").asDouble()).isEqualTo(j.at("/step/mfu").asDouble());
        assertThat(j.get("mfuSource").asText()).contains("step-time model").contains("default layout");
        assertThat(j.at("/layout/chosen").asText()).startsWith("default: the fastest");
        assertThat(j.at("/layout/fitsMemory").asBoolean()).isTrue();
        // the default batch: 4 Mi tokens of 4,096 (llama-3-8b's default sequence) = 1,024 sequences
        assertThat(j.at("/layout/globalBatch").asInt()).isEqualTo(1024);
        // the run: 15e12 tokens at the step's tokens/s; relative 1e-7
        assertThat(j.get("wallSeconds").asDouble())
                .isCloseTo(15e12 / j.at("/step/tokensPerSecond").asDouble(), withPercentage(1e-7));
        // the layout is the search's first at the same devices and batch
        JsonNode first = run(
                        "train",
                        "--model",
                        "llama-3-8b",
                        "--hardware",
                        "h100-sxm",
                        "--devices",
                        "1024",
                        "--global-batch",
                        "1024",
                        "--search",
                        "--top",
                        "1",
                        "--format",
                        "json")
                .json()
                .at("/layouts/0");
        for (String key :
                List.of("tp", "pp", "dp", "interleave", "microBatch", "recompute", "sequenceParallel", "zero"))
            assertThat(j.at("/layout/" + key)).as(key).isEqualTo(first.get(key));
        assertThat(j.at("/step/seconds").asDouble())
                .isEqualTo(first.get("stepSeconds").asDouble());
        // an 8B model on 1,024 H100s: Llama 3 405B reached 38-43 % BF16 MFU (arXiv:2407.21783 Table 4); a broad
        // bound of 25-55 % for a smaller model whose step is shorter against the same gradient reduction
        assertThat(j.get("mfu").asDouble()).isBetween(0.25, 0.55);
    }

    @Test
    void anExplicitMfuIsAssumedAndAFormatPicksThePeak() throws Exception {
        JsonNode j = run(
                        "train",
                        "--model",
                        "llama-3-8b",
                        "--tokens",
                        "15e12",
                        "--hardware",
                        "h100-sxm",
                        "--devices",
                        "1024",
                        "--mfu",
                        "0.5",
                        "--format",
                        "json")
                .json();
        assertThat(j.get("mfu").asDouble()).isEqualTo(0.5);
        assertThat(j.get("mfuSource").asText()).startsWith("assumed");
        assertThat(j.has("step")).isFalse();
        // --compute-format without a layout: the format the default layout's products run in
        JsonNode fp8 = run(with8("--compute-format", "fp8")).json();
        assertThat(fp8.at("/layout/weights").asText()).isEqualTo("fp8");
        assertThat(fp8.at("/hardware/computeFormat").asText()).isEqualTo("fp8");
        ScalingCliTest.Run bad = run(with8("--compute-format", "fp32"));
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("compute-format = \"fp32\"").contains("fp16, bf16, fp8");
    }

    @Test
    void aRunNoLayoutFitsIsTimedAtTheAssumedMfuAndSaysWhy() throws Exception {
        // one H100 holds no layout of 8B parameters' 16 bytes of AdamW state each (about 128 GB)
        JsonNode j = run(with8("--devices", "1")).json();
        assertThat(j.get("mfu").asDouble()).isEqualTo(0.40); // TrainingCost.DEFAULT_MFU
        assertThat(j.get("mfuSource").asText()).startsWith("assumed: no layout of 1 devices fits h100-sxm");
        assertThat(j.has("step")).isFalse();
    }

    @Test
    void theRecomputeModesTakeDifferentWallTimes() throws Exception {
        // full recomputation runs every layer's forward again, selective only the attention core (Korthikanti et al.
        // 2022 §5): none < selective < full in wall time at the same layout
        double none = run(with("--tokens", "15e12", "--recompute", "none"))
                .json()
                .get("wallSeconds")
                .asDouble();
        double selective = run(with("--tokens", "15e12", "--recompute", "selective"))
                .json()
                .get("wallSeconds")
                .asDouble();
        double full = run(with("--tokens", "15e12", "--recompute", "full"))
                .json()
                .get("wallSeconds")
                .asDouble();
        assertThat(none).isLessThan(selective);
        assertThat(selective).isLessThan(full);
        // the full forward again is about a third more compute (backward = 2 x forward): at least 15 % slower
        assertThat(full / selective).isGreaterThan(1.15);
    }

    /** PLAIN with options replaced or added: pairs of option and value. */
    static String[] with8(String... extra) {
        List<String> a = new ArrayList<>(List.of(PLAIN));
        for (int i = 0; i < extra.length; i += 2) {
            int at = a.indexOf(extra[i]);
            if (at >= 0) a.set(at + 1, extra[i + 1]);
            else {
                a.add(extra[i]);
                a.add(extra[i + 1]);
            }
        }
        return a.toArray(String[]::new);
    }

    @Test
    void numbersAsPeopleWriteThemAreTakenAsThePagesTakeThem() {
        // 70B parameters, 15T tokens: the same answer as 7e10 and 1.5e13 (Inputs.parseNumber, exact decimal scaling)
        Cli words = trainOnH100s("70B", "15T");
        Cli digits = trainOnH100s("7e10", "1.5e13");
        assertThat(words.exitCode()).as(words.err()).isZero();
        assertThat(words.out()).isEqualTo(digits.out());
        // what is not a number, NaN included, is refused naming the option and the value (exit 2)
        for (String bad : new String[] {"15X", "NaN", "Infinity"}) {
            Cli r = Cli.run("train", "--params", "70B", "--tokens", bad, "--hardware", "h100-sxm", "--devices", "8");
            assertThat(r.exitCode()).as(bad).isEqualTo(2);
            assertThat(r.err()).contains("--tokens").contains(bad);
        }
    }

    /** {@code train} of {@code params} parameters on {@code tokens} tokens, 1,024 H100s at 40 % MFU, as JSON. */
    private static Cli trainOnH100s(String params, String tokens) {
        return Cli.run(
                "train",
                "--params",
                params,
                "--tokens",
                tokens,
                "--hardware",
                "h100-sxm",
                "--devices",
                "1024",
                "--mfu",
                "0.4",
                "--format",
                "json");
    }
}
