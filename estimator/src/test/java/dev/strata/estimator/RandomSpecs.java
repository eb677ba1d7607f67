package dev.strata.estimator;

import dev.strata.model.Activation;
import dev.strata.model.Attention;
import dev.strata.model.DenseMlp;
import dev.strata.model.FeedForward;
import dev.strata.model.GatedMlp;
import dev.strata.model.Hardware;
import dev.strata.model.LatentAttention;
import dev.strata.model.LayerGroup;
import dev.strata.model.LayerKind;
import dev.strata.model.LinearAttention;
import dev.strata.model.MixtureOfExperts;
import dev.strata.model.Mlp;
import dev.strata.model.MultiHeadAttention;
import dev.strata.model.NoFeedForward;
import dev.strata.model.NoMixer;
import dev.strata.model.NormKind;
import dev.strata.model.Norms;
import dev.strata.model.NumericFormat;
import dev.strata.model.Optimizer;
import dev.strata.model.Parallelism;
import dev.strata.model.PositionEncoding;
import dev.strata.model.Precision;
import dev.strata.model.ProjectionBiases;
import dev.strata.model.SelectiveStateSpaceMixer;
import dev.strata.model.StateSpaceMixer;
import dev.strata.model.TransformerSpec;
import dev.strata.model.Workload;
import dev.strata.model.internal.Limits;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Random valid specs, workloads, formats and devices for property tests, from a seeded {@link SplittableRandom}.
 *
 * <p>The specs cover every kind the model can express: multi-head, grouped-query and multi-query attention (with
 * head sizes that differ from hidden / heads, biases and q/k norms), latent attention (MLA, with and without query
 * compression), dense and gated MLPs with and without biases, mixtures of experts with shared experts and router
 * biases, sliding-window layers mixed with global ones, LayerNorm and RMSNorm, learned/rotary/ALiBi/no positions, tied
 * and untied heads, DeepSeek's multi-token-prediction modules. A quarter of them are "huge": 0.1 to tens of trillions
 * of parameters (wide MoE layers over a wide residual stream), so the 10-trillion-parameter range is always covered.
 */
public final class RandomSpecs {
    private RandomSpecs() {}

    /** Head sizes seen in real models (GPT-2 64, Phi-3 96, Llama 128, Gemma 2 256) and a few odd ones. */
    private static final int[] HEAD_DIMS = {16, 32, 48, 64, 80, 96, 112, 128, 160, 192, 256};

    /** A random valid spec; {@code huge} makes it 1e11 to ~5e13 parameters. */
    public static TransformerSpec spec(SplittableRandom r, boolean huge) {
        int hidden = huge
                ? 8192 * (1 + r.nextInt(6))
                : 64 * (int) logUniform(r, 1, 256); // 64 .. 16384 (huge: 8192 .. 49152)
        int vocab = (int) (huge ? logUniform(r, 32_000, 1 << 18) : logUniform(r, 2, 300_000));
        int layerTotal = (int) (huge ? logUniform(r, 32, 160) : logUniform(r, 1, 96));
        int groups = 1 + r.nextInt(Math.min(4, layerTotal));
        // a few attention and feed-forward shapes, mixed across the groups (hybrids such as DeepSeek's dense-then-MoE)
        Attention attention = attention(r, hidden);
        Attention other = r.nextInt(4) == 0 ? attention(r, hidden) : attention;
        FeedForward ff = feedForward(r, hidden, huge);
        FeedForward otherFf = r.nextInt(3) == 0 ? feedForward(r, hidden, huge) : ff;
        int context = (int) logUniform(r, 16, 1 << 20);
        List<LayerGroup> layers = new ArrayList<>();
        int left = layerTotal;
        for (int g = 0; g < groups; g++) {
            int count = g == groups - 1 ? left : 1 + r.nextInt(left - (groups - g - 1));
            left -= count;
            int window = r.nextInt(3) == 0
                    ? (int) logUniform(r, 1, 1 << 17)
                    : 0; // sliding-window layers, often shorter than the context
            Attention a = r.nextBoolean() ? attention : other;
            FeedForward f = r.nextBoolean() ? ff : otherFf;
            if (a instanceof NoMixer && f instanceof NoFeedForward) f = mlp(r, (int) logUniform(r, 1, 8L * hidden));
            // now and then a recurrent mixer beside softmax attention (Falcon-H1)
            Attention parallel = (a instanceof MultiHeadAttention || a instanceof LatentAttention) && r.nextInt(8) == 0
                    ? recurrent(r, hidden)
                    : new NoMixer();
            layers.add(new LayerGroup(count, new LayerKind(a, window, f, parallel)));
        }
        NormKind normKind = r.nextBoolean() ? NormKind.RMS_NORM : NormKind.LAYER_NORM;
        Norms norms =
                new Norms(normKind, normKind == NormKind.LAYER_NORM && r.nextBoolean(), r.nextInt(5), r.nextInt(5) > 0);
        PositionEncoding positions = PositionEncoding.values()[r.nextInt(PositionEncoding.values().length)];
        if (positions == PositionEncoding.LEARNED && huge)
            positions = PositionEncoding.ROTARY; // a 1M x 49152 table is not a real model
        return new TransformerSpec(
                "random",
                vocab,
                hidden,
                layers,
                norms,
                positions,
                r.nextBoolean(),
                context,
                r.nextInt(8) == 0 ? 1 + r.nextInt(2) : 0);
    }

