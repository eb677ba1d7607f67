package dev.strata.estimator.scaling;

import dev.strata.model.InvalidFieldException;
import dev.strata.model.internal.Checks;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The parametric loss of Hoffmann et al. 2022 ("Chinchilla", arXiv:2203.15556, §3.3, Eq. 2):
 * L(N, D) = E + A / N^α + B / D^β, with its closed-form compute-optimal frontier (Eq. 4) under C = 6ND.
 * Built-in instances are in {@link ScalingLaws}; fits of a user's own runs come from {@link ChinchillaFit}.
 *
 * @param id     stable lower-case id
 * @param name   display name
 * @param source where the constants come from
 * @param E      irreducible loss, nats per token
 * @param A      parameter-term coefficient
 * @param B      data-term coefficient
 * @param alpha  parameter exponent α
 * @param beta   data exponent β
 */
public record ChinchillaLaw(
        String id, String name, String source, double E, double A, double B, double alpha, double beta)
        implements ScalingLaw {
    /** Largest coefficient A or B accepted. */
    public static final double MAX_COEFFICIENT = 1e30;
    /** Largest exponent α or β accepted. */
    public static final double MAX_EXPONENT = 10;

    /**
     * Checks the fields; an invalid one throws an {@code InvalidFieldException} naming it.
     *
     * @param id stable lower-case id
     * @param name display name
     * @param source where the constants come from
     * @param E irreducible loss, nats per token
     * @param A parameter-term coefficient
     * @param B data-term coefficient
     * @param alpha parameter exponent α
     * @param beta data exponent β
     */
    public ChinchillaLaw {
        Checks.text("law.id", id);
        name = name == null || name.isBlank() ? id : name;
        source = source == null ? "" : source;
        Checks.range("E", E, 0, 100);
        Checks.positive("A", A, MAX_COEFFICIENT);
        Checks.positive("B", B, MAX_COEFFICIENT);
        Checks.positive("alpha", alpha, MAX_EXPONENT);
        Checks.positive("beta", beta, MAX_EXPONENT);
    }

    /**
     * A law from the natural logs of the constants, as Hoffmann et al.'s fit parametrises them (App. D.2:
     * A = exp(a), B = exp(b), E = exp(e)).
     *
     * @param id stable lower-case id
     * @param name display name
     * @param source where the constants come from
     * @param logA a = ln A
     * @param logB b = ln B
     * @param logE e = ln E
     * @param alpha parameter exponent α
     * @param beta data exponent β
     * @return the law
     */
    public static ChinchillaLaw ofLogs(
            String id, String name, String source, double logA, double logB, double logE, double alpha, double beta) {
        return new ChinchillaLaw(id, name, source, Math.exp(logE), Math.exp(logA), Math.exp(logB), alpha, beta);
    }

    @Override
    public String paramsMeaning() {
        return "all parameters, as Hoffmann et al. 2022 count them";
    }

    @Override
    public Map<String, Double> constants() {
        return ScalingLaw.constants(List.of("E", "A", "B", "alpha", "beta"), E, A, B, alpha, beta);
    }

    @Override
    public boolean hasLoss() {
        return true;
    }

    /** L(N, D) = E + A/N^α + B/D^β (Hoffmann et al. 2022, §3.3, Eq. 2). */
    @Override
    public double loss(double params, double tokens) {
        Checks.positive("params", params, TrainingCompute.MAX_QUANTITY);
        Checks.positive("tokens", tokens, TrainingCompute.MAX_QUANTITY);
        return E + A / Math.pow(params, alpha) + B / Math.pow(tokens, beta);
    }

    /**
     * Exponent a of N_opt ∝ C^a: a = β / (α + β) (Hoffmann et al. 2022, Eq. 4; 0.46 for Approach 3, Table 2).
     *
     * @return a
     */
    public double paramsExponent() {
        return beta / (alpha + beta);
    }

    /**
     * Exponent b of D_opt ∝ C^b: b = α / (α + β) (Hoffmann et al. 2022, Eq. 4).
     *
     * @return b
     */
    public double tokensExponent() {
        return alpha / (alpha + beta);
    }

    /**
     * G = (αA / (βB))^(1/(α+β)) (Hoffmann et al. 2022, Eq. 4).
     *
     * @return G
     */
    public double g() {
        return Math.pow(alpha * A / (beta * B), 1 / (alpha + beta));
    }

    /**
     * The compute-optimal frontier in closed form (Hoffmann et al. 2022, §3.3, Eq. 4): with C = 6ND,
     * N_opt = G·(C/6)^a and D_opt = G⁻¹·(C/6)^b.
     */
    @Override
    public ComputeOptimal optimal(double computeFlops) {
        double perSix = Checks.positive("compute", computeFlops, TrainingCompute.MAX_QUANTITY)
                / TrainingCompute.FLOPS_PER_PARAM_PER_TOKEN;
        double g = g();
        double n = g * Math.pow(perSix, paramsExponent());
        double d = Math.pow(perSix, tokensExponent()) / g;
        return new ComputeOptimal(
                id, computeFlops, n, d, OptionalDouble.of(loss(n, d)), ComputeOptimal.Method.CLOSED_FORM);
    }

    /** The Chinchilla form's recommended frontier minimises its own loss: the same as {@link #optimal}. */
    @Override
    public ComputeOptimal lossMinimising(double computeFlops) {
        return optimal(computeFlops);
    }

    /**
     * The budget that reaches a target loss, in closed form. On the frontier of Eq. 4 the two terms keep the ratio
     * αA/N^α = βB/D^β (the first-order condition of minimising Eq. 2 subject to C = 6ND), so
     * L − E = (1 + α/β)·A/N^α, hence N = (A(1 + α/β)/(L − E))^(1/α) and C = 6·(N/G)^(1/a).
     *
     * @throws InvalidFieldException (field {@code loss}) unless E &lt; target
     */
    @Override
    public ComputeOptimal computeForLoss(double targetLoss) {
        Checks.range("loss", targetLoss, 0, 100);
        if (!(targetLoss > E))
            throw new InvalidFieldException(
                    "loss", targetLoss, "above the law's irreducible loss E = " + E + " (law " + id + ")");
        double n = Math.pow(A * (1 + alpha / beta) / (targetLoss - E), 1 / alpha);
        double c = TrainingCompute.FLOPS_PER_PARAM_PER_TOKEN * Math.pow(n / g(), 1 / paramsExponent());
        if (!(c <= TrainingCompute.MAX_QUANTITY))
            throw new InvalidFieldException(
                    "loss", targetLoss, "reachable within " + TrainingCompute.MAX_QUANTITY + " FLOPs (law " + id + ")");
        return optimal(c);
    }
}
