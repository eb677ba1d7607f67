package dev.strata.estimator.latency;

/** The named terms of a step's time; {@link #key()} is the JSON/CSV name. */
public enum LatencyComponent {
    /** Reading the embedding rows of the step's tokens. */
    EMBEDDING("embedding"),
    /** q/k/v/o projections (and MLA's down/up projections). */
    ATTENTION_PROJECTIONS("attentionProjections"),
    /** Scores and weighted sum over the KV cache: the cache read, and its FLOPs. */
    ATTENTION_CORE("attentionCore"),
    /** Norm weights and the other vectors of the layers (biases are with their matrices). */
    NORMS("norms"),
    /** Dense or gated MLP of non-MoE layers. */
    MLP("mlp"),
    /** Router, shared experts and the routed experts the batch touches. */
    EXPERTS("experts"),
    /** Output head (logits). */
    OUTPUT_HEAD("outputHead"),
    /** Tensor-parallel all-reduces and pipeline point-to-point transfers. */
    COMMUNICATION("communication"),
    /** Memory-bound kernels over the activations: norms, residual adds, activations, quantisation (calibrated only). */
    ELEMENTWISE("elementwise"),
    /** Fixed per-layer overhead (calibrated estimate only). */
    OVERHEAD("overhead");

    private final String key;

    LatencyComponent(String key) {
        this.key = key;
    }

    /**
     * The camelCase name used in JSON keys and CSV rows.
     *
     * @return the key ({@code attentionCore}, ...)
     */
    public String key() {
        return key;
    }
}
