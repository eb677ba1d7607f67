package dev.strata.estimator.flops;

import dev.strata.model.internal.Checks;

/**
 * What a FLOP count includes. Every convention counts 2 FLOPs per multiply-accumulate of the matrix multiplications
 * (docs/formulas.md, "FLOPs") and no element-wise work (norms, activation functions, residual adds, rotary embeddings), except
 * the softmax where {@code softmax} says so.
 *
 * @param mask             full or causal counting of the attention of several queries of one sequence
 * @param embeddingMatmul  count the token embedding as a one-hot matrix product, 2 x vocab x hidden per token
 *                         (Chinchilla App. F) instead of a free table lookup
 * @param softmax          count 3 FLOPs per attention score for the softmax (Chinchilla App. F)
 */
public record FlopsConvention(AttentionMask mask, boolean embeddingMatmul, boolean softmax) {
    /** Matrix products only, full attention: what the reference stack's profiler counts. The default. */
    public static final FlopsConvention FULL = new FlopsConvention(AttentionMask.FULL, false, false);
    /** Matrix products only, causal attention (half the scores of a prefill). */
    public static final FlopsConvention CAUSAL = new FlopsConvention(AttentionMask.CAUSAL, false, false);
    /**
     * Hoffmann et al. 2022 (arXiv:2203.15556) App. F: full attention, embeddings as a matrix product, 3 FLOPs per
     * score for the softmax.
     */
    public static final FlopsConvention CHINCHILLA = new FlopsConvention(AttentionMask.FULL, true, true);

    /**
     * Checks the fields; an invalid one throws an {@code InvalidFieldException} naming it.
     *
     * @param mask full or causal counting of the attention of several queries of one sequence
     * @param embeddingMatmul count the token embedding as a one-hot matrix product, 2 x vocab x hidden per token
     *     (Chinchilla App. F) instead of a free table lookup
     * @param softmax count 3 FLOPs per attention score for the softmax (Chinchilla App. F)
     */
    public FlopsConvention {
        Checks.present("flops.mask", mask);
    }

    /**
     * Matrix products only with the given attention mask.
     *
     * @param mask full or causal
     * @return the convention, without the embedding product or the softmax
     */
    public static FlopsConvention of(AttentionMask mask) {
        return mask == AttentionMask.FULL ? FULL : CAUSAL;
    }
}
