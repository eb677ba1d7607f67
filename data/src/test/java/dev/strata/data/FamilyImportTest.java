package dev.strata.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.estimator.params.ParamComponent;
import dev.strata.estimator.params.ParameterCount;
import dev.strata.estimator.params.Parameters;
import dev.strata.model.InvalidFieldException;
import dev.strata.model.LayerGroup;
import dev.strata.model.MixtureOfExperts;
import dev.strata.model.TransformerSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One small synthetic config.json per family the importer maps, with the expected count worked out by hand from the
 * weight shapes of that family's transformers code (configuration_<type>.py for the defaults of absent keys,
 * modeling_<type>.py for the weights). Shapes: hidden H = 64, 4 layers, 4 heads, 2 KV heads (head size 16 unless a
 * test says otherwise), vocab V = 100, dense width 96, 4 experts of width 32, top-2. Tolerance everywhere: 0 (exact).
 */
class FamilyImportTest {

    private static final long H = 64;
    private static final long V = 100;
    /** The embedding table and an untied output head, V x H each. */
    private static final long EMBEDDING = V * H;
    /** A gated dense MLP of width 96: gate and up H -> 96, down 96 -> H, no bias. */
    private static final long DENSE_MLP = 3 * H * 96;
    /** One routed expert of width 32: gate, up, down, no bias. */
    private static final long EXPERT = 3 * H * 32;
    /** q H -> 4 x 16, k and v H -> 2 x 16, o 4 x 16 -> H, no biases. */
    private static final long ATTENTION = H * 64 + 2 * H * 32 + 64 * H;
    /** Two RMSNorms of H per layer (input_layernorm, post_attention_layernorm, or the two post-norms). */
    private static final long TWO_RMS_NORMS = 2 * H;

    /** A linear layer in -> out: weight (out, in), and bias (out) when it has one. */
    private static long linear(long in, long out, boolean bias) {
        return in * out + (bias ? out : 0);
    }

    private static TransformerSpec spec(String json) {
        return HfConfigImporter.fromJson(json, "test");
    }

    private static ParameterCount count(String json) {
        return Parameters.count(spec(json));
    }

    /** The attention window of each layer, in order (0: full attention). */
    private static List<Integer> windows(TransformerSpec spec) {
        List<Integer> w = new ArrayList<>();
        for (LayerGroup g : spec.layers())
            for (int i = 0; i < g.count(); i++) w.add(g.kind().slidingWindow());
        return w;
    }

    /** Whether each layer is a mixture of experts, in order. */
    private static List<Boolean> moeLayers(TransformerSpec spec) {
        List<Boolean> m = new ArrayList<>();
        for (LayerGroup g : spec.layers())
            for (int i = 0; i < g.count(); i++) m.add(g.kind().feedForward() instanceof MixtureOfExperts);
        return m;
    }

    // ---- Qwen ----------------------------------------------------------------------------------------------------

    private static final String QWEN2_MOE = """
            {"model_type": "qwen2_moe", "hidden_size": 64, "num_hidden_layers": 4, "num_attention_heads": 4,
             "num_key_value_heads": 2, "vocab_size": 100, "intermediate_size": 96, "moe_intermediate_size": 32,
             "shared_expert_intermediate_size": 48, "num_experts": 4, "num_experts_per_tok": 2,
             "decoder_sparse_step": 2, "mlp_only_layers": [3], "tie_word_embeddings": false}
            """;

    @Test
    void qwen2MoeHasAWiderGatedSharedExpertQkvBiasAndDenseLayersWhereTheStepAndListSay() {
        // modeling_qwen2_moe: MoE iff i not in mlp_only_layers and (i + 1) % decoder_sparse_step == 0 -> only layer 1
        // (layer 3 is listed in mlp_only_layers). q/k/v bias (qkv_bias default True), o without bias.
        TransformerSpec s = spec(QWEN2_MOE);
        assertThat(moeLayers(s)).containsExactly(false, true, false, false);
        long attention = linear(H, 64, true) + 2 * linear(H, 32, true) + linear(64, H, false);
        long router = H * 4; // gate Linear(H, E), no bias
        long shared = 3 * H * 48; // shared_expert of shared_expert_intermediate_size 48
        long sharedGate = H * 1; // shared_expert_gate Linear(H, 1), no bias
        long moe = router + 4 * EXPERT + shared + sharedGate;
        long expected = EMBEDDING + EMBEDDING + H + 4 * (attention + TWO_RMS_NORMS) + 3 * DENSE_MLP + moe;
        ParameterCount c = count(QWEN2_MOE);
        assertThat(c.total()).isEqualTo(expected);
        assertThat(c.total(ParamComponent.SHARED_EXPERTS)).isEqualTo(shared + sharedGate);
        assertThat(c.active()).isEqualTo(expected - 2 * EXPERT); // 2 of the 4 experts idle per token
        assertThat(windows(s)).containsOnly(0); // use_sliding_window defaults to false
    }

    @Test
    void qwen2MoeSharedExpertWidthDefaultsTo5632() {
        // Qwen2MoeSparseMoeBlock always builds shared_expert and shared_expert_gate; Qwen2MoeConfig's
        // shared_expert_intermediate_size defaults to 5632
        String json = QWEN2_MOE.replace("\"shared_expert_intermediate_size\": 48,", "");
        assertThat(json).doesNotContain("shared_expert_intermediate_size");
        assertThat(count(json).total(ParamComponent.SHARED_EXPERTS)).isEqualTo(3 * H * 5632 + H * 1);
    }

    private static final String QWEN3_MOE = """
            {"model_type": "qwen3_moe", "hidden_size": 64, "num_hidden_layers": 4, "num_attention_heads": 4,
             "num_key_value_heads": 2, "head_dim": 32, "vocab_size": 100, "intermediate_size": 96,
             "moe_intermediate_size": 32, "num_experts": 4, "num_experts_per_tok": 2, "decoder_sparse_step": 1,
             "mlp_only_layers": [0], "attention_bias": false, "tie_word_embeddings": false}
            """;

    /** Qwen3-MoE above, by hand: head_dim 32 (q 64 -> 128, k, v 64 -> 64), q_norm and k_norm of 32 per layer. */
    private static final long QWEN3_MOE_TOTAL = EMBEDDING
            + EMBEDDING
            + H // final norm
            + 4 * (H * 128 + 2 * H * 64 + 128 * H + 2 * 32 + TWO_RMS_NORMS)
            + DENSE_MLP // layer 0 is in mlp_only_layers
            + 3 * (H * 4 + 4 * EXPERT); // router (E, H) and 4 experts, layers 1 to 3

    @Test
    void qwen3MoeHasPerHeadQueryAndKeyNorms() {
        ParameterCount c = count(QWEN3_MOE);
        assertThat(c.total()).isEqualTo(QWEN3_MOE_TOTAL);
        assertThat(c.total(ParamComponent.ATTENTION_QK_NORMS)).isEqualTo(4 * 2 * 32);
        assertThat(c.active()).isEqualTo(QWEN3_MOE_TOTAL - 3 * 2 * EXPERT);
        assertThat(moeLayers(spec(QWEN3_MOE))).containsExactly(false, true, true, true);
    }

