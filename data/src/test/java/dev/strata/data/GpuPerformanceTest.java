package dev.strata.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.strata.estimator.latency.EngineProfile;
import dev.strata.model.InvalidFieldException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An engine's compute share by device (gpu-performance.json) reaches the tuning of that device, and only of it. */
class GpuPerformanceTest {

    @Test
    void anEnginesShareOnADeviceIsItsTuningThereAndOtherDevicesTakeItsGeneralShare() {
        EngineProfile vllm = GpuPerformance.engine("engine", "vllm");
        // gpu-performance.json: vllm has a share of its own on the A100s (one figure for both memories)
        double a100 = vllm.computeEfficiencyScaleByDevice().get("a100-80gb-sxm");
        assertThat(vllm.computeEfficiencyScaleByDevice()).containsEntry("a100-40gb-sxm", a100);
        assertThat(a100).isNotEqualTo(vllm.computeEfficiencyScale());
        // the reference format's tuning carries the share itself (exact to rounding)
        assertThat(GpuPerformance.tuning("a100-80gb-sxm", vllm).computeEfficiencyScale())
                .isCloseTo(a100, within(1e-12));
        assertThat(GpuPerformance.tuning("a100-40gb-sxm", vllm).computeEfficiencyScale())
                .isCloseTo(a100, within(1e-12));
        assertThat(GpuPerformance.tuning("h100-sxm", vllm).computeEfficiencyScale())
                .isCloseTo(vllm.computeEfficiencyScale(), within(1e-12));
        // a profile tried in place of the shipped one keeps its device shares
        EngineProfile trial = vllm.withCosts(vllm.perLayerOverheadSeconds(), 0, 0.5, Double.NaN, 0, true, "a trial");
        assertThat(GpuPerformance.tuning("a100-80gb-sxm", trial).computeEfficiencyScale())
                .isCloseTo(a100, within(1e-12));
        assertThat(GpuPerformance.tuning("h200-sxm", trial).computeEfficiencyScale())
                .isCloseTo(0.5, within(1e-12));
        // an engine without device shares is the same everywhere
        EngineProfile trtllm = GpuPerformance.engine("engine", "trtllm");
        assertThat(trtllm.computeEfficiencyScaleByDevice()).isEmpty();
        assertThat(trtllm.onDevice("a100-80gb-sxm")).isSameAs(trtllm);
    }

    @Test
    void aShareOutsideZeroToOneIsRefusedNamingItsDevice() {
        EngineProfile vllm = GpuPerformance.engine("engine", "vllm");
        assertThatThrownBy(() -> vllm.withDeviceComputeScales(Map.of("h100-sxm", 1.5), true, "test"))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessageContaining("engine.computeEfficiencyScaleByDevice.h100-sxm")
                .hasMessageContaining("1.5");
    }
}
