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
 * @param prefillTokenBudget most prompt tokens of the whole batch in one forward pass, as serving engines bound a
 *                           step (vLLM's {@code max_num_batched_tokens}); 0 puts every sequence's chunk in one pass
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
        long prefillTokenBudget,
        Parallelism parallelism,
        Recompute recompute,
        Optimizer optimizer,
        LoraAdapter lora) {
    /** Largest batch: 2^24 sequences. */
    public static final long MAX_BATCH = 1L << 24;

    /** Largest prefill token budget: 2^24 tokens per forward pass. */
    public static final long MAX_TOKEN_BUDGET = 1L << 24;

    /**
     * A workload without a prefill token budget: every sequence's prefill chunk in one forward pass.
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
    public Workload(
            long batch,
            long promptTokens,
            long generatedTokens,
            long prefillChunkTokens,
            Parallelism parallelism,
            Recompute recompute,
            Optimizer optimizer,
            LoraAdapter lora) {
        this(batch, promptTokens, generatedTokens, prefillChunkTokens, 0, parallelism, recompute, optimizer, lora);
    }

    /**
     * Checks the fields; an invalid one throws an {@link InvalidFieldException} naming it.
     *
     * @param batch sequences processed together per data-parallel replica (the micro-batch in training)
     * @param promptTokens tokens of each prompt (prefill); in training, the sequence length
     * @param generatedTokens tokens generated per sequence after the prompt (0 for prefill only)
     * @param prefillChunkTokens prompt tokens processed per forward pass in chunked prefill; 0 processes the whole
     *     prompt at once
     * @param prefillTokenBudget most prompt tokens of the whole batch in one forward pass; 0 for no bound
     * @param parallelism how the model is split over devices
     * @param recompute activation recomputation in training
     * @param optimizer the training optimizer
     * @param lora LoRA adapters for fine-tuning, or {@link LoraAdapter#NONE} for full training
     */
    public Workload {
        checkTokens(batch, promptTokens, generatedTokens, prefillChunkTokens);
        Checks.range("prefillTokenBudget", prefillTokenBudget, 0, MAX_TOKEN_BUDGET);
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
     * Prompt tokens of one sequence per prefill forward pass: the chunk size, or the whole prompt, and never more than
     * the token budget.
     *
     * @return the smallest of promptTokens, prefillChunkTokens (when above 0) and prefillTokenBudget (when above 0)
     */
    public long prefillPassTokens() {
        return prefillPassTokens(promptTokens, prefillChunkTokens, prefillTokenBudget);
    }

    /**
     * Prompt tokens of one sequence per prefill forward pass, for callers that hold the counts as numbers.
     *
     * @param promptTokens tokens of the prompt
     * @param chunk the prefill chunk, 0 for the whole prompt
     * @param budget the token budget of a pass, 0 for none
     * @return the smallest of promptTokens, chunk (when above 0) and budget (when above 0)
     */
    public static long prefillPassTokens(long promptTokens, long chunk, long budget) {
        long pass = chunk == 0 ? promptTokens : Math.min(chunk, promptTokens);
        return budget == 0 ? pass : Math.min(pass, budget);
    }

    /**
     * Sequences whose chunks share one prefill forward pass: as many as the token budget holds, at least one.
     *
     * @return {@link #prefillPassSequences(long, long, long)} of this workload's batch, pass tokens and budget
     */
    public long prefillPassSequences() {
        return prefillPassSequences(batch, prefillPassTokens(), prefillTokenBudget);
    }

    /**
     * Sequences whose prefill chunks of {@code passTokens} share one forward pass under a token budget: the batch when
     * there is no budget, else {@code budget / passTokens} bounded by 1 and the batch (an engine fills a step's budget
     * with whole chunks, and a chunk never exceeds the budget).
     *
     * @param batch sequences to prefill
     * @param passTokens prompt tokens of one sequence per pass
     * @param budget the token budget, 0 for none
     * @return sequences per pass
     */
    public static long prefillPassSequences(long batch, long passTokens, long budget) {
        if (budget == 0) return batch;
        return Math.max(1, Math.min(batch, budget / Math.max(1, passTokens)));
    }

    /**
     * This workload with another batch.
     *
     * @param b the batch
     * @return a copy with that batch, every other field unchanged
     */
    public Workload withBatch(long b) {
        return new Workload(
                b,
                promptTokens,
                generatedTokens,
                prefillChunkTokens,
                prefillTokenBudget,
                parallelism,
                recompute,
                optimizer,
                lora);
    }

    /**
     * This workload with another parallelism.
     *
     * @param p the parallelism
     * @return a copy with that parallelism, every other field unchanged
     */
    public Workload withParallelism(Parallelism p) {
        return new Workload(
                batch,
                promptTokens,
                generatedTokens,
                prefillChunkTokens,
                prefillTokenBudget,
                p,
                recompute,
                optimizer,
                lora);
    }

    /**
     * This workload with another recompute mode.
     *
     * @param r the recompute mode
     * @return a copy with that mode, every other field unchanged
     */
    public Workload withRecompute(Recompute r) {
        return new Workload(
                batch,
                promptTokens,
                generatedTokens,
                prefillChunkTokens,
                prefillTokenBudget,
                parallelism,
                r,
                optimizer,
                lora);
    }

    /**
     * This workload with another prefill token budget.
     *
     * @param budget most prompt tokens of the batch in one forward pass, 0 for no bound
     * @return a copy with that budget, every other field unchanged
     */
    public Workload withPrefillTokenBudget(long budget) {
        return new Workload(
                batch,
                promptTokens,
                generatedTokens,
                prefillChunkTokens,
                budget,
                parallelism,
                recompute,
                optimizer,
                lora);
    }

    /**
     * This workload with LoRA adapters.
     *
     * @param l the adapters
     * @return a copy with those adapters, every other field unchanged
     */
    public Workload withLora(LoraAdapter l) {
        return new Workload(
                batch,
                promptTokens,
                generatedTokens,
                prefillChunkTokens,
                prefillTokenBudget,
                parallelism,
                recompute,
                optimizer,
                l);
    }

    /**
     * This workload with another optimizer.
     *
     * @param o the optimizer
     * @return a copy with that optimizer, every other field unchanged
     */
    public Workload withOptimizer(Optimizer o) {
        return new Workload(
                batch,
                promptTokens,
                generatedTokens,
                prefillChunkTokens,
                prefillTokenBudget,
                parallelism,
                recompute,
                o,
                lora);
    }
}
