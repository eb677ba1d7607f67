package dev.strata.model;

import dev.strata.model.internal.Checks;

/**
 * The numeric format of each kind of stored number.
 *
 * @param weights         the weight matrices of the transformer layers (attention projections, MLPs, experts); for
 *                        training, the compute copy of every trainable weight
 * @param embeddings      token embedding, position table, output head, norms and routers: quantisers (GPTQ, AWQ,
 *                        bitsandbytes/QLoRA, FP8 checkpoints) keep these in 16 bits while the layer matrices are
 *                        quantised; equal to {@code weights} when those are 16 bits or wider
 * @param activations     activations (and, for LoRA, the adapters' compute copy)
 * @param kvCache         the key/value cache
 * @param gradients       gradients of the trainable weights (mixed precision: 16-bit, ZeRO's 2 bytes per parameter)
 * @param masterWeights   the optimizer's master copy of the trainable weights; no separate copy is kept when it
 *                        equals {@code weights} (training fully in fp32)
 * @param optimizerStates the optimizer's state tensors (moments, momentum)
 * @param expertWeights   the routed experts' matrices, where a checkpoint quantises only those (gpt-oss: MXFP4 experts,
 *                        everything else bf16); equal to {@code weights} otherwise
 */
public record Precision(
        NumericFormat weights,
        NumericFormat embeddings,
        NumericFormat activations,
        NumericFormat kvCache,
        NumericFormat gradients,
        NumericFormat masterWeights,
        NumericFormat optimizerStates,
        NumericFormat expertWeights) {
    /**
     * Formats with the experts' matrices in the weight format.
     *
     * @param weights the weight matrices of the transformer layers, the routed experts' included
     * @param embeddings token embedding, position table, output head, norms and routers
     * @param activations activations
     * @param kvCache the key/value cache
     * @param gradients gradients of the trainable weights
     * @param masterWeights the optimizer's master copy of the trainable weights
     * @param optimizerStates the optimizer's state tensors
     */
    public Precision(
            NumericFormat weights,
            NumericFormat embeddings,
            NumericFormat activations,
            NumericFormat kvCache,
            NumericFormat gradients,
            NumericFormat masterWeights,
            NumericFormat optimizerStates) {
        this(weights, embeddings, activations, kvCache, gradients, masterWeights, optimizerStates, weights);
    }

    /**
     * Checks the fields; an invalid one throws an {@link InvalidFieldException} naming it.
     *
     * @param weights the weight matrices of the transformer layers (attention projections, MLPs, experts); for
     *     training, the compute copy of every trainable weight
     * @param embeddings token embedding, position table, output head, norms and routers: quantisers (GPTQ, AWQ,
     *     bitsandbytes/QLoRA, FP8 checkpoints) keep these in 16 bits while the layer matrices are quantised; equal to
     *     {@code weights} when those are 16 bits or wider
     * @param activations activations (and, for LoRA, the adapters' compute copy)
     * @param kvCache the key/value cache
     * @param gradients gradients of the trainable weights (mixed precision: 16-bit, ZeRO's 2 bytes per parameter)
     * @param masterWeights the optimizer's master copy of the trainable weights; no separate copy is kept when it
     *     equals {@code weights} (training fully in fp32)
     * @param optimizerStates the optimizer's state tensors (moments, momentum)
     * @param expertWeights the routed experts' matrices, where a checkpoint quantises only those (gpt-oss: MXFP4
     *     experts, everything else bf16); equal to {@code weights} otherwise
     */
    public Precision {
        Checks.present("precision.expertWeights", expertWeights);
        Checks.present("precision.weights", weights);
        Checks.present("precision.embeddings", embeddings);
        Checks.present("precision.activations", activations);
        Checks.present("precision.kvCache", kvCache);
        Checks.present("precision.gradients", gradients);
        Checks.present("precision.masterWeights", masterWeights);
        Checks.present("precision.optimizerStates", optimizerStates);
        if (!activations.floatingPoint())
            throw new InvalidFieldException(
                    "precision.activations", activations.id(), "a floating-point format (fp32, bf16, fp16, fp8)");
        if (!gradients.floatingPoint())
            throw new InvalidFieldException(
                    "precision.gradients", gradients.id(), "a floating-point format (fp32, bf16, fp16, fp8)");
        if (!masterWeights.floatingPoint())
            throw new InvalidFieldException(
                    "precision.masterWeights", masterWeights.id(), "a floating-point format (fp32, bf16, fp16)");
    }

    /**
     * Mixed precision as ZeRO counts it (arXiv:1910.02054 §3.1): bf16 weights, activations, KV cache and gradients,
     * fp32 master weights and AdamW states: 2 + 2 + 12 = 16 bytes of model state per parameter.
     */
    public static final Precision MIXED_BF16 = of(NumericFormat.BF16, NumericFormat.BF16, Optimizer.ADAMW);

    /**
     * The usual formats around a choice of weight and KV-cache format: embeddings, head and norms stay bf16 when the
     * weights are narrower than 16 bits; activations are fp32 for fp32 weights, fp16 for fp16 weights, bf16 otherwise;
     * gradients take the weights' format when that is a 16- or 32-bit float, bf16 otherwise; master weights fp32;
     * optimizer states in the optimizer's own format.
     *
     * @param weights the format of the layer matrices
     * @param kvCache the format of the key/value cache
     * @param optimizer the optimizer, whose state format it takes
     * @return the formats
     */
    public static Precision of(NumericFormat weights, NumericFormat kvCache, Optimizer optimizer) {
        Checks.present("precision.weights", weights);
        Checks.present("optimizer", optimizer);
        boolean wide = weights.floatingPoint() && weights.bits() >= 16;
        NumericFormat embeddings = weights.bits() >= 16 ? weights : NumericFormat.BF16;
        NumericFormat compute = wide ? weights : NumericFormat.BF16;
        return new Precision(
                weights, embeddings, compute, kvCache, compute, NumericFormat.FP32, optimizer.defaultStateFormat());
    }

    /**
     * These formats with the routed experts' matrices in {@code experts}.
     *
     * @param experts the routed experts' format
     * @return a copy with that expert format, every other format unchanged
     */
    public Precision withExpertWeights(NumericFormat experts) {
        return new Precision(
                weights, embeddings, activations, kvCache, gradients, masterWeights, optimizerStates, experts);
    }

    /**
     * Whether the routed experts are stored in a format of their own.
     *
     * @return whether {@link #expertWeights()} differs from {@link #weights()}
     */
    public boolean mixedWeights() {
        return !expertWeights.equals(weights);
    }

    /**
     * The format of a layer matrix: the experts' for a routed expert's, the weights' otherwise.
     *
     * @param routedExpert whether the matrix belongs to a routed expert
     * @return {@link #expertWeights()} or {@link #weights()}
     */
    public NumericFormat weightsFor(boolean routedExpert) {
        return routedExpert ? expertWeights : weights;
    }

    /**
     * Whether the optimizer keeps a master copy apart from the compute weights.
     *
     * @return whether {@link #masterWeights()} differs from {@link #weights()}
     */
    public boolean separateMasterWeights() {
        return !masterWeights.equals(weights);
    }
}
