package dev.strata.model;

/**
 * What one transformer layer is: its attention, its attention span and its feed-forward block.
 *
 * @param attention     the attention block
 * @param slidingWindow 0 for full (global) causal attention; otherwise each token attends to at most this many
 *                      preceding tokens and the KV cache holds at most this many (Mistral, Gemma 2 local layers)
 * @param feedForward   the feed-forward block
 */
public record LayerKind(Attention attention, int slidingWindow, FeedForward feedForward) {
    public LayerKind {
        Checks.present("attention", attention);
        Checks.range("slidingWindow", slidingWindow, 0, Limits.MAX_CONTEXT);
        Checks.present("feedForward", feedForward);
        if (attention instanceof NoMixer && feedForward instanceof NoFeedForward)
            throw new InvalidFieldException("feedForward", "none", "a feed-forward block in a layer without a mixer");
    }

    /** A global-attention layer. */
    public static LayerKind global(Attention attention, FeedForward feedForward) {
        return new LayerKind(attention, 0, feedForward);
    }

    /** Whether this layer attends to a bounded window. */
    public boolean isSliding() {
        return slidingWindow > 0;
    }
}
