package dev.strata.estimator.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.estimator.TestModels;
import dev.strata.estimator.params.Parameters;
import dev.strata.model.Hardware;
import dev.strata.model.InvalidFieldException;
import dev.strata.model.NumericFormat;
import dev.strata.model.Optimizer;
import dev.strata.model.Precision;
import org.junit.jupiter.api.Test;

/** Each engine's own scheduler limits, and trtllm-bench's choice worked by hand from its source. */
class SchedulerDefaultsTest {
    private static final Precision FP8 = Precision.of(NumericFormat.FP8, NumericFormat.FP8, Optimizer.ADAMW);
    private static final SchedulerDefaults.KvTokens NEVER = (s, t) -> {
        throw new AssertionError("only SGLang sizes by the KV cache");
    };

    private static Hardware device(String id, long bytes) {
        return Hardware.builder(id)
                .name(id)
                .peakFlopsPerSecond("bf16", 989e12)
                .memoryBytes(bytes)
                .memoryBandwidthBytesPerSecond(3.35e12)
                .build();
    }

    @Test
    void trtllmBenchChoosesItsBatchAndTokensFromTheKvCacheAsItsTuningCodeDoes() {
        // Llama 3 8B (8,030,261,248 parameters, as Llama 3.1 8B) in fp8 with an fp8 KV cache on one 80 GB device:
        // engine 8.0303e9 / 2^30 = 7.4787 GiB; memory 80e9 / 2^30 = 74.506 GiB; cache 0.95 x 67.027 = 63.676 GiB;
        // a token 2 x 32 layers x 8 heads x 128 x 1 B = 65,536 B = 6.1035e-5 GiB
        assertThat(Parameters.count(TestModels.llama3_8b()).total()).isEqualTo(8_030_261_248L);
        // 128 / 2048: 63.676 / (6.1035e-5 x 2176) = 479.4 requests -> 128 x ceil(479.4 / 128) = 512;
        // tokens 479.4 x (1 + 128 / 2048) = 509 -> the minimum, 2048
        assertBench(1, 128, 2048, 512, 2048);
        // 128 / 128: 4,075 requests -> 256 x ceil(4075 / 256) = 4096; tokens 8,150 -> 512 x ceil(8150 / 512) = 8192
        assertBench(1, 128, 128, 4096, 8192);
        // 20000 / 2000: 47.4 requests -> the minimum batch, 64; tokens 47.4 x 11 = 521 -> 2048
        assertBench(1, 20000, 2000, 64, 2048);
        // two pipeline stages: 2 x 74.506 - 7.479 = 141.53 GiB, 0.95 of it 134.46 GiB, 8,605 requests, capped at 4,096
        // and halved: 2048 (256 x 8); tokens 2048 x 2 = 4096 -> 512 x 8 = 4096
        assertBench(2, 128, 128, 2048, 4096);
    }

    /** trtllm-bench's limits for Llama 3 8B in fp8 on one H100 per stage, 0.95 of the memory to the KV cache. */
    private static void assertBench(int stages, long prompt, long output, int seqs, long tokens) {
        SchedulerDefaults d = SchedulerDefaults.trtllmBench(
                TestModels.llama3_8b(), FP8, 1, stages, TestModels.H100, prompt, output, 0.95);
        assertThat(d.maxSeqs()).as("%d / %d, %d stages", prompt, output, stages).isEqualTo(seqs);
        assertThat(d.maxBatchedTokens())
                .as("%d / %d, %d stages", prompt, output, stages)
                .isEqualTo(tokens);
    }

    @Test
    void trtllmBenchRefusesFormatsItDoesNotTune() {
        Precision int4 =
                Precision.of(NumericFormat.parseWeights("weights", "int4"), NumericFormat.FP8, Optimizer.ADAMW);
        assertThatThrownBy(() -> SchedulerDefaults.trtllmBench(
                        TestModels.llama3_8b(), int4, 1, 1, TestModels.H100, 128, 128, 0.95))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessageContaining("weights");
    }

