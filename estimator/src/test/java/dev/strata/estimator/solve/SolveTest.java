package dev.strata.estimator.solve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.strata.estimator.latency.LatencyTuning;
import dev.strata.estimator.memory.InferenceMemory;
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
import java.util.List;
import org.junit.jupiter.api.Test;

class SolveTest {
    static final Precision BF16 = Precision.of(NumericFormat.BF16, NumericFormat.BF16, Optimizer.ADAMW);
    static final long OVERHEAD = InferenceMemory.DEFAULT_RUNTIME_OVERHEAD_BYTES;
    static final long GB80 = 80_000_000_000L;

    static TransformerSpec llama(int layers, int d, int f, int heads, int kv) {
        return TransformerSpec.builder()
                .vocabSize(128256)
                .hiddenSize(d)
                .layers(
                        layers,
                        LayerKind.global(
                                MultiHeadAttention.of(heads, kv, d / heads), new GatedMlp(f, Activation.SILU, false)))
                .build();
    }

    static final TransformerSpec LLAMA_8B = llama(32, 4096, 14336, 32, 8);
    static final TransformerSpec LLAMA_70B = llama(80, 8192, 28672, 64, 8);

    static long perDevice(TransformerSpec s, Workload w) {
        return InferenceMemory.estimate(s, BF16, w, OVERHEAD).perDeviceBytes();
    }

    @Test
    void maxBatchAgreesWithTheMemoryEstimatorAtTheBoundary() {
        // chunked prefill (128 tokens per pass) keeps the activations small beside the KV cache
        Workload w = new Workload(
                1,
                4096,
                512,
                128,
                Parallelism.NONE,
                dev.strata.model.Recompute.NONE,
                Optimizer.ADAMW,
                dev.strata.model.LoraAdapter.NONE);
        long b = Solve.maxBatch(LLAMA_8B, BF16, w, GB80, OVERHEAD);
        assertThat(b).isGreaterThan(1);
        assertThat(perDevice(LLAMA_8B, withBatch(w, b))).isLessThanOrEqualTo(GB80);
        assertThat(perDevice(LLAMA_8B, withBatch(w, b + 1))).isGreaterThan(GB80); // one more sequence does not fit
        // Sanity against the hand count: (80 GB - 16.06 GB weights - 1 GiB) / (4608 tokens x 131,072 B) = about 104
        // sequences,
        // less what the activations take (a few GB here).
        assertThat((double) b)
                .isLessThanOrEqualTo((GB80 - 16_060_522_496L - OVERHEAD) / (4608.0 * 131_072))
                .isGreaterThan(90);
    }

    @Test
    void maxContextAgreesWithTheMemoryEstimatorAtTheBoundary() {
        Workload w = Workload.of(16, 1, 0);
        long ctx = Solve.maxContext(LLAMA_8B, BF16, w, GB80, OVERHEAD);
        assertThat(perDevice(LLAMA_8B, Workload.of(16, ctx, 0))).isLessThanOrEqualTo(GB80);
        assertThat(perDevice(LLAMA_8B, Workload.of(16, ctx + 1, 0))).isGreaterThan(GB80);
    }