    @Test
    void aConfigWithoutModelTypeIsReadByItsArchitecture() {
        // Qwen3MoeForCausalLM -> qwen3_moe: the same count as with the model_type
        String json =
                QWEN3_MOE.replace("\"model_type\": \"qwen3_moe\"", "\"architectures\": [\"Qwen3MoeForCausalLM\"]");
        assertThat(json).doesNotContain("model_type");
        HfConfigImporter.Imported imported = HfConfigImporter.importJson(json, "test");
        assertThat(imported.family()).isEqualTo("qwen3_moe");
        assertThat(Parameters.count(imported.spec()).total()).isEqualTo(QWEN3_MOE_TOTAL);
    }

    // ---- gpt-oss -------------------------------------------------------------------------------------------------

    private static final String GPT_OSS = """
            {"model_type": "gpt_oss", "hidden_size": 64, "num_hidden_layers": 4, "num_attention_heads": 4,
             "num_key_value_heads": 2, "vocab_size": 100, "intermediate_size": 32, "num_local_experts": 4,
             "num_experts_per_tok": 2, "sliding_window": 8,
             "layer_types": ["sliding_attention", "full_attention", "sliding_attention", "full_attention"]}
            """;

    @Test
    void gptOssHasSinksExpertBiasesARouterBiasAndAttentionBiases() {
        // No head_dim key: GptOssConfig's default 64 (not H / heads). attention_bias default True: q, k, v, o biases.
        long attention = linear(H, 4 * 64, true) + 2 * linear(H, 2 * 64, true) + linear(4 * 64, H, true);
        long sinks = 4; // one per query head
        long router = linear(H, 4, true); // router.weight (E, H) + router.bias (E)
        // gate_up_proj (E, H, 2I) + gate_up_proj_bias (E, 2I); down_proj (E, I, H) + down_proj_bias (E, H); I = 32
        long expert = H * 2 * 32 + 2 * 32 + 32 * H + H;
        long layer = attention + sinks + TWO_RMS_NORMS + router + 4 * expert;
        long expected = EMBEDDING + EMBEDDING + H + 4 * layer; // untied by default
        ParameterCount c = count(GPT_OSS);
        assertThat(c.total()).isEqualTo(expected);
        assertThat(c.total(ParamComponent.ATTENTION_SINKS)).isEqualTo(4 * sinks);
        assertThat(c.total(ParamComponent.ROUTER)).isEqualTo(4 * router);
        assertThat(c.active()).isEqualTo(expected - 4 * 2 * expert);
        assertThat(windows(spec(GPT_OSS))).containsExactly(8, 0, 8, 0); // layer_types with sliding_window 8
    }

    @Test
    void gptOssWithoutLayerTypesSlidesOnEvenLayersWithTheDefaultWindow() {
        // configuration_gpt_oss: layer i sliding iff i is even; sliding_window default 128
        String json =
                GPT_OSS.replace("\"sliding_window\": 8,", "").replaceAll(",\\s*\"layer_types\": \\[[^\\]]*\\]", "");
        assertThat(json).doesNotContain("layer_types").doesNotContain("sliding_window");
        assertThat(windows(spec(json))).containsExactly(128, 0, 128, 0);
    }

    // ---- OLMo 2, EXAONE 4 ----------------------------------------------------------------------------------------

    private static final String OLMO2 = """
            {"model_type": "olmo2", "hidden_size": 64, "num_hidden_layers": 4, "num_attention_heads": 4,
             "num_key_value_heads": 2, "vocab_size": 100, "intermediate_size": 96, "attention_bias": true,
             "tie_word_embeddings": false}
            """;

    @Test
    void olmo2NormsQueriesAndKeysAcrossAllHeads() {
        // q_norm RMSNorm(heads x 16 = 64), k_norm RMSNorm(kv heads x 16 = 32); attention_bias on q, k, v and o;
        // post_attention_layernorm and post_feedforward_layernorm
        long attention = linear(H, 64, true) + 2 * linear(H, 32, true) + linear(64, H, true);
        long qkNorms = 4 * 16 + 2 * 16;
        long expected = EMBEDDING + EMBEDDING + H + 4 * (attention + qkNorms + TWO_RMS_NORMS + DENSE_MLP);
        ParameterCount c = count(OLMO2);
        assertThat(c.total()).isEqualTo(expected);
        assertThat(c.total(ParamComponent.ATTENTION_QK_NORMS)).isEqualTo(4 * qkNorms);
        assertThat(windows(spec(OLMO2))).containsOnly(0);
    }

    private static final String EXAONE4 = """
            {"model_type": "exaone4", "hidden_size": 64, "num_hidden_layers": 4, "num_attention_heads": 4,
             "num_key_value_heads": 2, "vocab_size": 100, "intermediate_size": 96, "attention_bias": true,
             "sliding_window": 8, "sliding_window_pattern": 4, "tie_word_embeddings": false}
            """;

    @Test
    void exaone4HasNoProjectionBiasesPerHeadQkNormsAndEveryFourthLayerFull() {
        // modeling_exaone4: q/k/v/o bias=False whatever attention_bias says; q_norm, k_norm RMSNorm(head_dim 16);
        // two post-norms; layer i slides unless (i + 1) % 4 == 0
        long expected = EMBEDDING + EMBEDDING + H + 4 * (ATTENTION + 2 * 16 + TWO_RMS_NORMS + DENSE_MLP);
        assertThat(count(EXAONE4).total()).isEqualTo(expected);
        assertThat(windows(spec(EXAONE4))).containsExactly(8, 8, 8, 0);
    }

    // ---- Gemma ---------------------------------------------------------------------------------------------------

    @Test
    void gemmaDefaultsHeadDimTo256AndTiesTheHead() {
        String json = """
                {"model_type": "gemma", "hidden_size": 64, "num_hidden_layers": 4, "num_attention_heads": 4,
                 "num_key_value_heads": 2, "vocab_size": 100, "intermediate_size": 96}
                """;
        // GemmaConfig: head_dim default 256 (not 64 / 4), tie_word_embeddings default True
        long attention = H * (4 * 256) + 2 * H * (2 * 256) + (4 * 256) * H;
        long expected = EMBEDDING + H + 4 * (attention + TWO_RMS_NORMS + DENSE_MLP);
        ParameterCount c = count(json);
        assertThat(c.total()).isEqualTo(expected);
        assertThat(c.total(ParamComponent.OUTPUT_HEAD)).isZero();
    }

    private static final String GEMMA3_TEXT_KEYS = """
            "hidden_size": 64, "num_hidden_layers": 8, "num_attention_heads": 4, "num_key_value_heads": 2,
             "head_dim": 16, "vocab_size": 100, "intermediate_size": 96, "sliding_window": 8""";

    /** Gemma 3 text above: per layer 4 RMSNorms of H, q_norm and k_norm of head_dim 16; tied; 8 layers. */
    private static final long GEMMA3_TEXT_TOTAL = EMBEDDING + H + 8 * (ATTENTION + 2 * 16 + 4 * H + DENSE_MLP);

