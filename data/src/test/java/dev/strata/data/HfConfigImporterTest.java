package dev.strata.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.estimator.params.ParamComponent;
import dev.strata.estimator.params.ParameterCount;
import dev.strata.estimator.params.Parameters;
import dev.strata.model.InvalidFieldException;
import dev.strata.model.LatentAttention;
import dev.strata.model.MultiHeadAttention;
import dev.strata.model.ProjectionBiases;
import dev.strata.model.TransformerSpec;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class HfConfigImporterTest {

    /** docs/architecture.md, "Exact parameter counts": the weights in the published checkpoints. Tolerance 0. */
    static Stream<Arguments> publishedCounts() {
        return Stream.of(
                Arguments.of("gpt2.json", 124_439_808L, 124_439_808L),
                Arguments.of("llama-2-7b.json", 6_738_415_616L, 6_738_415_616L),
                Arguments.of("llama-3-8b.json", 8_030_261_248L, 8_030_261_248L),
                Arguments.of("llama-3.1-70b.json", 70_553_706_496L, 70_553_706_496L),
                Arguments.of("mistral-7b-v0.1.json", 7_241_732_096L, 7_241_732_096L),
                Arguments.of("mixtral-8x7b-v0.1.json", 46_702_792_704L, 12_879_925_248L),
                Arguments.of("qwen2.5-7b.json", 7_615_616_512L, 7_615_616_512L));
    }

    @ParameterizedTest(name = "{0} imports to exactly {1} parameters")
    @MethodSource("publishedCounts")
    void everySharedConfigImportsToItsPublishedCount(String file, long total, long active) {
        ParameterCount c = Parameters.count(HfConfigImporter.fromFile(TestData.path("hf-configs/" + file)));
        assertThat(c.total()).isEqualTo(total);
        assertThat(c.active()).isEqualTo(active);
    }

    @Test
    void deepSeekV3ImportsToAbout671BTotalAnd37BActive() {
        // Model card: "671B total, 37B activated" (rounded). Exact figures are ours; see ParametersTest for the terms.
        TransformerSpec spec = HfConfigImporter.fromFile(TestData.path("hf-configs/deepseek-v3.json"));
        ParameterCount c = Parameters.count(spec);
        assertThat(c.total()).isEqualTo(671_026_419_200L);
        assertThat(c.active()).isEqualTo(37_552_297_472L);
        assertThat(spec.layers()).hasSize(2); // 3 dense layers, then 58 MoE layers
        assertThat(spec.layers().get(0).count()).isEqualTo(3);
        assertThat(spec.multiTokenPredictionModules()).isEqualTo(1);
        assertThat(spec.layers().get(0).kind().attention())
                .isEqualTo(new LatentAttention(128, 1536, 512, 128, 64, 128));
        assertThat(c.total(ParamComponent.ROUTER)).isEqualTo(58L * (256 * 7168 + 256));
    }

    @Test
    void familyFactsComeThroughTheImport() {
        TransformerSpec qwen = HfConfigImporter.fromFile(TestData.path("hf-configs/qwen2.5-7b.json"));
        assertThat(((MultiHeadAttention) qwen.lastLayerKind().attention()).biases())
                .isEqualTo(ProjectionBiases.QKV);
        assertThat(qwen.lastLayerKind().slidingWindow()).isZero(); // use_sliding_window false
        TransformerSpec mistral = HfConfigImporter.fromFile(TestData.path("hf-configs/mistral-7b-v0.1.json"));
        assertThat(mistral.lastLayerKind().slidingWindow()).isEqualTo(4096);
        TransformerSpec gpt2 = HfConfigImporter.fromFile(TestData.path("hf-configs/gpt2.json"));
        assertThat(gpt2.tiedEmbeddings()).isTrue();
        assertThat(gpt2.contextLength()).isEqualTo(1024);
    }

    @Test
    void gemma2AlternatesLocalAndGlobalLayersAndIsTied() {
        // modeling_gemma2: layer i is sliding when i is even. Gemma-2-9B: 9,241,705,984 weights (published checkpoint).
        TransformerSpec g = PresetCatalog.get("gemma-2-9b").spec();
        assertThat(g.layers()).hasSize(42);
        assertThat(g.layers().get(0).kind().slidingWindow()).isEqualTo(4096);
        assertThat(g.layers().get(1).kind().slidingWindow()).isZero();
        assertThat(g.tiedEmbeddings()).isTrue();
        assertThat(g.norms().perLayer()).isEqualTo(4);
        assertThat(Parameters.count(g).total()).isEqualTo(9_241_705_984L);
    }

    @Test
    void qwen3HasPerHeadQueryAndKeyNorms() {
        // Qwen3-8B: q_norm and k_norm of head_dim 128 per layer; published checkpoint 8,190,735,360 weights.
        ParameterCount c = Parameters.count(PresetCatalog.get("qwen3-8b").spec());
        assertThat(c.total(ParamComponent.ATTENTION_QK_NORMS)).isEqualTo(36L * 2 * 128);
        assertThat(c.total()).isEqualTo(8_190_735_360L);
    }

    @Test
    void phi3FusedProjectionsCountLikeSeparateOnes() {
        // Phi-3-mini-4k: qkv_proj 3072x9216 and gate_up_proj 3072x16384; published checkpoint 3,821,079,552 weights.
        assertThat(Parameters.count(PresetCatalog.get("phi-3-mini").spec()).total())
                .isEqualTo(3_821_079_552L);
    }

    @Test
    void aConfigSavedWithAByteOrderMarkImportsLikeWithout(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        // Found running the command line on odd files: a UTF-8 BOM made the file "not valid JSON at line 1, column 1".
        java.nio.file.Path bom = dir.resolve("llama-3-8b.json");
        java.nio.file.Files.writeString(
                bom, "\uFEFF" + java.nio.file.Files.readString(TestData.path("hf-configs/llama-3-8b.json")));
        // Llama-3-8B: 8,030,261,248 (docs/architecture.md); exact
        assertThat(Parameters.count(HfConfigImporter.fromFile(bom)).total()).isEqualTo(8_030_261_248L);
    }

    @Test
    void anUnknownModelTypeWithoutTheStandardKeysNamesThemAndTheKnownFamilies() {
        assertThatThrownBy(() -> HfConfigImporter.fromJson("{\"model_type\": \"bert\", \"hidden_size\": 768}", "x"))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessageStartingWith(
                        "model_type = \"bert\" has no mapping in strata and the config lacks the standard"
                                + " keys num_hidden_layers, num_attention_heads, intermediate_size, vocab_size")
                .hasMessageContaining("known families: gpt2, llama,")
                .hasMessageContaining("deepseek_v3");
        assertThatThrownBy(() -> HfConfigImporter.fromJson("{\"hidden_size\": 8}", "x"))
                .hasMessageStartingWith("config key model_type is missing");
    }

    @Test
    void latentAttentionWithoutAnyQueryKeyWidthNamesTheConfigKeys() throws Exception {
        // DeepSeek-V3's config with no per-head query/key width at all (nope + rope = 0): the error names the config's
        // keys,
        // not the spec's (it said attention.qkNopeHeadDim before)
        String config = java.nio.file.Files.readString(TestData.path("hf-configs/deepseek-v3.json"))
                .replaceAll("\"qk_nope_head_dim\"\\s*:\\s*\\d+", "\"qk_nope_head_dim\": 0")
                .replaceAll("\"qk_rope_head_dim\"\\s*:\\s*\\d+", "\"qk_rope_head_dim\": 0");
        assertThatThrownBy(() -> HfConfigImporter.fromJson(config, "x"))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessage(
                        "qk_nope_head_dim = 0 is not allowed: must be such that qk_nope_head_dim + qk_rope_head_dim >= 1 (qk_rope_head_dim = 0)");
    }

    @Test
    void missingAndIllTypedKeysAreNamed() {
        String base =
                "{\"model_type\":\"llama\",\"hidden_size\":64,\"intermediate_size\":128,\"num_hidden_layers\":2,\"num_attention_heads\":4,\"vocab_size\":100";
        assertThat(Parameters.count(HfConfigImporter.fromJson(base + "}", "ok")).total())
                .isPositive();
        assertThatThrownBy(() -> HfConfigImporter.fromJson(base.replace(",\"intermediate_size\":128", "") + "}", "x"))
                .hasMessage("config key intermediate_size is missing: it must be an integer from 1 to 4194304");
        assertThatThrownBy(() -> HfConfigImporter.fromJson(
                        base.replace("\"hidden_size\":64", "\"hidden_size\":\"64\"") + "}", "x"))
                .hasMessage("hidden_size = \"64\" is not allowed: must be an integer from 1 to 4194304");
        assertThatThrownBy(() -> HfConfigImporter.fromJson(
                        base.replace("\"hidden_size\":64", "\"hidden_size\":64.5") + "}", "x"))
                .hasMessageStartingWith("hidden_size = 64.5");
        assertThatThrownBy(() -> HfConfigImporter.fromJson(
                        base.replace("\"hidden_size\":64", "\"hidden_size\":1e30") + "}", "x"))
                .hasMessageStartingWith("hidden_size = 1.0E30");
        assertThatThrownBy(() -> HfConfigImporter.fromJson(base + ",\"tie_word_embeddings\":\"yes\"}", "x"))
                .hasMessage("tie_word_embeddings = \"yes\" is not allowed: must be true or false");
    }

    @Test
    void zeroAndNegativeSizesAreRejected() {
        String base =
                "{\"model_type\":\"llama\",\"hidden_size\":64,\"intermediate_size\":128,\"num_hidden_layers\":2,\"num_attention_heads\":4,\"vocab_size\":100}";
        assertThatThrownBy(() -> HfConfigImporter.fromJson(
                        base.replace("\"num_hidden_layers\":2", "\"num_hidden_layers\":0"), "x"))
                .hasMessage("num_hidden_layers = 0 is not allowed: must be an integer from 1 to 100000");
        assertThatThrownBy(
                        () -> HfConfigImporter.fromJson(base.replace("\"vocab_size\":100", "\"vocab_size\":-3"), "x"))
                .hasMessageStartingWith("vocab_size = -3 is not allowed");
    }

    @Test
    void headsMustDivideHiddenWhenNoHeadDimIsGiven() {
        String cfg =
                "{\"model_type\":\"llama\",\"hidden_size\":100,\"intermediate_size\":128,\"num_hidden_layers\":2,\"num_attention_heads\":3,\"vocab_size\":100}";
        assertThatThrownBy(() -> HfConfigImporter.fromJson(cfg, "x"))
                .hasMessage(
                        "num_attention_heads = 3 is not allowed: must be a divisor of hidden_size = 100 when the config gives no head_dim");
        // with an explicit head_dim the same shape is fine (head size may differ from hidden / heads)
        assertThat(HfConfigImporter.fromJson(cfg.replace("}", ",\"head_dim\":32}"), "x")
                        .hiddenSize())
                .isEqualTo(100);
    }

    @Test
    void kvHeadsMustDivideHeadsAndTopKMustNotExceedExperts() {
        String llama =
                "{\"model_type\":\"llama\",\"hidden_size\":64,\"intermediate_size\":128,\"num_hidden_layers\":2,\"num_attention_heads\":4,\"num_key_value_heads\":3,\"vocab_size\":100}";
        assertThatThrownBy(() -> HfConfigImporter.fromJson(llama, "x"))
                .hasMessage("num_key_value_heads = 3 is not allowed: must be a divisor of num_attention_heads = 4");
        String mixtral = llama.replace("\"llama\"", "\"mixtral\"")
                .replace("\"num_key_value_heads\":3", "\"num_key_value_heads\":2")
                .replace("}", ",\"num_local_experts\":4,\"num_experts_per_tok\":5}");
        assertThatThrownBy(() -> HfConfigImporter.fromJson(mixtral, "x"))
                .hasMessage(
                        "num_experts_per_tok = 5 is not allowed: must be an integer from 1 to the number of experts, 4");
    }

    @Test
    void malformedJsonIsAClearError() {
        assertThatThrownBy(() -> HfConfigImporter.fromJson("{\"model_type\": \"llama\", \"hidden_size\": ", "x"))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessageStartingWith("config is not valid JSON at line 1")
                .satisfies(e -> assertThat(((InvalidFieldException) e).field()).isEqualTo("config"));
        assertThatThrownBy(() -> HfConfigImporter.fromJson("[1, 2]", "x")).hasMessageStartingWith("config = \"array\"");
        assertThatThrownBy(() -> HfConfigImporter.fromJson("", "x")).hasMessageStartingWith("config = \"empty\"");
    }

    @Test
    void aMissingFileNamesTheModelOption() {
        assertThatThrownBy(() -> PresetCatalog.resolve("no/such/config.json"))
                .hasMessageStartingWith("model = \"no/such/config.json\" is not allowed");
        assertThatThrownBy(() -> PresetCatalog.resolve("llama-9000")).hasMessageContaining("a preset id (gpt2, ");
    }

    private static HfConfigImporter.Imported withQuantization(String quantization) {
        String llama = "{\"model_type\": \"llama\", \"hidden_size\": 256, \"num_hidden_layers\": 2,"
                + " \"num_attention_heads\": 4, \"intermediate_size\": 512, \"vocab_size\": 1000"
                + (quantization == null ? "" : ", " + quantization) + "}";
        return HfConfigImporter.importJson(llama, "q");
    }

    @Test
    void theCheckpointsWeightFormatIsReadFromQuantizationConfigOrTorchDtype() {
        // Kimi K2 / DeepSeek-V3 FP8 checkpoints: e4m3 weights, one fp32 weight_scale_inv per 128 x 128 block
        var kimi = HfConfigImporter.importFile(TestData.path("hf-configs/kimi-k2-instruct.json"));
        assertThat(kimi.weights().id()).isEqualTo("fp8-b128x128");
        assertThat(kimi.weights().bits()).isEqualTo(8);
        // a 7168 x 2048 matrix: 14,680,064 bytes of fp8 and 56 x 16 blocks of 4 bytes = 3,584 bytes of scales; exact
        assertThat(kimi.weights().bytesFor(7168L * 2048)).isEqualTo(7168L * 2048 + 56 * 16 * 4);
        assertThat(kimi.weightsSource()).contains("quantization_config").contains("128 x 128");
        // bitsandbytes 4-bit NF4 with double quantisation, 8-bit, AWQ/GPTQ 4-bit with their group size
        assertThat(withQuantization(
                                "\"quantization_config\": {\"quant_method\": \"bitsandbytes\", \"load_in_4bit\": true,"
                                        + " \"bnb_4bit_quant_type\": \"nf4\", \"bnb_4bit_use_double_quant\": true}")
                        .weights())
                .isEqualTo(dev.strata.model.NumericFormat.NF4_DQ);
        assertThat(withQuantization(
                                "\"quantization_config\": {\"quant_method\": \"bitsandbytes\", \"load_in_8bit\": true}")
                        .weights())
                .isEqualTo(dev.strata.model.NumericFormat.INT8);
        assertThat(withQuantization(
                                "\"quantization_config\": {\"quant_method\": \"awq\", \"bits\": 4, \"group_size\": 64}")
                        .weights())
                .isEqualTo(dev.strata.model.NumericFormat.int4(64, 2));
        // without a quantization_config, torch_dtype (or dtype) is the format; without either, none is known
        assertThat(HfConfigImporter.importFile(TestData.path("hf-configs/llama-2-7b.json"))
                        .weights())
                .isEqualTo(dev.strata.model.NumericFormat.FP16);
        assertThat(withQuantization("\"dtype\": \"bfloat16\"").weights())
                .isEqualTo(dev.strata.model.NumericFormat.BF16);
        assertThat(withQuantization(null).weights()).isNull();
    }

    @Test
    void gptOssKeepsItsExpertsInMxfp4AndTheRestInBf16AndItsBytesAreTheCheckpointsTotalSize() {
        var gptOss = HfConfigImporter.importFile(TestData.path("hf-configs/gpt-oss-20b.json"));
        assertThat(gptOss.weights()).isEqualTo(dev.strata.model.NumericFormat.BF16);
        assertThat(gptOss.expertWeights()).isEqualTo(dev.strata.model.NumericFormat.MXFP4);
        assertThat(gptOss.weightsSource()).contains("mxfp4").contains("routed experts");
        var precision = dev.strata.model.Precision.of(
                        gptOss.weights(), dev.strata.model.NumericFormat.BF16, dev.strata.model.Optimizer.ADAMW)
                .withExpertWeights(gptOss.expertWeights());
        // openai/gpt-oss-20b model.safetensors.index.json metadata total_size: 13,761,264,768 bytes (MXFP4 blocks
        // and E8M0 scales of the experts, everything else bf16); exact
        assertThat(dev.strata.estimator.memory.Weights.bytes(gptOss.spec(), precision))
                .isEqualTo(13_761_264_768L);
    }

    private static HfConfigImporter.Imported mixtral(String quantization) {
        String json = "{\"model_type\": \"mixtral\", \"hidden_size\": 64, \"num_hidden_layers\": 2,"
                + " \"num_attention_heads\": 4, \"num_key_value_heads\": 2, \"intermediate_size\": 128,"
                + " \"num_local_experts\": 4, \"num_experts_per_tok\": 2, \"vocab_size\": 100,"
                + " \"torch_dtype\": \"bfloat16\", \"quantization_config\": " + quantization + "}";
        return HfConfigImporter.importJson(json, "q");
    }

    @Test
    void compressedTensorsSchemesGiveTheirFormatAndTheModulesTheyIgnore() {
        // Kimi K2 Thinking / K2.5 style: int4, group 32, symmetric, bf16 scales; attention, shared experts and dense
        // MLPs ignored, so only the routed experts are int4
        var experts = mixtral("{\"quant_method\": \"compressed-tensors\", \"format\": \"pack-quantized\","
                + " \"config_groups\": {\"group_0\": {\"targets\": [\"Linear\"], \"weights\": {\"num_bits\": 4,"
                + " \"type\": \"int\", \"strategy\": \"group\", \"group_size\": 32, \"symmetric\": true}}},"
                + " \"ignore\": [\"lm_head\", \"re:.*self_attn.*\", \"re:.*shared_experts.*\","
                + " \"re:.*mlp\\\\.(gate|up|gate_up|down)_proj.*\"]}");
        assertThat(experts.weights()).isEqualTo(dev.strata.model.NumericFormat.BF16);
        assertThat(experts.expertWeights()).isEqualTo(dev.strata.model.NumericFormat.int4(32, 2));
        var precision = dev.strata.model.Precision.of(
                        experts.weights(), dev.strata.model.NumericFormat.BF16, dev.strata.model.Optimizer.ADAMW)
                .withExpertWeights(experts.expertWeights());
        // by hand: 2 layers x 4 experts x 3 matrices of 64 x 128 = 8,192 elements, each 4,096 bytes of int4 and
        // 256 bf16 scales (4,608 bytes); the rest bf16: attention 12,288, router 256 and norms 128 per layer,
        // embedding and head 6,400 each, final norm 64 = 38,208 parameters
        assertThat(dev.strata.estimator.memory.Weights.bytes(experts.spec(), precision))
                .isEqualTo(2L * 12 * 4608 + 2L * 38_208);

        // NVFP4 on every Linear but the head: 4-bit E2M1 and an fp8 scale per 16
        var nvfp4 = mixtral("{\"quant_method\": \"compressed-tensors\", \"format\": \"nvfp4-pack-quantized\","
                + " \"config_groups\": {\"group_0\": {\"targets\": [\"Linear\"], \"weights\": {\"num_bits\": 4,"
                + " \"type\": \"float\", \"strategy\": \"tensor_group\", \"group_size\": 16}}},"
                + " \"ignore\": [\"lm_head\"]}");
        assertThat(nvfp4.weights()).isEqualTo(dev.strata.model.NumericFormat.NVFP4);
        assertThat(nvfp4.expertWeights()).isNull();
        assertThat(nvfp4.weights().bitsPerElement()).isEqualTo(4.5);
        // FP8 with bf16 scales per 128 x 128 block (compressed-tensors' FP8_BLOCK)
        var block = mixtral("{\"quant_method\": \"compressed-tensors\", \"format\": \"float-quantized\","
                + " \"config_groups\": {\"g\": {\"targets\": [\"Linear\"], \"weights\": {\"num_bits\": 8,"
                + " \"type\": \"float\", \"strategy\": \"block\", \"block_structure\": [128, 128]}}}}");
        assertThat(block.weights().id()).isEqualTo("fp8-b128x128-s2");
        assertThat(block.weights().bytesFor(128L * 128)).isEqualTo(128L * 128 + 2);
        // a scheme strata cannot hold: no format, and the import says so
        var odd = mixtral("{\"quant_method\": \"compressed-tensors\", \"config_groups\": {\"g\": {\"targets\":"
                + " [\"Linear\"], \"weights\": {\"num_bits\": 3, \"type\": \"int\", \"strategy\": \"channel\"}}}}");
        assertThat(odd.weights()).isNull();
        assertThat(odd.assumptions()).anyMatch(a -> a.contains("3-bit") && a.contains("channel"));
        // modules_to_not_convert that keep the attention of an expert model: the experts alone are quantised
        var awq = mixtral("{\"quant_method\": \"awq\", \"bits\": 4, \"group_size\": 128,"
                + " \"modules_to_not_convert\": [\"self_attn\", \"gate\"]}");
        assertThat(awq.weights()).isEqualTo(dev.strata.model.NumericFormat.BF16);
        assertThat(awq.expertWeights()).isEqualTo(dev.strata.model.NumericFormat.int4(128, 2));
    }
}
