package dev.strata.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.estimator.params.Parameters;
import dev.strata.model.InvalidFieldException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Snapshot folders, safetensors headers and the local Hugging Face cache, on small files the tests write. */
class CheckpointTest {
    /** A tiny Llama: hidden 64, 2 layers, 4 heads and 2 KV heads of 16, MLP 96, vocabulary 100, untied. */
    static final String CONFIG = """
            {"model_type": "llama", "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
             "num_key_value_heads": 2, "intermediate_size": 96, "vocab_size": 100, "tie_word_embeddings": false,
             "torch_dtype": "bfloat16"}
            """;

    /** The tensors modeling_llama holds for {@link #CONFIG}, by name and shape (out, in for a Linear). */
    static Map<String, long[]> llamaTensors() {
        Map<String, long[]> t = new LinkedHashMap<>();
        t.put("model.embed_tokens.weight", new long[] {100, 64});
        for (int i = 0; i < 2; i++) {
            String l = "model.layers." + i + ".";
            t.put(l + "self_attn.q_proj.weight", new long[] {64, 64});
            t.put(l + "self_attn.k_proj.weight", new long[] {32, 64});
            t.put(l + "self_attn.v_proj.weight", new long[] {32, 64});
            t.put(l + "self_attn.o_proj.weight", new long[] {64, 64});
            t.put(l + "mlp.gate_proj.weight", new long[] {96, 64});
            t.put(l + "mlp.up_proj.weight", new long[] {96, 64});
            t.put(l + "mlp.down_proj.weight", new long[] {64, 96});
            t.put(l + "input_layernorm.weight", new long[] {64});
            t.put(l + "post_attention_layernorm.weight", new long[] {64});
        }
        t.put("model.norm.weight", new long[] {64});
        t.put("lm_head.weight", new long[] {100, 64});
        return t;
    }

