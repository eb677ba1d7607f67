package dev.strata.model;

/** Activation function of a feed-forward block (informative: the parameter count depends only on the matrices). */
public enum Activation {
    /** The Gaussian error linear unit, exact form (GPT-2's {@code gelu_new} is {@link #GELU_TANH}). */
    GELU,
    /** GELU with the tanh approximation (GPT-2, Gemma's {@code gelu_pytorch_tanh}). */
    GELU_TANH,
    /** SiLU (swish), the gate of SwiGLU (Llama, Mistral, Qwen). */
    SILU,
    /** The rectified linear unit. */
    RELU,
    /** ReLU squared (Nemotron-H's MLPs and experts). */
    RELU_SQUARED
}
