package dev.strata.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.data.Percentage.withPercentage;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.web.render.Render;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command-line contract of optimal, fit, train and hardware (docs/architecture.md, "Contracts"). */
class ScalingCliTest {
    record Run(int code, String out, String err) {
        JsonNode json() throws Exception {
            return Render.MAPPER.readTree(out);
        }
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void optimalGivesParamsTokensAndLossForEveryLaw() throws Exception {
        for (String law :
                new String[] {"chinchilla", "chinchilla-unrounded", "epoch-2024", "kaplan-2020", "deepseek-2024"}) {
            Run r = run("optimal", "--compute", "1e24", "--law", law, "--format", "json");
            assertThat(r.code()).as(law + ": " + r.err()).isZero();
            JsonNode j = r.json();
            assertThat(j.get("params").isIntegralNumber()).isTrue();
            assertThat(j.get("tokens").isIntegralNumber()).isTrue();
            assertThat(j.has("loss")).isTrue();
            assertThat(j.at("/law/id").asText()).isEqualTo(law);
        }
        // Hoffmann et al. 2022 §3.3: about 40B parameters at Gopher's 5.76e23 FLOPs with the unrounded constants
        // (measured 40.36B)
        JsonNode gopher = run("optimal", "--compute", "5.76e23", "--law", "chinchilla-unrounded", "--format", "json")
                .json();
        assertThat(gopher.get("params").asDouble()).isCloseTo(40e9, withPercentage(2.5));
        // DeepSeek LLM publishes no loss formula: loss is null
        assertThat(run("optimal", "--compute", "1e24", "--law", "deepseek-2024", "--format", "json")
                        .json()
                        .get("loss")
                        .isNull())
                .isTrue();
    }

    @Test
    void optimalAnswersTargetLossOffOptimalChoicesAndIsoFlopCurves() throws Exception {
        JsonNode j = run(
                        "optimal",
                        "--loss",
                        "2.0",
                        "--law",
                        "epoch-2024",
                        "--params",
                        "1e10",
                        "--iso-flop",
                        "5",
                        "--format",
                        "json")
                .json();
        assertThat(j.get("loss").asDouble()).isCloseTo(2.0, within(1e-9));
        assertThat(j.at("/offOptimal/lossPenalty").asDouble()).isPositive();
        assertThat(j.get("isoFlop")).hasSize(5);
        Run own = run(
                "optimal",
                "--compute",
                "1e22",
                "--law",
                "E=1.82,A=482.01,B=2085.43,alpha=0.3478,beta=0.3658",
                "--format",
                "csv");
        assertThat(own.out()).startsWith("quantity,value\r\nlaw.id,custom\r\n").contains("\r\nparams,");
    }

    @Test
    void optimalRefusesBadInputWithExitCode2AndOneLine() {
        for (String[] args : new String[][] {
            {"optimal", "--compute", "-1"},
            {"optimal", "--compute", "1e24", "--law", "gpt-5"},
            {"optimal"},
            {"optimal", "--compute", "1e24", "--loss", "2"},
            {"optimal", "--loss", "1.5", "--law", "chinchilla"},
            {"optimal", "--compute", "1e24", "--iso-flop", "-3"},
            {"optimal", "--compute", "1e24", "--law", "deepseek-2024", "--params", "1e10"}
        }) {
            Run r = run(args);
            assertThat(r.code()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.err().strip()).doesNotContain("\n").startsWith("strata: ");
        }
        assertThat(run("optimal", "--compute", "1e24", "--law", "gpt-5").err())
                .contains("law = \"gpt-5\" is not allowed");
        assertThat(run("optimal", "--compute", "1e24", "--iso-flop", "1").err())
                .startsWith("strata: iso-flop = 1 is not allowed");
    }

    @Test
    void fitReportsTheConstantsWithStandardErrorsAndPoints(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("runs.csv");
        Files.writeString(csv, Runs.csv("params", "flops", "final_loss", true));
        String[] args = {
            "fit",
            "--data",
            csv.toString(),
            "--n-col",
            "params",
            "--c-col",
            "flops",
            "--loss-col",
            "final_loss",
            "--bootstrap",
            "20",
            "--seed",
            "7",
            "--format",
            "json"
        };
        Run r = run(args);
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode j = r.json();
        for (String k : new String[] {"E", "A", "B", "alpha", "beta"}) {
            assertThat(j.at("/" + k + "/value").isNumber()).as(k).isTrue();
            assertThat(j.at("/" + k + "/stdErr").isNumber()).as(k).isTrue();
        }
        assertThat(j.get("points")).hasSize(16);
        // exact losses from known constants: the fit recovers them (measured to 1e-6 or better; tolerance 1e-3)
        assertThat(j.at("/E/value").asDouble()).isCloseTo(1.82, within(1e-3));
        assertThat(j.at("/alpha/value").asDouble()).isCloseTo(0.348, within(1e-3));
        assertThat(j.at("/beta/value").asDouble()).isCloseTo(0.366, within(1e-3));
        // seeded: the same command gives the same output
        assertThat(run(args).out()).isEqualTo(r.out());
    }

    @Test
    void fitRefusesBadDataNamingRowAndColumn(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("runs.csv");
        Files.writeString(csv, "N,D,loss\n1e8,1e9,3.2\n1e9,-5,2.9\n");
        Run r = run("fit", "--data", csv.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err())
                .isEqualTo("strata: row 2 (line 3), column \"D\": -5 is not allowed: must be a finite number > 0\n");
        Run missing = run("fit", "--data", csv.toString(), "--loss-col", "final");
        assertThat(missing.err())
                .startsWith(
                        "strata: loss-col = \"final\" is not allowed: must be a column of the CSV header [N, D, loss]");
        Files.writeString(csv, "N,D,loss\n1e8,1e9,3.2\n");
        assertThat(run("fit", "--data", csv.toString()).err()).contains("at least 10 runs are needed");
        assertThat(run("fit", "--data", dir.resolve("none.csv").toString()).code())
                .isEqualTo(2);
    }

