package dev.strata.estimator.flops;

import dev.strata.model.InvalidFieldException;
import java.util.Locale;

/**
 * How the attention FLOPs of several queries of one sequence processed together (prefill, training) are counted.
 * A single decoded token attends to exactly the keys before it either way.
 */
public enum AttentionMask {
    /**
     * Every query against every key of the sequence (T x T scores), as the kernels compute them before masking and
     * as the reference stack's profiler ({@code torch.profiler}, {@code with_flops=True}) counts them; also the
     * convention of PaLM's 6N + 12LHQT (arXiv:2204.02311 App. B) and Chinchilla App. F.
     */
    FULL("full"),
    /**
     * Only the keys at or before each query: T(T+1)/2 scores, about half of {@link #FULL}; the convention of many
     * papers (Kaplan et al. 2020's 2 n_layer n_ctx d_attn, arXiv:2001.08361 §2.1, is this count to within 1/n_ctx).
     */
    CAUSAL("causal");

    private final String id;

    AttentionMask(String id) {
        this.id = id;
    }

    /**
     * The command-line id.
     *
     * @return {@code full} or {@code causal}
     */
    public String id() {
        return id;
    }

    /**
     * Parses {@code full|causal}.
     *
     * @param field the option or field the text came from, named in the error
     * @param text the mask's id
     * @return the mask
     */
    public static AttentionMask parse(String field, String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        for (AttentionMask m : values()) if (m.id.equals(t)) return m;
        throw new InvalidFieldException(field, text, "one of full, causal");
    }
}
