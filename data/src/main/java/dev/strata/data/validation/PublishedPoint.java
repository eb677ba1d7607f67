package dev.strata.data.validation;

/**
 * One published inference measurement made by others (an engine's performance table), with its setup as strata's
 * inputs.
 *
 * @param id       a short unique id
 * @param source   where it was published
 * @param engine   the engine and how it was run
 * @param model    a strata preset id, or a config file published beside the measurements
 * @param hardware a hardware catalog id
 * @param devices  devices of one replica
 * @param tp       tensor-parallel degree
 * @param weights  weight format ({@code fp16}, {@code fp8})
 * @param kv       KV-cache format
 * @param batch    sequences run together (a static batch)
 * @param prompt   prompt tokens per sequence
 * @param generate generated tokens per sequence
 * @param metric   {@code ttft_ms} (time to first token of one sequence) or {@code output_tokens_per_s_per_gpu}
 *                 (batch x generated tokens over the whole run's time, per device)
 * @param measured the published value, in the metric's unit
 * @param notes    the source's own remarks
 */
public record PublishedPoint(
        String id,
        String source,
        String engine,
        String model,
        String hardware,
        int devices,
        int tp,
        String weights,
        String kv,
        long batch,
        long prompt,
        long generate,
        String metric,
        double measured,
        String notes) {
    /** The metric of a time to first token, in milliseconds. */
    public static final String TTFT_MS = "ttft_ms";
    /** The metric of output throughput per device, in tokens per second. */
    public static final String THROUGHPUT_PER_GPU = "output_tokens_per_s_per_gpu";

    /**
     * The measured time in seconds: the time to first token, or the whole run's time implied by the throughput.
     *
     * @return seconds
     */
    public double measuredSeconds() {
        return metric.equals(TTFT_MS) ? measured / 1000 : (double) batch * generate / (measured * devices);
    }

    /**
     * The model family for grouping: the model id without its size ("llama-2", "mistral", "mixtral").
     *
     * @return the family
     */
    public String modelFamily() {
        String m = model.endsWith(".json") ? model.substring(0, model.length() - 5) : model;
        return m.replaceAll("-[0-9.]+[bx][0-9.]*b?$", "").replaceAll("-[0-9x.]+b$", "");
    }

    /**
     * Whether the point runs one sequence (a latency point) rather than a batch.
     *
     * @return whether the batch is 1
     */
    public boolean single() {
        return batch == 1;
    }
}