    @Test
    void gemma3TextHasFourNormsPerHeadQkNormsAndEverySixthLayerGlobal() {
        String json = "{\"model_type\": \"gemma3_text\", " + GEMMA3_TEXT_KEYS + "}";
        // input, post_attention, pre_feedforward, post_feedforward layernorms; sliding_window_pattern default 6
        ParameterCount c = count(json);
        assertThat(c.total()).isEqualTo(GEMMA3_TEXT_TOTAL);
        assertThat(c.total(ParamComponent.LAYER_NORMS)).isEqualTo(8 * 4 * H);
        assertThat(c.total(ParamComponent.ATTENTION_QK_NORMS)).isEqualTo(8 * 2 * 16);
        assertThat(windows(spec(json))).containsExactly(8, 8, 8, 8, 8, 0, 8, 8);
    }

    @Test
    void gemma3MultimodalWrapperImportsItsTextConfigAndSaysSo() {
        String json = "{\"model_type\": \"gemma3\", \"text_config\": {\"model_type\": \"gemma3_text\", "
                + GEMMA3_TEXT_KEYS + "}, \"vision_config\": {\"hidden_size\": 32}}";
        HfConfigImporter.Imported imported = HfConfigImporter.importJson(json, "test");
        assertThat(Parameters.count(imported.spec()).total()).isEqualTo(GEMMA3_TEXT_TOTAL);
        assertThat(imported.assumptions()).anyMatch(a -> a.contains("vision tower"));
    }

    // ---- Granite -------------------------------------------------------------------------------------------------

    private static final String GRANITEMOE = """
            {"model_type": "granitemoe", "hidden_size": 64, "num_hidden_layers": 4, "num_attention_heads": 4,
             "num_key_value_heads": 2, "vocab_size": 100, "intermediate_size": 32, "num_local_experts": 4,
             "num_experts_per_tok": 2, "attention_bias": false, "tie_word_embeddings": true,
             "embedding_multiplier": 12.0, "logits_scaling": 6.0, "residual_multiplier": 0.22,
             "attention_multiplier": 0.015625}
            """;

    @Test
    void graniteMoeHasOnlyRoutedExpertsOfIntermediateSize() {
        // every layer MoE: router (E, H) no bias; experts gate_up (E, 2I, H), down (E, H, I) with I = 32; the
        // multipliers are scalars, not weights
        long layer = ATTENTION + TWO_RMS_NORMS + H * 4 + 4 * (2 * 32 * H + H * 32);
        long expected = EMBEDDING + H + 4 * layer; // tied
        ParameterCount c = count(GRANITEMOE);
        assertThat(c.total()).isEqualTo(expected);
        assertThat(c.active()).isEqualTo(expected - 4 * 2 * EXPERT);
        assertThat(c.total(ParamComponent.SHARED_EXPERTS)).isZero();
    }

    @Test
    void graniteMoeSharedAddsASharedMlpOfItsOwnWidth() {
        String json = GRANITEMOE
                .replace("\"granitemoe\"", "\"granitemoeshared\"")
                .replace(
                        "\"tie_word_embeddings\": true",
                        "\"tie_word_embeddings\": false, \"shared_intermediate_size\": 48");
        // shared_mlp: input_linear Linear(H, 2 x 48), output_linear Linear(48, H), no bias, no gate
        long shared = H * 2 * 48 + 48 * H;
        long layer = ATTENTION + TWO_RMS_NORMS + H * 4 + 4 * EXPERT + shared;
        long expected = EMBEDDING + EMBEDDING + H + 4 * layer;
        ParameterCount c = count(json);
        assertThat(c.total()).isEqualTo(expected);
        assertThat(c.total(ParamComponent.SHARED_EXPERTS)).isEqualTo(4 * shared);
        assertThat(c.active()).isEqualTo(expected - 4 * 2 * EXPERT);
        // shared_intermediate_size 0 (its default): no shared MLP
        String none = json.replace("\"shared_intermediate_size\": 48", "\"shared_intermediate_size\": 0");
        assertThat(count(none).total()).isEqualTo(expected - 4 * shared);
    }

    // ---- PhiMoE --------------------------------------------------------------------------------------------------

    private static final String PHIMOE = """
            {"model_type": "phimoe", "hidden_size": 64, "num_hidden_layers": 4, "num_attention_heads": 4,
             "num_key_value_heads": 2, "vocab_size": 100, "intermediate_size": 32, "num_local_experts": 4,
             "num_experts_per_tok": 2, "attention_bias": true, "sliding_window": 8, "tie_word_embeddings": false}
            """;

    /** PhiMoE above: biased q/k/v/o; two LayerNorms with bias per layer and a final one; router and 4 experts. */
    private static final long PHIMOE_TOTAL = EMBEDDING
            + EMBEDDING
            + 2 * H // final nn.LayerNorm: weight and bias
            + 4
                    * (linear(H, 64, true)
                            + 2 * linear(H, 32, true)
                            + linear(64, H, true)
                            + 2 * (2 * H) // input_layernorm, post_attention_layernorm: weight and bias
                            + H * 4
                            + 4 * EXPERT);

    @Test
    void phimoeHasLayerNormsWithBiasAndSlidesEveryLayer() {
        ParameterCount c = count(PHIMOE);
        assertThat(c.total()).isEqualTo(PHIMOE_TOTAL);
        assertThat(c.total(ParamComponent.FINAL_NORM)).isEqualTo(2 * H);
        assertThat(windows(spec(PHIMOE))).containsOnly(8);
    }

    @Test
    void phimoeLmHeadBiasAddsOneBiasPerVocabularyEntry() {
        // modeling_phimoe: lm_head = Linear(H, V, bias=config.lm_head_bias); Phi-3.5-MoE sets lm_head_bias true
        String json = PHIMOE.replace(
                "\"tie_word_embeddings\": false", "\"tie_word_embeddings\": false, \"lm_head_bias\": true");
        assertThat(count(json).total()).isEqualTo(PHIMOE_TOTAL + V);
    }

    // ---- Cohere --------------------------------------------------------------------------------------------------

    @Test
    void cohereHasOneBiaslessLayerNormPerLayerAndPerHeadQkNormsAcrossHeads() {
        String json = """
                {"model_type": "cohere", "hidden_size": 64, "num_hidden_layers": 4, "num_attention_heads": 4,
                 "num_key_value_heads": 2, "vocab_size": 100, "intermediate_size": 96, "use_qk_norm": true,
                 "logit_scale": 0.0625}
                """;
        // parallel block: one input_layernorm (CohereLayerNorm, weight only); q_norm weight (4, 16), k_norm (2, 16);
        // final norm weight only; tie_word_embeddings default True
        long qkNorms = 4 * 16 + 2 * 16;
        long expected = EMBEDDING + H + 4 * (ATTENTION + qkNorms + H + DENSE_MLP);
        ParameterCount c = count(json);
        assertThat(c.total()).isEqualTo(expected);
        assertThat(c.total(ParamComponent.LAYER_NORMS)).isEqualTo(4 * H);
        assertThat(c.total(ParamComponent.OUTPUT_HEAD)).isZero();
    }

