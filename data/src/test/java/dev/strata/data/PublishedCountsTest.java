package dev.strata.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.estimator.params.ParamComponent;
import dev.strata.estimator.params.ParameterCount;
import dev.strata.estimator.params.Parameters;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The configs of testdata/hf-configs/ against the totals their publishers give, listed with their sources in
 * testdata/hf-configs/published-counts.tsv. Each row is in exactly one of four groups: counted exactly, a known
 * difference, a figure that includes an encoder strata counts apart, or a family strata refuses. Every expected value
 * below is written out as well as read from the table, so an edit of either shows up.
 */
class PublishedCountsTest {

    private static final CSVFormat TSV = CSVFormat.TDF
            .builder()
            .setHeader()
            .setSkipHeaderRecord(true)
            .setIgnoreEmptyLines(true)
            .get();

    /** The rows of published-counts.tsv, by their file column. */
    private static final Map<String, CSVRecord> ROWS = readRows();

    private static Map<String, CSVRecord> readRows() {
        Map<String, CSVRecord> rows = new LinkedHashMap<>();
        try (Reader r = Files.newBufferedReader(TestData.path("hf-configs/published-counts.tsv"));
                CSVParser p = TSV.parse(r)) {
            for (CSVRecord rec : p) rows.put(rec.get("file"), rec);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return rows;
    }

    private static CSVRecord row(String file) {
        assertThat(ROWS).as("a row for %s in published-counts.tsv", file).containsKey(file);
        return ROWS.get(file);
    }

    private static long publishedTotal(String file) {
        return Long.parseLong(row(file).get("published_total"));
    }

    private static ParameterCount count(String file) {
        return Parameters.count(HfConfigImporter.fromFile(TestData.path("hf-configs/" + file)));
    }

    /**
     * Rows whose published total strata reproduces to the parameter. Values: the published_total column of the row;
     * sources: its source column (quoted in the comment). Tolerance: 0 (exact).
     */
    static Stream<Arguments> exactTotals() {
        return Stream.of(
                // index total_size 61064245248 / 2 (BF16); GGUF general.parameter_count
                Arguments.of("qwen3-30b-a3b.json", 30_532_122_624L),
                // huggingface.js safetensors metadata: BF16 1804459584 + U8 x2 19110297600 (MXFP4 packed, scales out)
                Arguments.of("gpt-oss-20b.json", 20_914_757_184L),
                // HF Hub safetensors total (all BF16), same number printed by a public serving CLI
                Arguments.of("deepseek-v2-lite.json", 15_706_484_224L),
                // HF Hub API safetensors.total list (2026-09-25)
                Arguments.of("granite-3.3-8b-instruct.json", 8_170_864_640L),
                // original upload's model.safetensors.index.json total_size 5338513408 / 4 (all FP32)
                Arguments.of("granite-3.1-1b-a400m-instruct.json", 1_334_628_352L),
                // HF Hub API safetensors.total list (2026-09-25)
                Arguments.of("olmo-2-1124-7b-instruct.json", 7_298_617_344L),
                // model.safetensors.index.json metadata total_parameters (all BF16, tied head)
                Arguments.of("smollm3-3b.json", 3_075_098_624L),
                // HF safetensors total in kvfit build_registry.py
                Arguments.of("mistral-nemo-instruct-2407.json", 12_247_782_400L));
    }

    @ParameterizedTest(name = "{0}: exactly {1} parameters")
    @MethodSource("exactTotals")
    void importsToThePublishedTotalExactly(String file, long published) {
        CSVRecord r = row(file);
        assertThat(r.get("exact_or_rounded")).as("the row's figure is exact").matches("^(total )?exact.*");
        assertThat(publishedTotal(file)).as("published_total of the tsv row").isEqualTo(published);
        assertThat(count(file).total()).isEqualTo(published); // tolerance 0
    }

    @Test
    void kimiK2DiffersFromItsPublishedTotalByAKnownUnexplainedAmount() {
        // tsv row kimi-k2-instruct.json: 1,026,408,235,864, the HF count of the FP8 checkpoint (kvfit registry, an
        // HF-API params list and a public table of Hub totals agree); how that count treats the FP8 block scales is
        // not documented. strata's DeepSeek-V3 reading gives 3,416 fewer. Not explained yet (3,416 = 56 x 61 layers,
        // which may or may not mean anything): asserted as it is so that any change to either number shows up.
        long published = 1_026_408_235_864L;
        assertThat(publishedTotal("kimi-k2-instruct.json")).isEqualTo(published);
        ParameterCount c = count("kimi-k2-instruct.json");
        assertThat(published - c.total()).isEqualTo(3_416L); // the known difference, exact
        assertThat(c.total()).isEqualTo(1_026_408_232_448L);
        assertThat(c.multiTokenPrediction()).isZero(); // num_nextn_predict_layers = 0 in this config
    }

    @Test
    void llama4ScoutPublishedTotalIncludesTheVisionEncoder() {
        // tsv row llama-4-scout-17b-16e-instruct.json: 108,641,793,536, "total exact (incl. vision encoder)", HF Hub
        // API safetensors.total list and kvfit registry. strata counts the language model (text_config) only and says
        // so in the import's assumptions: this config has no vision_config to count the Llama 4 tower from.
        long published = 108_641_793_536L;
        assertThat(publishedTotal("llama-4-scout-17b-16e-instruct.json")).isEqualTo(published);
        long languageModel = count("llama-4-scout-17b-16e-instruct.json").total();
        assertThat(languageModel).isLessThan(published);
        assertThat(HfConfigImporter.importFile(TestData.path("hf-configs/llama-4-scout-17b-16e-instruct.json"))
                        .assumptions())
                .anyMatch(a -> a.contains("vision tower") && a.contains("not counted"));
        // The difference today, exact: the vision parts of the published checkpoint. Our own breakdown, from the
        // Scout checkpoint's vision_config (not in this test file: hidden 1408, 34 layers, intermediate 5632, patch 14,
        // image 336, projector 4096 -> 4096, pixel shuffle 0.5) and the transformers Llama4 vision modules:
        long patchEmbedding = 3L * 14 * 14 * 1408; // Llama4UnfoldConvolution linear, no bias
        long classAndPositions = 1408 + (576 + 1) * 1408L; // class_embedding, positional_embedding_vlm (24 x 24 + 1)
        long preAndPostNorm = 2 * (2 * 1408L); // layernorm_pre, layernorm_post (LayerNorm w+b)
        long encoderLayer = 4 * (1408L * 1408 + 1408) // q, k, v, o with biases
                + (1408L * 5632 + 5632)
                + (5632L * 1408 + 1408) // fc1, fc2 with biases
                + 2 * (2 * 1408L); // two LayerNorms w+b
        long pixelShuffleMlp = 5632L * 4096 + 4096L * 4096; // vision_adapter fc1, fc2, no bias
        long projector = 4096L * 5120; // multi_modal_projector.linear_1 to the text hidden size, no bias
        long vision = patchEmbedding + classAndPositions + preAndPostNorm + 34 * encoderLayer + pixelShuffleMlp;
        assertThat(published - languageModel).isEqualTo(vision + projector).isEqualTo(871_932_416L);
    }

    @Test
    void gemma3PublishedTotalIncludesTheSiglipTower() {
        // tsv row gemma-3-4b-it.json: 4,300,079,472, "exact (incl. SigLIP vision tower + projector)", HF Hub API
        // safetensors.total list and scripts asserting sum(p.numel()). strata counts the language model as total()
        // and the SigLIP tower with the projector as encoder(); checkpointTotal() is the published figure. The
        // text_config of this checkpoint leaves out the heads, head_dim
        // and vocab_size: Gemma3TextConfig's defaults (8 heads, 4 KV heads, head_dim 256, vocab 262208) apply.
        long published = 4_300_079_472L;
        assertThat(publishedTotal("gemma-3-4b-it.json")).isEqualTo(published);
        ParameterCount c = count("gemma-3-4b-it.json");
        // Language model by hand: per layer q 2560->2048, k and v 2560->1024, o 2048->2560; q_norm, k_norm of 256;
        // four RMSNorms of 2560; gated MLP 2560 x 10240 x 3. Embedding 262208 x 2560, tied; final norm 2560.
        long layer = 2560L * 2048 + 2 * 2560L * 1024 + 2048L * 2560 + 2 * 256 + 4 * 2560 + 3 * 2560L * 10240;
        long languageModel = 34 * layer + 262_208L * 2560 + 2560;
        assertThat(c.total()).isEqualTo(languageModel).isEqualTo(3_880_263_168L).isLessThan(published);
        assertThat(c.total(ParamComponent.OUTPUT_HEAD)).isZero(); // tied (Gemma3Config default)
        // The rest, our own breakdown from vision_config (SigLIP: hidden 1152, 27 layers, intermediate 4304,
        // patch 14, image 896) and the transformers Gemma 3 projector:
        long siglipLayer = 4 * (1152L * 1152 + 1152) + (1152L * 4304 + 4304) + (4304L * 1152 + 1152) + 2 * (2 * 1152);
        long siglip = (3L * 14 * 14 * 1152 + 1152) // patch_embedding Conv2d with bias
                + (896 / 14) * (896 / 14) * 1152L // position_embedding, 64 x 64 patches
                + 27 * siglipLayer
                + 2 * 1152; // post_layernorm
        long projector = 1152L * 2560 + 1152; // mm_input_projection_weight, mm_soft_emb_norm
        assertThat(published - c.total()).isEqualTo(siglip + projector);
        assertThat(c.encoder()).isEqualTo(siglip + projector);
        assertThat(c.checkpointTotal()).isEqualTo(published); // exact
    }

    @Test
    void qwen3NextMainModelAndItsMtpBlockAreThePublishedTotal() {
        // tsv row qwen3-next-80b-a3b.json: 81,324,862,720 (HF safetensors total, incl. the 1,650,471,424-parameter MTP
        // block); the same stack without MTP (Qwen3-Coder-Next) is 79,674,391,296. Exact.
        assertThat(publishedTotal("qwen3-next-80b-a3b.json")).isEqualTo(81_324_862_720L);
        ParameterCount c = count("qwen3-next-80b-a3b.json");
        assertThat(c.total()).isEqualTo(79_674_391_296L);
        assertThat(c.multiTokenPrediction()).isEqualTo(1_650_471_424L);
        assertThat(c.checkpointTotal()).isEqualTo(81_324_862_720L);
        // by hand, H 2048: a Gated DeltaNet layer (16 key heads and 32 value heads of 128, kernel 4): in_proj_qkvz
        // H x (2 x 2048 + 2 x 4096), in_proj_ba H x 64, conv 8192 x 4, dt_bias and A_log 32 each, norm 128,
        // out_proj 4096 x H
        long linear = 2048L * 12_288 + 2048L * 64 + 8192L * 4 + 64 + 128 + 4096L * 2048;
        assertThat(c.total(ParamComponent.MIXER_INPUT)
                        + c.total(ParamComponent.MIXER_OUTPUT)
                        + c.total(ParamComponent.MIXER_VECTORS))
                .isEqualTo(36 * linear); // 36 of the 48 layers
    }

    @Test
    void nemotronHHybridIsThePublishedTotal() {
        // tsv row nemotron-3-nano-30b-a3b.json: 31,577,937,344 (HF Hub safetensors total). Exact: 23 Mamba-2, 23 MoE
        // and 6 attention layers; the routers' correction bias is a buffer the checkpoint does not hold.
        assertThat(publishedTotal("nemotron-3-nano-30b-a3b.json")).isEqualTo(31_577_937_344L);
        ParameterCount c = count("nemotron-3-nano-30b-a3b.json");
        assertThat(c.total()).isEqualTo(31_577_937_344L);
        // by hand, H 2688: a Mamba-2 layer of 64 heads of 64 (inner 4096), 8 groups, state 128, kernel 4: in_proj
        // H x (2 x 4096 + 2 x 8 x 128 + 64), conv 6144 x 4 with bias, dt_bias, A_log, D of 64, norm 4096,
        // out_proj 4096 x H
        long mamba = 2688L * 10_304 + 6144L * 4 + 6144 + 3 * 64 + 4096 + 4096L * 2688;
        assertThat(c.total(ParamComponent.MIXER_INPUT)
                        + c.total(ParamComponent.MIXER_OUTPUT)
                        + c.total(ParamComponent.MIXER_VECTORS))
                .isEqualTo(23 * mamba);
    }

    @Test
    void everyRowOfTheTableIsCheckedByOneOfTheTestsAbove() {
        Set<String> checked = new TreeSet<>();
        exactTotals().forEach(a -> checked.add((String) a.get()[0]));
        checked.addAll(Set.of(
                "kimi-k2-instruct.json",
                "llama-4-scout-17b-16e-instruct.json",
                "gemma-3-4b-it.json",
                "qwen3-next-80b-a3b.json",
                "nemotron-3-nano-30b-a3b.json"));
        assertThat(new TreeSet<>(ROWS.keySet())).isEqualTo(checked);
    }

    @Test
    void llama4ScoutWithItsVisionConfigIsThePublishedTotal() throws Exception {
        // The published Scout checkpoint's vision_config (hidden 1408, 34 layers, intermediate 5632, patch 14, image
        // 336, vision_output_dim 4096, projector 4096 -> 4096), which this test config leaves out, added here: language
        // model + vision model + projector = 108,641,793,536, the tsv row's exact total.
        var config = (com.fasterxml.jackson.databind.node.ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(TestData.path("hf-configs/llama-4-scout-17b-16e-instruct.json")
                        .toFile());
        config.putObject("vision_config")
                .put("model_type", "llama4_vision_model")
                .put("hidden_size", 1408)
                .put("num_hidden_layers", 34)
                .put("intermediate_size", 5632)
                .put("patch_size", 14)
                .put("image_size", 336)
                .put("vision_output_dim", 4096)
                .put("projector_input_dim", 4096)
                .put("projector_output_dim", 4096);
        ParameterCount c = Parameters.count(HfConfigImporter.fromNode(config, "scout"));
        assertThat(c.encoder()).isEqualTo(871_932_416L);
        assertThat(c.checkpointTotal()).isEqualTo(108_641_793_536L);
    }

    private static ParameterCount countJson(String json) {
        return Parameters.count(HfConfigImporter.fromJson(json, "multimodal"));
    }

    @Test
    void mistralSmall31WithItsPixtralTowerAndProjectorIsThePublishedTotal() {
        // Mistral-Small-3.1-24B-Instruct-2503's config (the keys a count reads): a Mistral text model and a Pixtral
        // tower of 24 layers of 1024, patch 14, merged 2 x 2 into the projector. Published total 24,011,361,280
        // (Keras preset mistral_small_3.1_24b params, and the same figure quoted for 3.2-2506); exact.
        String config = """
                {"model_type": "mistral3", "architectures": ["Mistral3ForConditionalGeneration"],
                 "spatial_merge_size": 2, "vision_feature_layer": -1, "multimodal_projector_bias": false,
                 "projector_hidden_act": "gelu", "image_token_index": 10,
                 "text_config": {"model_type": "mistral", "hidden_size": 5120, "num_hidden_layers": 40,
                   "num_attention_heads": 32, "num_key_value_heads": 8, "head_dim": 128, "intermediate_size": 32768,
                   "vocab_size": 131072, "max_position_embeddings": 131072, "sliding_window": null},
                 "vision_config": {"model_type": "pixtral", "hidden_size": 1024, "intermediate_size": 4096,
                   "num_hidden_layers": 24, "num_attention_heads": 16, "head_dim": 64, "patch_size": 14,
                   "image_size": 1540, "num_channels": 3}}
                """;
        ParameterCount c = countJson(config);
        // by hand (modeling_pixtral, modeling_mistral3): tower 3 x 14^2 x 1024 + 1024 + 24 x (4 x 1024^2 + 3 x 1024 x
        // 4096 + 2 x 1024) = 403,305,472; projector 1024 + 4 x 1024^2 + 1024 x 5120 + 5120^2 = 35,652,608
        assertThat(c.encoder()).isEqualTo(403_305_472L + 35_652_608L);
        assertThat(c.checkpointTotal()).isEqualTo(24_011_361_280L);
    }

    @Test
    void qwen35WithItsVisionModelAndMtpBlockIsThePublishedTotal() {
        // Qwen3.5-0.8B-Base (tied) and Qwen3.6-27B (model_type qwen3_5): text and vision shapes of their configs;
        // published safetensors totals 873,438,784 and 27,781,427,952 (tensor-list reports of the Hub checkpoints,
        // which hold the mtp.* block); exact
        String small = """
                {"model_type": "qwen3_5", "tie_word_embeddings": true,
                 "text_config": {"model_type": "qwen3_5_text", "hidden_size": 1024, "intermediate_size": 3584,
                   "num_hidden_layers": 24, "num_attention_heads": 8, "num_key_value_heads": 2, "head_dim": 256,
                   "linear_num_key_heads": 16, "linear_num_value_heads": 16, "linear_key_head_dim": 128,
                   "linear_value_head_dim": 128, "linear_conv_kernel_dim": 4, "full_attention_interval": 4,
                   "vocab_size": 248320, "tie_word_embeddings": true, "mtp_num_hidden_layers": 1},
                 "vision_config": {"model_type": "qwen3_5", "depth": 12, "hidden_size": 768, "intermediate_size": 3072,
                   "num_heads": 12, "num_position_embeddings": 2304, "out_hidden_size": 1024, "patch_size": 16,
                   "spatial_merge_size": 2, "temporal_patch_size": 2, "in_channels": 3,
                   "deepstack_visual_indexes": []}}
                """;
        ParameterCount c = countJson(small);
        // by hand (modeling_qwen3_5.Qwen3_5VisionModel): tower 3 x 2 x 16^2 x 768 + 768 + 2304 x 768 + 12 x (4 x 768^2
        // + 2 x 768 x 3072 + 9 x 768 + 3072) = 88,004,352; merger 2 x 768 + 3072^2 + 3072 + 3072 x 1024 + 1024
        // = 12,588,544
        assertThat(c.encoder()).isEqualTo(88_004_352L + 12_588_544L);
        assertThat(c.checkpointTotal()).isEqualTo(873_438_784L);

        String large = small.replace(
                        "\"hidden_size\": 1024, \"intermediate_size\": 3584",
                        "\"hidden_size\": 5120, \"intermediate_size\": 17408")
                .replace(
                        "\"num_hidden_layers\": 24, \"num_attention_heads\": 8, \"num_key_value_heads\": 2",
                        "\"num_hidden_layers\": 64, \"num_attention_heads\": 24, \"num_key_value_heads\": 4")
                .replace("\"linear_num_value_heads\": 16", "\"linear_num_value_heads\": 48")
                .replace("\"tie_word_embeddings\": true", "\"tie_word_embeddings\": false")
                .replace(
                        "\"depth\": 12, \"hidden_size\": 768, \"intermediate_size\": 3072",
                        "\"depth\": 27, \"hidden_size\": 1152, \"intermediate_size\": 4304")
                .replace("\"num_heads\": 12", "\"num_heads\": 16")
                .replace("\"out_hidden_size\": 1024", "\"out_hidden_size\": 5120");
        assertThat(large).doesNotContain("\"tie_word_embeddings\": true");
        ParameterCount big = countJson(large);
        assertThat(big.encoder()).isEqualTo(415_891_440L + 44_838_656L);
        assertThat(big.checkpointTotal()).isEqualTo(27_781_427_952L);
    }

    @Test
    void kimiK25IsKimiK2WithAMoonViTTowerAndProjector() throws Exception {
        // moonshotai/Kimi-K2.5: Kimi K2's language model as text_config, the tower under the Hub's own key names
        // (vt_*, init_pos_emb_*); published tensor table: tower 416,866,032 and projector 54,277,888 (its 170.7B
        // total counts the int4 experts as packed int32 words, so the logical total is text + encoder)
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        var text = mapper.readTree(
                TestData.path("hf-configs/kimi-k2-instruct.json").toFile());
        var config = mapper.createObjectNode();
        config.put("model_type", "kimi_k25");
        config.set("text_config", text);
        config.set("vision_config", mapper.readTree("""
                        {"patch_size": 14, "init_pos_emb_height": 64, "init_pos_emb_width": 64, "init_pos_emb_time": 4,
                         "merge_kernel_size": [2, 2], "vt_hidden_size": 1152, "vt_intermediate_size": 4304,
                         "vt_num_hidden_layers": 27, "vt_num_attention_heads": 16, "mm_hidden_size": 1152,
                         "text_hidden_size": 7168, "mm_projector_type": "patchmerger"}
                        """));
        ParameterCount c = Parameters.count(HfConfigImporter.fromNode(config, "kimi-k2.5"));
        assertThat(c.encoder()).isEqualTo(416_866_032L + 54_277_888L);
        assertThat(c.checkpointTotal() - c.encoder())
                .isEqualTo(
                        Parameters.count(HfConfigImporter.fromFile(TestData.path("hf-configs/kimi-k2-instruct.json")))
                                .checkpointTotal());
    }
}
