package dev.strata.web.page;

import java.util.Map;

/**
 * What each term on the pages means, with its formula or source, shown as the term's tooltip ({@link #term}). The
 * formulas themselves live in the estimators; these sentences name them for a reader (docs/formulas.md has them all).
 */
public final class Glossary {
    private Glossary() {}

    private static final Map<String, String> TERMS = Map.ofEntries(
            Map.entry(
                    "fits",
                    "Whether the most loaded device holds weights, KV cache, activations and runtime overhead:"
                            + " per-device bytes <= device memory."),
            Map.entry(
                    "memory",
                    "Bytes on the most loaded device (weights of its shard + its KV cache + one pass's activations"
                            + " + runtime overhead) against the device's memory."),
            Map.entry(
                    "headroom",
                    "Device memory left after the estimate, as a share of the device: 1 - needed / capacity."),
            Map.entry(
                    "ttft",
                    "Time to first token of one request when an engine serves the batch in steps of the token budget"
                            + " (chunked prefill mixed with decode), from the serving simulation; the batch's whole"
                            + " prefill is given beside it."),
            Map.entry(
                    "tpot",
                    "Time per output token: one decode step at the average context (prompt + half the output), a"
                            + " per-operation roofline max(bytes / bandwidth, FLOPs / peak) with fitted efficiencies;"
                            + " the floor uses 100 % of the datasheet."),
            Map.entry("throughput", "Output tokens per second of the whole batch: batch / time per output token."),
            Map.entry(
                    "cost",
                    "Cost per million output tokens, the prompt's prefill included: (price per device-hour x devices x"
                            + " request seconds / 3600) / output tokens x 10^6."),
            Map.entry(
                    "cost-request",
                    "Device-hours of one request (its prefill and its decode) times the price per device-hour."),
            Map.entry(
                    "price",
                    "Price per device-hour: the catalog's figure for the device (an assumption; set it with price)."),
            Map.entry(
                    "capacity",
                    "Largest batch and largest context that fit the device's memory at these formats and layout"
                            + " (a search over the memory estimate)."),
            Map.entry(
                    "max-batch",
                    "Largest batch whose memory fits the device at these lengths (a search over the memory estimate)."),
            Map.entry("max-context", "Longest prompt + output that fits the device at this batch."),
            Map.entry("min-devices", "Fewest devices whose tensor x pipeline split holds the model at this batch."),
            Map.entry(
                    "layout",
                    "Tensor parallel x pipeline stages x expert parallel: how a replica's layers are split over its devices."),
            Map.entry(
                    "error-band",
                    "Validated error band: the 80th percentile of |estimated / measured - 1| over published GPU"
                            + " measurements in cross-validation (the Validation page)."),
            Map.entry(
                    "weightsBytes",
                    "Weights: parameters x bytes of their format (block scales included), this device's shard."),
            Map.entry(
                    "kvCacheBytes",
                    "KV cache: 2 x layers x KV heads x head size x bytes x tokens x sequences (per layer kind: MLA,"
                            + " sliding windows and state layers have their own)."),
            Map.entry(
                    "activationsBytes",
                    "Peak activations of one forward pass (FlashAttention, no score matrix): tokens of the pass x"
                            + " (hidden + largest working set) x bytes, plus fp32 logits."),
            Map.entry(
                    "runtimeOverheadBytes",
                    "Runtime overhead per device: CUDA context, allocator and workspace (1 GiB by default)."),
            Map.entry("embedding", "Embedding lookup: one row of the table per token."),
            Map.entry(
                    "attentionProjections",
                    "Q, K, V and output projections: weight reads and 2 FLOPs per multiply-accumulate."),
            Map.entry(
                    "attentionCore",
                    "Attention over the cached keys and values: KV-cache reads and QK^T, AV products."),
            Map.entry("norms", "Normalisation layers: their weights and a pass over the activations."),
            Map.entry("mlp", "The dense MLP (weight reads dominate at small batch)."),
            Map.entry(
                    "experts",
                    "The routed experts: the distinct experts a step's tokens reach, read once each, and the router."),
            Map.entry(
                    "communication",
                    "Tensor-parallel all-reduces (2 per layer) and pipeline transfers: latency + bytes / link bandwidth."),
            Map.entry("outputHead", "The output head: hidden x vocabulary weights and the logits."),
            Map.entry(
                    "elementwise",
                    "Memory-bound elementwise passes per layer (residual adds, activations, rotary) of the engine profile."),
            Map.entry(
                    "overhead",
                    "Fixed costs of the engine profile: per kernel launch, per layer and per pass (fitted)."));

    /** The tooltip of {@code key}, or null when the glossary has none. */
    public static String of(String key) {
        return TERMS.get(key);
    }

    /**
     * {@code text} (escaped) marked as a term with its explanation as a tooltip ({@code title}) when the glossary has
     * {@code key}; else {@code text} alone.
     */
    public static String term(String key, String text) {
        String t = TERMS.get(key);
        if (t == null) return Html.esc(text);
        return "<span class=\"term\" title=\"" + Html.esc(t) + "\">" + Html.esc(text) + "</span>";
    }
}