    @Test
    void cohere2ForcesHeadDimToHiddenOverHeadsAndSlidesThreeLayersInFour() {
        String json = """
                {"model_type": "cohere2", "hidden_size": 64, "num_hidden_layers": 4, "num_attention_heads": 4,
                 "num_key_value_heads": 2, "head_dim": 32, "vocab_size": 100, "intermediate_size": 96,
                 "sliding_window": 8}
                """;
        // Cohere2Config.__post_init__: head_dim = 64 / 4 = 16 whatever the key says; no qk norm; one weight-only
        // LayerNorm per layer; tied by default; sliding_window_pattern default 4
        long expected = EMBEDDING + H + 4 * (ATTENTION + H + DENSE_MLP);
        assertThat(count(json).total()).isEqualTo(expected);
        assertThat(windows(spec(json))).containsExactly(8, 8, 8, 0);
    }

    // ---- StarCoder2, GPT-NeoX ------------------------------------------------------------------------------------

    @Test
    void starcoder2HasADenseMlpAndLayerNormsWithBiasesAndATiedHead() {
        String json = """
                {"model_type": "starcoder2", "hidden_size": 64, "num_hidden_layers": 4, "num_attention_heads": 4,
                 "num_key_value_heads": 2, "vocab_size": 100, "intermediate_size": 96, "sliding_window": 8,
                 "hidden_act": "gelu_pytorch_tanh"}
                """;
        // use_bias default True: q, k, v, o, c_fc (H -> 96) and c_proj (96 -> H) biased; LayerNorms with bias
        long attention = linear(H, 64, true) + 2 * linear(H, 32, true) + linear(64, H, true);
        long mlp = linear(H, 96, true) + linear(96, H, true);
        long expected = EMBEDDING + 2 * H + 4 * (attention + mlp + 2 * (2 * H)); // tied
        ParameterCount c = count(json);
        assertThat(c.total()).isEqualTo(expected);
        assertThat(c.total(ParamComponent.OUTPUT_HEAD)).isZero();
        assertThat(windows(spec(json))).containsOnly(8);
    }

    @Test
    void gptNeoxHasAFusedBiasedQkvAndABiasedDenseMlp() {
        String json = """
                {"model_type": "gpt_neox", "hidden_size": 64, "num_hidden_layers": 4, "num_attention_heads": 4,
                 "vocab_size": 100, "intermediate_size": 256, "hidden_act": "gelu", "rotary_pct": 0.25,
                 "tie_word_embeddings": false}
                """;
        // query_key_value Linear(H, 3H) and dense Linear(H, H), bias (attention_bias default True);
        // dense_h_to_4h and dense_4h_to_h with biases; two LayerNorms w+b; final LayerNorm w+b; embed_out untied
        long attention = linear(H, 3 * H, true) + linear(H, H, true);
        long mlp = linear(H, 256, true) + linear(256, H, true);
        long expected = EMBEDDING + EMBEDDING + 2 * H + 4 * (attention + mlp + 2 * (2 * H));
        assertThat(count(json).total()).isEqualTo(expected);
    }

    // ---- GLM-4.5 (glm4_moe) --------------------------------------------------------------------------------------

    private static final String GLM4_MOE = """
            {"model_type": "glm4_moe", "hidden_size": 64, "num_hidden_layers": 4, "num_attention_heads": 4,
             "num_key_value_heads": 2, "head_dim": 32, "vocab_size": 100, "intermediate_size": 96,
             "moe_intermediate_size": 32, "n_routed_experts": 4, "n_shared_experts": 1, "num_experts_per_tok": 2,
             "first_k_dense_replace": 1, "attention_bias": true, "use_qk_norm": false, "partial_rotary_factor": 0.5,
             "num_nextn_predict_layers": 1, "tie_word_embeddings": false}
            """;

    @Test
    void glm4MoeHasDenseFirstLayersSharedExpertsARouterBiasAndQkvBiasOnly() {
        // head_dim 32: q H -> 128, k and v H -> 64 with bias (attention_bias), o 128 -> H never biased
        long attention = linear(H, 128, true) + 2 * linear(H, 64, true) + linear(128, H, false);
        long router = linear(H, 4, true); // gate.weight (E, H) + e_score_correction_bias (E)
        long moe = router + 4 * EXPERT + EXPERT; // shared_experts of width 32 x n_shared_experts 1
        long moeLayer = attention + TWO_RMS_NORMS + moe;
        long expected = EMBEDDING + EMBEDDING + H + (attention + TWO_RMS_NORMS + DENSE_MLP) + 3 * moeLayer;
        TransformerSpec s = spec(GLM4_MOE);
        ParameterCount c = Parameters.count(s);
        assertThat(moeLayers(s)).containsExactly(false, true, true, true); // first_k_dense_replace 1
        assertThat(c.total()).isEqualTo(expected);
        assertThat(c.active()).isEqualTo(expected - 3 * 2 * EXPERT);
        // The MTP layer (num_nextn_predict_layers 1) is counted apart (ParameterCount.multiTokenPrediction): enorm,
        // hnorm and the shared head's norm (RMSNorm of H each), eh_proj 2H -> H, one layer like the last one;
        // embedding and head are shared and not counted again.
        assertThat(s.multiTokenPredictionModules()).isEqualTo(1);
        assertThat(c.multiTokenPrediction()).isEqualTo(3 * H + 2 * H * H + moeLayer);
    }

    @Test
    void glm4MoeQkNormIsPerHeadWhenOn() {
        // use_qk_norm: q_norm, k_norm RMSNorm(head_dim 32) in every layer
        long without = count(GLM4_MOE).total();
        String json = GLM4_MOE.replace("\"use_qk_norm\": false", "\"use_qk_norm\": true");
        assertThat(count(json).total()).isEqualTo(without + 4 * 2 * 32);
    }

    // ---- Llama 4 -------------------------------------------------------------------------------------------------

    private static final String LLAMA4_TEXT_KEYS = """
            "hidden_size": 64, "num_hidden_layers": 4, "num_attention_heads": 4, "num_key_value_heads": 2,
             "head_dim": 16, "vocab_size": 100, "intermediate_size": 32, "intermediate_size_mlp": 96,
             "num_local_experts": 4, "num_experts_per_tok": 1, "interleave_moe_layer_step": 2,
             "attention_chunk_size": 8, "use_qk_norm": true, "attention_bias": false, "tie_word_embeddings": false""";

    /**
     * Llama 4 text above: MoE on layers 1 and 3 (step 2): router (E, H), 4 experts and one shared expert of
     * intermediate_size 32; dense layers 0 and 2 of intermediate_size_mlp 96; L2 qk norm without weights.
     */
    private static final long LLAMA4_TOTAL = EMBEDDING
            + EMBEDDING
            + H
            + 4 * (ATTENTION + TWO_RMS_NORMS)
            + 2 * DENSE_MLP
            + 2 * (H * 4 + 4 * EXPERT + EXPERT);

