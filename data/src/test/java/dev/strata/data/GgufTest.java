package dev.strata.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.estimator.params.Parameters;
import dev.strata.model.InvalidFieldException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GGUF headers on small files the test writes in llama.cpp's layout (ggml/docs/gguf.md). */
class GgufTest {
    /** Writes little-endian GGUF fields. */
    static final class Writer {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Writer u32(long v) {
            out.writeBytes(ByteBuffer.allocate(4)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putInt((int) v)
                    .array());
            return this;
        }

        Writer u64(long v) {
            out.writeBytes(ByteBuffer.allocate(8)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(v)
                    .array());
            return this;
        }

        Writer string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u64(b.length);
            out.writeBytes(b);
            return this;
        }

        Writer kvU32(String key, long v) {
            return string(key).u32(4).u32(v);
        }

        Writer kvString(String key, String v) {
            return string(key).u32(8).string(v);
        }

        Writer tensor(String name, int type, long... dims) {
            string(name).u32(dims.length);
            for (long d : dims) u64(d);
            return u32(type).u64(0);
        }
    }

    /** A tiny Llama as llama.cpp stores it: Q8_0 embedding, Q4_K attention and gate/up, Q6_K down and output. */
    static Path tinyLlama(Path dir) throws IOException {
        Map<String, long[]> tensors = new LinkedHashMap<>();
        Map<String, Integer> types = new LinkedHashMap<>();
        // ggml dimensions are innermost first: a Linear in -> out is [in, out]
        put(tensors, types, "token_embd.weight", 8, 256, 512);
        put(tensors, types, "blk.0.attn_norm.weight", 0, 256);
        put(tensors, types, "blk.0.attn_q.weight", 12, 256, 256);
        put(tensors, types, "blk.0.attn_k.weight", 12, 256, 128);
        put(tensors, types, "blk.0.attn_v.weight", 12, 256, 128);
        put(tensors, types, "blk.0.attn_output.weight", 12, 256, 256);
        put(tensors, types, "blk.0.ffn_norm.weight", 0, 256);
        put(tensors, types, "blk.0.ffn_gate.weight", 12, 256, 512);
        put(tensors, types, "blk.0.ffn_up.weight", 12, 256, 512);
        put(tensors, types, "blk.0.ffn_down.weight", 14, 512, 256);
        put(tensors, types, "output_norm.weight", 0, 256);
        put(tensors, types, "output.weight", 14, 256, 512);
        Writer w = new Writer();
        w.out.writeBytes("GGUF".getBytes(StandardCharsets.US_ASCII));
        w.u32(3).u64(tensors.size()).u64(8);
        w.kvString("general.architecture", "llama");
        w.kvU32("llama.embedding_length", 256).kvU32("llama.block_count", 1).kvU32("llama.attention.head_count", 4);
        w.kvU32("llama.attention.head_count_kv", 2).kvU32("llama.feed_forward_length", 512);
        w.kvU32("llama.context_length", 2048);
        w.string("tokenizer.ggml.tokens")
                .u32(9)
                .u32(8)
                .u64(3)
                .string("<s>")
                .string("a")
                .string("b"); // a string array
        for (var e : tensors.entrySet()) w.tensor(e.getKey(), types.get(e.getKey()), e.getValue());
        Path file = dir.resolve("tiny-llama-Q4_K_M.gguf");
        Files.write(file, w.out.toByteArray());
        return file;
    }

    private static void put(Map<String, long[]> t, Map<String, Integer> types, String name, int type, long... dims) {
        t.put(name, dims);
        types.put(name, type);
    }

    @Test
    void aGgufFileImportsAsItsConfigWouldAndItsBytesAreExactPerGgmlType(@TempDir Path dir) throws IOException {
        var imported = HfConfigImporter.importGguf(tinyLlama(dir), "tiny");
        var fromConfig = HfConfigImporter.fromJson(
                "{\"model_type\": \"llama\", \"hidden_size\": 256, \"num_hidden_layers\": 1, \"num_attention_heads\": 4,"
                        + " \"num_key_value_heads\": 2, \"intermediate_size\": 512, \"vocab_size\": 512,"
                        + " \"max_position_embeddings\": 2048, \"tie_word_embeddings\": false}",
                "tiny");
        assertThat(imported.spec()).isEqualTo(fromConfig);
        CheckpointCount c = imported.checkpoint();
        long strata = Parameters.count(imported.spec()).total();
        assertThat(c.parameters()).isEqualTo(strata);
        assertThat(c.differences(Parameters.count(imported.spec()))).isEmpty();
        // bytes by ggml's block layouts: Q8_0 34 bytes per 32, Q4_K 144 per 256, Q6_K 210 per 256, F32 4 per element
        long bytes = 256L * 512 / 32 * 34 // token_embd, Q8_0
                + (256L * 256 * 2 + 256L * 128 * 2 + 256L * 512 * 2) / 256 * 144 // q, o, k, v, gate, up: Q4_K
                + (512L * 256 + 256L * 512) / 256 * 210 // ffn_down and output: Q6_K
                + 3 * 256 * 4; // three norms, F32
        assertThat(c.bytes()).isEqualTo(bytes);
        assertThat(c.elementsByDtype()).containsEntry("Q4_K", 458_752L).containsEntry("Q6_K", 262_144L);
        // most layer weights are Q4_K: 4 bits and 16 bytes of scales per 256, 4.5 bits a weight, as the weight format
        assertThat(imported.weights().id()).isEqualTo("q4_k");
        assertThat(imported.weights().bytesFor(65_536)).isEqualTo(65_536 / 256 * 144);
        assertThat(imported.weightsSource()).contains("Q4_K").contains("Q6_K");
    }

    @Test
    void brokenGgufFilesNameTheFileAndWhatIsWrong(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("x.gguf");
        Files.write(file, "GGML1234".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> HfConfigImporter.importGguf(file, "x"))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessageContaining("x.gguf")
                .hasMessageContaining("does not start with GGUF");
        byte[] good = Files.readAllBytes(tinyLlama(dir));
        Files.write(file, java.util.Arrays.copyOf(good, good.length - 5));
        assertThatThrownBy(() -> HfConfigImporter.importGguf(file, "x")).hasMessageContaining("ends inside its header");
        Writer w = new Writer();
        w.out.writeBytes("GGUF".getBytes(StandardCharsets.US_ASCII));
        w.u32(3).u64(1).u64(1).kvString("general.architecture", "llama").tensor("t", 12, 100); // 100 is no Q4_K block
        Files.write(file, w.out.toByteArray());
        assertThatThrownBy(() -> HfConfigImporter.importGguf(file, "x"))
                .hasMessageContaining("not whole blocks of 256");
        Writer noArch = new Writer();
        noArch.out.writeBytes("GGUF".getBytes(StandardCharsets.US_ASCII));
        noArch.u32(3).u64(0).u64(0);
        Files.write(file, noArch.out.toByteArray());
        assertThatThrownBy(() -> HfConfigImporter.importGguf(file, "x")).hasMessageContaining("general.architecture");
    }
}
