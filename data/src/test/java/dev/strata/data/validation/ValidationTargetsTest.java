package dev.strata.data.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.data.ReferenceRun;
import dev.strata.model.Microbenchmarks;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The accuracy targets of the validation issue on the shipped reference run (module data's
 * {@code measured/cpu-reference.csv} and {@code cpu-calibration.csv}; docs/validation.md). The host calibration
 * is fitted to the run's microbenchmarks only; the points are never used to fit anything.
 */
class ValidationTargetsTest {
    static final Validation V = Validation.shipped();

    @Test
    void countsAreExactAndFlopsMatchTheProfiler() {
        // parameters, weight and KV-cache bytes: exact; prefill matrix FLOPs within 0.5 % of torch.profiler's count
        assertThat(V.summary("params", null, 1, Long.MAX_VALUE).maxAbsRelativeError())
                .isEqualTo(0);
        assertThat(V.summary("weights_bytes", null, 1, Long.MAX_VALUE).maxAbsRelativeError())
                .isEqualTo(0);
        assertThat(V.summary("kv_cache_bytes", null, 1, Long.MAX_VALUE).maxAbsRelativeError())
                .isEqualTo(0);
        assertThat(V.summary("prefill_flops", null, 1, Long.MAX_VALUE).maxAbsRelativeError())
                .isLessThanOrEqualTo(0.005);
        assertThat(V.summary("params", null, 1, Long.MAX_VALUE).points()).isEqualTo(38);
        assertThat(V.summary("prefill_flops", null, 1, Long.MAX_VALUE).points()).isEqualTo(18);
    }

    @Test
    void theFloorIsALowerBoundOnEveryMeasuredTime() {
        for (String q : Validation.LATENCY_QUANTITIES) {
            Validation.Summary s = V.summary(q, null, 1, Long.MAX_VALUE);
            assertThat(s.points()).as(q).isPositive();
            assertThat(s.floorIsLowerBound()).as(q).isTrue();
        }
    }

    @Test
    void peakMemoryIsWithinFivePercentAtEveryPoint() {
        // the issue: within 5 %; measured with glibc's mmap threshold fixed (freed tensors leave the process) and the
        // runtime term measured after a tiny model ran (torch_runtime_rss): docs/validation.md, 1.4 % at worst
        for (String q : List.of("peak_memory_bytes", "peak_memory_bytes_decode")) {
            Validation.Summary s = V.summary(q, null, 1, Long.MAX_VALUE);
            assertThat(s.points()).as(q).isEqualTo(38);
            assertThat(s.maxAbsRelativeError()).as(q).isLessThanOrEqualTo(0.05);
        }
    }

    @Test
    void calibratedDecodeTimeMeetsEveryTargetInBothFormats() {
        // the issue: median absolute error at most 10 % at batch 1 and at most 20 % for batch up to 16 and contexts up
        // to 4096 (docs/validation.md, shipped run: fp32 5.6 % and 7.1 %, bf16 8.3 % and 9.9 %)
        for (String d : List.of("fp32", "bf16")) {
            assertThat(V.summary("decode_seconds_per_token", d, 1, 1).medianAbsRelativeError())
                    .as(d)
                    .isLessThanOrEqualTo(0.10);
            assertThat(V.summary("decode_seconds_per_token", d, 1, Validation.TARGET_MAX_BATCH)
                            .medianAbsRelativeError())
                    .as(d)
                    .isLessThanOrEqualTo(0.20);
        }
        assertThat(V.targets()).allMatch(Validation.TargetResult::met);
    }

    @Test
    void theInSituLayerTimeIsWhatMeetsTheBatch1Targets() {
        // docs/validation.md: the same run without its in-situ layer rows (the per-layer time as the tiny models
        // measure it in warm caches) gives fp32 14.0 % and bf16 20.7 % at batch 1, both above 10 %
        ReferenceRun run = ReferenceRun.shipped();
        List<Microbenchmarks> warmOnly = run.calibrations().stream()
                .map(b -> new Microbenchmarks(
                        b.machine(),
                        b.date(),
                        b.streamBytesPerSecond(),
                        b.matrixProducts(),
                        b.kvReads(),
                        b.layerOverheads(),
                        b.runtimeBytes(),
                        b.productOutputBytes(),
                        b.memoryBytes(),
                        List.of()))
                .toList();
        assertThat(run.calibrations().get(0).inSituLayers()).hasSize(8); // widths 256-2048, fp32 and bf16
        Validation warm =
                Validation.of(new ReferenceRun(run.source(), run.device(), run.points(), warmOnly, run.specs()));
        for (String d : List.of("fp32", "bf16"))
            assertThat(warm.summary("decode_seconds_per_token", d, 1, 1).medianAbsRelativeError())
                    .as(d)
                    .isGreaterThan(0.10);
    }

    /** The GPU run (module data's {@code measured-cuda/}: an NVIDIA H100, PyTorch 2.11, eager; docs/validation.md). */
    static final Validation GPU = Validation.shipped("cuda");

    @Test
    void onTheGpuCountsAndFlopsAreExactAndTheFloorIsALowerBound() {
        for (String q : List.of("params", "weights_bytes", "kv_cache_bytes", "prefill_flops"))
            assertThat(GPU.summary(q, null, 1, Long.MAX_VALUE).maxAbsRelativeError())
                    .as(q)
                    .isEqualTo(0);
        assertThat(GPU.summary("params", null, 1, Long.MAX_VALUE).points()).isEqualTo(46);
        for (String q : Validation.LATENCY_QUANTITIES)
            assertThat(GPU.summary(q, null, 1, Long.MAX_VALUE).floorIsLowerBound())
                    .as(q)
                    .isTrue();
        // decode in eager PyTorch on the GPU is bound by the host's dispatch of kernels, which runs while the GPU
        // works;
        // strata adds fixed costs to the roofline time instead, so the calibrated estimate is off by a median 20-30 %
        // (docs/validation.md: 22 % fp32, 23 % bf16 at batch 1), missing the CPU's targets
        for (String d : List.of("fp32", "bf16"))
            assertThat(GPU.summary("decode_seconds_per_token", d, 1, 1).medianAbsRelativeError())
                    .as(d)
                    .isBetween(0.15, 0.30);
    }

    @Test
    void onTheGpuMemoryIsWithinAFewPercentWhereTheAllocatorCountsOnlyTensors() {
        // torch.cuda.max_memory_allocated counts tensors only, so weights + cache + activations + logits (2 bytes each
        // in bf16: product_output_bytes of the GPU's calibration) + cuBLAS workspaces is what it measures: decode
        // within 5 % everywhere; with prefill the median is under 1 %, and the largest misses are the 11M model's bf16
        // prefills at 2k-4k tokens, where the harness's eager attention holds fp32 scores the estimate (FlashAttention)
        // does not count (-24 %, -27 %)
        assertThat(GPU.summary("peak_memory_bytes_decode", null, 1, Long.MAX_VALUE)
                        .maxAbsRelativeError())
                .isLessThanOrEqualTo(0.05);
        assertThat(GPU.summary("peak_memory_bytes", null, 1, Long.MAX_VALUE).medianAbsRelativeError())
                .isLessThanOrEqualTo(0.01);
        assertThat(GPU.summary("peak_memory_bytes", "fp32", 1, Long.MAX_VALUE).maxAbsRelativeError())
                .isLessThanOrEqualTo(0.05);
        assertThat(GPU.summary("peak_memory_bytes", "bf16", 1, Long.MAX_VALUE).maxAbsRelativeError())
                .isBetween(0.2, 0.3);
    }
}
