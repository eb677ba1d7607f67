package dev.strata.estimator.scaling;

import dev.strata.model.internal.Checks;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * An allocation rule that keeps tokens per parameter fixed: D = r·N, so with C = 6ND, N_opt = √(C / (6r)) and
 * D_opt = r·N_opt. With r = 20 it is Hoffmann et al. 2022's Approach 1 (Table 2: a = b = 0.50) anchored at
 * Chinchilla itself (§4.1: 70B parameters on 1.4T tokens, 20 tokens per parameter); it is the rule behind the
 * projections of their Table 3. No loss formula.
 *
 * @param id             stable lower-case id
 * @param name           display name
 * @param source         where the ratio comes from
 * @param tokensPerParam r = D / N
 */
public record TokensPerParamLaw(String id, String name, String source, double tokensPerParam) implements ScalingLaw {
    /**
     * Checks the fields; an invalid one throws an {@code InvalidFieldException} naming it.
     *
     * @param id stable lower-case id
     * @param name display name
     * @param source where the ratio comes from
     * @param tokensPerParam r = D / N
     */
    public TokensPerParamLaw {
        Checks.text("law.id", id);
        name = name == null || name.isBlank() ? id : name;
        source = source == null ? "" : source;
        Checks.positive("tokensPerParam", tokensPerParam, 1e9);
    }

    @Override
    public String paramsMeaning() {
        return "all parameters, as Hoffmann et al. 2022 count them";
    }

    @Override
    public Map<String, Double> constants() {
        return ScalingLaw.constants(List.of("tokensPerParam"), tokensPerParam);
    }

    /** N_opt = √(C / (6r)), D_opt = r·N_opt (C = 6ND with D = rN). */
    @Override
    public ComputeOptimal optimal(double computeFlops) {
        Checks.positive("compute", computeFlops, TrainingCompute.MAX_QUANTITY);
        double n = Math.sqrt(computeFlops / (TrainingCompute.FLOPS_PER_PARAM_PER_TOKEN * tokensPerParam));
        return new ComputeOptimal(
                id, computeFlops, n, tokensPerParam * n, OptionalDouble.empty(), ComputeOptimal.Method.CLOSED_FORM);
    }
}
