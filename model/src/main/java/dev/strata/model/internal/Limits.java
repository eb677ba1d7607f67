package dev.strata.model.internal;

/**
 * Bounds on the sizes a spec may have. They are far above any real model (a 10-trillion-parameter model fits well
 * inside them) and low enough that every count the estimators derive fits a {@code long} without overflow checks
 * on the hot path; the estimators still use exact arithmetic where a product of several bounds could overflow.
 */
public final class Limits {
    private Limits() {}

    /** Largest hidden size, heads x head size, or feed-forward width: 2^22. */
    public static final int MAX_WIDTH = 1 << 22;
    /** Largest vocabulary: 2^27 (134M). */
    public static final int MAX_VOCAB = 1 << 27;
    /** Largest number of layers. */
    public static final int MAX_LAYERS = 100_000;
    /** Largest number of attention heads (query or key/value). */
    public static final int MAX_HEADS = 1 << 16;
    /** Largest number of experts in a mixture-of-experts layer. */
    public static final int MAX_EXPERTS = 1 << 16;
    /** Largest parameter count of the encoders beside a language model (a vision tower): 10^13. */
    public static final long MAX_ENCODER_PARAMETERS = 10_000_000_000_000L;
    /** Largest context length in tokens: 2^30. */
    public static final int MAX_CONTEXT = 1 << 30;
}