    @Test
    void theSearchesAgreeWithFitsAtTheirBoundaryForRandomModelsAndSplits() {
        // seeded: random specs, formats, workloads, devices (1 GiB to 300 GB) and tensor x pipeline splits; the largest
        // batch and context fit by Solve.fits (the memory estimator itself), and one more does not, wherever the
        // answer is inside the searched range
        java.util.SplittableRandom r = new java.util.SplittableRandom(20261122);
        int inside = 0;
        for (int i = 0; i < 300; i++) {
            TransformerSpec s = dev.strata.estimator.RandomSpecs.spec(r, false);
            Precision p = dev.strata.estimator.RandomSpecs.precision(r);
            Hardware hw = dev.strata.estimator.RandomSpecs.hardware(r);
            Workload w = dev.strata.estimator.RandomSpecs.workload(r, s)
                    .withParallelism(dev.strata.estimator.RandomSpecs.parallelism(r, s, hw));
            long cap = hw.memoryBytes();
            long b = Solve.maxBatch(s, p, w, cap, OVERHEAD);
            if (b > 0 && b < Workload.MAX_BATCH) {
                inside++;
                assertThat(Solve.fits(s, p, w.withBatch(b), cap, OVERHEAD))
                        .as("batch %d of %s", b, s)
                        .isTrue();
                assertThat(Solve.fits(s, p, w.withBatch(b + 1), cap, OVERHEAD))
                        .as("batch %d of %s", b + 1, s)
                        .isFalse();
            }
            if (b == 0)
                assertThat(Solve.fits(s, p, w.withBatch(1), cap, OVERHEAD)).isFalse();
            long ctx = Solve.maxContext(s, p, w, cap, OVERHEAD);
            long gen = w.generatedTokens();
            if (ctx > gen + 1 && ctx < dev.strata.model.internal.Limits.MAX_CONTEXT) {
                assertThat(Solve.fits(s, p, Solve.withPrompt(w, ctx - gen), cap, OVERHEAD))
                        .as("context %d of %s", ctx, s)
                        .isTrue();
                assertThat(Solve.fits(s, p, Solve.withPrompt(w, ctx - gen + 1), cap, OVERHEAD))
                        .as("context %d of %s", ctx + 1, s)
                        .isFalse();
            }
        }
        assertThat(inside).isGreaterThan(50); // the seed reaches the boundary often enough to mean something
    }

    @Test
    void theBoundarySearchFindsTheSameAnswerFromEveryGuess() {
        // fits(n) = n <= boundary on [1, hi]: the answer is the boundary (or hi when everything fits), whatever the
        // guess
        java.util.SplittableRandom r = new java.util.SplittableRandom(7);
        long hi = 1L << 30;
        for (int i = 0; i < 2000; i++) {
            long boundary = i % 10 == 0 ? hi + r.nextLong(1, 5) : r.nextLong(1, hi + 1); // a tenth: everything fits
            long guess = switch (i % 5) {
                case 0 -> boundary;
                case 1 -> boundary + r.nextLong(-3, 4); // off by a little
                case 2 -> r.nextLong(1, hi + 1); // anywhere
                case 3 -> r.nextBoolean() ? Long.MIN_VALUE : Long.MAX_VALUE; // outside the range: clamped
                default -> 1;
            };
            long[] probes = {0};
            long found = Solve.largest(
                    n -> {
                        probes[0]++;
                        return n <= boundary;
                    },
                    1,
                    hi,
                    guess);
            assertThat(found).as("boundary %d, guess %d", boundary, guess).isEqualTo(Math.min(boundary, hi));
            // a bracket from a guess off by e costs about 2 log2(e) probes, a bisection of the whole range 30
            assertThat(probes[0])
                    .as("probes, boundary %d, guess %d", boundary, guess)
                    .isLessThanOrEqualTo(2 * 31 + 2);
            if (guess == boundary && boundary < hi) assertThat(probes[0]).isEqualTo(2); // fits(guess), not guess + 1
        }
    }

    @Test
    void theNewtonGuessIsTheAnswerForAffineAndTwoPieceBytes() {
        // bytes(n) = 1000 + 7n against 100,000: the last n that fits is (100,000 - 1000) / 7 = 14,142 (hand count)
        java.util.function.LongUnaryOperator bytes = n -> 1000 + 7 * n;
        assertThat(Solve.newtonGuess(bytes, 1, 1L << 24, 100_000)).isEqualTo(14_142);
        assertThat(bytes.applyAsLong(14_142)).isLessThanOrEqualTo(100_000);
        assertThat(bytes.applyAsLong(14_143)).isGreaterThan(100_000);
        // two pieces, as the logits then a layer's working set: 1000 + n + max(600, 20 n). The step from 1 (slope 1)
        // overshoots to 98,380; the step from there (slope 21) lands on the last n with 1000 + 21 n <= 100,000: 4,714
        assertThat(Solve.newtonGuess(n -> 1000 + n + Math.max(600, 20 * n), 1, 1L << 24, 100_000))
                .isEqualTo(4_714);
        assertThat(Solve.newtonGuess(n -> 5, 1, 99, 100)).isEqualTo(99); // nothing grows: the top of the range
        assertThat(Solve.newtonGuess(bytes, 1, 500, 100_000)).isEqualTo(500); // never beyond the range
        assertThat(Solve.newtonGuess(n -> n, 1, Long.MAX_VALUE, Long.MAX_VALUE))
                .isEqualTo(Long.MAX_VALUE); // no overflow
    }

