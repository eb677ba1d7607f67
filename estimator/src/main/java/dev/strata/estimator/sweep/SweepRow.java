package dev.strata.estimator.sweep;

/**
 * One point of a sweep: the inputs that vary and the main outputs. Latency fields are NaN-free: without hardware
 * they are absent ({@link #hasHardware()} false) and written as empty cells.
 *
 * @param model                  model name
 * @param hardware               hardware id, or empty
 * @param weights                weight format id
 * @param kvCache                KV-cache format id
 * @param batch                  sequences per replica
 * @param promptTokens           prompt tokens per sequence
 * @param generatedTokens        generated tokens per sequence
 * @param tensorParallel         tensor-parallel degree
 * @param pipelineParallel       pipeline stages
 * @param paramsTotal            parameters of the model
 * @param weightsBytes           bytes of all weights (one replica)
 * @param kvCacheBytes           bytes of the KV cache at the full context (one replica)
 * @param perDeviceBytes         bytes on the most loaded device
 * @param fits                   whether that fits the device (false without hardware only when it cannot be known: see hasHardware)
 * @param prefillFloorSeconds    time to first token, floor
 * @param prefillSeconds         time to first token, calibrated
 * @param decodeFloorSeconds     time per output token at the average context, floor
 * @param decodeSeconds          time per output token, calibrated
 * @param tokensPerSecond        output tokens per second of the batch, calibrated
 * @param costPerMillionTokensUsd cost per million output tokens at the calibrated throughput (ServingCost)
 */
public record SweepRow(
        String model,
        String hardware,
        String weights,
        String kvCache,
        long batch,
        long promptTokens,
        long generatedTokens,
        int tensorParallel,
        int pipelineParallel,
        long paramsTotal,
        long weightsBytes,
        long kvCacheBytes,
        long perDeviceBytes,
        boolean fits,
        double prefillFloorSeconds,
        double prefillSeconds,
        double decodeFloorSeconds,
        double decodeSeconds,
        double tokensPerSecond,
        double costPerMillionTokensUsd) {

    /** Column names, in the order of the components. */
    public static final String[] COLUMNS = {
        "model",
        "hardware",
        "weights",
        "kvCache",
        "batch",
        "promptTokens",
        "generatedTokens",
        "tensorParallel",
        "pipelineParallel",
        "paramsTotal",
        "weightsBytes",
        "kvCacheBytes",
        "perDeviceBytes",
        "fits",
        "prefillFloorSeconds",
        "prefillSeconds",
        "decodeFloorSeconds",
        "decodeSeconds",
        "tokensPerSecond",
        "costPerMillionTokensUsd"
    };

    /**
     * Whether hardware was given (latency, fit and cost are known).
     *
     * @return whether hardware was given
     */
    public boolean hasHardware() {
        return !hardware.isEmpty();
    }
}