    /** Writes a safetensors file of {@code tensors} in {@code dtype} (2 bytes an element), data zeroed. */
    static void writeSafetensors(Path file, Map<String, long[]> tensors, String dtype) throws IOException {
        StringBuilder header = new StringBuilder("{\"__metadata__\": {\"format\": \"pt\"}");
        long offset = 0;
        for (var e : tensors.entrySet()) {
            long n = 1;
            List<String> dims = new ArrayList<>();
            for (long d : e.getValue()) {
                n *= d;
                dims.add(Long.toString(d));
            }
            header.append(", \"")
                    .append(e.getKey())
                    .append("\": {\"dtype\": \"")
                    .append(dtype)
                    .append("\", \"shape\": [")
                    .append(String.join(", ", dims))
                    .append("], \"data_offsets\": [")
                    .append(offset)
                    .append(", ")
                    .append(offset + 2 * n)
                    .append("]}");
            offset += 2 * n;
        }
        byte[] h = header.append('}').toString().getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(ByteBuffer.allocate(8)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(h.length)
                    .array());
            out.write(h);
            out.write(new byte[(int) offset]);
        }
    }

    private static Path snapshot(Path dir, Map<String, long[]> tensors) throws IOException {
        Files.writeString(dir.resolve("config.json"), CONFIG);
        writeSafetensors(dir.resolve("model.safetensors"), tensors, "BF16");
        return dir;
    }

    @Test
    void aSnapshotFolderIsImportedAndItsTensorsAgreeWithStrataTermByTerm(@TempDir Path dir) throws IOException {
        var imported = HfConfigImporter.importFolder(snapshot(dir, llamaTensors()), "tiny");
        long strata = Parameters.count(imported.spec()).total();
        // by hand: embedding and head 2 x 6,400; per layer q 4,096, k and v 2,048 each, o 4,096, MLP 3 x 6,144,
        // two norms 128; final norm 64
        assertThat(strata).isEqualTo(2 * 6_400 + 2 * (4_096 + 2 * 2_048 + 4_096 + 3 * 6_144 + 128) + 64);
        CheckpointCount c = imported.checkpoint();
        assertThat(c.parameters()).isEqualTo(strata);
        assertThat(c.bytes()).isEqualTo(2 * strata); // BF16
        assertThat(c.tensors()).isEqualTo(21);
        assertThat(c.elementsByDtype()).isEqualTo(Map.of("BF16", strata));
        assertThat(c.differences(Parameters.count(imported.spec()))).isEmpty();
        assertThat(imported.spec().name()).isEqualTo("tiny");
    }

    @Test
    void aTensorTheSpecDoesNotMatchShowsAsADifferenceInItsTerm(@TempDir Path dir) throws IOException {
        Map<String, long[]> tensors = llamaTensors();
        tensors.remove("model.layers.1.self_attn.k_proj.weight"); // 32 x 64 fewer in attentionKey
        tensors.put("model.layers.1.self_attn.rotary_emb.inv_freq", new long[] {8}); // a buffer, not a parameter
        tensors.put("model.layers.0.mlp.down_proj.weight_scale_inv", new long[] {1, 1}); // a block scale
        var imported = HfConfigImporter.importFolder(snapshot(dir, tensors), "tiny");
        var count = Parameters.count(imported.spec());
        assertThat(imported.checkpoint().differences(count)).isEqualTo(Map.of("attentionKey", -32L * 64));
        assertThat(imported.checkpoint().parameters()).isEqualTo(count.total() - 32 * 64);
        assertThat(imported.checkpoint().scaleElements()).isEqualTo(1);
    }

    @Test
    void shardsListedByTheIndexAreReadTogether(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("config.json"), CONFIG);
        Map<String, long[]> first = new LinkedHashMap<>(), second = new LinkedHashMap<>();
        Map<String, String> weightMap = new LinkedHashMap<>();
        int i = 0;
        for (var e : llamaTensors().entrySet()) {
            boolean one = i++ % 2 == 0;
            (one ? first : second).put(e.getKey(), e.getValue());
            weightMap.put(e.getKey(), one ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors");
        }
        writeSafetensors(dir.resolve("model-00001-of-00002.safetensors"), first, "BF16");
        writeSafetensors(dir.resolve("model-00002-of-00002.safetensors"), second, "BF16");
        StringBuilder index = new StringBuilder("{\"metadata\": {}, \"weight_map\": {");
        weightMap.forEach(
                (k, v) -> index.append('"').append(k).append("\": \"").append(v).append("\", "));
        index.setLength(index.length() - 2);
        Files.writeString(
                dir.resolve("model.safetensors.index.json"), index.append("}}").toString());
        var imported = HfConfigImporter.importFolder(dir, "tiny");
        assertThat(imported.checkpoint().parameters())
                .isEqualTo(Parameters.count(imported.spec()).total());
        assertThat(imported.checkpoint().tensors()).isEqualTo(21);
    }

    @Test
    void brokenCheckpointsNameTheFileAndWhatIsWrong(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("config.json"), CONFIG);
        Path file = dir.resolve("model.safetensors");
        Files.write(file, new byte[] {1, 2, 3});
        assertThatThrownBy(() -> HfConfigImporter.importFolder(dir, "x"))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessageContaining("model.safetensors")
                .hasMessageContaining("shorter than the 8-byte header length");
        Files.write(
                file,
                ByteBuffer.allocate(8)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .putLong(Long.MAX_VALUE)
                        .array());
        assertThatThrownBy(() -> HfConfigImporter.importFolder(dir, "x")).hasMessageContaining("header length");
        byte[] json = "{\"w\": {\"dtype\": \"BF16\", \"shape\": [2], \"data_offsets\": [4, 0]}}"
                .getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(ByteBuffer.allocate(8)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(json.length)
                    .array());
            out.write(json);
        }
        assertThatThrownBy(() -> HfConfigImporter.importFolder(dir, "x")).hasMessageContaining("bad data_offsets");
        Files.writeString(
                dir.resolve("model.safetensors.index.json"), "{\"weight_map\": {\"w\": \"../elsewhere.safetensors\"}}");
        assertThatThrownBy(() -> HfConfigImporter.importFolder(dir, "x")).hasMessageContaining("not a file beside it");
        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertThatThrownBy(() -> HfConfigImporter.importFolder(empty, "x"))
                .hasMessageContaining("a folder with a config.json");
    }

    @Test
    void aRepositoryIdIsFoundInTheLocalHubCacheByItsMainRef(@TempDir Path cache) throws IOException {
        // huggingface_hub's layout: models--<org>--<name>/refs/main holds the commit, snapshots/<commit>/ its files
        Path repo = cache.resolve("models--acme--tiny-llama");
        Path snap = Files.createDirectories(repo.resolve("snapshots").resolve("0123abcd"));
        Files.createDirectories(repo.resolve("snapshots").resolve("fedc9876")); // an older one without a config
        snapshot(snap, llamaTensors());
        Files.createDirectories(repo.resolve("refs"));
        Files.writeString(repo.resolve("refs").resolve("main"), "0123abcd\n");
        assertThat(HubCache.snapshot("acme/tiny-llama", List.of(cache))).isEqualTo(snap);
        assertThat(HubCache.isRepoId("acme/tiny-llama")).isTrue();
        assertThat(HubCache.isRepoId("acme/../etc")).isFalse();
        assertThat(HubCache.isRepoId("a/b/c")).isFalse();
        assertThatThrownBy(() -> HubCache.snapshot("acme/absent", List.of(cache)))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessageContaining("acme/absent")
                .hasMessageContaining("does not download");
        // where huggingface_hub looks: HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub
        assertThat(HubCache.roots(Map.of("HF_HUB_CACHE", "/c", "HF_HOME", "/h"), "/home/u"))
                .containsExactly(Path.of("/c"));
        assertThat(HubCache.roots(Map.of("HF_HOME", "/h"), "/home/u")).containsExactly(Path.of("/h", "hub"));
        assertThat(HubCache.roots(Map.of(), "/home/u"))
                .containsExactly(Path.of("/home/u", ".cache", "huggingface", "hub"));
    }

    @Test
    void namesMapToStrataTermsAndDeepLayersToMultiTokenPrediction() {
        // DeepSeek-V3 stores its MTP module as layer 61 of 61 main layers; Gemma 3 its tower under vision_tower
        assertThat(CheckpointCount.term("model.layers.61.eh_proj.weight", 61)).isEqualTo("multiTokenPrediction");
        assertThat(CheckpointCount.term("model.layers.3.mlp.experts.7.up_proj.weight", 61))
                .isEqualTo("routedExperts");
        assertThat(CheckpointCount.term("model.layers.3.mlp.gate.e_score_correction_bias", 61))
                .isEqualTo("router");
        assertThat(CheckpointCount.term("model.layers.3.mlp.gate.weight", 61)).isEqualTo("router");
        assertThat(CheckpointCount.term("model.layers.3.self_attn.kv_a_layernorm.weight", 61))
                .isEqualTo("attentionLatentNorms");
        assertThat(CheckpointCount.term("vision_tower.vision_model.encoder.layers.0.mlp.fc1.weight", 34))
                .isEqualTo("encoder");
        assertThat(CheckpointCount.term("model.layers.0.self_attn.sinks", 24)).isEqualTo("attentionSinks");
    }
}