    /** A Mamba-2 mixer, its biases and gated norm drawn (Nemotron-H's and Falcon-H1's variants). */
    static StateSpaceMixer stateSpace(SplittableRandom r) {
        int groups = 1 + r.nextInt(8);
        return new StateSpaceMixer(
                groups * (1 + r.nextInt(32)),
                16 * (1 + r.nextInt(8)),
                groups,
                16 * (1 + r.nextInt(16)),
                1 + r.nextInt(6),
                r.nextBoolean(),
                r.nextBoolean(),
                r.nextBoolean(),
                r.nextBoolean());
    }

    /** A recurrent mixer of any kind. */
    static Attention recurrent(SplittableRandom r, int hidden) {
        return switch (r.nextInt(3)) {
            case 0 -> stateSpace(r);
            case 1 -> linear(r);
            default -> selective(r);
        };
    }

    /** A Gated DeltaNet (Qwen3-Next's linear attention). */
    static LinearAttention linear(SplittableRandom r) {
        int keyHeads = 1 + r.nextInt(32);
        return new LinearAttention(
                keyHeads,
                keyHeads * (1 + r.nextInt(4)),
                16 * (1 + r.nextInt(16)),
                16 * (1 + r.nextInt(16)),
                1 + r.nextInt(6));
    }

    /** A Mamba-1 mixer (Jamba's). */
    static SelectiveStateSpaceMixer selective(SplittableRandom r) {
        return new SelectiveStateSpaceMixer(
                16 * (1 + r.nextInt(64)),
                1 + r.nextInt(64),
                1 + r.nextInt(64),
                1 + r.nextInt(6),
                r.nextBoolean(),
                r.nextBoolean(),
                r.nextBoolean());
    }

    /**
     * MHA, GQA, MQA or MLA over a residual stream of {@code hidden}; now and then a Gated DeltaNet, a Mamba-2 mixer or
     * no mixer at all (the layers of hybrids such as Qwen3-Next and Nemotron-H).
     */
    static Attention attention(SplittableRandom r, int hidden) {
        int mixer = r.nextInt(13);
        if (mixer == 0) return linear(r);
        if (mixer == 1) return stateSpace(r);
        if (mixer == 2) return new NoMixer();
        if (mixer == 3) return selective(r);
        if (r.nextInt(5) == 0) { // latent attention (DeepSeek-V2/V3 shapes and others)
            int nope = r.nextInt(4) == 0 ? 0 : 16 * (1 + r.nextInt(12));
            int rope = nope == 0 || r.nextBoolean() ? 16 * (1 + r.nextInt(8)) : 0;
            int v = 16 * (1 + r.nextInt(16));
            int maxHeads = Math.max(1, Math.min(256, Limits.MAX_WIDTH / (nope + rope + v)));
            int heads = 1 + r.nextInt(maxHeads);
            int qRank = r.nextInt(3) == 0 ? 0 : 32 * (1 + r.nextInt(64));
            int kvRank = 32 * (1 + r.nextInt(32));
            if (qRank > 0 && r.nextInt(3) == 0) // DeepSeek sparse attention's indexer
            return new LatentAttention(
                        heads,
                        qRank,
                        kvRank,
                        nope,
                        rope,
                        v,
                        1 + r.nextInt(64),
                        16 * (1 + r.nextInt(8)),
                        1 + r.nextInt(4096));
            return new LatentAttention(heads, qRank, kvRank, nope, rope, v);
        }
        int headDim =
                r.nextInt(3) == 0 ? HEAD_DIMS[r.nextInt(HEAD_DIMS.length)] : Math.max(1, Math.min(256, hidden / 32));
        int heads = 1 << r.nextInt(8); // 1 .. 128, so that tensor parallelism has divisors
        if (r.nextInt(5) == 0) heads = 1 + r.nextInt(96); // and odd counts
        int kvHeads = switch (r.nextInt(3)) {
            case 0 -> heads; // MHA
            case 1 -> 1; // MQA
            default -> largestDivisorAtMost(heads, 1 << r.nextInt(4)); // GQA
        };
        ProjectionBiases biases =
                new ProjectionBiases(r.nextBoolean(), r.nextBoolean(), r.nextBoolean(), r.nextBoolean());
        boolean qkNorm = r.nextInt(4) == 0;
        return new MultiHeadAttention(
                heads,
                kvHeads,
                headDim,
                biases,
                qkNorm,
                qkNorm && r.nextBoolean(),
                r.nextInt(6) == 0,
                r.nextInt(6) == 0);
    }

