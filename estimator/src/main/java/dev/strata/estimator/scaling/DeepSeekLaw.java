package dev.strata.estimator.scaling;

import dev.strata.model.internal.Checks;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The compute-optimal allocation of DeepSeek LLM (DeepSeek-AI 2024, arXiv:2401.02954, §3.2, Eq. 4): model scale
 * M_opt = k_M·C^p_M in non-embedding FLOPs per token and data D_opt = k_D·C^p_D in tokens, with C = M·D. Model
 * scale M = 72·n_layer·d² + 12·n_layer·d·l_seq (Eq. 2) counts attention's FLOPs, which 6N does not.
 *
 * <p>The paper publishes no loss formula, so this law answers allocations only. Its {@code params} is M/6, the
 * parameter count whose 6N equals M: a slight overestimate of the non-embedding parameters, since M also holds
 * the attention term 12·n_layer·d·l_seq.
 *
 * @param modelScaleCoefficient k_M (0.1715)
 * @param modelScaleExponent    p_M (0.5243)
 * @param tokensCoefficient     k_D (5.8316)
 * @param tokensExponent        p_D (0.4757)
 */
public record DeepSeekLaw(
        double modelScaleCoefficient, double modelScaleExponent, double tokensCoefficient, double tokensExponent)
        implements ScalingLaw {
    /**
     * Checks the fields; an invalid one throws an {@code InvalidFieldException} naming it.
     *
     * @param modelScaleCoefficient k_M (0.1715)
     * @param modelScaleExponent p_M (0.5243)
     * @param tokensCoefficient k_D (5.8316)
     * @param tokensExponent p_D (0.4757)
     */
    public DeepSeekLaw {
        Checks.positive("law.modelScaleCoefficient", modelScaleCoefficient, TrainingCompute.MAX_QUANTITY);
        Checks.positive("law.modelScaleExponent", modelScaleExponent, 1);
        Checks.positive("law.tokensCoefficient", tokensCoefficient, TrainingCompute.MAX_QUANTITY);
        Checks.positive("law.tokensExponent", tokensExponent, 1);
    }

    @Override
    public String id() {
        return "deepseek-2024";
    }

    @Override
    public String name() {
        return "DeepSeek LLM 2024";
    }

    @Override
    public String source() {
        return "DeepSeek-AI 2024, DeepSeek LLM, arXiv:2401.02954, §3.2 Eq. 4 (model scale M in FLOPs/token, Eq. 2)";
    }

    @Override
    public String paramsMeaning() {
        return "M/6: the parameters whose 6N equals the model scale M (non-embedding FLOPs per token, attention included)";
    }

    @Override
    public Map<String, Double> constants() {
        return ScalingLaw.constants(
                List.of("modelScaleCoefficient", "modelScaleExponent", "tokensCoefficient", "tokensExponent"),
                modelScaleCoefficient,
                modelScaleExponent,
                tokensCoefficient,
                tokensExponent);
    }

    /**
     * Model scale M = 72·n_layer·d² + 12·n_layer·d·l_seq non-embedding FLOPs per token (arXiv:2401.02954, §3.2, Eq. 2).
     *
     * @param layers n_layer
     * @param hiddenSize d
     * @param sequenceLength l_seq
     * @return M, FLOPs per token
     */
    public static double modelScale(int layers, int hiddenSize, int sequenceLength) {
        Checks.range("layers", layers, 1, Integer.MAX_VALUE);
        Checks.range("hiddenSize", hiddenSize, 1, Integer.MAX_VALUE);
        Checks.range("sequenceLength", sequenceLength, 1, Integer.MAX_VALUE);
        double d = hiddenSize;
        return 72.0 * layers * d * d + 12.0 * layers * d * sequenceLength;
    }

    /**
     * M_opt = k_M·C^p_M, FLOPs per token (Eq. 4).
     *
     * @param computeFlops the budget C
     * @return M_opt, FLOPs per token
     */
    public double modelScaleFlopsPerToken(double computeFlops) {
        return modelScaleCoefficient
                * Math.pow(Checks.positive("compute", computeFlops, TrainingCompute.MAX_QUANTITY), modelScaleExponent);
    }

    /** M_opt = k_M·C^p_M and D_opt = k_D·C^p_D (Eq. 4); params = M_opt / 6. */
    @Override
    public ComputeOptimal optimal(double computeFlops) {
        double m = modelScaleFlopsPerToken(computeFlops);
        double d = tokensCoefficient * Math.pow(computeFlops, tokensExponent);
        return new ComputeOptimal(
                id(),
                computeFlops,
                m / TrainingCompute.FLOPS_PER_PARAM_PER_TOKEN,
                d,
                OptionalDouble.empty(),
                ComputeOptimal.Method.CLOSED_FORM);
    }
}
