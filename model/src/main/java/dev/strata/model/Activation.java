package dev.strata.model;

/** Activation function of a feed-forward block (informative: the parameter count depends only on the matrices). */
public enum Activation {
    GELU,
    GELU_TANH,
    SILU,
    RELU,
    RELU_SQUARED
}
