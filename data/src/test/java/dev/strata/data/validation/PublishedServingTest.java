package dev.strata.data.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.data.HardwareCatalog;
import dev.strata.data.PresetCatalog;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shipped published serving set ({@code published/serving.tsv}): every row sourced and simulable by strata. */
class PublishedServingTest {
    @Test
    void everyRowHasASourceAPresetACatalogDeviceAndAPositiveValue() {
        List<PublishedServing.Point> points = PublishedServing.points();
        assertThat(points).isNotEmpty();
        for (PublishedServing.Point p : points) {
            assertThat(p.source()).as(p.id()).isNotBlank();
            assertThat(p.engine()).as(p.id()).isNotBlank();
            assertThat(PresetCatalog.contains(p.model())).as(p.id()).isTrue();
            assertThat(HardwareCatalog.get(p.hardware())).as(p.id()).isNotNull();
            assertThat(p.profile()).as(p.id()).isIn("trtllm", "vllm", "sglang");
            assertThat(p.measured()).as(p.id()).isPositive();
            assertThat(p.tp()).as(p.id()).isBetween(1, p.devices());
            assertThat(p.memoryFraction()).as(p.id()).isBetween(0.5, 1.0);
            assertThat(p.client()).as(p.id()).isIn(PublishedServing.CLIENTS);
            // trtllm-bench hands the engine its requests; every other run came through an HTTP server
            assertThat(p.client()).as(p.id()).isEqualTo(p.engine().contains("trtllm-bench") ? "offline" : "http");
            // a run an engine profile is fitted to is of an engine whose profile is calibrated that way
            if (p.engineFit()) assertThat(p.profile()).as(p.id()).isIn("vllm", "sglang");
        }
        // ids are unique
        assertThat(points.stream().map(PublishedServing.Point::id).distinct()).hasSize(points.size());
    }

    @Test
    void theArrivalBecomesTheSimulateOptionItNames() {
        for (PublishedServing.Point p : PublishedServing.points()) {
            var o = p.simulateOptions();
            switch (p.arrival()) {
                case "all" -> assertThat(o.get("rate")).as(p.id()).isEqualTo("inf");
                case "concurrency" -> assertThat(o).as(p.id()).containsKey("concurrency");
                default ->
                    assertThat(Double.parseDouble(o.get("rate"))).as(p.id()).isEqualTo(p.load());
            }
            assertThat(o.get("engine")).isEqualTo(p.profile());
            assertThat(o.get("client")).isEqualTo(p.client());
        }
    }
}
