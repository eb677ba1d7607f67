package dev.strata.estimator.flops;

import static dev.strata.estimator.flops.FlopComponent.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.withinPercentage;

import dev.strata.estimator.TestModels;
import dev.strata.estimator.params.ParamComponent;
import dev.strata.estimator.params.ParameterCount;
import dev.strata.estimator.params.Parameters;
import dev.strata.model.InvalidFieldException;
import dev.strata.model.Recompute;
import dev.strata.model.TransformerSpec;
import org.junit.jupiter.api.Test;

class FlopsTest {

    @Test
    void kaplanForwardIs2NPlus2LayersContextWidthUnderTheCausalConvention() {
        // Kaplan et al. 2020 (arXiv:2001.08361) §2.1, Table 1: C_forward ≈ 2N + 2 n_layer n_ctx d_attn, with
        // N = 2 d_model n_layer (2 d_attn + d_ff) = 12 n_layer d_model^2 (embeddings, biases and norms excluded), for
        // GPT-3 175B's shape at n_ctx = 2048. Our causal prefill, averaged per token, counts 2 n_layer (n_ctx + 1)
        // d_attn
        // for the attention (T(T+1)/2 key pairs): the two agree to 1/n_ctx of the attention term, so 1e-4 relative.
        TransformerSpec gpt3 = TestModels.gpt3_175b();
        long layers = 96, d = 12288, nCtx = 2048;
        double n = 12.0 * layers * d * d;
        double kaplan = 2 * n + 2.0 * layers * nCtx * d;
        FlopsBreakdown perToken =
                Flops.prefill(gpt3, nCtx, 1, FlopsConvention.CAUSAL).times(1.0 / nCtx);
        assertThat(perToken.layers()).isCloseTo(kaplan, withinPercentage(0.01));
        // and the matrices alone are exactly 2N
        assertThat(perToken.layers() - perToken.attentionCore()).isEqualTo(2 * n);
    }

    @Test
    void palmTrainingFlopsAre6NPlus12LHQTUnderTheFullConvention() {
        // PaLM (arXiv:2204.02311) App. B: model FLOPs per token 6N + 12 L H Q T, N the non-embedding parameters (PaLM
        // has
        // no biases; its norms are not matrix weights, so they are taken out of N here), full (non-causal) attention.
        // PaLM 540B: L = 118, H = 48, Q = 256, T = 2048. Same arithmetic, so exact to rounding (1e-12 relative).
        TransformerSpec palm = TestModels.palm540b();
        ParameterCount count = Parameters.count(palm);
        double n =
                count.nonEmbedding() - count.total(ParamComponent.LAYER_NORMS) - count.total(ParamComponent.FINAL_NORM);
        double expected = 6 * n + 12.0 * 118 * 48 * 256 * 2048;
        TrainingFlops training = Flops.trainingPerToken(palm, 2048, Recompute.NONE, FlopsConvention.FULL);
        double layers = 3 * training.forward().layers();
        assertThat(layers).isCloseTo(expected, withinPercentage(1e-10));
        // the output logits come on top of PaLM's formula: 6 x d x vocab per token
        assertThat(training.total() - layers).isCloseTo(6.0 * 18432 * 256000, withinPercentage(1e-10));
    }

