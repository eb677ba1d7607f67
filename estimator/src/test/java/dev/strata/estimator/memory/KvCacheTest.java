package dev.strata.estimator.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.estimator.TestModels;
import dev.strata.model.NumericFormat;
import dev.strata.model.Parallelism;
import dev.strata.model.TransformerSpec;
import org.junit.jupiter.api.Test;

class KvCacheTest {

    @Test
    void llama3_8bTakes131072BytesPerTokenInBf16() {
        // docs/formulas.md, "KV cache": 2 x 32 layers x 8 KV heads x 128 x 2 bytes = 131,072 B/token, 0.5 GiB at 4,096;
        // exact
        TransformerSpec llama = TestModels.llama3_8b();
        assertThat(KvCache.bytesPerToken(llama, NumericFormat.BF16)).isEqualTo(131_072);
        assertThat(KvCache.bytes(llama, NumericFormat.BF16, 4096, 1)).isEqualTo(1L << 29);
        assertThat(KvCache.bytes(llama, NumericFormat.BF16, 4096, 8)).isEqualTo(8L << 29);
    }

    @Test
    void theCacheHasItsOwnPrecision() {
        TransformerSpec llama = TestModels.llama3_8b();
        // fp8 / int8: 1 byte per element; exact
        assertThat(KvCache.bytesPerToken(llama, NumericFormat.FP8)).isEqualTo(65_536);
        assertThat(KvCache.bytesPerToken(llama, NumericFormat.INT8)).isEqualTo(65_536);
        // int4 with one fp16 scale per 128: per layer K = 1024 elements -> 512 + 8 x 2 = 528 bytes, V the same; x 32;
        // exact
        assertThat(KvCache.bytesPerToken(llama, NumericFormat.int4(128, 2))).isEqualTo(2 * 528 * 32);
    }

    @Test
    void deepseekV3CachesTheLatentNotThePerHeadKeysAndValues() {
        // docs/formulas.md / DeepSeek-V2 §2.1.2: MLA caches kv_lora_rank + qk_rope_head_dim = 512 + 64 per layer:
        // 61 x 576 x 2 bytes = 70,272 B/token in bf16; exact
        TransformerSpec v3 = TestModels.deepseekV3();
        assertThat(KvCache.bytesPerToken(v3, NumericFormat.BF16)).isEqualTo(61L * 576 * 2);
        // per head as standard attention would: K 128 x (128 + 64) and V 128 x 128 per layer = 40,960 elements;
        // 61 x 40,960 x 2 = 4,997,120 B/token: the latent is 71x smaller; exact
        assertThat(KvCache.perHeadBytesPerToken(v3, NumericFormat.BF16)).isEqualTo(4_997_120);
        assertThat(KvCache.perHeadBytesPerToken(v3, NumericFormat.BF16) / KvCache.bytesPerToken(v3, NumericFormat.BF16))
                .isEqualTo(71);
        // for non-latent models the per-head figure is the cache itself
        assertThat(KvCache.perHeadBytesPerToken(TestModels.llama3_8b(), NumericFormat.BF16))
                .isEqualTo(131_072);
    }

    @Test
    void slidingWindowLayersHoldAtMostTheWindow() {
        // Mistral 7B: rolling buffer of 4096 (arXiv:2310.06825 §2); same layer shape as Llama-3-8B: 131,072 B/token
        TransformerSpec mistral = TestModels.mistral7b();
        assertThat(KvCache.bytes(mistral, NumericFormat.BF16, 32768, 1)).isEqualTo(4096L * 131_072);
        assertThat(KvCache.bytes(mistral, NumericFormat.BF16, 1000, 1)).isEqualTo(1000L * 131_072);
        // Gemma 2 9B: 21 local (4096) + 21 global layers of 2 x 8 x 256 x 2 = 8,192 B/token each, at 8,192 tokens;
        // exact
        TransformerSpec gemma = TestModels.gemma2_9b();
        assertThat(KvCache.bytesPerToken(gemma, NumericFormat.BF16)).isEqualTo(42 * 8192);
        assertThat(KvCache.bytes(gemma, NumericFormat.BF16, 8192, 1)).isEqualTo(21L * 4096 * 8192 + 21L * 8192 * 8192);
    }