    @Test
    void trainReportsTheMfuDeepSeekV3sGpuHoursImply() throws Exception {
        // DeepSeek-V3 (arXiv:2412.19437 Table 1): 2.664M H800 GPU-hours for 14.8T tokens of pre-training on 2,048 GPUs
        Run r = run(
                "train",
                "--model",
                "deepseek-v3",
                "--tokens",
                "14.8e12",
                "--hardware",
                "h800",
                "--devices",
                "2048",
                "--device-hours",
                "2.664e6",
                "--format",
                "json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode j = r.json();
        // exact model FLOPs per token (strata's FLOPs estimator at a 4K sequence, full attention scores); bound 25-45 %
        assertThat(j.get("mfu").asDouble()).isBetween(0.25, 0.45).isCloseTo(0.4387, within(0.0005));
        assertThat(j.get("deviceHours").asDouble()).isCloseTo(2.664e6, withPercentage(1e-9));
        // DeepSeek-V3 report §1: USD 2 per GPU-hour -> USD 5.328M for pre-training
        assertThat(j.get("costUsd").asDouble()).isCloseTo(5.328e6, withPercentage(1e-9));
        assertThat(j.at("/hardware/id").asText()).isEqualTo("h800");
        assertThat(j.at("/flops/method").asText()).startsWith("exact");
    }

    @Test
    void trainEstimatesTimeCostAndEnergyFromAnMfu() throws Exception {
        // 6 x 1e9 x 1e12 = 6e21 FLOPs on 8 H100 SXM (989e12) at MFU 0.5: 6e21 / (8 x 989e12 x 0.5) = 1.5167e6 s
        Run r = run(
                "train",
                "--params",
                "1e9",
                "--tokens",
                "1e12",
                "--hardware",
                "h100-sxm",
                "--devices",
                "8",
                "--mfu",
                "0.5",
                "--price",
                "3",
                "--format",
                "json");
        JsonNode j = r.json();
        assertThat(j.get("wallSeconds").asDouble()).isCloseTo(6e21 / (8 * 989e12 * 0.5), withPercentage(1e-9));
        double hours = 6e21 / (989e12 * 0.5) / 3600;
        assertThat(j.get("deviceHours").asDouble()).isCloseTo(hours, withPercentage(1e-9));
        assertThat(j.get("costUsd").asDouble()).isCloseTo(3 * hours, withPercentage(1e-9));
        // 700 W x PUE 1.2 (defaults)
        assertThat(j.get("energyKwh").asDouble()).isCloseTo(hours * 700 * 1.2 / 1000, withPercentage(1e-9));
        assertThat(run("train", "--params", "1e9", "--tokens", "1e12", "--hardware", "tpu-v5e", "--format", "json")
                        .json()
                        .get("energyKwh")
                        .isNull())
                .isTrue();
        Run csv = run("train", "--params", "1e9", "--tokens", "1e12", "--hardware", "h100-sxm", "--format", "csv");
        assertThat(csv.out()).startsWith("quantity,value\r\n").contains("\r\ncostUsd,");
    }

    @Test
    void trainRefusesBadInput() {
        assertThat(run("train", "--params", "1e9", "--tokens", "1e12", "--hardware", "h900")
                        .err())
                .startsWith("strata: hardware = \"h900\" is not allowed: must be a hardware id, one of h100-sxm");
        assertThat(run(
                                "train",
                                "--params",
                                "1e9",
                                "--tokens",
                                "1e12",
                                "--hardware",
                                "a100-80gb-sxm",
                                "--compute-format",
                                "fp8")
                        .err())
                .contains("compute-format = \"fp8\" is not allowed");
        assertThat(run(
                                "train",
                                "--params",
                                "1e9",
                                "--tokens",
                                "1e12",
                                "--hardware",
                                "h100-sxm",
                                "--mfu",
                                "0.4",
                                "--wall-hours",
                                "3")
                        .code())
                .isEqualTo(2);
        assertThat(run("train", "--params", "1e9", "--tokens", "1e12", "--hardware", "h100-sxm", "--device-hours", "1")
                        .err())
                .contains("device-hours = 1.0 is not allowed: must be at least 1685.20"); // 6e21 / (989e12 x 3600)
        assertThat(run("train", "--tokens", "1e12", "--hardware", "h100-sxm").err())
                .contains("--model (a preset or config.json), --params or --flops-per-token");
        // without --model the sequence length is unused; a bad one was passed over in silence (exit 0)
        assertThat(run("train", "--params", "1e9", "--tokens", "1e12", "--hardware", "h100-sxm", "--seq-len", "-5")
                        .err())
                .startsWith("strata: seq-len = -5 is not allowed: must be an integer from 1 to 1073741824");
    }

    @Test
    void hardwareListsTheCatalogInEveryFormat() throws Exception {
        assertThat(run("hardware", "--format", "json").json().get("hardware")).hasSize(12);
        String csv = run("hardware", "--format", "csv").out();
        assertThat(csv.split("\r\n")).hasSize(13);
        assertThat(csv).startsWith("id,name,peakFlopsPerSecond.fp32,");
        assertThat(run("hardware").out()).contains("h800");
    }
}