    @Test
    void chinchillaTableA4RatiosTo6NDAreReproducedAt73MAnd6_8B() {
        // Chinchilla (arXiv:2203.15556) App. F counts QKV, K@Q logits, softmax (3 per score), softmax@V, the final
        // linear and the dense block, backward = 2 x forward; Table A4 gives its ratio to 6ND: 1.03 at 73M, 0.99 at
        // 6.8B.
        // Shapes (Table A4, matching Table A9): 73M = 10 layers, d_model 640, ffw 2560, 10 heads, kv 64; 6.8B = 40
        // layers,
        // d_model 3584, ffw 14336, 28 heads, kv 128; seq_len 2048. N from Table A9: 74M and 6,796M.
        // Table A4 is reproduced without the embedding and logit terms (App. F lists them, but the table's numbers do
        // not
        // include them: nanoGPT scaling_laws.ipynb, "per author correspondence"), so those terms are left out here.
        // Tolerance 0.01 absolute: the table prints two decimals and Table A9 rounds N to 1M (0.7 % at 74M).
        double ratio73m = chinchillaRatio(TestModels.chinchilla(640, 2560, 64, 10, 10), 74e6);
        double ratio6_8b = chinchillaRatio(TestModels.chinchilla(3584, 14336, 128, 28, 40), 6796e6);
        assertThat(ratio73m).isCloseTo(1.03, within(0.01));
        assertThat(ratio6_8b).isCloseTo(0.99, within(0.01));
        // our count itself, by hand from App. F for the 73M shape, per token:
        // 10 x (2*3*640*640 + 2*2048*640 + 3*10*2048 + 2*2048*640 + 2*640*640 + 2*2*640*2560) x 3 = 454,041,600; exact
        TrainingFlops t = Flops.trainingPerToken(
                TestModels.chinchilla(640, 2560, 64, 10, 10), 2048, Recompute.NONE, FlopsConvention.CHINCHILLA);
        assertThat(3 * t.forward().layers()).isEqualTo(454_041_600.0);
    }

    private static double chinchillaRatio(TransformerSpec spec, double n) {
        TrainingFlops t = Flops.trainingPerToken(spec, 2048, Recompute.NONE, FlopsConvention.CHINCHILLA);
        double layersOnly =
                t.total() - 3 * (t.forward().get(EMBEDDING) + t.forward().get(OUTPUT_LOGITS));
        return layersOnly / (6 * n);
    }

    @Test
    void fullRecomputationMatchesMegatronsFlopsFormula() {
        // Narayanan et al. 2021 (arXiv:2104.04473) §5.1 eq. (3): with full activation recomputation an iteration costs
        // 96 B s l h^2 (1 + s/(6h) + V/(16 l h)) FLOPs, i.e. per token 96 l h^2 (1 + s/(6h) + V/(16 l h)).
        // GPT-3 175B, s = 2048, V = 50257; matrices only (biases are not multiply-accumulates): exact to rounding.
        double l = 96, h = 12288, s = 2048, v = 50257;
        double expected = 96 * l * h * h * (1 + s / (6 * h) + v / (16 * l * h));
        TrainingFlops t = Flops.trainingPerToken(TestModels.gpt3_175b(), 2048, Recompute.FULL, FlopsConvention.FULL);
        assertThat(t.total()).isCloseTo(expected, withinPercentage(1e-10));
        assertThat(t.recompute()).isEqualTo(t.forward().layers());
        assertThat(t.backward()).isEqualTo(2 * t.forward().total());
    }

    @Test
    void selectiveRecomputationRepeatsOnlyTheAttentionCore() {
        // Korthikanti et al. 2022 §5: selective recomputation redoes QK^T, softmax and attention over V
        TrainingFlops none = Flops.trainingPerToken(TestModels.llama3_8b(), 4096, Recompute.NONE, FlopsConvention.FULL);
        TrainingFlops selective =
                Flops.trainingPerToken(TestModels.llama3_8b(), 4096, Recompute.SELECTIVE, FlopsConvention.FULL);
        assertThat(selective.total() - none.total()).isEqualTo(none.forward().attentionCore());
        // 32 layers x 4096 keys x (2 x 32 x 128 + 2 x 32 x 128) per token; exact
        assertThat(none.forward().attentionCore()).isEqualTo(32.0 * 4096 * 4 * 32 * 128);
    }

    @Test
    void groupedQueryAttentionShrinksTheKeyAndValueProjections() {
        // Llama-3-8B: q_proj 4096 x 4096, k_proj and v_proj 4096 x 1024 (8 of 32 heads); 2 FLOPs per MAC; exact
        FlopsBreakdown f = Flops.forwardPerToken(TestModels.llama3_8b(), 1, FlopsConvention.FULL);
        assertThat(f.get(ATTENTION_QUERY)).isEqualTo(32 * 2.0 * 4096 * 4096);
        assertThat(f.get(ATTENTION_KEY)).isEqualTo(f.get(ATTENTION_QUERY) / 4);
        assertThat(f.get(ATTENTION_VALUE)).isEqualTo(f.get(ATTENTION_KEY));
        // gated MLP: three 4096 x 14336 matrices per layer
        assertThat(f.get(MLP)).isEqualTo(32 * 3 * 2.0 * 4096 * 14336);
        // without the attention core and the embedding lookup, a token costs 2 x (parameters - embedding - norms)
        assertThat(f.total() - f.attentionCore()).isEqualTo(2.0 * (8_030_261_248L - 128256L * 4096 - 65 * 4096));
    }

