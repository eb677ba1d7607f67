package dev.strata.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.strata.model.InvalidFieldException;
import dev.strata.model.Microbenchmarks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostCalibrationCsvTest {
    /** Rows in calibrate.py's format (values made up, units as it writes them). */
    static final String CSV = """
            factor,variant,dtype,m,k,n,elements,value,unit,spread_p10,spread_p90,repeats,note,machine,cores,threads,torch_version,blas,omp_wait_policy,load_avg_1m,other_cpu_cores,date,command
            torch_import_rss,,,,,,,242900992,bytes,,,,peak RSS,Test CPU,2,2,1.13.0a0,openblas,PASSIVE,0.1,0.0,2026-11-22T08:00:00+00:00,cmd
            stream_sum_bandwidth,,fp32,,,,268435456,20.0,GB/s,,,5,sum,Test CPU,2,2,1.13.0a0,openblas,PASSIVE,0.1,0.0,2026-11-22T08:00:00+00:00,cmd
            stream_copy_bandwidth,,fp32,,,,268435456,25.0,GB/s,,,5,copy,Test CPU,2,2,1.13.0a0,openblas,PASSIVE,0.1,0.0,2026-11-22T08:00:00+00:00,cmd
            matvec_bandwidth,,bf16,1,4096,4096,,20.0,GB/s,,,5,"weight bytes / time",Test CPU,2,2,1.13.0a0,openblas,PASSIVE,0.1,0.0,2026-11-22T08:00:00+00:00,cmd
            gemm_flops,,fp32,256,256,256,,100.0,GFLOP/s,,,20,"2 m k n / time",Test CPU,2,2,1.13.0a0,openblas,PASSIVE,0.1,0.0,2026-11-22T08:00:00+00:00,cmd
            kv_read_bandwidth,,bf16,1,131072,512,,5.0,GB/s,,,10,"K and V bytes (8 KV heads x 64, 4 query heads each)",Test CPU,2,2,1.13.0a0,openblas,PASSIVE,0.1,0.0,2026-11-22T08:00:00+00:00,cmd
            decode_overhead_per_layer,llama,bf16,,,,,0.0004,s,,,,slope,Test CPU,2,2,1.13.0a0,openblas,PASSIVE,0.1,0.0,2026-11-22T08:00:00+00:00,cmd
            decode_overhead_fixed,llama,bf16,,,,,-3e-05,s,,,,intercept,Test CPU,2,2,1.13.0a0,openblas,PASSIVE,0.1,0.0,2026-11-22T08:00:00+00:00,cmd
            decode_overhead_per_layer,gpt2,bf16,,,,,0.0002,s,,,,slope,Test CPU,2,2,1.13.0a0,openblas,PASSIVE,0.1,0.0,2026-11-22T08:00:00+00:00,cmd
            decode_in_situ_per_layer,llama,bf16,1,1024,,,0.0009,s,,,,in situ,Test CPU,2,2,1.13.0a0,openblas,PASSIVE,0.1,0.0,2026-11-22T08:00:00+00:00,cmd
            some_future_factor,,bf16,,,,,1,s,,,,ignored,Test CPU,2,2,1.13.0a0,openblas,PASSIVE,0.1,0.0,2026-11-22T08:00:00+00:00,cmd
            """;

    @Test
    void everyFactorBecomesABenchmarkInSiUnits() {
        Microbenchmarks b = HostCalibrationCsv.parse(CSV, "test");
        assertThat(b.machine()).isEqualTo("Test CPU; 2 cores; torch 1.13.0a0; openblas");
        assertThat(b.date()).isEqualTo("2026-11-22T08:00:00+00:00");
        assertThat(b.runtimeBytes()).isEqualTo(242_900_992L);
        assertThat(b.streamBytesPerSecond()).isEqualTo(25e9); // the larger of sum and copy
        // matrix-vector: 4096 x 4096 bf16 weights (33,554,432 bytes) at 20 GB/s
        Microbenchmarks.MatrixProduct mv = b.matrixProducts().get(0);
        assertThat(mv.rows()).isEqualTo(1);
        assertThat(mv.seconds()).isCloseTo(33_554_432 / 20e9, within(1e-15));
        // GEMM: 2 x 256^3 FLOPs at 100 GFLOP/s
        assertThat(b.matrixProducts().get(1).seconds()).isCloseTo(2.0 * 256 * 256 * 256 / 100e9, within(1e-15));
        assertThat(b.formats()).containsExactly("bf16", "fp32");
        // KV read: K and V of 131,072 tokens x 512 bf16 values = 268,435,456 bytes at 5 GB/s, 4 query heads per KV head
        Microbenchmarks.KvRead kv = b.kvReads().get(0);
        assertThat(kv.cacheBytes()).isEqualTo(268_435_456.0);
        assertThat(kv.queriesPerKvHead()).isEqualTo(4);
        assertThat(kv.bytesPerSecond()).isCloseTo(5e9, within(1.0));
        // overheads by layer style: llama -> gated (with its intercept), gpt2 -> dense (no intercept row: 0)
        // with the product calls of calibrate.py's models: 7 per Llama-style layer, 6 per GPT-2-style layer, 1 head
        assertThat(b.layerOverheads())
                .containsExactly(
                        new Microbenchmarks.LayerOverhead("gated", "bf16", 4e-4, -3e-5, 7, 1),
                        new Microbenchmarks.LayerOverhead("dense", "bf16", 2e-4, 0, 6, 1));
        // the in-situ layer time of width (k) 1024
        assertThat(b.inSituLayers()).containsExactly(new Microbenchmarks.InSituLayer("bf16", 1024, 9e-4));
        // the floor: the best of stream (25), matrix-vector (20) and KV read (5) GB/s; peaks per format
        assertThat(b.bestBandwidthBytesPerSecond()).isEqualTo(25e9);
        assertThat(b.bestFlopsPerSecond("fp32")).isCloseTo(100e9, within(1.0));
        assertThat(b.bestFlopsPerSecond("bf16"))
                .isCloseTo(20e9, within(1.0)); // a matrix-vector product: 1 FLOP per byte
    }

    @Test
    void theRuntimeAfterATinyModelIsPreferredToTheImportAlone() {
        // calibrate.py writes both since it measures the runtime once a tiny model has run (values made up): the
        // runtime term is the later one wherever it sits in the file; a run without it keeps the import figure (above)
        String both = CSV.replace(
                "some_future_factor",
                "torch_runtime_rss,,,,,,,258000000,bytes,,,,after a tiny model,Test CPU,2,2,"
                        + "1.13.0a0,openblas,PASSIVE,0.1,0.0,2026-11-22T08:00:00+00:00,cmd\nsome_future_factor");
        assertThat(HostCalibrationCsv.parse(both, "test").runtimeBytes()).isEqualTo(258_000_000L);
    }

    @Test
    void layerTimesWithoutProductsWinOverTheOlderRowsWithThem() {
        // calibrate.py now times the tiny models with their layers' products replaced by their outputs
        // (decode_glue_*): no product call in the slope, the tied head's one in the intercept; the Llama style has
        // both kinds of row here and takes the glue one, the GPT-2 style only the older row (its 6 calls kept)
        String both = CSV.replace(
                "some_future_factor",
                "decode_glue_per_layer,llama,bf16,,,,,0.0003,s,,,,slope,Test CPU,2,2,"
                        + "1.13.0a0,openblas,PASSIVE,0.1,0.0,2026-11-22T08:00:00+00:00,cmd\n"
                        + "decode_glue_fixed,llama,bf16,,,,,0.0002,s,,,,intercept,Test CPU,2,2,1.13.0a0,openblas,PASSIVE,0.1,0.0,2026-11-22T08:00:00+00:00,cmd\n"
                        + "some_future_factor");
        assertThat(HostCalibrationCsv.parse(both, "test").layerOverheads())
                .containsExactly(
                        new Microbenchmarks.LayerOverhead("gated", "bf16", 3e-4, 2e-4, 0, 1),
                        new Microbenchmarks.LayerOverhead("dense", "bf16", 2e-4, 0, 6, 1));
    }

    @Test
    void theFloorOfTwoCalibrationsIsTheBestEitherMeasured() {
        // a second calibration whose GEMM ran twice as fast (100 -> 200 GFLOP/s) and whose stream ran slower (25 -> 15
        // GB/s), values made up: the floor takes 200 GFLOP/s and 25 GB/s, the best measured, so that it stays below
        // every benchmark of both; averaged times (133 GFLOP/s, 18.75 GB/s) would put it above the faster one's. The
        // entry's benchmarks, which the calibrated factors are fitted to, are the two averaged.
        Microbenchmarks first = HostCalibrationCsv.parse(CSV, "a");
        Microbenchmarks second = HostCalibrationCsv.parse(
                CSV.replace(",100.0,GFLOP/s", ",200.0,GFLOP/s").replace(",25.0,GB/s", ",15.0,GB/s"), "b");
        HardwareEntry host = HardwareCatalog.host(List.of(first, second));
        assertThat(host.hardware().peakFlopsPerSecond("fp32")).isCloseTo(200e9, within(1.0));
        assertThat(host.hardware().memoryBandwidthBytesPerSecond()).isCloseTo(25e9, within(1.0));
        assertThat(host.calibration()).isEqualTo(first.averagedWith(second));
        assertThat(host.calibration().bestFlopsPerSecond("fp32")).isCloseTo(2 / (1 / 100e9 + 1 / 200e9), within(1.0));
        // one calibration: the same entry as before
        assertThat(HardwareCatalog.host(List.of(first)).hardware())
                .isEqualTo(HardwareCatalog.host(first).hardware());
    }

    @Test
    void theHostTakesTheMemoryCapacityTheCalibrationRecorded() {
        // calibrate.py's device_memory_bytes (a GPU's total memory; here an H100's 85,520,809,984 bytes as torch
        // reports
        // it, made up for the test): the host entry's capacity, with its source; a run without the row records 0 and
        // the
        // host falls back to the memory of the machine strata runs on (JVM bean), saying so
        String recorded = CSV.replace(
                "some_future_factor",
                "device_memory_bytes,,,,,,,85520809984,bytes,,,,total memory,Test CPU,2,2,"
                        + "1.13.0a0,openblas,PASSIVE,0.1,0.0,2026-11-22T08:00:00+00:00,cmd\nsome_future_factor");
        Microbenchmarks withMemory = HostCalibrationCsv.parse(recorded, "test");
        assertThat(withMemory.memoryBytes()).isEqualTo(85_520_809_984L);
        HardwareEntry host = HardwareCatalog.host(withMemory);
        assertThat(host.hardware().memoryBytes()).isEqualTo(85_520_809_984L);
        assertThat(HardwareCatalog.recordedMemory(withMemory)).isTrue();
        assertThat(host.sources().get("memoryBytes")).contains("total memory of the device it ran on");

        Microbenchmarks without = HostCalibrationCsv.parse(CSV, "test");
        assertThat(without.memoryBytes()).isZero();
        assertThat(HardwareCatalog.recordedMemory(without)).isFalse();
        assertThat(HardwareCatalog.host(without).sources().get("memoryBytes"))
                .contains("the calibration recorded none");

        assertThatThrownBy(() -> HostCalibrationCsv.parse(recorded.replace("85520809984", "-1"), "x.csv"))
                .hasMessageContaining("column value")
                .hasMessageContaining("not a positive integer");
    }

    @Test
    void aBadCellNamesItsRowAndColumn() {
        String bad = CSV.replace("gemm_flops,,fp32,256,256,256,,100.0", "gemm_flops,,fp32,256,256,256,,fast");
        assertThatThrownBy(() -> HostCalibrationCsv.parse(bad, "test.csv"))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessageContaining("test.csv row 5 column value")
                .hasMessageContaining("'fast'");
        assertThatThrownBy(() -> HostCalibrationCsv.parse("a,b\n1,2\n", "x.csv"))
                .hasMessageContaining("no column 'factor'");
        assertThatThrownBy(() -> HostCalibrationCsv.parse(CSV.replace("stream_", "other_"), "x.csv"))
                .hasMessageContaining("no stream_sum_bandwidth");
        // a rate that is not positive names the file, row, column, value and unit, not the time strata makes of it
        assertThatThrownBy(
                        () -> HostCalibrationCsv.parse(CSV.replace(",20.0,GB/s,,,5,sum", ",-5,GB/s,,,5,sum"), "x.csv"))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessageContaining("x.csv row 2 column value: '-5' is not a rate")
                .hasMessageContaining("GB/s");
        assertThatThrownBy(() -> HostCalibrationCsv.parse(CSV.replace(",100.0,GFLOP/s", ",0,GFLOP/s"), "x.csv"))
                .hasMessageContaining("row 5 column value: '0' is not a rate")
                .hasMessageContaining("GFLOP/s")
                .hasMessageContaining("gemm_flops");
    }

    @Test
    void aCalibrationAfterThePointsIsAveragedTimeByTime(@TempDir Path dir) throws Exception {
        // the same rows measured again after the points on a machine that got slower (values made up): stream 25 ->
        // 15 GB/s (copy; the sum row drops to 10), matrix-vector 20 -> 10 GB/s, GEMM 100 -> 50 GFLOP/s, KV read 5 ->
        // 2.5 GB/s, the Llama slope 4e-4 -> 6e-4 s, the in-situ layer 9e-4 -> 1.1e-3 s; the import's memory differs
        // too, and only the first one's counts
        String later = CSV.replace(",20.0,GB/s,,,5,sum", ",10.0,GB/s,,,5,sum")
                .replace(",25.0,GB/s", ",15.0,GB/s")
                .replace(",20.0,GB/s,,,5,\"weight", ",10.0,GB/s,,,5,\"weight")
                .replace(",100.0,GFLOP/s", ",50.0,GFLOP/s")
                .replace(",5.0,GB/s", ",2.5,GB/s")
                .replace(",0.0004,s", ",0.0006,s")
                .replace(",0.0009,s", ",0.0011,s")
                .replace("242900992", "300000000");
        Files.writeString(dir.resolve("cpu-calibration.csv"), CSV);
        Files.writeString(dir.resolve("cpu-calibration-end.csv"), later);
        List<Microbenchmarks> both = HostCalibrationCsv.readCalibrations(dir.resolve("cpu-calibration.csv"));
        assertThat(both).hasSize(2);
        Microbenchmarks b = HostCalibrationCsv.read(dir.resolve("cpu-calibration.csv"));
        Microbenchmarks first = both.get(0), second = both.get(1);
        // each time is the mean of the two times: a rate is their harmonic mean (2 / (1/25 + 1/15) = 18.75 GB/s)
        assertThat(b.streamBytesPerSecond()).isCloseTo(18.75e9, within(1.0));
        for (int i = 0; i < 2; i++)
            assertThat(b.matrixProducts().get(i).seconds())
                    .isCloseTo(
                            (first.matrixProducts().get(i).seconds()
                                            + second.matrixProducts().get(i).seconds())
                                    / 2,
                            within(1e-15));
        assertThat(b.matrixProducts().get(0).seconds())
                .isCloseTo(1.5 * 33_554_432 / 20e9, within(1e-15)); // 1 and 2 x 20 GB/s time
        assertThat(b.kvReads().get(0).bytesPerSecond()).isCloseTo(2 / (1 / 5e9 + 1 / 2.5e9), within(1.0));
        assertThat(b.layerOverheads()).contains(new Microbenchmarks.LayerOverhead("gated", "bf16", 5e-4, -3e-5, 7, 1));
        assertThat(b.inSituLayers())
                .containsExactly(new Microbenchmarks.InSituLayer("bf16", 1024, 1e-3)); // (0.9 + 1.1) / 2 ms
        assertThat(b.runtimeBytes()).isEqualTo(242_900_992L);
        // a calibration file under another name, or without a second one beside it, is read alone
        Files.copy(dir.resolve("cpu-calibration.csv"), dir.resolve("mine.csv"));
        assertThat(HostCalibrationCsv.readCalibrations(dir.resolve("mine.csv"))).hasSize(1);
        Files.delete(dir.resolve("cpu-calibration-end.csv"));
        assertThat(HostCalibrationCsv.read(dir.resolve("cpu-calibration.csv")).streamBytesPerSecond())
                .isEqualTo(25e9);
        // a benchmark only one of them has is kept as it is
        Microbenchmarks fewer = HostCalibrationCsv.parse(
                later.lines().filter(l -> !l.startsWith("gemm_flops")).collect(Collectors.joining("\n")), "x");
        assertThat(first.averagedWith(fewer).matrixProducts().get(1))
                .isEqualTo(first.matrixProducts().get(1));
    }

    @Test
    void theShippedCalibrationHasEveryKindOfBenchmarkForBothFormats() {
        Microbenchmarks b = HostCalibrationCsv.averaged(HostCalibrationCsv.shippedCalibrations("cpu"));
        assertThat(b.formats()).containsExactlyInAnyOrder("fp32", "bf16");
        for (String f : b.formats()) {
            assertThat(b.matrixProducts().stream()
                            .filter(p -> p.format().equals(f) && p.rows() == 1)
                            .count())
                    .as(f)
                    .isGreaterThanOrEqualTo(3);
            assertThat(b.matrixProducts().stream()
                            .filter(p -> p.format().equals(f) && p.rows() > 1)
                            .count())
                    .as(f)
                    .isGreaterThanOrEqualTo(3);
            assertThat(b.kvReads().stream().filter(k -> k.format().equals(f)))
                    .as(f)
                    .hasSize(1);
            assertThat(b.layerOverheads().stream()
                            .filter(o -> o.format().equals(f))
                            .map(Microbenchmarks.LayerOverhead::style))
                    .as(f)
                    .containsExactlyInAnyOrder("gated", "dense", "moe");
        }
        // import torch: about 240 MB (docs/architecture.md, "Reference stack"); a tiny model's run adds about 15 MB
        assertThat(b.runtimeBytes()).isBetween(100_000_000L, 1_000_000_000L);
    }

    @Test
    void theGpuCalibrationReadsItsRuntimeMemoryAndOutputBytes() {
        // measured-cuda/cuda-calibration.csv (an H100 run): cuBLAS workspaces held by the allocator (32 MiB, read off
        // the file), and a product's output at its peak is the element itself (2 bytes bf16, 4 fp32: the GPU writes
        // the result directly)
        Microbenchmarks gpu = HostCalibrationCsv.averaged(HostCalibrationCsv.shippedCalibrations("cuda"));
        assertThat(gpu.runtimeBytes()).isEqualTo(33_554_432L);
        assertThat(gpu.productOutputBytes("bf16", 0)).isCloseTo(2.0, within(0.01));
        assertThat(gpu.productOutputBytes("fp32", 0)).isCloseTo(4.0, within(0.01));
        assertThat(gpu.machine()).contains("H100");
        // the CPU computes a bf16 product in fp32 and converts it: 6 bytes an element at the peak (2 + 4), +-0.5
        assertThat(HardwareCatalog.host().calibration().productOutputBytes("bf16", 0))
                .isCloseTo(6.0, within(0.5));
        // a format not measured falls back to what the caller says the element is
        assertThat(gpu.productOutputBytes("fp8", 1)).isEqualTo(1);
    }

    @Test
    void theHostEntryHasTheBestMeasuredFiguresAsItsFloor() {
        HardwareEntry host = HardwareCatalog.entry("host");
        List<Microbenchmarks> both = HostCalibrationCsv.shippedCalibrations("cpu");
        assertThat(host.calibrated()).isTrue();
        assertThat(host.calibration()).isEqualTo(HostCalibrationCsv.averaged(both));
        assertThat(host.hardware().memoryBandwidthBytesPerSecond())
                .isEqualTo(both.stream()
                        .mapToDouble(Microbenchmarks::bestBandwidthBytesPerSecond)
                        .max()
                        .orElseThrow());
        // a lower bound on every benchmark of both calibrations, and of their average
        for (Microbenchmarks b : List.of(both.get(0), both.get(1), host.calibration()))
            for (Microbenchmarks.MatrixProduct p : b.matrixProducts()) {
                assertThat(p.weightBytes() / p.seconds())
                        .isLessThanOrEqualTo(host.hardware().memoryBandwidthBytesPerSecond());
                assertThat(p.flops() / p.seconds())
                        .isLessThanOrEqualTo(host.hardware().peakFlopsPerSecond(p.format()));
            }
        for (String figure : HardwareCatalog.SOURCED_FIGURES)
            assertThat(host.sources().get(figure)).as(figure).isNotBlank();
        assertThat(HardwareCatalog.ids()).doesNotContain("host"); // the datasheet catalog is unchanged
        assertThat(HardwareCatalog.entry("h100-sxm").calibrated()).isFalse();
        assertThatThrownBy(() -> HardwareCatalog.entry("hots")).hasMessageContaining("gaudi3, host");
    }
}