    @Test
    void llama4TextInterleavesMoeLayersWithASharedExpertAndChunksTheRopeLayers() {
        String json = "{\"model_type\": \"llama4_text\", " + LLAMA4_TEXT_KEYS + "}";
        TransformerSpec s = spec(json);
        ParameterCount c = Parameters.count(s);
        assertThat(moeLayers(s)).containsExactly(false, true, false, true);
        assertThat(c.total()).isEqualTo(LLAMA4_TOTAL);
        assertThat(c.active()).isEqualTo(LLAMA4_TOTAL - 2 * 3 * EXPERT); // top-1 of 4 routed experts
        assertThat(c.total(ParamComponent.ATTENTION_QK_NORMS)).isZero();
        // no_rope_layer_interval 4: layers 0 to 2 use RoPE and chunked attention (window attention_chunk_size)
        assertThat(windows(s)).containsExactly(8, 8, 8, 0);
        // the multimodal wrapper reads the same text_config
        String wrapped = "{\"model_type\": \"llama4\", \"text_config\": {\"model_type\": \"llama4_text\", "
                + LLAMA4_TEXT_KEYS + "}}";
        assertThat(count(wrapped).total()).isEqualTo(LLAMA4_TOTAL);
    }

    @Test
    void llama4TextChunkSizeDefaultsTo8192() {
        // Llama4TextConfig: attention_chunk_size default 8192, layer_types default chunked_attention on RoPE layers
        String json = "{\"model_type\": \"llama4_text\", "
                + LLAMA4_TEXT_KEYS.replace("\"attention_chunk_size\": 8,", "") + "}";
        assertThat(json).doesNotContain("attention_chunk_size");
        assertThat(windows(spec(json))).containsExactly(8192, 8192, 8192, 0);
    }

    // ---- MiniMax-M2 ----------------------------------------------------------------------------------------------

    @Test
    void minimaxM2DefaultsHeadDimTo128NormsQkAcrossHeadsAndHasARouterBias() {
        String json = """
                {"model_type": "minimax_m2", "hidden_size": 64, "num_hidden_layers": 4, "num_attention_heads": 4,
                 "num_key_value_heads": 2, "vocab_size": 100, "intermediate_size": 32, "num_local_experts": 4,
                 "num_experts_per_tok": 2, "use_qk_norm": true, "rotary_dim": 64, "tie_word_embeddings": false}
                """;
        // head_dim default 128: q H -> 512, k and v H -> 256, o 512 -> H, no biases; q_norm RMSNorm(512),
        // k_norm RMSNorm(256); router (E, H) + e_score_correction_bias (E); experts of intermediate_size 32
        long attention = H * 512 + 2 * H * 256 + 512 * H;
        long layer = attention + (512 + 256) + TWO_RMS_NORMS + linear(H, 4, true) + 4 * EXPERT;
        long expected = EMBEDDING + EMBEDDING + H + 4 * layer;
        ParameterCount c = count(json);
        assertThat(c.total()).isEqualTo(expected);
        assertThat(c.active()).isEqualTo(expected - 4 * 2 * EXPERT);
    }

    // ---- DeepSeek-V2, Kimi K2 ------------------------------------------------------------------------------------

    @Test
    void deepseekV2WithoutQueryCompressionHasAQProjAndAGreedyRouterWithoutBias() {
        String json = """
                {"model_type": "deepseek_v2", "hidden_size": 64, "num_hidden_layers": 4, "num_attention_heads": 4,
                 "q_lora_rank": null, "kv_lora_rank": 16, "qk_nope_head_dim": 8, "qk_rope_head_dim": 4,
                 "v_head_dim": 8, "vocab_size": 100, "intermediate_size": 96, "moe_intermediate_size": 32,
                 "n_routed_experts": 4, "n_shared_experts": 2, "num_experts_per_tok": 2, "first_k_dense_replace": 1,
                 "moe_layer_freq": 1, "topk_method": "greedy", "tie_word_embeddings": false}
                """;
        // MLA: q_proj H -> 4 x (8 + 4); kv_a_proj_with_mqa H -> 16 + 4; kv_a_layernorm 16;
        // kv_b_proj 16 -> 4 x (8 + 8); o_proj 4 x 8 -> H; no biases
        long attention = H * 4 * 12 + H * (16 + 4) + 16 + 16 * 4 * (8 + 8) + 4 * 8 * H;
        // shared_experts: one MLP of width 32 x 2; router gate.weight (E, H) without bias
        long moe = H * 4 + 4 * EXPERT + 3 * H * (32 * 2);
        long expected = EMBEDDING
                + EMBEDDING
                + H
                + 4 * (attention + TWO_RMS_NORMS)
                + DENSE_MLP // first_k_dense_replace 1
                + 3 * moe;
        ParameterCount c = count(json);
        assertThat(c.total()).isEqualTo(expected);
        assertThat(c.total(ParamComponent.ROUTER)).isEqualTo(3 * H * 4);
        assertThat(c.total(ParamComponent.ATTENTION_QUERY)).isEqualTo(4 * H * 4 * 12);
        assertThat(c.active()).isEqualTo(expected - 3 * 2 * EXPERT);
    }

    @Test
    void kimiK2IsReadAsDeepseekV3() {
        String json = """
                {"model_type": "kimi_k2", "architectures": ["DeepseekV3ForCausalLM"], "hidden_size": 64,
                 "num_hidden_layers": 4, "num_attention_heads": 4, "q_lora_rank": 24, "kv_lora_rank": 16,
                 "qk_nope_head_dim": 8, "qk_rope_head_dim": 4, "v_head_dim": 8, "vocab_size": 100,
                 "intermediate_size": 96, "moe_intermediate_size": 32, "n_routed_experts": 4, "n_shared_experts": 1,
                 "num_experts_per_tok": 2, "first_k_dense_replace": 1, "topk_method": "noaux_tc",
                 "num_nextn_predict_layers": 0, "tie_word_embeddings": false}
                """;
        // MLA with query compression: q_a_proj H -> 24, q_a_layernorm 24, q_b_proj 24 -> 4 x 12;
        // kv_a_proj_with_mqa H -> 20, kv_a_layernorm 16, kv_b_proj 16 -> 4 x 16, o_proj 32 -> H
        long attention = H * 24 + 24 + 24 * 4 * 12 + H * 20 + 16 + 16 * 4 * 16 + 4 * 8 * H;
        // router (E, H) + e_score_correction_bias (E); 4 experts; one shared expert of width 32
        long moe = linear(H, 4, true) + 4 * EXPERT + EXPERT;
        long expected = EMBEDDING + EMBEDDING + H + 4 * (attention + TWO_RMS_NORMS) + DENSE_MLP + 3 * moe;
        ParameterCount c = count(json);
        assertThat(c.total()).isEqualTo(expected);
        assertThat(c.total(ParamComponent.ATTENTION_LATENT_NORMS)).isEqualTo(4 * (24 + 16));
        assertThat(c.multiTokenPrediction()).isZero();
    }

