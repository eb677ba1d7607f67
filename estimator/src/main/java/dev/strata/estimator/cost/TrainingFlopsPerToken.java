package dev.strata.estimator.cost;

/**
 * Training FLOPs per token as named terms.
 *
 * @param matmulParams   the parameters a token multiplies with (the input for {@code dense})
 * @param dense          the matrix products (projections, MLP or experts, router, logits), forward and backward; 6 x
 *                       matmulParams up to biases when counted from parameters alone
 * @param attention      attention scores and weighted values, forward and backward (PaLM App. B); 0 when not counted
 * @param sequenceLength the training sequence length the attention term was counted at (0 when not counted)
 * @param method         how the count was made, in words
 */
public record TrainingFlopsPerToken(
        double matmulParams, double dense, double attention, int sequenceLength, String method) {
    /**
     * dense + attention.
     *
     * @return FLOPs per token
     */
    public double total() {
        return dense + attention;
    }
}