    @Test
    void nothingFitsGivesZeroNotAWrongNumber() {
        assertThat(Solve.maxBatch(LLAMA_70B, BF16, Workload.of(1, 512, 128), GB80, OVERHEAD))
                .isZero(); // 141 GB of weights
        assertThat(Solve.maxContext(LLAMA_70B, BF16, Workload.of(1, 1, 0), GB80, OVERHEAD))
                .isZero();
    }

    @Test
    void minDevicesIsTheFirstCountThatFits() {
        Workload w = Workload.of(8, 4096, 1024);
        Parallelism par = Solve.minDevices(LLAMA_70B, BF16, w, GB80, OVERHEAD).orElseThrow();
        assertThat(perDevice(LLAMA_70B, w.withParallelism(par))).isLessThanOrEqualTo(GB80);
        // one device fewer does not fit, whatever valid split it takes
        int fewer = par.devices() - 1;
        var split = Solve.split(LLAMA_70B, fewer, Parallelism.NONE);
        split.ifPresent(
                p -> assertThat(perDevice(LLAMA_70B, w.withParallelism(p))).isGreaterThan(GB80));
        // 141 GB of bf16 weights need at least 2 devices of 80 GB
        assertThat(par.devices()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void theCheapestOptionMeetsTheTargetAndIsPricedPerMillionTokens() {
        Hardware a100 = Hardware.builder("a100-80gb-sxm")
                .name("A100")
                .peakFlopsPerSecond("bf16", 312e12)
                .memoryBytes(GB80)
                .memoryBandwidthBytesPerSecond(2.039e12)
                .scaleUpBandwidthBytesPerSecond(600e9)
                .hostLinkBytesPerSecond(64e9)
                .powerWatts(400)
                .pricePerHourUsd(1.5)
                .build();
        Hardware h100 = Hardware.builder("h100-sxm")
                .name("H100")
                .peakFlopsPerSecond("bf16", 989e12)
                .memoryBytes(GB80)
                .memoryBandwidthBytesPerSecond(3.35e12)
                .scaleUpBandwidthBytesPerSecond(900e9)
                .hostLinkBytesPerSecond(128e9)
                .powerWatts(700)
                .pricePerHourUsd(2.5)
                .build();
        Workload w = Workload.of(16, 1024, 256);
        List<Solve.Option> options =
                Solve.cheapest(LLAMA_70B, BF16, w, List.of(a100, h100), 0.05, OVERHEAD, LatencyTuning.GPU_DEFAULT);
        assertThat(options).isNotEmpty();
        for (Solve.Option o : options) {
            assertThat(o.decodeSecondsPerToken()).isLessThanOrEqualTo(0.05);
            assertThat(o.costPerMillionTokensUsd())
                    .isCloseTo(
                            o.devices() * o.hardware().pricePerHourUsd() / (o.tokensPerSecond() * 3600) * 1e6,
                            within(1e-9));
        }
        assertThat(options)
                .isSortedAccordingTo(java.util.Comparator.comparingDouble(Solve.Option::costPerMillionTokensUsd));
        // an impossible target gives no option rather than a wrong one
        assertThat(Solve.cheapest(LLAMA_70B, BF16, w, List.of(a100), 1e-6, OVERHEAD, LatencyTuning.GPU_DEFAULT))
                .isEmpty();
    }

    private static Workload withBatch(Workload w, long b) {
        return new Workload(
                b,
                w.promptTokens(),
                w.generatedTokens(),
                w.prefillChunkTokens(),
                w.parallelism(),
                w.recompute(),
                w.optimizer(),
                w.lora());
    }
}
