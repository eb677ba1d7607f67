package dev.strata.estimator.serving;

import dev.strata.estimator.params.Parameters;
import dev.strata.model.Hardware;
import dev.strata.model.InvalidFieldException;
import dev.strata.model.LayerGroup;
import dev.strata.model.MultiHeadAttention;
import dev.strata.model.NumericFormat;
import dev.strata.model.Precision;
import dev.strata.model.TransformerSpec;
import dev.strata.model.internal.Checks;

/**
 * The scheduler limits a serving engine takes when it is given none: the most sequences running at once and the most
 * tokens in one step (the chunked-prefill budget). Engines differ by a factor of eight here, and the sequence limit
 * bounds a replica's throughput once traffic saturates it.
 *
 * <ul>
 *   <li>{@code trtllm}: 2,048 sequences and 8,192 tokens, TensorRT-LLM's {@code BuildConfig} defaults that
 *   {@code trtllm-serve} and the LLM API take ({@code max_batch_size}, {@code max_num_tokens}). Its benchmark,
 *   {@code trtllm-bench}, chooses its own: {@link #trtllmBench}.</li>
 *   <li>{@code vllm}: vLLM V1's server defaults ({@code EngineArgs}, usage context {@code OPENAI_API_SERVER}): 1,024
 *   sequences and 8,192 tokens on a GPU of at least 70 GiB that is not an A100, else 256 and 2,048.</li>
 *   <li>{@code sglang}: SGLang's server defaults: {@code chunked_prefill_size} 2,048 below 35 GiB of device memory,
 *   8,192 below 160 GiB, else 16,384; {@code max_running_requests} the request pool's size, KV tokens / context length
 *   x 512 within 2,048..4,096, and at most half the KV tokens ({@code ModelRunner}).</li>
 *   <li>{@code llamacpp}: {@code llama-server}'s 4 slots sharing one KV cache ({@code --parallel} auto, since the
 *   unified cache of ggml-org/llama.cpp#16736) and its logical batch of 2,048 tokens ({@code --batch-size}).</li>
 *   <li>anything else (eager PyTorch, or no engine): 256 sequences and 8,192 tokens, vLLM's long-standing
 *   offline defaults, as an assumption.</li>
 * </ul>
 *
 * @param maxSeqs most sequences running at once
 * @param maxBatchedTokens most tokens in one step
 * @param basis where the two figures come from
 */
public record SchedulerDefaults(int maxSeqs, long maxBatchedTokens, String basis) {
    /**
     * Checks the fields; an invalid one throws an {@code InvalidFieldException} naming it.
     *
     * @param maxSeqs most sequences running at once, at least 1
     * @param maxBatchedTokens most tokens in one step, at least 1
     * @param basis where the figures come from
     */
    public SchedulerDefaults {
        Checks.range("maxSeqs", maxSeqs, 1, 1 << 20);
        Checks.range("maxBatchedTokens", maxBatchedTokens, 1, 1L << 24);
        Checks.text("basis", basis);
    }

    /** KV tokens of a replica for a sequence limit and a step's token budget (the memory the limits leave). */
    @FunctionalInterface
    public interface KvTokens {
        /**
         * The KV tokens.
         *
         * @param maxSeqs most sequences running at once
         * @param maxBatchedTokens most tokens in one step
         * @return KV tokens the replica holds
         */
        long tokens(int maxSeqs, long maxBatchedTokens);
    }

    private static final double GIB = 1L << 30;

    /**
     * The limits of engine {@code engine} (an {@code --engine} id, or null for none) on device {@code hw}.
     *
     * @param engine the engine id, or null
     * @param hw the device of each replica
     * @param contextLength the model's context length (SGLang sizes its request pool by it)
     * @param kv the KV tokens the limits leave (SGLang bounds its requests by them)
     * @return the limits
     */
    public static SchedulerDefaults of(String engine, Hardware hw, int contextLength, KvTokens kv) {
        Checks.present("hardware", hw);
        double gib = hw.memoryBytes() / GIB;
        String id = engine == null ? "" : engine;
        switch (id) {
            case "trtllm":
                return new SchedulerDefaults(
                        2048, 8192, "TensorRT-LLM BuildConfig defaults (max_batch_size 2048, max_num_tokens 8192)");
            case "vllm":
                boolean large =
                        gib >= 70 && !hw.id().toLowerCase(java.util.Locale.ROOT).contains("a100");
                return large
                        ? new SchedulerDefaults(
                                1024, 8192, "vLLM V1 server defaults on a GPU of 70 GiB or more, not an A100")
                        : new SchedulerDefaults(256, 2048, "vLLM V1 server defaults on a GPU below 70 GiB or an A100");
            case "sglang":
                long chunk = gib < 35 ? 2048 : gib < 160 ? 8192 : 16384;
                long tokens = kv.tokens(4096, chunk);
                double pool = Math.min(Math.max(tokens / (double) Math.max(1, contextLength) * 512, 2048), 4096);
                int running = (int) Math.max(1, Math.min(pool, tokens / 2.0));
                return new SchedulerDefaults(
                        running,
                        chunk,
                        "SGLang server defaults (chunked_prefill_size by device memory; max_running_requests from"
                                + " the KV tokens and the context length)");
            case "llamacpp":
                return new SchedulerDefaults(4, 2048, "llama-server defaults (4 slots, batch size 2048)");
            default:
                return new SchedulerDefaults(256, 8192, "strata's assumption (vLLM's offline defaults)");
        }
    }