    /** A dense or gated MLP, or a mixture of experts with 0 to 4 shared experts (of their own width or the routed one). */
    static FeedForward feedForward(SplittableRandom r, int hidden, boolean huge) {
        if (!huge && r.nextInt(12) == 0) return new NoFeedForward();
        if (huge || r.nextInt(3) == 0) {
            int routed = (int) (huge ? logUniform(r, 64, 1024) : logUniform(r, 1, 256));
            int expertWidth = huge ? 1024 * (1 + r.nextInt(16)) : (int) logUniform(r, 1, 8 * hidden);
            int shared = r.nextInt(5);
            return new MixtureOfExperts(
                    mlp(r, expertWidth),
                    routed,
                    shared,
                    1 + r.nextInt(Math.min(routed, 16)),
                    r.nextBoolean(),
                    r.nextBoolean() ? null : mlp(r, (int) logUniform(r, 1, 8L * hidden)),
                    shared > 0 && r.nextBoolean());
        }
        return mlp(r, (int) logUniform(r, 1, 8L * hidden));
    }

    static Mlp mlp(SplittableRandom r, int width) {
        Activation act = Activation.values()[r.nextInt(Activation.values().length)];
        return r.nextBoolean()
                ? new GatedMlp(width, act, r.nextInt(4) == 0)
                : new DenseMlp(width, act, r.nextBoolean());
    }

    /** The same spec with one more layer in group {@code g}. */
    public static TransformerSpec withOneMoreLayer(TransformerSpec s, int g) {
        List<LayerGroup> layers = new ArrayList<>(s.layers());
        LayerGroup old = layers.get(g);
        layers.set(g, new LayerGroup(old.count() + 1, old.kind()));
        return new TransformerSpec(
                s.name(),
                s.vocabSize(),
                s.hiddenSize(),
                layers,
                s.norms(),
                s.positions(),
                s.tiedEmbeddings(),
                s.contextLength(),
                s.multiTokenPredictionModules());
    }

    /** The same spec with the output head tied (or untied). */
    public static TransformerSpec withTied(TransformerSpec s, boolean tied) {
        return new TransformerSpec(
                s.name(),
                s.vocabSize(),
                s.hiddenSize(),
                s.layers(),
                s.norms(),
                s.positions(),
                tied,
                s.contextLength(),
                s.multiTokenPredictionModules());
    }

    /** A workload that fits the spec's context: batch 1 to 256, prompt and generation up to the context. */
    public static Workload workload(SplittableRandom r, TransformerSpec spec) {
        long context = Math.min(spec.contextLength(), 1 << 17);
        long prompt = logUniform(r, 1, context);
        long generated = r.nextInt(4) == 0 ? 0 : logUniform(r, 1, Math.max(1, context - prompt + 1)) - 1;
        long chunk = r.nextInt(3) == 0 ? logUniform(r, 1, prompt) : 0;
        return new Workload(
                logUniform(r, 1, 256),
                prompt,
                generated,
                chunk,
                Parallelism.NONE,
                dev.strata.model.Recompute.values()[r.nextInt(3)],
                Optimizer.values()[r.nextInt(Optimizer.values().length)],
                dev.strata.model.LoraAdapter.NONE);
    }