    @Test
    void tensorParallelismSplitsKeyValueHeadsAndReplicatesThemWhenTooFew() {
        TransformerSpec llama = TestModels.llama3_8b();
        // 8 KV heads over 2 ranks: 4 each, half the bytes; exact
        assertThat(KvCache.perDeviceBytes(llama, NumericFormat.BF16, 1000, 1, new Parallelism(2, 1, 1, 1, 0, false)))
                .isEqualTo(1000L * 65_536);
        // over 16 ranks: one (replicated) head each: 2 x 128 x 2 bytes x 32 layers; exact
        assertThat(KvCache.perDeviceBytes(llama, NumericFormat.BF16, 1000, 1, new Parallelism(16, 1, 1, 1, 0, false)))
                .isEqualTo(1000L * 16_384);
        // pipeline: 16 layers per stage; exact
        assertThat(KvCache.perDeviceBytes(llama, NumericFormat.BF16, 1000, 1, new Parallelism(1, 2, 1, 1, 0, false)))
                .isEqualTo(1000L * 65_536);
        // MLA's latent is not split by heads: every tensor-parallel rank holds it
        TransformerSpec v3 = TestModels.deepseekV3();
        assertThat(KvCache.perDeviceBytes(v3, NumericFormat.BF16, 10, 1, new Parallelism(8, 1, 1, 1, 0, false)))
                .isEqualTo(KvCache.bytes(v3, NumericFormat.BF16, 10, 1));
    }

    /**
     * Qwen3-Next-80B-A3B's stack (config.json: 48 layers, every fourth gated full attention with 2 KV heads of 256, the
     * others Gated DeltaNet with 16 key and 32 value heads of 128 and a convolution of 4) and Nemotron-3-Nano's (23
     * Mamba-2 layers of 64 heads of 64, 8 groups, state 128, kernel 4; 6 attention layers with 2 KV heads of 128).
     */
    @Test
    void linearAttentionAndMambaLayersHoldAFixedStateInsteadOfKeysAndValues() {
        var full = new dev.strata.model.MultiHeadAttention(
                16, 2, 256, dev.strata.model.ProjectionBiases.NONE, true, false, false, true);
        var deltaNet = new dev.strata.model.LinearAttention(16, 32, 128, 128, 4);
        var mlp = new dev.strata.model.GatedMlp(512, dev.strata.model.Activation.SILU, false);
        TransformerSpec qwen3Next = TransformerSpec.builder()
                .vocabSize(151_936)
                .hiddenSize(2048)
                .layers(3, dev.strata.model.LayerKind.global(deltaNet, mlp))
                .layers(1, dev.strata.model.LayerKind.global(full, mlp))
                .build();
        // per DeltaNet layer: recurrent state 32 x 128 x 128 in fp32 (the kernels' state) = 2,097,152 bytes, and the
        // convolution's last 3 inputs of 2 x 2048 + 4096 channels in bf16 = 49,152 bytes (vLLM's mamba cache); exact
        long perLayer = 32L * 128 * 128 * 4 + (2 * 2048 + 4096) * 3 * 2;
        assertThat(KvCache.stateBytesPerSequence(qwen3Next, NumericFormat.BF16)).isEqualTo(3 * perLayer);
        // keys and values only for the full-attention layer: 2 x 2 x 256 x 2 bytes a token
        assertThat(KvCache.bytesPerToken(qwen3Next, NumericFormat.BF16)).isEqualTo(2 * 2 * 256 * 2);
        assertThat(KvCache.bytes(qwen3Next, NumericFormat.BF16, 10_000, 4))
                .isEqualTo(4 * (3 * perLayer + 10_000L * 2 * 2 * 256 * 2));
        // the state does not grow with the context; over 2 tensor-parallel ranks each holds half of it
        assertThat(KvCache.bytes(qwen3Next, NumericFormat.BF16, 1, 1)
                        - KvCache.bytesPerToken(qwen3Next, NumericFormat.BF16))
                .isEqualTo(3 * perLayer);
        assertThat(KvCache.stateBytesPerSequence(deltaNet, NumericFormat.BF16, 2))
                .isEqualTo(perLayer / 2);

        var mamba = new dev.strata.model.StateSpaceMixer(64, 64, 8, 128, 4, true, false);
        // state 64 x 64 x 128 in fp32 = 2,097,152 bytes; convolution (4096 + 2 x 8 x 128) x 3 in bf16 = 36,864 bytes
        assertThat(KvCache.stateBytesPerSequence(mamba, NumericFormat.BF16, 1))
                .isEqualTo(64L * 64 * 128 * 4 + 6144 * 3 * 2);
        assertThat(KvCache.bytesPerTokenPerLayer(mamba, NumericFormat.BF16, 1)).isZero();
        assertThat(KvCache.stateBytesPerSequence(full, NumericFormat.BF16, 1)).isZero();
    }
}
