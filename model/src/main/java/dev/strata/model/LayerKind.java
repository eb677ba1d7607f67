package dev.strata.model;

import dev.strata.model.internal.Checks;
import dev.strata.model.internal.Limits;

/**
 * What one transformer layer is: its attention, its attention span, an optional recurrent mixer beside the attention,
 * and its feed-forward block.
 *
 * @param attention     the attention block
 * @param slidingWindow 0 for full (global) causal attention; otherwise each token attends to at most this many
 *                      preceding tokens and the KV cache holds at most this many (Mistral, Gemma 2 local layers)
 * @param feedForward   the feed-forward block
 * @param parallelMixer a recurrent mixer that reads the same normed input as the attention, its output added to the
 *                      attention's (Falcon-H1's Mamba-2 beside GQA in every layer); {@link NoMixer} for none (absent
 *                      in spec JSON means none)
 */
public record LayerKind(Attention attention, int slidingWindow, FeedForward feedForward, Attention parallelMixer) {
    private static final NoMixer NONE = new NoMixer();

    /**
     * Checks the fields; an invalid one throws an {@link InvalidFieldException} naming it.
     *
     * @param attention the attention block
     * @param slidingWindow 0 for full (global) causal attention; otherwise each token attends to at most this many
     *     preceding tokens and the KV cache holds at most this many (Mistral, Gemma 2 local layers)
     * @param feedForward the feed-forward block
     * @param parallelMixer a recurrent mixer that reads the same normed input as the attention, its output added to the
     *     attention's (Falcon-H1's Mamba-2 beside GQA in every layer); {@link NoMixer} for none (absent in spec JSON
     *     means none)
     */
    public LayerKind {
        Checks.present("attention", attention);
        Checks.range("slidingWindow", slidingWindow, 0, Limits.MAX_CONTEXT);
        Checks.present("feedForward", feedForward);
        if (parallelMixer == null) parallelMixer = NONE;
        if (attention instanceof NoMixer && feedForward instanceof NoFeedForward)
            throw new InvalidFieldException("feedForward", "none", "a feed-forward block in a layer without a mixer");
        if (!(parallelMixer instanceof NoMixer || parallelMixer instanceof RecurrentMixer))
            throw new InvalidFieldException(
                    "parallelMixer",
                    parallelMixer.getClass().getSimpleName(),
                    "a recurrent mixer (linear, stateSpace, selectiveStateSpace) or none");
        if (!(parallelMixer instanceof NoMixer)
                && !(attention instanceof MultiHeadAttention || attention instanceof LatentAttention))
            throw new InvalidFieldException(
                    "parallelMixer",
                    parallelMixer.getClass().getSimpleName(),
                    "none in a layer whose mixer is not softmax attention (a recurrent mixer runs beside attention)");
    }

    /**
     * A layer of one mixer.
     *
     * @param attention the attention block
     * @param slidingWindow 0 for global attention, otherwise the window in tokens
     * @param feedForward the feed-forward block
     */
    public LayerKind(Attention attention, int slidingWindow, FeedForward feedForward) {
        this(attention, slidingWindow, feedForward, NONE);
    }

    /**
     * Whether a recurrent mixer runs beside the attention.
     *
     * @return whether {@link #parallelMixer()} is not a {@link NoMixer}
     */
    public boolean hasParallelMixer() {
        return !(parallelMixer instanceof NoMixer);
    }

    /**
     * A global-attention layer.
     *
     * @param attention the attention block
     * @param feedForward the feed-forward block
     * @return a layer kind without a sliding window or a parallel mixer
     */
    public static LayerKind global(Attention attention, FeedForward feedForward) {
        return new LayerKind(attention, 0, feedForward);
    }

    /**
     * Whether this layer attends to a bounded window.
     *
     * @return whether {@link #slidingWindow()} is above 0
     */
    public boolean isSliding() {
        return slidingWindow > 0;
    }
}