    // ---- Unknown families ----------------------------------------------------------------------------------------

    @Test
    void anUnknownModelTypeWithTheStandardKeysImportsAndListsWhatItAssumed() {
        String json = """
                {"model_type": "my_new_lm", "hidden_size": 64, "num_hidden_layers": 4, "num_attention_heads": 4,
                 "intermediate_size": 96, "vocab_size": 100}
                """;
        HfConfigImporter.Imported imported = HfConfigImporter.importJson(json, "test");
        // read as Llama: 4 KV heads (= heads), head_dim 64 / 4, no biases, untied
        long attention = 4 * H * H;
        long expected = EMBEDDING + EMBEDDING + H + 4 * (attention + TWO_RMS_NORMS + DENSE_MLP);
        assertThat(Parameters.count(imported.spec()).total()).isEqualTo(expected);
        assertThat(imported.assumptions())
                .isNotEmpty()
                .anyMatch(a -> a.contains("my_new_lm"))
                .anyMatch(a -> a.contains("num_key_value_heads"))
                .anyMatch(a -> a.contains("head_dim"))
                .anyMatch(a -> a.contains("attention_bias"))
                .anyMatch(a -> a.contains("tie_word_embeddings"));
    }

    @Test
    void anUnknownModelTypeWithoutTheStandardKeysIsRefusedNamingThem() {
        assertThatThrownBy(() -> spec("{\"model_type\": \"my_new_lm\", \"hidden_size\": 64, \"vocab_size\": 100}"))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessageContaining("my_new_lm")
                .hasMessageContaining("num_hidden_layers")
                .hasMessageContaining("num_attention_heads")
                .hasMessageContaining("intermediate_size")
                .satisfies(e ->
                        assertThat(e.getMessage()).doesNotContain("hidden_size").doesNotContain("vocab_size"));
    }

    // ---- Broken configs ------------------------------------------------------------------------------------------

    @Test
    void aBrokenVisionTowerIsNamedUnderVisionConfig() {
        String mistral3 = """
                {"model_type": "mistral3", "text_config": {"model_type": "mistral", "hidden_size": 64,
                 "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 96, "vocab_size": 100},
                 "vision_config": {"model_type": "pixtral", "hidden_size": "wide"}}
                """;
        assertThatThrownBy(() -> spec(mistral3))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessageContaining("vision_config.hidden_size")
                .hasMessageContaining("wide");
        String qwen = """
                {"model_type": "qwen3_5", "text_config": {"hidden_size": 64, "num_hidden_layers": 4,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16, "intermediate_size": 96,
                 "vocab_size": 100}, "vision_config": {"depth": 0}}
                """;
        assertThatThrownBy(() -> spec(qwen)).hasMessageContaining("vision_config.depth = 0");
        String kimi = """
                {"model_type": "kimi_k25", "text_config": {"model_type": "kimi_k2"},
                 "vision_config": {"vt_hidden_size": 1152}}
                """;
        assertThatThrownBy(() -> spec(kimi)).hasMessageContaining("hidden_size").hasMessageContaining("missing");
    }

    @Test
    void layerTypesOfTheWrongLengthAreNamed() {
        String json = GPT_OSS.replace("\"full_attention\"]", "\"full_attention\", \"full_attention\"]");
        assertThatThrownBy(() -> spec(json))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessageContaining("layer_types")
                .hasMessageContaining("num_hidden_layers = 4");
    }

    @Test
    void anUnknownLayerTypeIsNamed() {
        String json = GPT_OSS.replace(
                "[\"sliding_attention\", \"full_attention\",", "[\"linear_attention\", \"full_attention\",");
        assertThat(json).contains("linear_attention");
        assertThatThrownBy(() -> spec(json))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessageContaining("layer_types")
                .hasMessageContaining("linear_attention");
    }

    @Test
    void moreExpertsPerTokenThanExpertsIsNamed() {
        String json = QWEN3_MOE.replace("\"num_experts_per_tok\": 2", "\"num_experts_per_tok\": 5");
        assertThatThrownBy(() -> spec(json))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessageContaining("num_experts_per_tok = 5");
    }

    @Test
    void mlpOnlyLayersThatIsNotAListIsNamed() {
        String json = QWEN2_MOE.replace("\"mlp_only_layers\": [3]", "\"mlp_only_layers\": 3");
        assertThatThrownBy(() -> spec(json))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessageContaining("mlp_only_layers")
                .satisfies(e -> assertThat(((InvalidFieldException) e).field()).isEqualTo("mlp_only_layers"));
    }

    @Test
    void hybridLayerPatternsThatCannotBeReadNameTheirKey() {
        String nemotron = """
                {"model_type": "nemotron_h", "hidden_size": 64, "num_attention_heads": 4, "num_key_value_heads": 2,
                 "head_dim": 16, "vocab_size": 100, "intermediate_size": 96, "mamba_num_heads": 8, "mamba_head_dim": 16,
                 "n_groups": 2, "ssm_state_size": 16, "conv_kernel": 4, "hybrid_override_pattern": "M-*X"}
                """;
        assertThatThrownBy(() -> spec(nemotron))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessageContaining("hybrid_override_pattern")
                .hasMessageContaining("M (Mamba)");
        assertThatThrownBy(() -> spec(nemotron.replace("\"M-*X\"", "\"M-*E\", \"moe_latent_size\": 32")))
                .hasMessageContaining("moe_latent_size");
        // a valid pattern: one Mamba-2, one ReLU-squared MLP, one attention layer, each with one RMSNorm
        TransformerSpec ok = spec(nemotron.replace("\"M-*X\"", "\"M-*\""));
        assertThat(ok.layerCount()).isEqualTo(3);
        assertThat(ok.layers().get(0).kind().attention()).isInstanceOf(dev.strata.model.StateSpaceMixer.class);
        assertThat(ok.layers().get(1).kind().attention()).isInstanceOf(dev.strata.model.NoMixer.class);
        assertThat(ok.layers().get(2).kind().feedForward()).isInstanceOf(dev.strata.model.NoFeedForward.class);
        String qwen3Next = """
                {"model_type": "qwen3_next", "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
                 "num_key_value_heads": 2, "head_dim": 16, "vocab_size": 100, "intermediate_size": 96,
                 "num_experts": 4, "num_experts_per_tok": 2, "moe_intermediate_size": 32,
                 "shared_expert_intermediate_size": 32, "layer_types": ["linear_attention", "sliding"]}
                """;
        assertThatThrownBy(() -> spec(qwen3Next))
                .hasMessageStartingWith("layer_types = \"sliding\" is not allowed")
                .hasMessageContaining("full_attention or linear_attention");
    }

