package dev.strata.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.data.validation.PublishedServing;
import dev.strata.web.render.Render;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code validate --serving} on the shipped published serving points: the table's structure and that every point is
 * simulated. No accuracy is asserted: the errors are reported as they are (docs/validation.md, "Serving under
 * traffic").
 */
class ValidateServingCliTest {
    @Test
    void everyShippedPointIsSimulatedWithMeasuredSimulatedAndError() throws Exception {
        Cli r = Cli.run("validate", "--serving", "--format", "json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode json = Render.MAPPER.readTree(r.out());
        int shipped = PublishedServing.points().size();
        JsonNode points = json.get("points");
        // one row per row of published/serving.tsv, each id once
        assertThat(points.size()).isEqualTo(shipped).isGreaterThan(0);
        Set<String> ids = new HashSet<>();
        for (JsonNode p : points) {
            assertThat(ids.add(p.get("id").asText())).as(p.toString()).isTrue();
            assertThat(p.get("engine").asText()).isIn("trtllm", "vllm", "sglang");
            assertThat(p.get("metric").asText()).isIn(PublishedServing.METRICS);
            double measured = p.get("measured").asDouble(),
                    simulated = p.get("simulated").asDouble();
            // a simulated value exists and is positive; error = simulated / measured - 1 (to rounding, 1e-9)
            assertThat(measured).as(p.toString()).isPositive();
            assertThat(simulated).as(p.toString()).isPositive().isFinite();
            assertThat(p.get("error").asDouble())
                    .as(p.toString())
                    .isCloseTo(simulated / measured - 1, org.assertj.core.data.Offset.offset(1e-9));
        }
        // the summary: all points first, then each metric, then each engine; shares in [0, 1]
        JsonNode summary = json.get("summary");
        assertThat(summary.get(0).get("group").asText()).isEqualTo("all");
        assertThat(summary.findValuesAsText("group")).contains("output_tokens_per_s", "engine trtllm");
        assertThat(summary.get(0).get("points").asInt()).isEqualTo(shipped);
        for (JsonNode s : summary) {
            assertThat(s.get("medianAbsError").asDouble())
                    .as(s.toString())
                    .isFinite()
                    .isNotNegative();
            assertThat(s.get("within25").asDouble()).as(s.toString()).isBetween(0.0, 1.0);
        }
        // the trtllm-bench rows are in the GPU model's calibration (as their steady state), the rows marked engine_fit
        // in their engine profile's (sglang, vllm), the rest held out: marked per point and summarised apart (40
        // TensorRT-LLM 1.0 rows, 39 SGLang rows and 33 vLLM rows in serving.tsv); the engine-fitted rows are also
        // predicted by the refits without their model
        long fitted = 0;
        for (JsonNode p : points) {
            String id = p.get("id").asText();
            boolean inFit = id.startsWith("trt10-")
                    || p.get("engine").asText().equals("sglang") && !id.startsWith("sglang055-")
                    || id.startsWith("vllm0110-h100-qwen3-8b-")
                    || id.startsWith("vllm0110-a100-qwen3-14b-all-") && !id.contains("-128-4-")
                    || id.startsWith("vllm0110-a100-qwen3-32b-all-")
                            && !id.equals("vllm0110-a100-qwen3-32b-all-128-4-ttft")
                    || id.startsWith("vllm0190-")
                    || id.startsWith("vllm023-");
            assertThat(p.get("fitted").asBoolean()).as(id).isEqualTo(inFit);
            if (inFit) fitted++;
        }
        assertThat(fitted).isEqualTo(40 + 39 + 33);
        java.util.Map<String, Integer> groups = new java.util.HashMap<>();
        for (JsonNode s : summary)
            groups.put(s.get("group").asText(), s.get("points").asInt());
        assertThat(groups)
                .containsEntry("fitted (steady state)", 40)
                .containsEntry("fitted (sglang profile)", 39)
                .containsEntry("sglang, leaving its model out", 39)
                .containsEntry("fitted (vllm profile)", 33)
                .containsEntry("vllm, leaving its model out", 33)
                .containsEntry("held out", shipped - 112);
        // the anchors as the issue cites them
        assertThat(json.get("anchors").asText())
                .contains("BLIS")
                .contains("6.8 %")
                .contains("21.5 %")
                .contains("52 %")
                .contains("600 %");
    }

    @Test
    void theTableShowsPointsSummaryAndAnchors() {
        Cli r = Cli.run("validate", "--serving");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out())
                .contains("measured")
                .contains("simulated")
                .contains("error")
                .contains("medianAbsError")
                .contains("within25")
                .contains("AIConfigurator")
                .doesNotContain("NaN");
    }

    @Test
    void servingTakesNoOtherModeOrHarnessOption() {
        Cli both = Cli.run("validate", "--serving", "--training");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).contains("--serving");
        Cli report = Cli.run("validate", "--serving", "--report");
        assertThat(report.exitCode()).isEqualTo(2);
        assertThat(report.err()).contains("--serving");
    }
}
