package dev.strata.estimator.scaling;

import dev.strata.model.InvalidFieldException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The built-in scaling laws, by id, with their sources and constants; and {@link #resolve}, which also accepts a
 * user's own Chinchilla-form constants.
 */
public final class ScalingLaws {
    private ScalingLaws() {}

    /**
     * Chinchilla Approach 3 with the constants as printed (rounded) in Hoffmann et al. 2022, arXiv:2203.15556,
     * §3.3, Eq. 10: E = 1.69, A = 406.4, B = 410.7, α = 0.34, β = 0.28.
     */
    public static final ChinchillaLaw CHINCHILLA = new ChinchillaLaw(
            "chinchilla",
            "Chinchilla Approach 3 (printed, rounded constants)",
            "Hoffmann et al. 2022, arXiv:2203.15556, §3.3 Eq. 10 (rounded as printed)",
            1.69,
            406.4,
            410.7,
            0.34,
            0.28);

    /**
     * Chinchilla Approach 3 with the unrounded constants recovered from the paper's own figures (docs/formulas.md, "Scaling laws"):
     * log A = 6.0073404, log B = 6.0179186, log E = 0.5267228, α = 0.33917084, β = 0.2849083. Only these give the
     * paper's a = 0.46 and "40B optimal at Gopher's compute" (§3.3).
     */
    public static final ChinchillaLaw CHINCHILLA_UNROUNDED = ChinchillaLaw.ofLogs(
            "chinchilla-unrounded",
            "Chinchilla Approach 3 (unrounded constants)",
            "Hoffmann et al. 2022, arXiv:2203.15556, §3.3 Eq. 10; unrounded constants recovered from the paper's own figures",
            6.0073404,
            6.0179186,
            0.5267228,
            0.33917084,
            0.2849083);

    /**
     * Besiroglu et al. 2024 (Epoch AI, "Chinchilla Scaling: A replication attempt", arXiv:2404.10102, Table 1):
     * Hoffmann et al.'s Approach 3 refit on the data extracted from their Figure 4: E = 1.82, A = 482.01,
     * B = 2085.43, α = 0.3478, β = 0.3658.
     */
    public static final ChinchillaLaw EPOCH_2024 = new ChinchillaLaw(
            "epoch-2024",
            "Besiroglu et al. 2024 refit of Chinchilla",
            "Besiroglu, Erdil, Barnett, You 2024, arXiv:2404.10102, Table 1",
            1.82,
            482.01,
            2085.43,
            0.3478,
            0.3658);

    /**
     * Kaplan et al. 2020, arXiv:2001.08361: L(N) α_N 0.076, N_c 8.8e13; L(D) α_D 0.095, D_c 5.4e13; L(N, D)
     * α_N 0.076, α_D 0.103, N_c 6.4e13, D_c 1.8e13; N_opt = 1.3e9·C^0.73, D_opt = 2e10·C^0.27, C in PF-days.
     */
    public static final KaplanLaw KAPLAN_2020 = new KaplanLaw(
            0.076,
            8.8e13,
            0.095,
            5.4e13,
            0.076,
            0.103,
            6.4e13,
            1.8e13,
            1.3e9,
            0.73,
            2e10,
            0.27,
            KaplanLaw.PF_DAY_FLOPS);

    /** DeepSeek LLM 2024, arXiv:2401.02954, §3.2: M_opt = 0.1715·C^0.5243, D_opt = 5.8316·C^0.4757. */
    public static final DeepSeekLaw DEEPSEEK_2024 = new DeepSeekLaw(0.1715, 0.5243, 5.8316, 0.4757);

    /**
     * Chinchilla Approach 1 as a rule: 20 tokens per parameter (Hoffmann et al. 2022, Table 2: a = b = 0.50;
     * §4.1: Chinchilla, 70B parameters on 1.4T tokens). Reproduces the projections of their Table 3.
     */
    public static final TokensPerParamLaw CHINCHILLA_APPROACH_1 = new TokensPerParamLaw(
            "chinchilla-approach-1",
            "Chinchilla Approach 1 (20 tokens per parameter)",
            "Hoffmann et al. 2022, arXiv:2203.15556, Table 2 (Approach 1: a = b = 0.50) and §4.1 (Chinchilla: 70B parameters, 1.4T tokens)",
            20);

    private static final Map<String, ScalingLaw> BUILT_IN = builtIn();

    /**
     * All built-in laws in a fixed order.
     *
     * @return the laws
     */
    public static List<ScalingLaw> all() {
        return List.copyOf(BUILT_IN.values());
    }

    /**
     * Built-in ids in a fixed order.
     *
     * @return the ids
     */
    public static List<String> ids() {
        return new ArrayList<>(BUILT_IN.keySet());
    }

    /**
     * The built-in law with this id; an unknown id names the known ones (field {@code law}).
     *
     * @param id a built-in law's id
     * @return the law
     */
    public static ScalingLaw byId(String id) {
        ScalingLaw law = id == null ? null : BUILT_IN.get(id.trim().toLowerCase(Locale.ROOT));
        if (law == null) throw unknown(id);
        return law;
    }

    /**
     * A built-in law by id, or a user's own Chinchilla-form law written as
     * {@code E=1.82,A=482.01,B=2085.43,alpha=0.3478,beta=0.3658} (all five, any order; id {@code custom}).
     *
     * @param text an id, or the five constants
     * @return the law
     */
    public static ScalingLaw resolve(String text) {
        if (text == null || text.isBlank()) throw unknown(text);
        if (!text.contains("=")) return byId(text);
        Map<String, Double> v = new LinkedHashMap<>();
        for (String part : text.split(",")) {
            String[] kv = part.split("=", 2);
            String key = kv[0].trim();
            if (kv.length != 2 || !List.of("E", "A", "B", "alpha", "beta").contains(key))
                throw new InvalidFieldException(
                        "law",
                        text,
                        "a law id (" + String.join(", ", BUILT_IN.keySet())
                                + ") or E=...,A=...,B=...,alpha=...,beta=...");
            try {
                v.put(key, Double.parseDouble(kv[1].trim()));
            } catch (NumberFormatException e) {
                throw new InvalidFieldException(
                        "law", text, "numbers for E, A, B, alpha and beta (" + key + " is \"" + kv[1].trim() + "\")");
            }
        }
        for (String key : List.of("E", "A", "B", "alpha", "beta"))
            if (!v.containsKey(key))
                throw new InvalidFieldException("law", text, "all of E, A, B, alpha and beta (" + key + " is missing)");
        return new ChinchillaLaw(
                "custom",
                "Custom Chinchilla-form law",
                "user-supplied constants",
                v.get("E"),
                v.get("A"),
                v.get("B"),
                v.get("alpha"),
                v.get("beta"));
    }

    private static InvalidFieldException unknown(String id) {
        return new InvalidFieldException(
                "law",
                id,
                "a law id (" + String.join(", ", BUILT_IN.keySet()) + ") or E=...,A=...,B=...,alpha=...,beta=...");
    }

    private static Map<String, ScalingLaw> builtIn() {
        Map<String, ScalingLaw> m = new LinkedHashMap<>();
        for (ScalingLaw law : List.of(
                CHINCHILLA, CHINCHILLA_UNROUNDED, EPOCH_2024, KAPLAN_2020, DEEPSEEK_2024, CHINCHILLA_APPROACH_1))
            m.put(law.id(), law);
        return Collections.unmodifiableMap(m);
    }
}