    @Test
    void mixtureOfExpertsCountsTheRouterAndTheActiveExpertsOnly() {
        // Mixtral-8x7B: top-2 of 8 experts of three 4096 x 14336 matrices, router 4096 x 8, 32 layers; exact
        FlopsBreakdown f = Flops.forwardPerToken(TestModels.mixtral8x7b(), 1, FlopsConvention.FULL);
        assertThat(f.get(ROUTED_EXPERTS)).isEqualTo(32 * 2 * 3 * 2.0 * 4096 * 14336);
        assertThat(f.get(ROUTER)).isEqualTo(32 * 2.0 * 4096 * 8);
        assertThat(f.get(MLP)).isZero();
        // matrices touched by a token = 2 x (active parameters - embedding - norms), as the active count of
        // docs/formulas.md, "Counting conventions"
        assertThat(f.total() - f.attentionCore()).isEqualTo(2.0 * (12_879_925_248L - 32000L * 4096 - 65 * 4096));
    }

    @Test
    void latentAttentionHasItsOwnProjectionsAndScoreWidth() {
        // DeepSeek-V3 MLA (arXiv:2412.19437 §2.1.1): q_a 7168x1536, q_b 1536x(128x192), kv_a 7168x576, kv_b
        // 512x(128x256),
        // o (128x128)x7168; scores 2 x 128 heads x 192 per key, weighted sum 2 x 128 x 128 per key; 61 layers; exact
        FlopsBreakdown f = Flops.forwardPerToken(TestModels.deepseekV3(), 1000, FlopsConvention.FULL);
        assertThat(f.get(ATTENTION_QUERY_DOWN)).isEqualTo(61 * 2.0 * 7168 * 1536);
        assertThat(f.get(ATTENTION_QUERY_UP)).isEqualTo(61 * 2.0 * 1536 * 128 * 192);
        assertThat(f.get(ATTENTION_KEY_VALUE_DOWN)).isEqualTo(61 * 2.0 * 7168 * 576);
        assertThat(f.get(ATTENTION_KEY_VALUE_UP)).isEqualTo(61 * 2.0 * 512 * 128 * 256);
        assertThat(f.get(ATTENTION_OUTPUT)).isEqualTo(61 * 2.0 * 128 * 128 * 7168);
        assertThat(f.get(ATTENTION_SCORES)).isEqualTo(61 * 1000 * 2.0 * 128 * 192);
        assertThat(f.get(ATTENTION_WEIGHTED_SUM)).isEqualTo(61 * 1000 * 2.0 * 128 * 128);
        assertThat(f.get(ATTENTION_QUERY)).isZero();
        // 1 shared + 8 of 256 routed experts in 58 layers, dense 18432 MLP in 3
        assertThat(f.get(SHARED_EXPERTS)).isEqualTo(58 * 3 * 2.0 * 7168 * 2048);
        assertThat(f.get(ROUTED_EXPERTS)).isEqualTo(58 * 8 * 3 * 2.0 * 7168 * 2048);
        assertThat(f.get(MLP)).isEqualTo(3 * 3 * 2.0 * 7168 * 18432);
    }

