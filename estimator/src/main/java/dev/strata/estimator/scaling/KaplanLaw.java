package dev.strata.estimator.scaling;

import dev.strata.model.internal.Checks;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The scaling laws of Kaplan et al. 2020 ("Scaling Laws for Neural Language Models", arXiv:2001.08361), for
 * non-embedding parameters N and tokens D, loss in nats per token on WebText2:
 * <ul>
 *   <li>L(N) = (N_c/N)^α_N, data-unlimited (§1.2, Eq. 1.1);</li>
 *   <li>L(D) = (D_c/D)^α_D, with early stopping (Eq. 1.2);</li>
 *   <li>L(N, D) = [(N_c/N)^(α_N/α_D) + D_c/D]^α_D (§4, Eq. 1.5 / 4.1), with its own fitted constants;</li>
 *   <li>the compute-efficient allocation N_opt = k_N·C^p_N and D_opt = k_D·C^p_D with C in PF-days (§6.1, Fig. 14).</li>
 * </ul>
 * The compute-efficient allocation was fitted to training runs stopped early at the critical batch size, not to
 * L(N, D) under C = 6ND, so 6·N_opt·D_opt is not C (about 1.8·C with the published constants) and
 * {@link #lossMinimising} (the minimum of L(N, D) along C = 6ND) differs from {@link #optimal}.
 *
 * @param alphaN           α_N of L(N)
 * @param nC               N_c of L(N)
 * @param alphaD           α_D of L(D)
 * @param dC               D_c of L(D)
 * @param jointAlphaN      α_N of L(N, D)
 * @param jointAlphaD      α_D of L(N, D)
 * @param jointNC          N_c of L(N, D)
 * @param jointDC          D_c of L(N, D)
 * @param paramsCoefficient k_N of N_opt = k_N·C^p_N
 * @param paramsExponent    p_N
 * @param tokensCoefficient k_D of D_opt = k_D·C^p_D
 * @param tokensExponent    p_D
 * @param computeUnitFlops  FLOPs in the allocation's unit of C (1 PF-day = 1e15 · 86,400 = 8.64e19 FLOPs)
 */
public record KaplanLaw(
        double alphaN,
        double nC,
        double alphaD,
        double dC,
        double jointAlphaN,
        double jointAlphaD,
        double jointNC,
        double jointDC,
        double paramsCoefficient,
        double paramsExponent,
        double tokensCoefficient,
        double tokensExponent,
        double computeUnitFlops)
        implements ScalingLaw {
    /** One petaFLOP/s-day in FLOPs: 1e15 FLOP/s x 86,400 s (Kaplan et al. 2020, §1.3 notation). */
    public static final double PF_DAY_FLOPS = 1e15 * 86_400;

    /**
     * Checks the fields; an invalid one throws an {@code InvalidFieldException} naming it.
     *
     * @param alphaN α_N of L(N)
     * @param nC N_c of L(N)
     * @param alphaD α_D of L(D)
     * @param dC D_c of L(D)
     * @param jointAlphaN α_N of L(N, D)
     * @param jointAlphaD α_D of L(N, D)
     * @param jointNC N_c of L(N, D)
     * @param jointDC D_c of L(N, D)
     * @param paramsCoefficient k_N of N_opt = k_N·C^p_N
     * @param paramsExponent p_N
     * @param tokensCoefficient k_D of D_opt = k_D·C^p_D
     * @param tokensExponent p_D
     * @param computeUnitFlops FLOPs in the allocation's unit of C (1 PF-day = 1e15 · 86,400 = 8.64e19 FLOPs)
     */
    public KaplanLaw {
        for (double v : new double[] {
            alphaN,
            nC,
            alphaD,
            dC,
            jointAlphaN,
            jointAlphaD,
            jointNC,
            jointDC,
            paramsCoefficient,
            paramsExponent,
            tokensCoefficient,
            tokensExponent,
            computeUnitFlops
        }) Checks.positive("law.constant", v, TrainingCompute.MAX_QUANTITY);
    }

    @Override
    public String id() {
        return "kaplan-2020";
    }

    @Override
    public String name() {
        return "Kaplan et al. 2020";
    }

    @Override
    public String source() {
        return "Kaplan et al. 2020, arXiv:2001.08361: L(N) Eq. 1.1, L(D) Eq. 1.2, L(N,D) Eq. 1.5 with §4 constants, "
                + "compute-efficient allocation §6.1 Fig. 14 (C in PF-days)";
    }

    @Override
    public String paramsMeaning() {
        return "non-embedding parameters";
    }

    @Override
    public Map<String, Double> constants() {
        return ScalingLaw.constants(
                List.of(
                        "alphaN",
                        "Nc",
                        "alphaD",
                        "Dc",
                        "jointAlphaN",
                        "jointAlphaD",
                        "jointNc",
                        "jointDc",
                        "paramsCoefficient",
                        "paramsExponent",
                        "tokensCoefficient",
                        "tokensExponent",
                        "computeUnitFlops"),
                alphaN,
                nC,
                alphaD,
                dC,
                jointAlphaN,
                jointAlphaD,
                jointNC,
                jointDC,
                paramsCoefficient,
                paramsExponent,
                tokensCoefficient,
                tokensExponent,
                computeUnitFlops);
    }

    @Override
    public boolean hasLoss() {
        return true;
    }

    /**
     * L(N) = (N_c/N)^α_N: loss of N non-embedding parameters trained to convergence on ample data (Eq. 1.1).
     *
     * @param params N, non-embedding parameters
     * @return the loss, nats per token
     */
    public double lossFromParams(double params) {
        return Math.pow(nC / Checks.positive("params", params, TrainingCompute.MAX_QUANTITY), alphaN);
    }

    /**
     * L(D) = (D_c/D)^α_D: loss of a large model trained on D tokens with early stopping (Eq. 1.2).
     *
     * @param tokens D
     * @return the loss, nats per token
     */
    public double lossFromData(double tokens) {
        return Math.pow(dC / Checks.positive("tokens", tokens, TrainingCompute.MAX_QUANTITY), alphaD);
    }

    /** L(N, D) = [(N_c/N)^(α_N/α_D) + D_c/D]^α_D (Eq. 1.5, constants of §4). */
    @Override
    public double loss(double params, double tokens) {
        Checks.positive("params", params, TrainingCompute.MAX_QUANTITY);
        Checks.positive("tokens", tokens, TrainingCompute.MAX_QUANTITY);
        return Math.pow(Math.pow(jointNC / params, jointAlphaN / jointAlphaD) + jointDC / tokens, jointAlphaD);
    }

    /**
     * The compute-efficient allocation (§6.1, Fig. 14). N_opt = k_N·C^p_N, D_opt = k_D·C^p_D with C in PF-days; the
     * loss is L(N_opt, D_opt).
     */
    @Override
    public ComputeOptimal optimal(double computeFlops) {
        double c = Checks.positive("compute", computeFlops, TrainingCompute.MAX_QUANTITY) / computeUnitFlops;
        double n = paramsCoefficient * Math.pow(c, paramsExponent);
        double d = tokensCoefficient * Math.pow(c, tokensExponent);
        return new ComputeOptimal(
                id(), computeFlops, n, d, OptionalDouble.of(loss(n, d)), ComputeOptimal.Method.CLOSED_FORM);
    }
}
