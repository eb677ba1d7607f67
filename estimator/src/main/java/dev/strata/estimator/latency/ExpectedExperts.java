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

    private static final org.apache.commons.math3.distribution.NormalDistribution NORMAL =
            new org.apache.commons.math3.distribution.NormalDistribution(null, 0, 1);

    /**
     * How much more than the mean the busiest of {@code ranks} expert-parallel ranks computes, when each holds an equal
     * share of the experts and routing is uniform: the rows of one rank are binomial with mean {@code rows} and variance
     * {@code rows (1 - 1/ranks)}, and the largest of {@code ranks} of them is expected at the mean plus
     * {@link #busiestRankDeviations} standard deviations. A real router is at best this even (load balancing aims at
     * it).
     *
     * @param rows mean token rows of one rank's experts
     * @param ranks expert-parallel ranks
     * @param deviations {@link #busiestRankDeviations}{@code (ranks)}
     * @return the busiest rank's rows over the mean, at least 1
     */
    static double busiestRankFactor(double rows, int ranks, double deviations) {
        if (ranks <= 1 || rows <= 0) return 1;
        return 1 + deviations * Math.sqrt(rows * (1 - 1.0 / ranks)) / rows;
    }

    /**
     * Standard deviations above the mean at which the largest of {@code ranks} normal draws is expected:
     * {@code Phi^-1((ranks - 0.375) / (ranks + 0.25))} (Blom 1958, the normal approximation of expected order
     * statistics); 0 for one rank.
     *
     * @param ranks expert-parallel ranks
     * @return the deviations
     */
    static double busiestRankDeviations(int ranks) {
        return ranks <= 1 ? 0 : NORMAL.inverseCumulativeProbability((ranks - 0.375) / (ranks + 0.25));
    }

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
