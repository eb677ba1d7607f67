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
}
