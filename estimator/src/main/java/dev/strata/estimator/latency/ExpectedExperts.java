package dev.strata.estimator.latency;

/**
 * How many routed experts a batch touches. Each of {@code tokens} tokens picks {@code topK} of {@code experts}; with
 * routing treated as uniform and independent per token, an expert is missed by one token with probability
 * {@code 1 - k/E}, so the expected number of distinct experts touched is {@code E (1 - (1 - k/E)^b)}
 * (docs/formulas.md, "Decode latency"). It is k for one token and tends to E for large batches: a decode step of a big
 * batch reads nearly every expert, a single sequence reads only its top-k.
 */
final class ExpectedExperts {
    private ExpectedExperts() {}

    /** Expected fraction of the routed experts that {@code tokens} tokens touch: {@code 1 - (1 - k/E)^tokens}. */
    public static double fractionTouched(int experts, int topK, double tokens) {
        if (tokens <= 0) return 0;
        if (topK >= experts) return 1;
        return -Math.expm1(tokens * Math.log1p(-(double) topK / experts)); // 1 - (1 - k/E)^b, accurate for small k/E
    }

    /** Expected number of distinct experts touched: {@code E (1 - (1 - k/E)^tokens)}. */
    public static double distinct(int experts, int topK, double tokens) {
        return experts * fractionTouched(experts, topK, tokens);
    }
}
