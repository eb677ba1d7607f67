package dev.strata.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HardwareTest {
    static Hardware device(Map<String, Double> peaks) {
        return Hardware.builder("test-gpu")
                .name("Test GPU")
                .peakFlopsPerSecond(peaks)
                .memoryBytes(80_000_000_000L)
                .memoryBandwidthBytesPerSecond(3.35e12)
                .scaleUpBandwidthBytesPerSecond(900e9)
                .hostLinkBytesPerSecond(128e9)
                .powerWatts(700)
                .pricePerHourUsd(2.5)
                .build();
    }

    @Test
    void peaksAreKeptInTheFixedFormatOrderAndLookedUpById() {
        Map<String, Double> peaks = new LinkedHashMap<>();
        peaks.put("fp8", 1979e12);
        peaks.put("bf16", 989e12);
        Hardware h = device(peaks);
        assertThat(h.peakFlopsPerSecond().keySet()).containsExactly("bf16", "fp8");
        assertThat(h.peakFlopsPerSecond("bf16")).isEqualTo(989e12);
        assertThat(h.hasPeak("int4")).isFalse();
        assertThatThrownBy(() -> h.peakFlopsPerSecond("int4"))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessage(
                        "format = \"int4\" is not allowed: must be a format test-gpu has a peak for, one of [bf16, fp8]");
    }

    @Test
    void badFiguresAreRefusedNamingTheField() {
        assertThatThrownBy(() -> device(Map.of("bf17", 1e15)))
                .hasMessageContaining("hardware.peakFlopsPerSecond = \"bf17\"");
        assertThatThrownBy(() -> device(Map.of("bf16", -1.0)))
                .hasMessageStartingWith("hardware.peakFlopsPerSecond.bf16 = -1.0 is not allowed");
        assertThatThrownBy(() -> device(Map.of())).hasMessageContaining("a peak for at least one of");
        assertThatThrownBy(() -> Hardware.builder("H100")
                        .peakFlopsPerSecond("bf16", 1e15)
                        .memoryBytes(1)
                        .memoryBandwidthBytesPerSecond(1)
                        .build())
                .hasMessageStartingWith("hardware.id = \"H100\"");
        assertThatThrownBy(() -> Hardware.builder("x")
                        .peakFlopsPerSecond("bf16", 1e15)
                        .memoryBandwidthBytesPerSecond(1)
                        .build())
                .hasMessageStartingWith("hardware.memoryBytes = 0");
        assertThatThrownBy(() -> new Hardware.Efficiency(0.7, 1.5, 0.7))
                .hasMessage("hardware.efficiency.compute = 1.5 is not allowed: must be a finite number > 0 and <= 1.0");
        assertThatThrownBy(() -> device(Map.of("bf16", 1e15)).withPricePerHourUsd(Double.NaN))
                .hasMessageStartingWith("hardware.pricePerHourUsd = NaN");
    }

    @Test
    void editablePartsCanBeOverridden() {
        Hardware h = device(Map.of("bf16", 989e12));
        assertThat(h.withPricePerHourUsd(1.99).pricePerHourUsd()).isEqualTo(1.99);
        assertThat(h.withPowerWatts(0).hasPower()).isFalse();
        assertThat(h.withEfficiency(new Hardware.Efficiency(0.8, 0.6, 0.5))
                        .efficiency()
                        .compute())
                .isEqualTo(0.6);
        // documented defaults (Hardware.Efficiency): 0.70 each, uncalibrated
        assertThat(h.efficiency()).isEqualTo(new Hardware.Efficiency(0.70, 0.70, 0.70));
    }

    @Test
    void builderDefaultsAndCopies() {
        // defaults stated in Hardware.builder: name = id, links/power/price 0, efficiency DEFAULT
        Hardware bare = Hardware.builder("x")
                .peakFlopsPerSecond("bf16", 1e15)
                .memoryBytes(1)
                .memoryBandwidthBytesPerSecond(1)
                .build();
        assertThat(bare)
                .isEqualTo(new Hardware("x", "x", Map.of("bf16", 1e15), 1, 1, 0, 0, 0, 0, Hardware.Efficiency.DEFAULT));
        Hardware h = device(Map.of("bf16", 989e12, "fp8", 1979e12));
        assertThat(h.toBuilder().build()).isEqualTo(h);
        assertThatThrownBy(() -> Hardware.builder("x")
                        .memoryBytes(1)
                        .memoryBandwidthBytesPerSecond(1)
                        .build())
                .hasMessageStartingWith("hardware.peakFlopsPerSecond = null");
        assertThatThrownBy(() -> Hardware.builder("x")
                        .peakFlopsPerSecond("bf16", 1e15)
                        .memoryBytes(1)
                        .build())
                .hasMessageStartingWith("hardware.memoryBandwidthBytesPerSecond = 0.0");
    }
}
