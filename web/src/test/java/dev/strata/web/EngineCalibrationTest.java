package dev.strata.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.data.GpuPerformance;
import dev.strata.data.validation.PublishedServing;
import dev.strata.estimator.latency.EngineProfile;
import dev.strata.web.report.EngineCalibration;
import dev.strata.web.report.ServingValidationReport;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The calibrated engine profiles' fitted figures (gpu-performance.json) against the published runs they are fitted to
 * (serving.tsv, engine_fit): no figure moved either way finds a better fit, each stated refit without one model is
 * likewise the best near its own figures, and the cross-validated figure the documentation states is what those refits
 * give.
 */
class EngineCalibrationTest {
    /** docs/validation.md: each profile's runs predicted by its refit without their model, median |error|. */
    private static final Map<String, Double> STATED_CROSS_VALIDATION = Map.of("sglang", 0.145, "vllm", 0.141);

    /** The runs {@code engine}'s profile is fitted to, and how many the documentation says there are. */
    private static List<PublishedServing.Point> fitted(String engine) {
        return PublishedServing.points().stream()
                .filter(p -> p.profile().equals(engine) && p.engineFit())
                .toList();
    }

    /**
     * Whether {@code profile} is the best fit of {@code points} near its figures: each fitted figure moved by a tenth of
     * its range up and down (within its range) gives no objective lower by more than 3 %. The simulated runs move in
     * whole steps, so the objective has small steps of its own; the shipped figures are rounded to three figures.
     */
    private static void assertLocalBest(List<PublishedServing.Point> points, EngineProfile profile, String what) {
        List<EngineCalibration.Figure> figures = EngineCalibration.FITTED.get(profile.id());
        double at = EngineCalibration.objective(points, profile);
        for (EngineCalibration.Figure f : figures)
            for (double sign : new double[] {-1, 1}) {
                EngineProfile moved = EngineCalibration.moved(profile, f, sign * 0.1);
                if (moved == null) continue; // the figure is at the end of its range
                assertThat(EngineCalibration.objective(points, moved))
                        .as(what + ": " + f + (sign < 0 ? " lower" : " higher"))
                        .isGreaterThanOrEqualTo(at * 0.97);
            }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sglang", "vllm"})
    void theShippedFiguresAreTheBestFitNearThem(String engine) {
        List<PublishedServing.Point> points = fitted(engine);
        assertThat(points).isNotEmpty();
        assertLocalBest(points, GpuPerformance.engine("engine", engine), engine);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sglang", "vllm"})
    void eachStatedRefitWithoutOneModelIsItsOwnBestAndTheStatedCrossValidationIsWhatTheyGive(String engine) {
        List<PublishedServing.Point> points = fitted(engine);
        List<GpuPerformance.Refit> refits = GpuPerformance.refits(engine);
        // one refit per model the profile is fitted to
        assertThat(refits).hasSize((int)
                points.stream().map(PublishedServing.Point::model).distinct().count());
        for (GpuPerformance.Refit f : refits) {
            List<PublishedServing.Point> on =
                    points.stream().filter(p -> !p.model().equals(f.heldOut())).toList();
            assertLocalBest(on, f.profile(), engine + " without " + f.heldOut());
        }
        JsonNode summary = ServingValidationReport.of(points).get("summary");
        JsonNode cv = null;
        for (JsonNode s : summary) if (s.get("group").asText().equals(engine + ", leaving its model out")) cv = s;
        assertThat(cv).isNotNull();
        assertThat(cv.get("points").asInt()).isEqualTo(points.size());
        // the stated figure, to 0.01
        assertThat(cv.get("medianAbsError").asDouble()).isCloseTo(STATED_CROSS_VALIDATION.get(engine), within(0.01));
    }
}
