package dev.strata.web;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** The header of a tiny GGUF model for the upload tests, written in llama.cpp's layout. */
public final class TinyGguf {
    private TinyGguf() {}

    /** Little-endian GGUF fields (ggml/docs/gguf.md), as data's GgufTest writes them. */
    private static final class Gguf {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Gguf u32(long v) {
            out.writeBytes(ByteBuffer.allocate(4)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putInt((int) v)
                    .array());
            return this;
        }

        Gguf u64(long v) {
            out.writeBytes(ByteBuffer.allocate(8)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(v)
                    .array());
            return this;
        }

        Gguf string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u64(b.length);
            out.writeBytes(b);
            return this;
        }

        Gguf kv(String key, long v) {
            return string(key).u32(4).u32(v);
        }

        Gguf tensor(String name, int type, long... dims) {
            string(name).u32(dims.length);
            for (long d : dims) u64(d);
            return u32(type).u64(0);
        }
    }

    /**
     * The header of a tiny Llama as llama.cpp stores it (data's GgufTest.tinyLlama): hidden 256, one layer, 4 heads,
     * 2 KV heads, MLP 512, vocabulary 512; Q8_0 embedding, Q4_K attention and gate/up, Q6_K down and output, F32
     * norms; a tokenizer array longer than the 4,096 elements whose values are kept.
     */
    public static byte[] llamaHeader() {
        Gguf w = new Gguf();
        w.out.writeBytes("GGUF".getBytes(StandardCharsets.US_ASCII));
        w.u32(3).u64(12).u64(8);
        w.string("general.architecture").u32(8).string("llama");
        w.kv("llama.embedding_length", 256).kv("llama.block_count", 1).kv("llama.attention.head_count", 4);
        w.kv("llama.attention.head_count_kv", 2).kv("llama.feed_forward_length", 512);
        w.kv("llama.context_length", 2048);
        w.string("tokenizer.ggml.token_type").u32(9).u32(5).u64(5000); // an int32 array of 5,000
        for (int i = 0; i < 5000; i++) w.u32(1);
        w.tensor("token_embd.weight", 8, 256, 512);
        w.tensor("blk.0.attn_norm.weight", 0, 256);
        w.tensor("blk.0.attn_q.weight", 12, 256, 256);
        w.tensor("blk.0.attn_k.weight", 12, 256, 128);
        w.tensor("blk.0.attn_v.weight", 12, 256, 128);
        w.tensor("blk.0.attn_output.weight", 12, 256, 256);
        w.tensor("blk.0.ffn_norm.weight", 0, 256);
        w.tensor("blk.0.ffn_gate.weight", 12, 256, 512);
        w.tensor("blk.0.ffn_up.weight", 12, 256, 512);
        w.tensor("blk.0.ffn_down.weight", 14, 512, 256);
        w.tensor("output_norm.weight", 0, 256);
        w.tensor("output.weight", 14, 256, 512);
        return w.out.toByteArray();
    }
}