    @Test
    void deepseekV32AddsTheLightningIndexerToEveryLayerAndCachesItsKeys() throws Exception {
        // DeepSeek-V3.2 is DeepSeek-V3's shape plus, in every layer, modeling_deepseek_v32's Indexer: wq_b
        // q_lora_rank -> index_n_heads x index_head_dim, wk hidden -> index_head_dim, k_norm (LayerNorm with bias),
        // weights_proj hidden -> index_n_heads; all without bias. Here V3's config.json with the V3.2 type and keys.
        var v3 = (com.fasterxml.jackson.databind.node.ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(TestData.path("hf-configs/deepseek-v3.json").toFile());
        var v32 = v3.deepCopy()
                .put("model_type", "deepseek_v32")
                .put("index_n_heads", 64)
                .put("index_head_dim", 128)
                .put("index_topk", 2048);
        TransformerSpec dense = HfConfigImporter.fromNode(v3, "v3"), sparse = HfConfigImporter.fromNode(v32, "v32");
        long indexer = 1536L * 64 * 128 + 7168L * 128 + 2 * 128 + 7168L * 64; // per layer, by hand
        assertThat(Parameters.count(sparse).total() - Parameters.count(dense).total())
                .isEqualTo(61 * indexer);
        assertThat(Parameters.count(sparse).total(ParamComponent.ATTENTION_INDEXER))
                .isEqualTo(61 * indexer);
        // each token caches its 128-element index key per layer beside the 576-element latent: 61 x 704 x 2 bytes
        assertThat(dev.strata.estimator.memory.KvCache.bytesPerToken(sparse, dev.strata.model.NumericFormat.BF16))
                .isEqualTo(61L * (576 + 128) * 2);
        // without q_lora_rank the indexer has no query input: refused naming the key
        var noRank = v32.deepCopy();
        noRank.remove("q_lora_rank");
        assertThatThrownBy(() -> HfConfigImporter.fromNode(noRank, "x")).hasMessageContaining("q_lora_rank");
    }

    @Test
    void falconSharesOneKeyAndValueHeadOrHasItsOwnGroupsByArchitecture() {
        // modeling_falcon, by hand. Falcon-7B's shape: hidden 4544, 71 heads of 64, multi_query (query_key_value
        // 4544 -> 4544 + 2 x 64), dense 4544 x 4544, MLP 4 x 4544 without biases, one LayerNorm (weight and bias) per
        // layer, tied; 32 layers, vocabulary 65024; final ln_f
        String falcon7b = """
                {"model_type": "falcon", "hidden_size": 4544, "num_attention_heads": 71, "num_hidden_layers": 32,
                 "vocab_size": 65024, "multi_query": true, "parallel_attn": true, "bias": false}
                """;
        long layer = 4544L * (4544 + 128) + 4544L * 4544 + 2 * 4544L * 18_176 + 2 * 4544;
        assertThat(count(falcon7b).total()).isEqualTo(65_024L * 4544 + 32 * layer + 2 * 4544);
        // new_decoder_architecture (Falcon-40B): 8 key/value groups and two LayerNorms (ln_attn, ln_mlp) per layer
        String falcon40b = """
                {"model_type": "falcon", "hidden_size": 8192, "num_attention_heads": 128, "num_kv_heads": 8,
                 "num_hidden_layers": 60, "vocab_size": 65024, "new_decoder_architecture": true, "bias": false}
                """;
        long layer40 = 8192L * (8192 + 2 * 8 * 64) + 8192L * 8192 + 2 * 8192L * 32_768 + 2 * 2 * 8192;
        assertThat(count(falcon40b).total()).isEqualTo(65_024L * 8192 + 60 * layer40 + 2 * 8192);
    }

    @Test
    void qwen35HasQwen3NextLayersWithADenseMlpOrExpertsInEveryLayer() {
        // modeling_qwen3_5: in_proj_qkv (2 keys + values), in_proj_z (values), in_proj_b and in_proj_a (value heads)
        // hold the same weights as Qwen3-Next's in_proj_qkvz and in_proj_ba; every fourth layer gated full attention.
        // Qwen3.5-MoE: Qwen3-Next's experts with the gated shared expert in every layer. Inside the multimodal
        // wrapper, the text_config is the language model (the vision tower is not counted, and the import says so).
        String text = """
                "hidden_size": 64, "num_hidden_layers": 4, "num_attention_heads": 4, "num_key_value_heads": 2,
                "head_dim": 16, "vocab_size": 100, "linear_num_key_heads": 2, "linear_num_value_heads": 4,
                "linear_key_head_dim": 16, "linear_value_head_dim": 16, "linear_conv_kernel_dim": 4,
                "num_experts": 4, "num_experts_per_tok": 2, "moe_intermediate_size": 32, "shared_expert_intermediate_size": 48
                """;
        String moe = "{\"model_type\": \"qwen3_5_moe\", \"text_config\": {\"model_type\": \"qwen3_5_moe_text\", " + text
                + "}}";
        String next =
                "{\"model_type\": \"qwen3_next\", \"decoder_sparse_step\": 1, \"intermediate_size\": 96, " + text + "}";
        ParameterCount m = count(moe), n = count(next);
        // the same layers; Qwen3-Next also has its MTP block, counted apart
        assertThat(m.total()).isEqualTo(n.total());
        assertThat(m.multiTokenPrediction()).isZero();
        assertThat(HfConfigImporter.importJson(moe, "x").assumptions()).anyMatch(a -> a.contains("vision tower"));
        // dense: the experts' layers replaced by a gated MLP of 96 in every layer
        String dense = "{\"model_type\": \"qwen3_5_text\", \"intermediate_size\": 96, " + text + "}";
        long experts = 4 * (3 * 64L * 32) + 64L * 4 + 3 * 64L * 48 + 64; // routed, router, shared, shared gate
        assertThat(count(dense).total()).isEqualTo(m.total() - 4 * experts + 4 * (3 * 64L * 96));
    }

    @Test
    void glm5RunsTheIndexerOnlyInItsFullLayersAndSharesTheTopKInTheOthers() throws Exception {
        // modeling_glm_moe_dsa: DeepSeek-V3.2's layers; indexer_types "shared" layers run no indexer (no weights, no
        // index keys) and attend to the previous full layer's top-k; index_n_heads defaults to 32. Here V3's shape
        // with the pattern F, S alternating over its 61 layers: 31 full layers.
        var v3 = (com.fasterxml.jackson.databind.node.ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(TestData.path("hf-configs/deepseek-v3.json").toFile());
        var glm = v3.deepCopy()
                .put("model_type", "glm_moe_dsa")
                .put("index_head_dim", 128)
                .put("index_topk", 2048)
                .put("index_topk_pattern", "FS".repeat(30) + "F");
        TransformerSpec spec = HfConfigImporter.fromNode(glm, "glm");
        long indexer = 1536L * 32 * 128 + 7168L * 128 + 2 * 128 + 7168L * 32; // per full layer, 32 heads, by hand
        assertThat(Parameters.count(spec).total()
                        - Parameters.count(HfConfigImporter.fromNode(v3, "v3")).total())
                .isEqualTo(31 * indexer);
        // index keys only in the full layers: 31 x 128 bf16 values a token beside every layer's 576-value latent
        assertThat(dev.strata.estimator.memory.KvCache.bytesPerToken(spec, dev.strata.model.NumericFormat.BF16))
                .isEqualTo((61L * 576 + 31 * 128) * 2);
        // by frequency: with index_topk_freq 4 and the default offset 2, layers 0 to 1 and every fourth from 1 run one
        var byFreq = v3.deepCopy().put("model_type", "glm_moe_dsa").put("index_topk_freq", 4);
        long full = java.util.stream.IntStream.range(0, 61)
                .filter(i -> Math.max(i - 1, 0) % 4 == 0)
                .count();
        assertThat(Parameters.count(HfConfigImporter.fromNode(byFreq, "f")).total(ParamComponent.ATTENTION_INDEXER))
                .isEqualTo(full * indexer);
        assertThatThrownBy(() -> HfConfigImporter.fromNode(
                        v3.deepCopy().put("model_type", "glm_moe_dsa").put("index_topk_pattern", "FX"), "x"))
                .hasMessageContaining("index_topk_pattern");
    }

    @Test
    void jambaInterleavesAttentionWithMamba1AndExpertsWithMlps() {
        // modeling_jamba, by hand: hidden 64, 4 layers; attention where i % 2 == 1 (4 heads, 2 KV heads of 16),
        // Mamba-1 elsewhere (inner 2 x 64, state 16, kernel 4, dt rank "auto" = ceil(64 / 16) = 4); experts where
        // i % 2 == 0 (4 of a gated MLP of 96, top 2); two RMSNorms per layer
        String jamba = """
                {"model_type": "jamba", "hidden_size": 64, "num_hidden_layers": 4, "num_attention_heads": 4,
                 "num_key_value_heads": 2, "vocab_size": 100, "intermediate_size": 96, "num_experts": 4,
                 "num_experts_per_tok": 2, "attn_layer_period": 2, "attn_layer_offset": 1, "expert_layer_period": 2,
                 "expert_layer_offset": 0, "mamba_d_state": 16, "mamba_d_conv": 4, "mamba_expand": 2,
                 "mamba_dt_rank": "auto"}
                """;
        // in_proj 64 x 256, x_proj 128 x (4 + 32), dt_proj 4 x 128 with bias, out_proj 128 x 64; convolution 128 x 4
        // with bias, A_log 128 x 16, D 128, dt/b/c norms 4 + 16 + 16
        long mamba = 64 * 256 + 128 * 36 + (4 * 128 + 128) + 128 * 64 + (128 * 4 + 128) + 128 * 16 + 128 + 36;
        long attention = 64 * 64 + 2 * 64 * 32 + 64 * 64;
        long mlp = 3 * 64 * 96, moe = 64 * 4 + 4 * mlp;
        long expected = 2 * (mamba + moe) + 2 * (attention + mlp) + 4 * 2 * 64 + 2 * 100 * 64 + 64;
        assertThat(count(jamba).total()).isEqualTo(expected);
        // each Mamba layer keeps 128 x 16 fp32 state and 128 x 3 convolution inputs in bf16 per sequence
        assertThat(dev.strata.estimator.memory.KvCache.stateBytesPerSequence(
                        spec(jamba), dev.strata.model.NumericFormat.BF16))
                .isEqualTo(2 * (128 * 16 * 4 + 128 * 3 * 2));
    }

    @Test
    void falconH1RunsMamba2BesideTheAttentionInEveryLayer() {
        // modeling_falcon_h1, by hand, on Falcon-H1-Tiny-90M's shape (hidden 512, 24 layers, 8 heads and 2 KV heads of
        // 64, gated MLP of 768, vocabulary 32768, tied; Mamba inner 768 in 24 heads of 32, 1 group, state 64, kernel 4)
        String tiny = """
                {"model_type": "falcon_h1", "hidden_size": 512, "num_hidden_layers": 24, "num_attention_heads": 8,
                 "num_key_value_heads": 2, "head_dim": 64, "intermediate_size": 768, "vocab_size": 32768,
                 "tie_word_embeddings": true, "mamba_d_ssm": 768, "mamba_n_heads": 24, "mamba_d_head": 32,
                 "mamba_n_groups": 1, "mamba_d_state": 64, "mamba_d_conv": 4, "mamba_expand": 2}
                """;
        long attention = 512 * 512 + 2 * 512 * 128 + 512 * 512;
        // conv_dim = 768 + 2 x 64 = 896: a depthwise convolution of 896 x 4 with bias (mamba_conv_bias defaults
        // true); in_proj 512 -> 768 + 896 + 24 without bias; dt_bias, A_log, D per head; no gated norm
        // (mamba_rms_norm defaults false); out_proj 768 -> 512 without bias (projectors_bias defaults false)
        long mamba = (896 * 4 + 896) + 512L * (768 + 896 + 24) + 3 * 24 + 768 * 512;
        long mlp = 3 * 512 * 768;
        long layer = attention + mamba + mlp + 2 * 512;
        long expected = 24 * layer + 32768L * 512 + 512;
        assertThat(expected).as("the shape of a 90M model").isEqualTo(91_131_072L);
        assertThat(count(tiny).total()).isEqualTo(expected);
        // per sequence, each layer keeps 768 x 64 fp32 state and 896 x 3 convolution inputs in bf16 beside its
        // growing KV cache of 2 x 2 heads x 64 per token
        assertThat(dev.strata.estimator.memory.KvCache.stateBytesPerSequence(
                        spec(tiny), dev.strata.model.NumericFormat.BF16))
                .isEqualTo(24L * (768 * 64 * 4 + 896 * 3 * 2));
        assertThat(dev.strata.estimator.memory.KvCache.bytesPerToken(spec(tiny), dev.strata.model.NumericFormat.BF16))
                .isEqualTo(24L * 2 * 2 * 64 * 2);

        // the gated norm and both biases when the config asks for them; mamba_d_head "auto" = 768 / 24
        String withNorm = tiny.replace("\"mamba_d_head\": 32", "\"mamba_d_head\": \"auto\"")
                .replace(
                        "\"mamba_expand\": 2",
                        "\"mamba_rms_norm\": true, \"mamba_proj_bias\": true, \"projectors_bias\": true");
        assertThat(count(withNorm).total()).isEqualTo(expected + 24L * (768 + (768 + 896 + 24) + 512));
    }

    @Test
    void falconH1ErrorsNameTheMambaKey() {
        String bad = """
                {"model_type": "falcon_h1", "hidden_size": 512, "num_hidden_layers": 2, "num_attention_heads": 8,
                 "intermediate_size": 768, "vocab_size": 100, "mamba_d_ssm": 768, "mamba_n_heads": 24,
                 "mamba_d_head": 30}
                """;
        assertThatThrownBy(() -> spec(bad))
                .isInstanceOf(dev.strata.model.InvalidFieldException.class)
                .hasMessageContaining("mamba_d_head")
                .hasMessageContaining("30");
        String indivisible =
                bad.replace("\"mamba_d_head\": 30", "\"mamba_n_heads\": 25").replace("\"mamba_n_heads\": 24,", "");
        assertThatThrownBy(() -> spec(indivisible)).hasMessageContaining("mamba_n_heads");
    }
}