    @Test
    void slidingWindowLayersCapTheAttentionSpan() {
        // Mistral 7B (arXiv:2310.06825 §2): each token attends to at most 4096 previous tokens
        TransformerSpec mistral = TestModels.mistral7b();
        FlopsBreakdown at4096 = Flops.forwardPerToken(mistral, 4096, FlopsConvention.FULL);
        FlopsBreakdown at32k = Flops.forwardPerToken(mistral, 32768, FlopsConvention.FULL);
        assertThat(at32k).isEqualTo(at4096);
        // Gemma 2: half the layers local (4096), half global: at 8192 the scores are 21 x 4096 + 21 x 8192 keys per
        // token
        FlopsBreakdown gemma = Flops.forwardPerToken(TestModels.gemma2_9b(), 8192, FlopsConvention.FULL);
        assertThat(gemma.get(ATTENTION_SCORES)).isEqualTo((21.0 * 4096 + 21.0 * 8192) * 2 * 16 * 256);
        // causal prefill of 8192 on a 4096 window: sum of min(t, 4096) = 4096*4097/2 + 4096*4096 keys per layer
        FlopsBreakdown prefill = Flops.prefill(mistral, 8192, 1, FlopsConvention.CAUSAL);
        assertThat(prefill.get(ATTENTION_SCORES)).isEqualTo(32 * (4096.0 * 4097 / 2 + 4096.0 * 4096) * 2 * 32 * 128);
    }

    @Test
    void fullPrefillCountsTSquaredScoresAndCausalCountsTheTriangle() {
        // full: T x T query-key pairs (what torch.profiler counts); causal: T (T + 1) / 2; exact
        TransformerSpec llama = TestModels.llama3_8b();
        double full = Flops.prefill(llama, 1000, 1, FlopsConvention.FULL).get(ATTENTION_SCORES);
        double causal = Flops.prefill(llama, 1000, 1, FlopsConvention.CAUSAL).get(ATTENTION_SCORES);
        assertThat(full).isEqualTo(32 * 1000.0 * 1000 * 2 * 32 * 128);
        assertThat(causal).isEqualTo(32 * (1000.0 * 1001 / 2) * 2 * 32 * 128);
        // the matrices do not depend on the convention, and a batch scales everything
        FlopsBreakdown one = Flops.prefill(llama, 1000, 1, FlopsConvention.FULL);
        assertThat(Flops.prefill(llama, 1000, 8, FlopsConvention.FULL).total()).isEqualTo(8 * one.total());
        assertThat(Flops.prefill(llama, 1000, 1, FlopsConvention.CAUSAL).get(MLP))
                .isEqualTo(one.get(MLP));
    }

    @Test
    void decodeAveragesTheKeysOfTheGeneratedPositions() {
        // positions 101..200 attend to 101..200 keys: 150.5 on average; exact
        TransformerSpec llama = TestModels.llama3_8b();
        FlopsBreakdown decode = Flops.decodePerToken(llama, 100, 100, FlopsConvention.FULL);
        assertThat(decode.get(ATTENTION_SCORES)).isEqualTo(32 * 150.5 * 2 * 32 * 128);
        assertThat(Flops.decodePerToken(llama, 0, 1, FlopsConvention.FULL))
                .isEqualTo(Flops.forwardPerToken(llama, 1, FlopsConvention.FULL));
        // the output logits are counted per decoded token: 2 x 4096 x 128256
        assertThat(decode.get(OUTPUT_LOGITS)).isEqualTo(2.0 * 4096 * 128256);
    }

    @Test
    void theChinchillaConventionCountsEmbeddingsAndSoftmax() {
        // App. F: embeddings 2 x vocab x d_model per token; softmax 3 x heads per score
        TransformerSpec llama = TestModels.llama3_8b();
        FlopsBreakdown f = Flops.forwardPerToken(llama, 10, FlopsConvention.CHINCHILLA);
        assertThat(f.get(EMBEDDING)).isEqualTo(2.0 * 128256 * 4096);
        assertThat(f.get(ATTENTION_SOFTMAX)).isEqualTo(32 * 10 * 3.0 * 32);
        assertThat(Flops.forwardPerToken(llama, 10, FlopsConvention.FULL).get(EMBEDDING))
                .isZero();
    }

    @Test
    void badTokenCountsAreRefused() {
        assertThatThrownBy(() -> Flops.prefill(TestModels.llama3_8b(), 0, 1, FlopsConvention.FULL))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessageStartingWith("promptTokens = 0");
        assertThatThrownBy(() -> Flops.prefill(TestModels.llama3_8b(), 10, -2, FlopsConvention.FULL))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessageStartingWith("batch = -2");
    }
}
