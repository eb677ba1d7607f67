package dev.strata.model;

import dev.strata.model.internal.Checks;
import dev.strata.model.internal.Limits;

/**
 * What a model is asked to do: serve a batch of prompts or train on sequences.
 *
 * @param batch              sequences processed together per data-parallel replica (the micro-batch in training)
 * @param promptTokens       tokens of each prompt (prefill); in training, the sequence length
 * @param generatedTokens    tokens generated per sequence after the prompt (0 for prefill only)
 * @param prefillChunkTokens prompt tokens processed per forward pass in chunked prefill; 0 processes the whole
 *                           prompt at once
 * @param parallelism        how the model is split over devices
 * @param recompute          activation recomputation in training
 * @param optimizer          the training optimizer
 * @param lora               LoRA adapters for fine-tuning, or {@link LoraAdapter#NONE} for full training
 */
public record Workload(
        long batch,
        long promptTokens,
        long generatedTokens,
        long prefillChunkTokens,
        Parallelism parallelism,
        Recompute recompute,
        Optimizer optimizer,
        LoraAdapter lora) {
    /** Largest batch: 2^24 sequences. */
    public static final long MAX_BATCH = 1L << 24;

    /**
     * Checks the fields; an invalid one throws an {@link InvalidFieldException} naming it.
     *
     * @param batch sequences processed together per data-parallel replica (the micro-batch in training)
     * @param promptTokens tokens of each prompt (prefill); in training, the sequence length
     * @param generatedTokens tokens generated per sequence after the prompt (0 for prefill only)
     * @param prefillChunkTokens prompt tokens processed per forward pass in chunked prefill; 0 processes the whole
     *     prompt at once
     * @param parallelism how the model is split over devices
     * @param recompute activation recomputation in training
     * @param optimizer the training optimizer
     * @param lora LoRA adapters for fine-tuning, or {@link LoraAdapter#NONE} for full training
     */
    public Workload {
        checkTokens(batch, promptTokens, generatedTokens, prefillChunkTokens);
        Checks.present("parallelism", parallelism);
        Checks.present("recompute", recompute);
        Checks.present("optimizer", optimizer);
        Checks.present("lora", lora);
    }

    /**
     * The checks of a workload's counts, for callers that take them as numbers without making a workload (a sweep's
     * points): batch 1 to {@link #MAX_BATCH}, a prompt of at least one token, prompt + generated tokens within
     * the longest context a spec may have (2^30 tokens).
     *
     * @param batch sequences processed together
     * @param promptTokens tokens of each prompt
     * @param generatedTokens tokens generated per sequence
     * @param prefillChunkTokens prompt tokens per forward pass in chunked prefill; 0 for the whole prompt
     */
    public static void checkTokens(long batch, long promptTokens, long generatedTokens, long prefillChunkTokens) {
        Checks.range("batch", batch, 1, MAX_BATCH);
        Checks.range("promptTokens", promptTokens, 1, Limits.MAX_CONTEXT);
        Checks.range("generatedTokens", generatedTokens, 0, Limits.MAX_CONTEXT);
        Checks.range("prefillChunkTokens", prefillChunkTokens, 0, Limits.MAX_CONTEXT);
        if (promptTokens + generatedTokens > Limits.MAX_CONTEXT)
            throw new InvalidFieldException(
                    "generatedTokens",
                    generatedTokens,
                    "such that promptTokens + generatedTokens <= " + Limits.MAX_CONTEXT);
    }

    /**
     * One sequence of {@code promptTokens} on one device, no generation, AdamW, no recompute.
     *
     * @param batch sequences processed together
     * @param promptTokens tokens of each prompt
     * @param generatedTokens tokens generated per sequence after the prompt
     * @return the workload
     */
    public static Workload of(long batch, long promptTokens, long generatedTokens) {
        return new Workload(
                batch,
                promptTokens,
                generatedTokens,
                0,
                Parallelism.NONE,
                Recompute.NONE,
                Optimizer.ADAMW,
                LoraAdapter.NONE);
    }

    /**
     * The context a sequence reaches: prompt plus generated tokens.
     *
     * @return promptTokens + generatedTokens
     */
    public long contextTokens() {
        return promptTokens + generatedTokens;
    }

    /**
     * Tokens per prefill forward pass: the chunk size, or the whole prompt.
     *
     * @return prefillChunkTokens when above 0, promptTokens otherwise
     */
    public long prefillPassTokens() {
        return prefillChunkTokens == 0 ? promptTokens : Math.min(prefillChunkTokens, promptTokens);
    }

    /**
     * This workload with another batch.
     *
     * @param b the batch
     * @return a copy with that batch, every other field unchanged
     */
    public Workload withBatch(long b) {
        return new Workload(
                b, promptTokens, generatedTokens, prefillChunkTokens, parallelism, recompute, optimizer, lora);
    }

    /**
     * This workload with another parallelism.
     *
     * @param p the parallelism
     * @return a copy with that parallelism, every other field unchanged
     */
    public Workload withParallelism(Parallelism p) {
        return new Workload(batch, promptTokens, generatedTokens, prefillChunkTokens, p, recompute, optimizer, lora);
    }

    /**
     * This workload with another recompute mode.
     *
     * @param r the recompute mode
     * @return a copy with that mode, every other field unchanged
     */
    public Workload withRecompute(Recompute r) {
        return new Workload(batch, promptTokens, generatedTokens, prefillChunkTokens, parallelism, r, optimizer, lora);
    }

    /**
     * This workload with LoRA adapters.
     *
     * @param l the adapters
     * @return a copy with those adapters, every other field unchanged
     */
    public Workload withLora(LoraAdapter l) {
        return new Workload(
                batch, promptTokens, generatedTokens, prefillChunkTokens, parallelism, recompute, optimizer, l);
    }

    /**
     * This workload with another optimizer.
     *
     * @param o the optimizer
     * @return a copy with that optimizer, every other field unchanged
     */
    public Workload withOptimizer(Optimizer o) {
        return new Workload(batch, promptTokens, generatedTokens, prefillChunkTokens, parallelism, recompute, o, lora);
    }
}