    /**
     * The maximum batch size and tokens per step that {@code trtllm-bench} chooses for a model when it is given none
     * (TensorRT-LLM {@code bench/build/tuning.py}, {@code calc_engine_setting} and {@code finetune_setting}, the
     * revision of TensorRT-LLM 1.0): the KV cache's share of the memory the weights leave, divided by a request of
     * {@code inputLength + outputLength} tokens, gives the requests that fit; capped at 4,096 (over the pipeline
     * stages) and rounded up to a multiple of 32, 128 or 256 (at least 64); the tokens per step are those requests
     * times {@code 1 + input / output}, capped at 32,768 and rounded up (at least 2,048). Its weights take
     * {@code parameters x} 2 bytes (1 for fp8, 0.5 for nvfp4); the KV cache 2 bytes per element (1 for fp8, 0.5 for nvfp4) and at least
     * one KV head per tensor-parallel rank.
     *
     * @param spec the model (grouped-query or multi-head attention)
     * @param p its formats: weights bf16, fp16, fp8 or nvfp4 (the ones trtllm-bench tunes)
     * @param tp tensor-parallel ranks
     * @param pp pipeline stages
     * @param hw the device (its catalog memory, in GiB as trtllm-bench counts it)
     * @param inputLength the requests' prompt tokens
     * @param outputLength the requests' output tokens
     * @param kvFraction {@code kv_cache_free_gpu_mem_fraction} (0.95 by default there)
     * @return the limits
     */
    public static SchedulerDefaults trtllmBench(
            TransformerSpec spec,
            Precision p,
            int tp,
            int pp,
            Hardware hw,
            long inputLength,
            long outputLength,
            double kvFraction) {
        Checks.present("spec", spec);
        Checks.range("tp", tp, 1, 1 << 16);
        Checks.range("pp", pp, 1, 1 << 16);
        Checks.range("prompt", inputLength, 1, Integer.MAX_VALUE);
        Checks.range("generate", outputLength, 1, Integer.MAX_VALUE);
        Checks.positive("kvFraction", kvFraction, 1);
        double weightBytes = benchBytes(p.weights(), "weights");
        double kvBytes = p.kvCache().id().equals("fp8") ? 1 : p.kvCache().id().equals("nvfp4") ? 0.5 : 2;
        double perToken = 0; // bytes of one token's keys and values over all attention layers, all ranks
        for (LayerGroup g : spec.layers()) {
            if (!(g.kind().attention() instanceof MultiHeadAttention mha))
                throw InvalidFieldException.withMessage(
                        "model",
                        "trtllm-bench's settings are worked out for grouped-query or multi-head attention; "
                                + spec.name() + " has "
                                + g.kind().attention().getClass().getSimpleName());
            perToken += 2.0 * g.count() * Math.max(tp, mha.kvHeads()) * mha.headDim() * kvBytes;
        }
        double engine = Parameters.count(spec).total() * weightBytes / GIB;
        double available = hw.memoryBytes() / GIB * tp * pp - engine;
        if (available <= 0)
            throw new InvalidFieldException(
                    "hardware", hw.id(), "devices whose memory holds the weights (" + engine + " GiB)");
        double requests = available * kvFraction / (perToken / GIB * (inputLength + outputLength));
        double rawBatch = Math.min(requests, 4096) / pp;
        double rawTokens = Math.min(rawBatch * (1 + (double) inputLength / outputLength), 32768);
        long batch = rawBatch < 256
                ? Math.max(64, 32 * (long) Math.ceil(rawBatch / 32))
                : rawBatch < 1024 ? 128 * (long) Math.ceil(rawBatch / 128) : 256 * (long) Math.ceil(rawBatch / 256);
        long tokens = rawTokens < 4096
                ? Math.max(2048, 256 * (long) Math.ceil(rawTokens / 256))
                : rawTokens < 8192
                        ? 512 * (long) Math.ceil(rawTokens / 512)
                        : 1024 * (long) Math.ceil(rawTokens / 1024);
        return new SchedulerDefaults(
                (int) batch,
                tokens,
                "trtllm-bench's choice for " + inputLength + " / " + outputLength + " tokens (bench/build/tuning.py)");
    }

    private static double benchBytes(NumericFormat f, String field) {
        return switch (f.id()) {
            case "bf16", "fp16" -> 2;
            case "fp8" -> 1;
            case "nvfp4" -> 0.5;
            default ->
                throw new InvalidFieldException(
                        field, f.id(), "bf16, fp16, fp8 or nvfp4 (the formats trtllm-bench tunes)");
        };
    }
}
