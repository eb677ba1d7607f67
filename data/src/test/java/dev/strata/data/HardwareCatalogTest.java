package dev.strata.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.model.Hardware;
import dev.strata.model.InvalidFieldException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HardwareCatalogTest {
    @Test
    void theCatalogHasTheContractIdsInOrder() {
        // docs/architecture.md, "Contracts": hardware ids (host comes with calibration, not in this catalog)
        assertThat(HardwareCatalog.ids())
                .containsExactly(
                        "h100-sxm",
                        "h100-pcie",
                        "h200-sxm",
                        "h800",
                        "a100-40gb-sxm",
                        "a100-80gb-sxm",
                        "l40s",
                        "b200",
                        "mi300x",
                        "tpu-v5e",
                        "tpu-v5p",
                        "gaudi3");
    }

    @Test
    void everyFigureNamesItsSource() {
        for (HardwareEntry e : HardwareCatalog.all())
            for (String figure : HardwareCatalog.SOURCED_FIGURES)
                assertThat(e.sources().get(figure)).as(e.id() + " " + figure).isNotBlank();
    }

    /**
     * docs/architecture.md, "Accelerators" table (datasheet figures, dense): BF16 TFLOP/s, FP8 TFLOP/s (0: none), GB,
     * GB/s, TDP W; and the memory the driver reports, MiB (0: the datasheet's GB): nvidia-smi's memory.total (H100,
     * H800: 81,559; H200: 143,771; A100: 40,960 and 81,920; L40S: 46,068; B200: 183,359) and rocm-smi's VRAM total
     * (MI300X: 206,141,652,992 B = 196,592 MiB), as hardware.json's sources name them.
     */
    @ParameterizedTest
    @CsvSource({
        "h100-sxm,      989,    1979, 80,  3350, 700,  81559",
        "h100-pcie,     756,    1513, 80,  2000, 350,  81559",
        "h200-sxm,      989,    1979, 141, 4800, 700,  143771",
        "a100-40gb-sxm, 312,    0,    40,  1555, 400,  40960",
        "a100-80gb-sxm, 312,    0,    80,  2039, 400,  81920",
        "l40s,          362,    733,  48,  864,  350,  46068",
        "b200,          2250,   4500, 180, 8000, 1000, 183359",
        "mi300x,        1307.4, 2614.9, 192, 5300, 750, 196592",
        "tpu-v5e,       197,    0,    16,  819,  0,    0",
        "tpu-v5p,       459,    0,    95,  2765, 0,    0",
        "gaudi3,        1835,   1835, 128, 3670, 900,  0"
    })
    void figuresMatchTheReferenceTable(
            String id, double bf16Tflops, double fp8Tflops, long gb, double gbPerSecond, double watts, long driverMiB) {
        Hardware h = HardwareCatalog.get(id);
        // exact: the catalog stores the datasheet figures (MI300X to the data sheet's 0.1 TFLOP/s; docs/architecture.md
        // rounds to 1,307 and 2,615)
        assertThat(h.peakFlopsPerSecond("bf16")).isEqualTo(bf16Tflops * 1e12);
        if (fp8Tflops > 0) assertThat(h.peakFlopsPerSecond("fp8")).isEqualTo(fp8Tflops * 1e12);
        else assertThat(h.hasPeak("fp8")).isFalse();
        if (driverMiB > 0) {
            assertThat(h.memoryBytes()).isEqualTo(driverMiB << 20);
            // the datasheet's round figure is binary gigabytes less what the driver keeps: within 1 % below to 8 %
            // above
            assertThat((double) h.memoryBytes() / (gb * 1e9)).isBetween(0.99, 1.08);
        } else assertThat(h.memoryBytes()).isEqualTo(gb * 1_000_000_000L);
        assertThat(h.memoryBandwidthBytesPerSecond()).isEqualTo(gbPerSecond * 1e9);
        assertThat(h.powerWatts()).isEqualTo(watts);
        assertThat(h.pricePerHourUsd()).isPositive();
        assertThat(h.efficiency()).isEqualTo(Hardware.Efficiency.DEFAULT);
    }

    @Test
    void theH800HasTheH100sComputeAndMemoryWithASlowerNvlink() {
        // NVIDIA H800 SXM5 datasheet: 989 TFLOP/s dense BF16, 80 GB (81,559 MiB as the driver reports it, as the
        // H100's),
        // 3.35 TB/s, NVLink 400 GB/s (H100 SXM: 900 GB/s)
        Hardware h800 = HardwareCatalog.get("h800"), h100 = HardwareCatalog.get("h100-sxm");
        assertThat(h800.peakFlopsPerSecond()).isEqualTo(h100.peakFlopsPerSecond());
        assertThat(h800.peakFlopsPerSecond("bf16")).isEqualTo(989e12);
        assertThat(h800.memoryBytes()).isEqualTo(81_559L << 20).isEqualTo(h100.memoryBytes());
        assertThat(h800.memoryBandwidthBytesPerSecond()).isEqualTo(3.35e12);
        assertThat(h800.scaleUpBandwidthBytesPerSecond()).isEqualTo(400e9);
        assertThat(h100.scaleUpBandwidthBytesPerSecond()).isEqualTo(900e9);
        // DeepSeek-V3 report, §1: USD 2 per H800 GPU-hour
        assertThat(h800.pricePerHourUsd()).isEqualTo(2.0);
    }

    @Test
    void anUnknownIdNamesTheKnownOnes() {
        assertThatThrownBy(() -> HardwareCatalog.get("h900"))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessageStartingWith(
                        "hardware = \"h900\" is not allowed: must be a hardware id, one of h100-sxm, h100-pcie");
    }
}
