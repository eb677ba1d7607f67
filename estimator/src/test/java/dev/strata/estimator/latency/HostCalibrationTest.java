package dev.strata.estimator.latency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.strata.model.Activation;
import dev.strata.model.GatedMlp;
import dev.strata.model.Hardware;
import dev.strata.model.LayerKind;
import dev.strata.model.Microbenchmarks;
import dev.strata.model.MultiHeadAttention;
import dev.strata.model.NumericFormat;
import dev.strata.model.Optimizer;
import dev.strata.model.Parallelism;
import dev.strata.model.Precision;
import dev.strata.model.TransformerSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HostCalibrationTest {
    /** A floor host: 25 GB/s, 150 GFLOP/s fp32, 50 GFLOP/s bf16 (the shape of the two-core reference machine). */
    static final Hardware FLOOR = Hardware.builder("host")
            .name("test host")
            .peakFlopsPerSecond(Map.of("fp32", 150e9, "bf16", 50e9))
            .memoryBytes(16L << 30)
            .memoryBandwidthBytesPerSecond(25e9)
            .build();

    /** Known factors of one format, the truth synthetic benchmarks are generated from. */
    record Truth(double bandwidthEff, double halfWidth, double computeEff, double gemmHalf, double perCall) {}

    /**
     * The time of x[m, k] W[n, k]^T written out independently of Roofline: max(weight bytes / (B b k/(k+w)),
     * 2mkn / (P c m/(m+g))) + o, with m = 1 free of the half-saturation.
     */
    static double seconds(Truth t, String format, long m, long k, long n) {
        double bytes = (double) k * n * (format.equals("fp32") ? 4 : 2);
        double memory = bytes / (FLOOR.memoryBandwidthBytesPerSecond() * t.bandwidthEff * k / (k + t.halfWidth));
        double rows = m <= 1 ? 1 : m / (m + t.gemmHalf);
        double compute = 2.0 * m * k * n / (FLOOR.peakFlopsPerSecond(format) * t.computeEff * rows);
        return Math.max(memory, compute) + t.perCall;
    }

    static final long[][] MATVEC = {
        {768, 3072},
        {3072, 768},
        {896, 4864},
        {4864, 896},
        {2048, 2048},
        {2048, 8192},
        {8192, 2048},
        {4096, 4096},
        {4096, 14336},
        {14336, 4096}
    };
    static final long[][] GEMM = {
        {4, 2048, 8192},
        {16, 2048, 8192},
        {4, 8192, 2048},
        {16, 8192, 2048},
        {256, 256, 256},
        {512, 512, 512},
        {1024, 1024, 1024},
        {2048, 2048, 2048},
        {128, 2048, 8192},
        {128, 8192, 2048}
    };

    /** The calibrate.py grid, timed by the truth, each time multiplied by exp(noise x N(0, 1)) from a seeded generator. */
    static Microbenchmarks synthetic(Map<String, Truth> truths, double noise, long seed) {
        Random r = new Random(seed);
        List<Microbenchmarks.MatrixProduct> products = new ArrayList<>();
        List<Microbenchmarks.KvRead> kv = new ArrayList<>();
        List<Microbenchmarks.LayerOverhead> overheads = new ArrayList<>();
        List<Microbenchmarks.InSituLayer> inSitu = new ArrayList<>();
        truths.forEach((format, t) -> {
            for (long[] s : MATVEC)
                products.add(new Microbenchmarks.MatrixProduct(
                        format, 1, s[0], s[1], seconds(t, format, 1, s[0], s[1]) * Math.exp(noise * r.nextGaussian())));
            for (long[] s : GEMM)
                products.add(new Microbenchmarks.MatrixProduct(
                        format,
                        s[0],
                        s[1],
                        s[2],
                        seconds(t, format, s[0], s[1], s[2]) * Math.exp(noise * r.nextGaussian())));
            // 256 MiB of cache read at 5 GB/s
            kv.add(new Microbenchmarks.KvRead(format, 256.0 * (1 << 20), 4, 256.0 * (1 << 20) / 5e9));
            overheads.add(new Microbenchmarks.LayerOverhead("gated", format, 4e-4, -2e-5, 7, 1));
            overheads.add(new Microbenchmarks.LayerOverhead("dense", format, 2e-4, 1e-4, 6, 1));
            overheads.add(new Microbenchmarks.LayerOverhead("moe", format, 8e-4, 3e-4, 14, 1));
            // in situ: below the warm gated slope at width 256 (noise), above it at 512 and 2048
            inSitu.add(new Microbenchmarks.InSituLayer(format, 256, 1e-4));
            inSitu.add(new Microbenchmarks.InSituLayer(format, 512, 6e-4));
            inSitu.add(new Microbenchmarks.InSituLayer(format, 2048, 1.5e-3));
        });
        return new Microbenchmarks(
                "test", "2026-01-01", 25e9, products, kv, overheads, 240_000_000L, java.util.Map.of(), 0, inSitu);
    }

    static final Map<String, Truth> TRUTH = Map.of(
            "fp32", new Truth(0.75, 300, 0.9, 40, 5e-6),
            "bf16", new Truth(0.85, 700, 0.8, 8, 20e-6));

    @Test
    void theFitRecoversKnownFactorsFromExactBenchmarks() {
        // Starting far from the answer (efficiencies 0.5, half-width 30 or 1000, half rows 1, 19 or 315), BOBYQA must
        // land
        // on the factors that generated the data.
        HostCalibration c = HostCalibration.fit(FLOOR, synthetic(TRUTH, 0, 1));
        assertThat(c.referenceFormat()).isEqualTo("bf16");
        for (String f : List.of("fp32", "bf16")) {
            Truth t = TRUTH.get(f);
            LatencyTuning ft = c.tuning().forFormat(f);
            assertThat(Latency.bandwidthEfficiency(c.hardware(), c.tuning(), f))
                    .as(f)
                    .isCloseTo(t.bandwidthEff, within(0.005));
            assertThat(Latency.computeEfficiency(c.hardware(), c.tuning(), f))
                    .as(f)
                    .isCloseTo(t.computeEff, within(0.005));
            assertThat(ft.bandwidthHalfInputWidth()).as(f).isCloseTo(t.halfWidth, within(t.halfWidth * 0.02));
            assertThat(ft.gemmHalfTokens()).as(f).isCloseTo(t.gemmHalf, within(t.gemmHalf * 0.05));
            assertThat(ft.matrixProductOverheadSeconds()).as(f).isCloseTo(t.perCall, within(t.perCall * 0.1));
        }
        for (HostCalibration.Check k : c.checks())
            assertThat(Math.abs(k.relativeError())).as(k.benchmark()).isLessThan(0.01);
    }

    @Test
    void withSeededNoiseTheFactorsAreRecoveredWithinTheNoise() {
        // 5 % log-normal noise on every timing (about what a quiet two-core machine shows between runs).
        HostCalibration c = HostCalibration.fit(FLOOR, synthetic(TRUTH, 0.05, 42));
        for (String f : List.of("fp32", "bf16")) {
            Truth t = TRUTH.get(f);
            assertThat(Latency.bandwidthEfficiency(c.hardware(), c.tuning(), f))
                    .as(f)
                    .isCloseTo(t.bandwidthEff, within(0.05));
            assertThat(Latency.computeEfficiency(c.hardware(), c.tuning(), f))
                    .as(f)
                    .isCloseTo(t.computeEff, within(0.06));
        }
    }

    @Test
    void kvReadsOverheadsAndTheReferenceFormatCarryOver() {
        HostCalibration c = HostCalibration.fit(FLOOR, synthetic(TRUTH, 0, 1));
        for (String f : List.of("fp32", "bf16")) {
            LatencyTuning ft = c.tuning().forFormat(f);
            // the attention core of the KV-read benchmark takes its measured time: 256 MiB / 5 GB/s
            HostCalibration.Check kv = c.checks().stream()
                    .filter(k -> k.format().equals(f) && k.benchmark().startsWith("kv read"))
                    .findFirst()
                    .orElseThrow();
            assertThat(kv.fittedSeconds()).isCloseTo(256.0 * (1 << 20) / 5e9, within(1e-9));
            // per-layer overheads by feed-forward type as measured, less the per-product cost of the benchmark layer's
            // own
            // products (7, 6 and 14); per pass the median intercept less one product (the head), never negative
            double o = TRUTH.get(f).perCall;
            assertThat(ft.layerOverheadSeconds("gated")).isCloseTo(4e-4 - 7 * o, within(2e-6));
            assertThat(ft.layerOverheadSeconds("dense")).isCloseTo(2e-4 - 6 * o, within(2e-6));
            assertThat(ft.layerOverheadSeconds("moe")).isCloseTo(8e-4 - 14 * o, within(3e-6));
            assertThat(ft.perPassOverheadSeconds()).isCloseTo(1e-4 - o, within(1e-6));
            assertThat(ft.matrixVectorRows()).isEqualTo(1);
        }
        // the device carries bf16's efficiencies; the top-level tuning is bf16's, with fp32 scaled from it
        assertThat(c.hardware().efficiency().bandwidth()).isCloseTo(0.85, within(0.005));
        assertThat(c.tuning().forFormat("bf16").bandwidthEfficiencyScale()).isEqualTo(1.0);
        assertThat(c.tuning().forFormat("fp32").bandwidthEfficiencyScale()).isCloseTo(0.75 / 0.85, within(0.01));
    }

    @Test
    void aDecodeStepUsesTheTuningOfItsFormatAndNeverUndercutsTheFloor() {
        HostCalibration c = HostCalibration.fit(FLOOR, synthetic(TRUTH, 0, 1));
        TransformerSpec spec = TransformerSpec.builder()
                .vocabSize(32000)
                .hiddenSize(2048)
                .layers(
                        16,
                        LayerKind.global(MultiHeadAttention.of(32, 8, 64), new GatedMlp(8192, Activation.SILU, false)))
                .build();
        for (NumericFormat f : List.of(NumericFormat.FP32, NumericFormat.BF16)) {
            Precision p = Precision.of(f, f, Optimizer.ADAMW);
            StepTime s = Latency.decodeStep(spec, p, Parallelism.NONE, 1, 512, c.hardware(), c.tuning(), Offload.NONE);
            assertThat(s.calibratedSeconds()).isGreaterThan(s.floorSeconds());
            // 16 layers of gated-layer overhead, with the in-situ extra of width 2048, and one pass overhead are in the
            // calibrated time
            LatencyTuning ft = c.tuning().forFormat(f.id());
            assertThat(s.calibratedSeconds(LatencyComponent.OVERHEAD))
                    .isCloseTo(
                            16 * (ft.layerOverheadSeconds("gated") + ft.inSituLayerSeconds(2048))
                                    + ft.perPassOverheadSeconds(),
                            within(1e-12));
            assertThat(ft.inSituLayerSeconds(2048)).isGreaterThan(0);
            // the MLP (three 2048 x 8192 matrices per layer) streams at B b k/(k + w) of its format
            Truth t = TRUTH.get(f.id());
            double mlp = 16 * (seconds(t, f.id(), 1, 2048, 8192) * 2 + seconds(t, f.id(), 1, 8192, 2048));
            assertThat(s.calibratedSeconds(LatencyComponent.MLP)).isCloseTo(mlp, within(mlp * 0.01));
        }
    }

    @Test
    void inSituLayerTimesAddTheirExcessOverTheWarmSlopeToEveryStyleByWidth() {
        HostCalibration c = HostCalibration.fit(FLOOR, synthetic(TRUTH, 0, 1));
        for (String f : List.of("fp32", "bf16")) {
            LatencyTuning ft = c.tuning().forFormat(f);
            double warm = ft.layerOverheadSeconds("gated"); // 4e-4 - 7 o (test above)
            // synthetic in-situ times: 1e-4 at width 256 (below the warm slope: no extra), 6e-4 at 512, 1.5e-3 at 2048
            assertThat(ft.inSituLayerSeconds()).containsOnlyKeys(256L, 512L, 2048L);
            assertThat(ft.inSituLayerSeconds(256)).isEqualTo(0.0);
            assertThat(ft.inSituLayerSeconds(512)).isCloseTo(6e-4 - warm, within(1e-12));
            assertThat(ft.inSituLayerSeconds(2048)).isCloseTo(1.5e-3 - warm, within(1e-12));
            // linear in the width between measured widths: 1280 is halfway from 512 to 2048
            assertThat(ft.inSituLayerSeconds(1280)).isCloseTo((6e-4 + 1.5e-3) / 2 - warm, within(1e-12));
            // beyond the measured widths, the nearest one's
            assertThat(ft.inSituLayerSeconds(64)).isEqualTo(0.0);
            assertThat(ft.inSituLayerSeconds(16384)).isEqualTo(ft.inSituLayerSeconds(2048));
            // added to every style
            for (String style : List.of("dense", "gated", "moe"))
                assertThat(ft.layerOverheadSeconds(style, 512))
                        .isCloseTo(ft.layerOverheadSeconds(style) + 6e-4 - warm, within(1e-12));
        }
        // a tuning without in-situ times adds nothing
        assertThat(LatencyTuning.GPU_DEFAULT.inSituLayerSeconds(4096)).isEqualTo(0.0);
    }

    @Test
    void aNegativeInSituTimeInATuningIsRejectedWithItsWidth() {
        java.util.TreeMap<Long, Double> bad = new java.util.TreeMap<>(Map.of(1024L, -1e-4));
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> new LatencyTuning(1, 0, 1, 0, 0, 0, 1, 0, Map.of(), 1, 1, 0, 0, 0, bad, Map.of()))
                .isInstanceOf(dev.strata.model.InvalidFieldException.class)
                .hasMessageContaining("tuning.inSituLayerSeconds.1024");
    }
}
