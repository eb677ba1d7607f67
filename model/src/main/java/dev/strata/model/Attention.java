package dev.strata.model;

/**
 * The token mixer of a layer: softmax attention, multi-head (with grouped/multi-query variants) or latent (MLA); a
 * linear-attention or state-space mixer, whose state per sequence does not grow with the context; or none.
 */
public sealed interface Attention permits MultiHeadAttention, LatentAttention, RecurrentMixer, NoMixer {
    /**
     * Number of query heads.
     *
     * @return the number of query heads
     */
    int heads();

    /**
     * Width of the concatenated query heads that the scores are computed with (heads x query head size).
     *
     * @return heads x query head size, in elements
     */
    long queryWidth();

    /**
     * Size of one query/key head used in the score dot product.
     *
     * @return the query and key head size of the score dot product, in elements
     */
    int scoreHeadDim();

    /**
     * Size of one value head.
     *
     * @return the value head size, in elements
     */
    int valueHeadDim();

    /**
     * Whether the layer attends over a cache of past keys and values (softmax attention), which grows with the context.
     *
     * @return true for softmax attention with a KV cache; false for a mixer with a fixed-size state
     */
    default boolean cachesKeys() {
        return this instanceof MultiHeadAttention || this instanceof LatentAttention;
    }
}
