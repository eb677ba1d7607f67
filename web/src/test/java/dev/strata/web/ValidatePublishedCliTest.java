package dev.strata.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.web.render.Render;
import org.junit.jupiter.api.Test;

/** {@code validate --published}: every published GPU point, the summary per group, and the targets. */
class ValidatePublishedCliTest {

    @Test
    void everyPublishedPointIsListedWithItsFloorEstimateAndErrorAndTheTargetsAreMet() throws Exception {
        Cli r = Cli.run("validate", "--published", "--format", "json");
        // the seven targets (gpu-performance.json's cross-validation among them) are met: exit 0, nothing missed
        assertThat(r.exitCode()).isZero();
        assertThat(r.err()).doesNotContain("missed");
        JsonNode root = Render.MAPPER.readTree(r.out());
        assertThat(root.get("targets")).hasSize(7);
        for (JsonNode t : root.get("targets"))
            assertThat(t.get("met").booleanValue()).as(t.get("target").asText()).isTrue();
        JsonNode points = root.get("points");
        // the shipped TensorRT-LLM 0.9 table and the 40 TensorRT-LLM 1.0 trtllm-bench runs as their steady state
        assertThat(points).hasSize(96 + 40);
        for (JsonNode p : points) {
            assertThat(p.get("floorSeconds").doubleValue()).isPositive();
            assertThat(p.get("calibratedSeconds").doubleValue())
                    .isGreaterThanOrEqualTo(p.get("floorSeconds").doubleValue());
            double error = p.get("calibratedSeconds").doubleValue()
                            / p.get("measuredSeconds").doubleValue()
                    - 1;
            assertThat(p.get("relativeError").doubleValue()).isEqualTo(error);
            // the floor is below the measurement unless the row is excused, with its reason
            assertThat(p.get("floorBelowMeasured").booleanValue())
                    .as(p.get("id").asText())
                    .isEqualTo(p.get("excused").asText().isEmpty());
        }
        String table = Cli.run("validate", "--published").out();
        assertThat(table)
                .contains("leaveOneModelOut")
                .contains("h200-sxm")
                .contains("mixtral")
                .contains("TensorRT-LLM 0.9, static")
                .contains("TensorRT-LLM 1.0, in-flight")
                .contains("meets the targets");
        Cli bad = Cli.run("validate", "--published", "--report");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("--published");
    }
}
