package dev.strata.estimator.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.estimator.TestModels;
import dev.strata.estimator.latency.Latency;
import dev.strata.estimator.latency.LatencyEstimate;
import dev.strata.estimator.latency.LatencyTuning;
import dev.strata.estimator.latency.Offload;
import dev.strata.estimator.memory.InferenceMemory;
import dev.strata.estimator.memory.InferenceMemoryEstimate;
import dev.strata.model.Activation;
import dev.strata.model.GatedMlp;
import dev.strata.model.Hardware;
import dev.strata.model.LayerKind;
import dev.strata.model.MultiHeadAttention;
import dev.strata.model.NumericFormat;
import dev.strata.model.Optimizer;
import dev.strata.model.Parallelism;
import dev.strata.model.Precision;
import dev.strata.model.TransformerSpec;
import dev.strata.model.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class SweepTest {
    static final TransformerSpec LLAMA_8B = TransformerSpec.builder()
            .name("llama-3-8b")
            .vocabSize(128256)
            .hiddenSize(4096)
            .contextLength(8192)
            .layers(
                    32,
                    LayerKind.global(MultiHeadAttention.of(32, 8, 128), new GatedMlp(14336, Activation.SILU, false)))
            .build();
    static final Hardware H100 = TestModels.H100;
    static final Sweep.Base BASE = new Sweep.Base(
            LLAMA_8B,
            H100,
            NumericFormat.BF16,
            NumericFormat.BF16,
            1,
            512,
            128,
            1,
            1,
            InferenceMemory.DEFAULT_RUNTIME_OVERHEAD_BYTES,
            LatencyTuning.GPU_DEFAULT);

    @Test
    void theProductIsVisitedLastAxisFastestAndEachRowIsTheForwardEstimate() {
        List<Long> batches = LongStream.of(1, 2, 4, 8).boxed().toList();
        List<Long> prompts = List.of(512L, 4096L);
        List<SweepRow> rows = new ArrayList<>();
        Sweep.run(
                BASE,
                List.of(new Sweep.Axis(Sweep.Input.PROMPT, prompts), new Sweep.Axis(Sweep.Input.BATCH, batches)),
                rows::add);
        assertThat(rows).hasSize(8);
        assertThat(rows).extracting(SweepRow::batch).containsExactly(1L, 2L, 4L, 8L, 1L, 2L, 4L, 8L);
        assertThat(rows)
                .extracting(SweepRow::promptTokens)
                .containsExactly(512L, 512L, 512L, 512L, 4096L, 4096L, 4096L, 4096L);
        Precision p = Precision.of(NumericFormat.BF16, NumericFormat.BF16, Optimizer.ADAMW);
        for (SweepRow r : rows) {
            long ctx = r.promptTokens() + 64;
            double decode = Latency.decodeStep(
                            LLAMA_8B,
                            p,
                            Parallelism.NONE,
                            r.batch(),
                            ctx,
                            H100,
                            LatencyTuning.GPU_DEFAULT,
                            Offload.NONE)
                    .floorSeconds();
            assertThat(r.decodeFloorSeconds()).isEqualTo(decode); // the same estimator, the same number
            assertThat(r.paramsTotal()).isEqualTo(8_030_261_248L);
            assertThat(r.fits()).isTrue();
        }
        // a larger batch never lowers the KV cache or the time per step
        for (int i = 1; i < 4; i++) {
            assertThat(rows.get(i).kvCacheBytes()).isGreaterThan(rows.get(i - 1).kvCacheBytes());
            assertThat(rows.get(i).decodeSeconds())
                    .isGreaterThanOrEqualTo(rows.get(i - 1).decodeSeconds());
        }
    }

    /** Gemma-2-like: sliding-window and global layers alternating in runs (the cache differs per layer kind). */
    static final TransformerSpec MIXED = TransformerSpec.builder()
            .name("mixed")
            .vocabSize(32000)
            .hiddenSize(2048)
            .contextLength(8192)
            .layers(
                    6,
                    new LayerKind(MultiHeadAttention.of(16, 4, 128), 1024, new GatedMlp(8192, Activation.SILU, false)))
            .layers(6, LayerKind.global(MultiHeadAttention.of(16, 4, 128), new GatedMlp(8192, Activation.SILU, false)))
            .build();

    @Test
    void aPointsNumbersAreThoseOfTheEstimatorsObjects() {
        // the sweep asks the memory and latency models for numbers (no Workload, no estimate objects per point): every
        // row must equal what InferenceMemory.estimate, LatencyModel.decodeStep and Latency.prefill give for the
        // same workload, on one device, under tensor parallelism and over pipeline stages, with sliding windows
        Precision p = Precision.of(NumericFormat.BF16, NumericFormat.FP8, Optimizer.ADAMW);
        for (TransformerSpec spec : List.of(LLAMA_8B, MIXED))
            for (long[] tpPp : new long[][] {{1, 1}, {2, 1}, {1, 3}, {2, 2}}) {
                Sweep.Base base = new Sweep.Base(
                        spec,
                        H100,
                        NumericFormat.BF16,
                        NumericFormat.FP8,
                        1,
                        512,
                        128,
                        (int) tpPp[0],
                        (int) tpPp[1],
                        InferenceMemory.DEFAULT_RUNTIME_OVERHEAD_BYTES,
                        LatencyTuning.GPU_DEFAULT);
                List<SweepRow> rows = new ArrayList<>();
                Sweep.run(
                        base,
                        List.of(
                                new Sweep.Axis(Sweep.Input.GENERATE, List.of(1L, 700L, 3000L)),
                                new Sweep.Axis(Sweep.Input.BATCH, List.of(1L, 3L, 64L))),
                        rows::add);
                Parallelism par = new Parallelism((int) tpPp[0], (int) tpPp[1], 1, 1, 0, false);
                for (SweepRow r : rows) {
                    Workload w = Workload.of(r.batch(), r.promptTokens(), r.generatedTokens())
                            .withParallelism(par);
                    InferenceMemoryEstimate m =
                            InferenceMemory.estimate(spec, p, w, InferenceMemory.DEFAULT_RUNTIME_OVERHEAD_BYTES);
                    String at = spec.name() + " tp/pp " + tpPp[0] + "/" + tpPp[1] + " batch " + r.batch() + " generate "
                            + r.generatedTokens();
                    assertThat(r.weightsBytes()).as(at).isEqualTo(m.whole().weightsBytes());
                    assertThat(r.kvCacheBytes()).as(at).isEqualTo(m.whole().kvCacheBytes());
                    assertThat(r.perDeviceBytes()).as(at).isEqualTo(m.perDeviceBytes());
                    LatencyEstimate l = Latency.estimate(spec, p, w, H100, LatencyTuning.GPU_DEFAULT, Offload.NONE);
                    assertThat(r.prefillSeconds()).as(at).isEqualTo(l.prefill().calibratedSeconds());
                    assertThat(r.decodeSeconds()).as(at).isEqualTo(l.decode().calibratedSeconds());
                    assertThat(r.decodeFloorSeconds())
                            .as(at)
                            .isEqualTo(l.decode().floorSeconds());
                }
            }
    }

    @Test
    void theCheckEvaluatesTheCornersOfTheNumbersAndEveryOtherValue() {
        List<Sweep.Axis> axes = List.of(
                new Sweep.Axis(Sweep.Input.TP, List.of(1L, 2L, 4L)),
                new Sweep.Axis(Sweep.Input.PROMPT, List.of(1024L, 100L, 512L)),
                new Sweep.Axis(
                        Sweep.Input.GENERATE,
                        LongStream.rangeClosed(1, 1000).boxed().toList()),
                new Sweep.Axis(Sweep.Input.BATCH, List.of(7L)));
        List<Sweep.Axis> corners = Sweep.corners(axes);
        assertThat(corners.get(0).values())
                .isEqualTo(List.of(1L, 2L, 4L)); // every parallelism (divisibility is no corner)
        assertThat(corners.get(1).values()).isEqualTo(List.of(100L, 1024L));
        assertThat(corners.get(2).values()).isEqualTo(List.of(1L, 1000L));
        assertThat(corners.get(3).values()).isEqualTo(List.of(7L));
        // prompt + generate beyond Llama 3 8B's 8,192 tokens at one point of 6 x 1,000: an error before any row
        List<Sweep.Axis> tooLong = List.of(
                new Sweep.Axis(Sweep.Input.PROMPT, List.of(512L, 7000L)),
                new Sweep.Axis(
                        Sweep.Input.GENERATE,
                        LongStream.rangeClosed(1, 1500).boxed().toList()));
        assertThatThrownBy(() -> Sweep.check(BASE, tooLong))
                .isInstanceOf(dev.strata.model.InvalidFieldException.class)
                .hasMessageContaining("prompt")
                .hasMessageContaining("8192");
        Sweep.check(BASE, axes); // passes: every point of it runs
    }

    @Test
    void theCheckFailsExactlyWhenTheSweepWould() {
        // seeded random sweeps over values near the limits (prompt + generate against the context of 8,192; tp 3 does
        // not divide 32 heads; a device without a scale-up link for tp > 1; batches up to Workload.MAX_BATCH): of the
        // 300, 49 run and the rest fail for one of those three reasons; the corners decide as the whole sweep does
        Hardware noLink = Hardware.builder("one-gpu")
                .name("one GPU")
                .peakFlopsPerSecond("bf16", 989e12)
                .memoryBytes(80_000_000_000L)
                .memoryBandwidthBytesPerSecond(3.35e12)
                .powerWatts(700)
                .pricePerHourUsd(2.5)
                .build();
        java.util.Random rnd = new java.util.Random(20261122);
        long[] prompts = {1, 100, 4096, 8000, 8192},
                generates = {0, 1, 64, 200, 5000},
                batches = {1, 3, 64, 1 << 20, Workload.MAX_BATCH},
                tps = {1, 2, 3, 8};
        int failing = 0;
        for (int i = 0; i < 300; i++) {
            List<Sweep.Axis> axes = new ArrayList<>();
            axes.add(new Sweep.Axis(Sweep.Input.HARDWARE, rnd.nextBoolean() ? List.of(H100) : List.of(H100, noLink)));
            axes.add(new Sweep.Axis(Sweep.Input.TP, pick(rnd, tps)));
            axes.add(new Sweep.Axis(Sweep.Input.PROMPT, pick(rnd, prompts)));
            axes.add(new Sweep.Axis(Sweep.Input.GENERATE, pick(rnd, generates)));
            axes.add(new Sweep.Axis(Sweep.Input.BATCH, pick(rnd, batches)));
            RuntimeException byRun = null, byCheck = null;
            try {
                Sweep.run(BASE, axes, row -> {});
            } catch (RuntimeException e) {
                byRun = e;
            }
            try {
                Sweep.check(BASE, axes);
            } catch (RuntimeException e) {
                byCheck = e;
            }
            assertThat(byCheck == null)
                    .as("sweep %d %s: run threw %s, check threw %s", i, axes, byRun, byCheck)
                    .isEqualTo(byRun == null);
            if (byRun != null) {
                failing++;
                assertThat(byCheck).isInstanceOf(dev.strata.model.InvalidFieldException.class);
            }
        }
        assertThat(failing).as("sweeps that fail").isEqualTo(300 - 49);
    }

    private static List<Long> pick(java.util.Random rnd, long[] from) {
        List<Long> out = new ArrayList<>();
        for (long v : from) if (rnd.nextInt(3) == 0) out.add(v);
        if (out.isEmpty()) out.add(from[rnd.nextInt(from.length)]);
        return out;
    }

    @Test
    void tooManyPointsAreRefused() {
        List<Long> many = LongStream.rangeClosed(1, 20_000).boxed().toList();
        assertThatThrownBy(() -> Sweep.size(
                        List.of(new Sweep.Axis(Sweep.Input.BATCH, many), new Sweep.Axis(Sweep.Input.PROMPT, many))))
                .hasMessageContaining("at most 100000000 points");
    }
}