    @Test
    void eachEngineHasItsOwnLimits() {
        // TensorRT-LLM BuildConfig: 2048 / 8192
        SchedulerDefaults trt = SchedulerDefaults.of("trtllm", TestModels.H100, 8192, NEVER);
        assertThat(trt.maxSeqs()).isEqualTo(2048);
        assertThat(trt.maxBatchedTokens()).isEqualTo(8192);
        // vLLM V1: 1024 / 8192 from 70 GiB up, except an A100; else 256 / 2048 (80 GB = 74.5 GiB; 48 GB = 44.7 GiB)
        assertThat(SchedulerDefaults.of("vllm", TestModels.H100, 8192, NEVER))
                .extracting(SchedulerDefaults::maxSeqs, SchedulerDefaults::maxBatchedTokens)
                .containsExactly(1024, 8192L);
        assertThat(SchedulerDefaults.of("vllm", device("a100-80gb-sxm", 80_000_000_000L), 8192, NEVER))
                .extracting(SchedulerDefaults::maxSeqs, SchedulerDefaults::maxBatchedTokens)
                .containsExactly(256, 2048L);
        assertThat(SchedulerDefaults.of("vllm", device("l40s", 48_000_000_000L), 8192, NEVER))
                .extracting(SchedulerDefaults::maxSeqs, SchedulerDefaults::maxBatchedTokens)
                .containsExactly(256, 2048L);
        // llama-server: 4 slots, batch 2048; no engine: 256 / 8192
        assertThat(SchedulerDefaults.of("llamacpp", TestModels.H100, 8192, NEVER))
                .extracting(SchedulerDefaults::maxSeqs, SchedulerDefaults::maxBatchedTokens)
                .containsExactly(4, 2048L);
        assertThat(SchedulerDefaults.of(null, TestModels.H100, 8192, NEVER))
                .extracting(SchedulerDefaults::maxSeqs, SchedulerDefaults::maxBatchedTokens)
                .containsExactly(256, 8192L);
    }

    @Test
    void sglangSizesItsRequestPoolByTheKvCacheAndTheContextLength() {
        // chunked prefill 8192 below 160 GiB; pool = KV tokens / context x 512 within 2048..4096, at most half the
        // tokens
        SchedulerDefaults.KvTokens million = (s, t) -> {
            assertThat(t).isEqualTo(8192L);
            return 1_000_000;
        };
        // 1e6 / 131072 x 512 = 3,906
        assertThat(SchedulerDefaults.of("sglang", TestModels.H100, 131072, million))
                .extracting(SchedulerDefaults::maxSeqs, SchedulerDefaults::maxBatchedTokens)
                .containsExactly(3906, 8192L);
        // a short context: 1e6 / 8192 x 512 = 62,500 -> capped at 4096
        assertThat(SchedulerDefaults.of("sglang", TestModels.H100, 8192, million)
                        .maxSeqs())
                .isEqualTo(4096);
        // a small cache: 3,000 tokens -> at least 2048 by the pool, but at most half the tokens, 1,500
        assertThat(SchedulerDefaults.of("sglang", TestModels.H100, 8192, (s, t) -> 3000)
                        .maxSeqs())
                .isEqualTo(1500);
        // 16,384-token chunks from 160 GiB (180 GB = 167.6 GiB); 2,048 below 35 GiB (24 GB)
        assertThat(SchedulerDefaults.of("sglang", device("b200", 180_000_000_000L), 8192, (s, t) -> 1_000_000)
                        .maxBatchedTokens())
                .isEqualTo(16384);
        assertThat(SchedulerDefaults.of("sglang", device("l4", 24_000_000_000L), 8192, (s, t) -> 1_000_000)
                        .maxBatchedTokens())
                .isEqualTo(2048);
    }
}
