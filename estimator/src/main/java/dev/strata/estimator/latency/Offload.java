package dev.strata.estimator.latency;

/** What lives in host memory and is streamed to the device over the host link (PCIe) at every step. */
public enum Offload {
    /** Everything in device memory. */
    NONE,
    /** Layer weights in host memory (the embedding and output head stay on the device). */
    WEIGHTS,
    /** The KV cache in host memory. */
    KV_CACHE;

    /**
     * Parses {@code none|weights|kv}.
     *
     * @param field the option or field the text came from, named in the error
     * @param text {@code none}, {@code weights} or {@code kv}
     * @return the offload
     */
    public static Offload parse(String field, String text) {
        if (text == null) return NONE;
        return switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "none" -> NONE;
            case "weights" -> WEIGHTS;
            case "kv", "kv-cache" -> KV_CACHE;
            default -> throw new dev.strata.model.InvalidFieldException(field, text, "one of none, weights, kv");
        };
    }
}
