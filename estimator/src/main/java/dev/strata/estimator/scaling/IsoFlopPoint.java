package dev.strata.estimator.scaling;

/**
 * One point of an iso-FLOP curve: N parameters trained on D = C/(6N) tokens reach {@code loss}.
 *
 * @param params N
 * @param tokens D
 * @param loss   the law's loss at (N, D), nats per token
 */
public record IsoFlopPoint(double params, double tokens, double loss) {
    /**
     * D / N.
     *
     * @return tokens per parameter
     */
    public double tokensPerParam() {
        return tokens / params;
    }
}