    /** Weight, KV-cache and optimizer formats as {@code Precision.of} combines them. */
    public static Precision precision(SplittableRandom r) {
        NumericFormat[] weights = {
            NumericFormat.FP32,
            NumericFormat.BF16,
            NumericFormat.FP16,
            NumericFormat.FP8,
            NumericFormat.INT8,
            NumericFormat.INT4_G128,
            NumericFormat.int4(32, 2),
            NumericFormat.NF4,
            NumericFormat.NF4_DQ
        };
        NumericFormat[] kv = {
            NumericFormat.FP32,
            NumericFormat.BF16,
            NumericFormat.FP16,
            NumericFormat.FP8,
            NumericFormat.INT8,
            NumericFormat.int4(32, 2),
            NumericFormat.int4(64, 4)
        };
        return Precision.of(
                weights[r.nextInt(weights.length)], kv[r.nextInt(kv.length)], Optimizer.values()[r.nextInt(3)]);
    }

    /** A device between a laptop and a rack-scale accelerator; a scale-up link and a host link, sometimes absent. */
    public static Hardware hardware(SplittableRandom r) {
        double peak = logUniformDouble(r, 1e12, 5e15);
        Map<String, Double> peaks = r.nextBoolean()
                ? Map.of("bf16", peak, "fp16", peak, "fp8", 2 * peak, "fp32", peak / 15)
                : Map.of("fp32", peak / 10); // a device with an fp32 peak only (a CPU)
        double link = r.nextInt(5) == 0 ? 0 : logUniformDouble(r, 1e10, 1.8e12);
        double host = r.nextInt(5) == 0 ? 0 : logUniformDouble(r, 1e9, 2.6e11);
        return Hardware.builder("random")
                .name("random")
                .peakFlopsPerSecond(peaks)
                .memoryBytes(logUniform(r, 1L << 30, 300_000_000_000L))
                .memoryBandwidthBytesPerSecond(logUniformDouble(r, 5e10, 8e12))
                .scaleUpBandwidthBytesPerSecond(link)
                .hostLinkBytesPerSecond(host)
                .powerWatts(700)
                .pricePerHourUsd(2)
                .efficiency(new Hardware.Efficiency(
                        0.2 + 0.8 * r.nextDouble(), 0.2 + 0.8 * r.nextDouble(), 0.2 + 0.8 * r.nextDouble()))
                .build();
    }

    /** Tensor x pipeline parallelism the spec can be split by (the tensor degree divides every layer's heads). */
    public static Parallelism parallelism(SplittableRandom r, TransformerSpec spec, Hardware hw) {
        int tp = 1;
        if (hw.scaleUpBandwidthBytesPerSecond() > 0) {
            int want = 1 << r.nextInt(4);
            for (int t = want; t >= 1; t--)
                if (splits(spec, t)) {
                    tp = t;
                    break;
                }
        }
        int pp = r.nextInt(3) == 0 && hw.scaleUpBandwidthBytesPerSecond() > 0
                ? 1 + r.nextInt(Math.min(4, spec.layerCount()))
                : 1;
        return new Parallelism(tp, pp, 1, 1, 0, false);
    }

    private static boolean splits(TransformerSpec spec, int tp) {
        for (LayerGroup g : spec.layers())
            if (!splits(g.kind().attention(), tp) || !splits(g.kind().parallelMixer(), tp)) return false;
        return true;
    }

    private static boolean splits(Attention a, int tp) {
        if (a instanceof NoMixer) return true;
        if (a.heads() % tp != 0) return false;
        if (a instanceof MultiHeadAttention m && m.kvHeads() % tp != 0 && tp % m.kvHeads() != 0) return false;
        if (a instanceof LinearAttention lin && lin.keyHeads() % tp != 0) return false;
        return !(a instanceof StateSpaceMixer ssm && ssm.groups() % tp != 0);
    }

    private static int largestDivisorAtMost(int n, int max) {
        for (int d = Math.min(n, max); d > 1; d--) if (n % d == 0) return d;
        return 1;
    }

    /** Log-uniform integer in [lo, hi]. */
    public static long logUniform(SplittableRandom r, long lo, long hi) {
        if (hi <= lo) return lo;
        double x = Math.exp(Math.log(lo) + r.nextDouble() * (Math.log(hi + 1.0) - Math.log(lo)));
        return Math.max(lo, Math.min(hi, (long) x));
    }

    static double logUniformDouble(SplittableRandom r, double lo, double hi) {
        return Math.exp(Math.log(lo) + r.nextDouble() * (Math.log(hi) - Math.log(lo)));
    }
}
