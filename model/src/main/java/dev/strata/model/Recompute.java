package dev.strata.model;

import java.util.Locale;

/**
 * Activation recomputation during training (Korthikanti et al. 2022, arXiv:2205.05198 §5 and Table 2).
 */
public enum Recompute {
    /** Store every activation the backward pass needs. */
    NONE("none"),
    /**
     * Selective: recompute only the attention core (QK^T, softmax, dropout, attention over V) in the backward pass,
     * whose activations grow with the square of the sequence (Korthikanti §5, "selective activation recomputation").
     */
    SELECTIVE("selective"),
    /** Full: store only each layer's input and recompute the whole layer's forward pass in the backward pass. */
    FULL("full");

    private final String id;

    Recompute(String id) {
        this.id = id;
    }

    /**
     * The command-line id.
     *
     * @return {@code none}, {@code selective} or {@code full}
     */
    public String id() {
        return id;
    }

    /**
     * Parses {@code none|selective|full}.
     *
     * @param field the option or field the text came from, named in the error
     * @param text the mode's id
     * @return the mode
     */
    public static Recompute parse(String field, String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        for (Recompute r : values()) if (r.id.equals(t)) return r;
        throw new InvalidFieldException(field, text, "one of none, selective, full");
    }
}
