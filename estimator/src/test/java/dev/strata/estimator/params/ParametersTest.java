package dev.strata.estimator.params;

import static dev.strata.estimator.params.ParamComponent.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.strata.model.Activation;
import dev.strata.model.DenseMlp;
import dev.strata.model.GatedMlp;
import dev.strata.model.InvalidFieldException;
import dev.strata.model.LatentAttention;
import dev.strata.model.LayerKind;
import dev.strata.model.MixtureOfExperts;
import dev.strata.model.MultiHeadAttention;
import dev.strata.model.Norms;
import dev.strata.model.PositionEncoding;
import dev.strata.model.ProjectionBiases;
import dev.strata.model.TransformerSpec;
import dev.strata.model.internal.Limits;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class ParametersTest {

    @Test
    void sinksGatedQueriesNormsAcrossHeadsAndGatedSharedExpertsOfTheirOwnWidth() {
        // d = 512, 8 heads x 64 (queries 512), 2 KV heads x 64 (keys 128); shapes of the HF implementations:
        // gpt-oss sinks (heads,), Qwen3-Next q_proj d -> 2 x heads x headDim, OLMo 2 q_norm over 512 and k_norm over
        // 128, Qwen2-MoE shared_expert (its own width) with shared_expert_gate d -> 1. Expected values by hand, exact.
        var attention = new MultiHeadAttention(8, 2, 64, ProjectionBiases.NONE, true, true, true, true);
        var expert = new GatedMlp(256, Activation.SILU, false);
        var moe = new MixtureOfExperts(expert, 4, 1, 2, false, new GatedMlp(1024, Activation.SILU, false), true);
        TransformerSpec spec = TransformerSpec.builder()
                .vocabSize(1000)
                .hiddenSize(512)
                .layers(3, LayerKind.global(attention, moe))
                .build();
        ParameterCount c = Parameters.count(spec);
        assertThat(c.total(ATTENTION_QUERY)).isEqualTo(3L * 512 * 1024);
        assertThat(c.total(ATTENTION_KEY)).isEqualTo(3L * 512 * 128);
        assertThat(c.total(ATTENTION_OUTPUT)).isEqualTo(3L * 512 * 512); // the gate does not widen o_proj
        assertThat(c.total(ATTENTION_QK_NORMS)).isEqualTo(3L * (512 + 128));
        assertThat(c.total(ATTENTION_SINKS)).isEqualTo(3L * 8);
        assertThat(c.total(SHARED_EXPERTS)).isEqualTo(3L * (3 * 512 * 1024 + 512));
        assertThat(c.active(SHARED_EXPERTS)).isEqualTo(c.total(SHARED_EXPERTS));
        assertThat(c.total(ROUTED_EXPERTS)).isEqualTo(3L * 4 * 3 * 512 * 256);
        assertThat(c.active(ROUTED_EXPERTS)).isEqualTo(3L * 2 * 3 * 512 * 256);
        // per-head q/k norms of the same attention: one headDim vector each
        var perHead = new MultiHeadAttention(8, 2, 64, ProjectionBiases.NONE, true, false, false, false);
        assertThat(Parameters.qkNorms(perHead, Norms.llama())).isEqualTo(2 * 64);
        assertThatThrownBy(() -> new MultiHeadAttention(8, 2, 64, ProjectionBiases.NONE, false, true, false, false))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessageContaining("attention.qkNormAcrossHeads");
        assertThatThrownBy(() -> new MixtureOfExperts(expert, 4, 0, 2, false, null, true))
                .hasMessageContaining("feedForward.sharedExpertGate");
        assertThat(new MixtureOfExperts(expert, 4, 1, 2, false).sharedExpert()).isEqualTo(expert);
    }

    /** GPT-2 small as in Radford et al. 2019 / the Hugging Face gpt2 checkpoint: d 768, 12 layers, 12 heads. */
    static TransformerSpec gpt2(int d, int layers, int heads, boolean tied) {
        return TransformerSpec.builder()
                .name("gpt2")
                .vocabSize(50257)
                .hiddenSize(d)
                .layers(
                        layers,
                        LayerKind.global(
                                new MultiHeadAttention(heads, heads, d / heads, ProjectionBiases.ALL, false),
                                new DenseMlp(4 * d, Activation.GELU_TANH, true)))
                .norms(Norms.gpt2())
                .positions(PositionEncoding.LEARNED)
                .contextLength(1024)
                .tiedEmbeddings(tied)
                .build();
    }

    @Test
    void gpt2SmallMatchesNanoGptsBreakdownTermByTerm() {
        // Expected terms: nanoGPT's transformer_sizing notebook breakdown for GPT-2 small, re-derived from the shapes
        // (wte 50257x768, wpe 1024x768, c_attn 768x2304+2304, c_proj 768x768+768, c_fc 768x3072+3072,
        // mlp c_proj 3072x768+768, two LayerNorms of 2x768 per block, ln_f 2x768). Exact (tolerance 0).
        ParameterCount c = Parameters.count(gpt2(768, 12, 12, true));
        assertThat(c.total(EMBEDDING)).isEqualTo(38_597_376L);
        assertThat(c.total(POSITION_EMBEDDING)).isEqualTo(786_432L);
        assertThat(c.total(ATTENTION_QUERY) + c.total(ATTENTION_KEY) + c.total(ATTENTION_VALUE))
                .isEqualTo(12 * 1_771_776L);
        assertThat(c.total(ATTENTION_OUTPUT)).isEqualTo(12 * 590_592L);
        assertThat(c.total(MLP)).isEqualTo(12 * (2_362_368L + 2_360_064L));
        assertThat(c.total(LAYER_NORMS)).isEqualTo(12 * 2 * 1_536L);
        assertThat(c.total(FINAL_NORM)).isEqualTo(1_536L);
        assertThat(c.total(OUTPUT_HEAD)).isZero();
        // docs/architecture.md: GPT-2 small 124,439,808 (published checkpoint, tied). Exact.
        assertThat(c.total()).isEqualTo(124_439_808L);
        assertThat(c.active()).isEqualTo(c.total());
    }

    @Test
    void gptShapesAgreeWithKaplansTwelveLdSquared() {
        // Kaplan et al. 2020 (arXiv:2001.08361) §2.1, Table 1: N = 2 d n_layer (2 d_attn + d_ff) = 12 n_layer d^2 for
        // d_attn = d, d_ff = 4d, excluding embeddings, biases and norms. The bottom-up count differs exactly by the
        // biases and norms: 13 d per layer (c_attn 3d, c_proj d, c_fc 4d, mlp c_proj d, 2 LayerNorms 4d) + 2d (ln_f).
        for (int[] shape : new int[][] {{768, 12, 12}, {1024, 24, 16}, {1600, 48, 25}, {12288, 96, 96}}) {
            long d = shape[0], layers = shape[1];
            ParameterCount c = Parameters.count(gpt2(shape[0], shape[1], shape[2], true));
            long kaplan = 12 * layers * d * d;
            assertThat(c.nonEmbedding()).isEqualTo(kaplan + 13 * d * layers + 2 * d);
            // ... and the approximation alone is within 0.2 % for every GPT-2/GPT-3 shape (13/(12 d) <= 0.15 % at d =
            // 768).
            assertThat((double) c.nonEmbedding() / kaplan).isCloseTo(1.0, within(2e-3));
        }
    }

    @Test
    void llamaShapesAgreeWithTheClosedFormOverConfigFields() {
        // Second closed form for Llama-family models (untied, RMSNorm, SwiGLU, GQA, no biases):
        // N = 2 V d + L (2 d h hd + 2 d kv hd + 3 d f + 2 d) + d.
        // Llama-3-8B config: V 128256, d 4096, f 14336, L 32, h 32, kv 8, hd 128. docs/architecture.md: 8,030,261,248.
        long v = 128256, d = 4096, f = 14336, l = 32, h = 32, kv = 8, hd = 128;
        long closed = 2 * v * d + l * (2 * d * h * hd + 2 * d * kv * hd + 3 * d * f + 2 * d) + d;
        TransformerSpec spec = TransformerSpec.builder()
                .vocabSize(128256)
                .hiddenSize(4096)
                .layers(
                        32,
                        LayerKind.global(
                                MultiHeadAttention.of(32, 8, 128), new GatedMlp(14336, Activation.SILU, false)))
                .build();
        assertThat(Parameters.count(spec).total()).isEqualTo(closed).isEqualTo(8_030_261_248L);
    }

    @Test
    void tiedAndUntiedDifferByExactlyOneVocabTimesHidden() {
        long tied = Parameters.count(gpt2(768, 12, 12, true)).total();
        long untied = Parameters.count(gpt2(768, 12, 12, false)).total();
        assertThat(untied - tied).isEqualTo(50257L * 768);
    }

    @Test
    void mixtralActiveCountsTopTwoOfEightExperts() {
        // docs/architecture.md: Mixtral-8x7B 46,702,792,704 total, 12,879,925,248 active. Exact.
        var expert = new GatedMlp(14336, Activation.SILU, false);
        TransformerSpec spec = TransformerSpec.builder()
                .vocabSize(32000)
                .hiddenSize(4096)
                .layers(
                        32,
                        LayerKind.global(
                                MultiHeadAttention.of(32, 8, 128), new MixtureOfExperts(expert, 8, 0, 2, false)))
                .build();
        ParameterCount c = Parameters.count(spec);
        assertThat(c.total()).isEqualTo(46_702_792_704L);
        assertThat(c.active()).isEqualTo(12_879_925_248L);
        assertThat(c.total(ROUTER)).isEqualTo(32L * 4096 * 8); // router 4096x8 per layer, no bias
        assertThat(c.active(ROUTED_EXPERTS)).isEqualTo(c.total(ROUTED_EXPERTS) / 4);
    }

    @Test
    void deepSeekV3MainModelIsAbout671BillionWithMtpApart() {
        // DeepSeek-V3 config.json shapes; model card: "671B total, 37B activated" (rounded). Our exact count: every
        // weight of the 61 main layers, embedding, head and final norm; MTP reported apart.
        var mla = new LatentAttention(128, 1536, 512, 128, 64, 128);
        var dense = new GatedMlp(18432, Activation.SILU, false);
        var moe = new MixtureOfExperts(new GatedMlp(2048, Activation.SILU, false), 256, 1, 8, true);
        TransformerSpec spec = TransformerSpec.builder()
                .vocabSize(129280)
                .hiddenSize(7168)
                .layers(3, LayerKind.global(mla, dense))
                .layers(58, LayerKind.global(mla, moe))
                .multiTokenPredictionModules(1)
                .build();
        ParameterCount c = Parameters.count(spec);
        // Per-layer MLA terms, from the projection shapes (arXiv:2412.19437 §2.1.1 and modeling_deepseek_v3):
        assertThat(c.total(ATTENTION_QUERY_DOWN)).isEqualTo(61L * 7168 * 1536);
        assertThat(c.total(ATTENTION_QUERY_UP)).isEqualTo(61L * 1536 * 128 * (128 + 64));
        assertThat(c.total(ATTENTION_KEY_VALUE_DOWN)).isEqualTo(61L * 7168 * (512 + 64));
        assertThat(c.total(ATTENTION_KEY_VALUE_UP)).isEqualTo(61L * 512 * 128 * (128 + 128));
        assertThat(c.total(ATTENTION_OUTPUT)).isEqualTo(61L * 128 * 128 * 7168);
        assertThat(c.total(ATTENTION_LATENT_NORMS)).isEqualTo(61L * (1536 + 512));
        assertThat(c.total(ROUTER)).isEqualTo(58L * (256 * 7168 + 256)); // weight + e_score_correction_bias
        assertThat(c.total()).isEqualTo(671_026_419_200L);
        assertThat(c.total() / 1e9).isCloseTo(671, within(0.5)); // model card, rounded to 1B
        assertThat(c.active()).isEqualTo(37_552_297_472L);
        assertThat(c.active() / 1e9).isCloseTo(37, within(1.0)); // model card "37B", rounded
        // MTP: enorm + hnorm + shared_head.norm (3 x 7168), eh_proj 14336x7168, one MoE layer.
        assertThat(c.multiTokenPrediction())
                .isEqualTo(3 * 7168L
                        + 14336L * 7168
                        + (c.total()
                                        - c.total(EMBEDDING)
                                        - c.total(OUTPUT_HEAD)
                                        - c.total(FINAL_NORM)
                                        - 3 * Parameters.layer(LayerKind.global(mla, dense), 7168, Norms.llama()))
                                / 58);
        // main + MTP + the checkpoint's copies of embedding and head = the 685B of the published checkpoint.
        assertThat((c.total() + c.multiTokenPrediction() + 2L * 129280 * 7168) / 1e9)
                .isCloseTo(684.5, within(0.1));
    }

    @Test
    void aTenTrillionParameterModelIsCountedExactly() {
        // 10T-class MoE: d 16384, 128 layers, 1024 experts of width 8192 (top 8). Checked against BigInteger
        // arithmetic.
        var moe = new MixtureOfExperts(new GatedMlp(8192, Activation.SILU, false), 1024, 0, 8, false);
        TransformerSpec spec = TransformerSpec.builder()
                .vocabSize(256_000)
                .hiddenSize(16384)
                .layers(128, LayerKind.global(MultiHeadAttention.of(128, 16, 128), moe))
                .build();
        BigInteger d = BigInteger.valueOf(16384), l = BigInteger.valueOf(128);
        BigInteger perLayer = d.multiply(BigInteger.valueOf(128 * 128))
                .multiply(BigInteger.TWO)
                .add(d.multiply(BigInteger.valueOf(16 * 128)).multiply(BigInteger.TWO))
                .add(BigInteger.valueOf(3L * 16384 * 8192 * 1024))
                .add(d.multiply(BigInteger.valueOf(1024)))
                .add(d.multiply(BigInteger.TWO));
        BigInteger expected = perLayer.multiply(l)
                .add(BigInteger.valueOf(2L * 256_000 * 16384))
                .add(d);
        ParameterCount c = Parameters.count(spec);
        assertThat(BigInteger.valueOf(c.total())).isEqualTo(expected);
        assertThat(c.total()).isGreaterThan(10_000_000_000_000L);
        assertThat(c.active()).isPositive().isLessThan(c.total());
    }

    @Test
    void aCountThatWouldOverflowIsRejectedNotWrapped() {
        var moe = new MixtureOfExperts(
                new GatedMlp(Limits.MAX_WIDTH, Activation.SILU, false), Limits.MAX_EXPERTS, 0, 1, false);
        TransformerSpec spec = TransformerSpec.builder()
                .vocabSize(10)
                .hiddenSize(Limits.MAX_WIDTH)
                .layers(Limits.MAX_LAYERS, LayerKind.global(MultiHeadAttention.of(1, 1, 1), moe))
                .build();
        assertThatThrownBy(() -> Parameters.count(spec))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessageContaining("fits in a 64-bit integer");
    }

    @Test
    void totalIsTheSumOfTheBreakdown() {
        ParameterCount c = Parameters.count(gpt2(1024, 24, 16, false));
        assertThat(c.breakdown().values().stream().mapToLong(Long::longValue).sum())
                .isEqualTo(c.total());
        assertThat(c.activeBreakdown().values().stream()
                        .mapToLong(Long::longValue)
                        .sum())
                .isEqualTo(c.active());
    }
}
