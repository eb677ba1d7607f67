package dev.strata.model;

/** A single (non-routed) MLP; also the shape of one expert in a mixture of experts. */
public sealed interface Mlp extends FeedForward permits DenseMlp, GatedMlp {
    /**
     * Width of the hidden (intermediate) layer.
     *
     * @return the intermediate width
     */
    int intermediateSize();

    /**
     * Whether every matrix has a bias.
     *
     * @return whether the matrices have biases
     */
    boolean bias();

    /**
     * Number of hidden x intermediate weight matrices: 2 for a dense MLP, 3 for a gated one.
     *
     * @return 2 or 3
     */
    int matrices();
}
