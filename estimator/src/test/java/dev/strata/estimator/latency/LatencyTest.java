package dev.strata.estimator.latency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.strata.model.Activation;
import dev.strata.model.DenseMlp;
import dev.strata.model.GatedMlp;
import dev.strata.model.Hardware;
import dev.strata.model.LayerKind;
import dev.strata.model.MixtureOfExperts;
import dev.strata.model.MultiHeadAttention;
import dev.strata.model.NumericFormat;
import dev.strata.model.Optimizer;
import dev.strata.model.Parallelism;
import dev.strata.model.Precision;
import dev.strata.model.ProjectionBiases;
import dev.strata.model.TransformerSpec;
import dev.strata.model.Workload;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LatencyTest {
    static final Precision BF16 = Precision.of(NumericFormat.BF16, NumericFormat.BF16, Optimizer.ADAMW);

    /** A device from the accelerator table of docs/architecture.md (bf16 peak, bandwidth, NVLink), default efficiencies. */
    static Hardware device(String id, double bf16Peak, long memory, double bandwidth, double link) {
        return Hardware.builder(id)
                .name(id)
                .peakFlopsPerSecond(Map.of("bf16", bf16Peak, "fp16", bf16Peak))
                .memoryBytes(memory)
                .memoryBandwidthBytesPerSecond(bandwidth)
                .scaleUpBandwidthBytesPerSecond(link)
                .hostLinkBytesPerSecond(64e9)
                .powerWatts(400)
                .pricePerHourUsd(2)
                .build();
    }

    static final Hardware A100_80 = device("a100-80gb-sxm", 312e12, 80_000_000_000L, 2.039e12, 600e9);
    static final Hardware H100 = device("h100-sxm", 989e12, 80_000_000_000L, 3.35e12, 900e9);

    static TransformerSpec llama3_8b() {
        return TransformerSpec.builder()
                .vocabSize(128256)
                .hiddenSize(4096)
                .layers(
                        32,
                        LayerKind.global(
                                MultiHeadAttention.of(32, 8, 128), new GatedMlp(14336, Activation.SILU, false)))
                .build();
    }

    @Test
    void kipplysFiftyTwoBillionParameterModelReadsItsWeightsIn69Milliseconds() {
        // kipply, "Transformer Inference Arithmetic" (2022): 52B parameters in 16-bit on an A100 at 1.5 TB/s:
        // 2 x 52e9 / 1.5e12 = 69 ms per token on 1 GPU, about 17.3 ms on 4 with tensor parallelism.
        // Shape: d 8192, 64 layers (12 L d^2 = 51.5B) with a small vocabulary; batch 1, one token of context.
        TransformerSpec spec = TransformerSpec.builder()
                .vocabSize(50257)
                .hiddenSize(8192)
                .layers(
                        64,
                        LayerKind.global(
                                new MultiHeadAttention(64, 64, 128, ProjectionBiases.NONE, false),
                                new DenseMlp(4 * 8192, Activation.GELU, false)))
                .build();
        Hardware a100 = device("a100-40gb-kipply", 312e12, 40_000_000_000L, 1.5e12, 600e9);
        double one = Latency.decodeStep(
                        spec, BF16, Parallelism.NONE, 1, 1, a100, LatencyTuning.GPU_DEFAULT, Offload.NONE)
                .floorSeconds();
        assertThat(one * 1e3).isCloseTo(69, within(1.0));
        Parallelism tp4 = new Parallelism(4, 1, 1, 1, 0, false);
        double four = Latency.decodeStep(spec, BF16, tp4, 1, 1, a100, LatencyTuning.GPU_DEFAULT, Offload.NONE)
                .floorSeconds();
        assertThat(four * 1e3).isCloseTo(17.3, within(0.3));
    }

    @Test
    void llama3EightBillionAtBatchOneNear576TokensOfContext() {
        // Issue figures: floor about 7.40 ms/token on A100 80GB (2,039 GB/s) and 4.50 ms on H100 SXM (3.35 TB/s);
        // weights
        // read exclude the input embedding lookup. Prompt 512 + 128 generated: the decode step sits at 576 tokens.
        Workload w = Workload.of(1, 512, 128);
        LatencyEstimate a = Latency.estimate(llama3_8b(), BF16, w, A100_80, LatencyTuning.GPU_DEFAULT, Offload.NONE);
        assertThat(a.decodeContextTokens()).isEqualTo(576);
        assertThat(a.decode().floorSeconds() * 1e3).isCloseTo(7.40, within(0.02));
        LatencyEstimate h = Latency.estimate(llama3_8b(), BF16, w, H100, LatencyTuning.GPU_DEFAULT, Offload.NONE);
        assertThat(h.decode().floorSeconds() * 1e3).isCloseTo(4.50, within(0.02));
        assertThat(h.decode().bound()).isEqualTo("memory");
        // calibrated = floor / bandwidth efficiency for a memory-bound step (0.70 default), within rounding of small
        // ops
        assertThat(h.decode().calibratedSeconds() / h.decode().floorSeconds()).isCloseTo(1 / 0.70, within(0.02));
    }

    @Test
    void theFloorIsNeverAboveTheCalibratedEstimate() {
        for (long batch : new long[] {1, 8, 64, 512}) {
            for (long ctx : new long[] {1, 1000, 8000}) {
                StepTime s = Latency.decodeStep(
                        llama3_8b(), BF16, Parallelism.NONE, batch, ctx, H100, LatencyTuning.GPU_DEFAULT, Offload.NONE);
                assertThat(s.floorSeconds()).isPositive().isLessThanOrEqualTo(s.calibratedSeconds());
            }
        }
    }

    @Test
    void decodeTurnsComputeBoundAroundPeakOverBandwidth() {
        // docs/formulas.md, "Decode latency": bandwidth-bound while batch < peak / bandwidth, about 208 on A100-40GB
        // (312e12 / 1.5e12). With
        // a 1-token context (no KV cache) the matrix products of a 16-bit model cross over at peak / bandwidth x 2 / 2.
        Hardware a100 = device("a100-40gb", 312e12, 40_000_000_000L, 1.555e12, 600e9);
        long b = Latency.computeBoundBatch(llama3_8b(), BF16, Parallelism.NONE, 1, a100, LatencyTuning.GPU_DEFAULT);
        assertThat((double) b).isCloseTo(312e12 / 1.555e12, within(3.0));
        // a long context adds KV reads that do not shrink with batch: the crossover moves out
        assertThat(Latency.computeBoundBatch(
                        llama3_8b(), BF16, Parallelism.NONE, 4096, a100, LatencyTuning.GPU_DEFAULT))
                .isGreaterThan(b);
    }

    @Test
    void expectedExpertsFollowTheClosedForm() {
        // E (1 - (1 - k/E)^b): Mixtral (8 experts, top-2): 2 at b = 1, 8 x (1 - 0.75^4) = 5.47 at b = 4, -> 8.
        assertThat(ExpectedExperts.distinct(8, 2, 1)).isCloseTo(2, within(1e-12));
        assertThat(ExpectedExperts.distinct(8, 2, 4)).isCloseTo(8 * (1 - Math.pow(0.75, 4)), within(1e-12));
        assertThat(ExpectedExperts.distinct(8, 2, 1000)).isCloseTo(8, within(1e-9));
        // DeepSeek-V3: 256 experts, top-8, batch 32: 256 (1 - (31/32)^32) = 163.1
        assertThat(ExpectedExperts.distinct(256, 8, 32))
                .isCloseTo(256 * (1 - Math.pow(1 - 8.0 / 256, 32)), within(1e-9));
    }

    @Test
    void aMoeDecodeReadsOnlyTheExpertsTheBatchTouches() {
        var moe = new MixtureOfExperts(new GatedMlp(14336, Activation.SILU, false), 8, 0, 2, false);
        TransformerSpec mixtral = TransformerSpec.builder()
                .vocabSize(32000)
                .hiddenSize(4096)
                .layers(32, LayerKind.global(MultiHeadAttention.of(32, 8, 128), moe))
                .build();
        double expert = 3.0 * 4096 * 14336 * 2; // bytes of one bf16 expert
        StepTime one = Latency.decodeStep(
                mixtral, BF16, Parallelism.NONE, 1, 1, H100, LatencyTuning.GPU_DEFAULT, Offload.NONE);
        assertThat(one.bytes(LatencyComponent.EXPERTS) - 32 * 4096 * 8 * 2).isCloseTo(32 * 2 * expert, within(1.0));
        StepTime four = Latency.decodeStep(
                mixtral, BF16, Parallelism.NONE, 4, 1, H100, LatencyTuning.GPU_DEFAULT, Offload.NONE);
        assertThat(four.bytes(LatencyComponent.EXPERTS) - 32 * 4096 * 8 * 2)
                .isCloseTo(32 * ExpectedExperts.distinct(8, 2, 4) * expert, within(1.0));
    }

    @Test
    void moreBandwidthIsNeverSlower() {
        double slow = Latency.decodeStep(
                        llama3_8b(), BF16, Parallelism.NONE, 4, 2048, A100_80, LatencyTuning.GPU_DEFAULT, Offload.NONE)
                .calibratedSeconds();
        double fast = Latency.decodeStep(
                        llama3_8b(), BF16, Parallelism.NONE, 4, 2048, H100, LatencyTuning.GPU_DEFAULT, Offload.NONE)
                .calibratedSeconds();
        assertThat(fast).isLessThan(slow);
    }

    @Test
    void tensorParallelAddsAllReducesAndOffloadGoesOverTheHostLink() {
        Parallelism tp2 = new Parallelism(2, 1, 1, 1, 0, false);
        StepTime s = Latency.decodeStep(llama3_8b(), BF16, tp2, 1, 512, H100, LatencyTuning.GPU_DEFAULT, Offload.NONE);
        // 64 all-reduces of 4096 bf16 values over 2 ranks: 2 x 1/2 x 8192 B / 450 GB/s each at the floor
        assertThat(s.floorSeconds(LatencyComponent.COMMUNICATION)).isCloseTo(64 * 8192 / 450e9, within(1e-12));
        assertThat(s.calibratedSeconds(LatencyComponent.COMMUNICATION)).isGreaterThan(64 * 8e-6);
        StepTime off = Latency.decodeStep(
                llama3_8b(), BF16, Parallelism.NONE, 1, 512, H100, LatencyTuning.GPU_DEFAULT, Offload.WEIGHTS);
        // ~14 GB of layer weights over one direction of a 64 GB/s (bidirectional) link: about 0.44 s per token
        assertThat(off.floorSeconds()).isCloseTo(off.hostLinkBytes() / 32e9, within(0.01));
        assertThat(off.hostLinkBytes()).isGreaterThan(13e9);
    }

    @Test
    void aMeasurementImpliesAnEfficiencyThatReproducesIt() {
        // A user measured 9.0 ms/token for Llama-3-8B bf16 at batch 1 on an A100 80GB (floor 7.40 ms): the implied
        // bandwidth efficiency, applied back, gives 9.0 ms again (tolerance 1e-6 relative), and is about 7.40/9.0.
        Workload w = Workload.of(1, 512, 128);
        double eta = Calibration.impliedBandwidthEfficiency(
                llama3_8b(), BF16, w, A100_80, LatencyTuning.GPU_DEFAULT, Offload.NONE, 9.0e-3);
        Hardware calibrated = A100_80.withEfficiency(new Hardware.Efficiency(eta, 0.7, 0.7));
        double again = Latency.estimate(llama3_8b(), BF16, w, calibrated, LatencyTuning.GPU_DEFAULT, Offload.NONE)
                .decode()
                .calibratedSeconds();
        assertThat(again).isCloseTo(9.0e-3, within(9e-9));
        assertThat(eta).isCloseTo(7.40 / 9.0, within(0.01));
        // faster than the floor is impossible: a clear error, not an efficiency above 1
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Calibration.impliedBandwidthEfficiency(
                        llama3_8b(), BF16, w, A100_80, LatencyTuning.GPU_DEFAULT, Offload.NONE, 5e-3))
                .hasMessageStartingWith("measuredSecondsPerToken = 0.005");
    }

    @Test
    void sparseAttentionReadsTheTopKLatentsAndEveryIndexKeyPerDecodeStep() {
        // the same MLA layer (DeepSeek-V3's attention) dense and with DeepSeek sparse attention's indexer (64 heads of
        // 128, top 2048); at a context of 100,000 tokens a decode step reads, per sequence and layer: dense all
        // 100,000 latents of 576 bf16 values; sparse the 2,048 chosen latents and its own, and 100,000 index keys (128)
        var dense = new dev.strata.model.LatentAttention(128, 1536, 512, 128, 64, 128);
        var sparse = new dev.strata.model.LatentAttention(128, 1536, 512, 128, 64, 128, 64, 128, 2048);
        var mlp = new dev.strata.model.GatedMlp(2048, dev.strata.model.Activation.SILU, false);
        var p = dev.strata.model.Precision.of(
                dev.strata.model.NumericFormat.BF16,
                dev.strata.model.NumericFormat.BF16,
                dev.strata.model.Optimizer.ADAMW);
        java.util.function.Function<dev.strata.model.Attention, StepTime> step = a -> Latency.decodeStep(
                TransformerSpec.builder()
                        .vocabSize(1000)
                        .hiddenSize(7168)
                        .layers(1, dev.strata.model.LayerKind.global(a, mlp))
                        .build(),
                p,
                dev.strata.model.Parallelism.NONE,
                1,
                100_000,
                H100,
                LatencyTuning.GPU_DEFAULT,
                Offload.NONE);
        double denseCore = step.apply(dense).bytes(LatencyComponent.ATTENTION_CORE);
        double sparseCore = step.apply(sparse).bytes(LatencyComponent.ATTENTION_CORE);
        // exact: a context of 100,000 is 99,999 cached tokens and the new one
        assertThat(denseCore).isEqualTo(100_000 * 576 * 2.0);
        assertThat(sparseCore).isEqualTo((2048 + 1) * 576 * 2.0 + 100_000 * 128 * 2.0);
    }

    @Test
    void anEngineProfileChangesTheCalibratedTimeByItsOwnTermsAndNeverTheFloor() {
        // Llama 3 8B (32 query heads, 8 KV heads) on the H100 at batch 64 and 4,096 tokens of context
        GpuEfficiency gpu = new GpuEfficiency(0.9, Map.of("bf16", 0.8), Map.of("bf16", 0.0), 1, 0.7, 0);
        EngineProfile aware =
                new EngineProfile("a", "GQA-aware", 0, 0, 1, java.util.Map.of(), 0, 0, 1, Double.NaN, 0, false, "test");
        EngineProfile unaware = new EngineProfile(
                "u", "reads per query head", 1, 0, 1, java.util.Map.of(), 0, 0, 1, Double.NaN, 0, false, "test");
        EngineProfile elementwise = new EngineProfile(
                "e", "ten passes", 0, 10, 1, java.util.Map.of(), 0, 0, 1, Double.NaN, 0, false, "test");
        Hardware hw = gpu.apply(H100);
        Parallelism one = Parallelism.NONE;
        StepTime a = Latency.decodeStep(llama3_8b(), BF16, one, 64, 4096, hw, aware.tuning(gpu), Offload.NONE);
        StepTime u = Latency.decodeStep(llama3_8b(), BF16, one, 64, 4096, hw, unaware.tuning(gpu), Offload.NONE);
        StepTime e = Latency.decodeStep(llama3_8b(), BF16, one, 64, 4096, hw, elementwise.tuning(gpu), Offload.NONE);
        assertThat(u.floorSeconds()).isEqualTo(a.floorSeconds());
        assertThat(e.floorSeconds()).isEqualTo(a.floorSeconds());
        // exponent 1: the KV cache read once per query head, (32 / 8)^1 = 4 times the calibrated attention time
        assertThat(u.calibratedSeconds(LatencyComponent.ATTENTION_CORE))
                .isCloseTo(4 * a.calibratedSeconds(LatencyComponent.ATTENTION_CORE), within(1e-12));
        // ten passes over (4,096 + 14,336) bf16 elements per token and layer at 90 % of 3.35 TB/s, 64 tokens x 32
        // layers
        double expected = 64.0 * 32 * 10 * (4096 + 14336) * 2 / (3.35e12 * 0.9);
        assertThat(e.calibratedSeconds(LatencyComponent.ELEMENTWISE)).isCloseTo(expected, within(1e-12));
        assertThat(a.calibratedSeconds(LatencyComponent.ELEMENTWISE)).isZero();
    }
}
