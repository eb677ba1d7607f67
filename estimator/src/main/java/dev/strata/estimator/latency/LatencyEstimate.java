package dev.strata.estimator.latency;

/**
 * Prefill, decode and what follows from them for one workload.
 *
 * @param prefill              the prefill (time to first token)
 * @param decode               one decode step at {@code decodeContextTokens}
 * @param decodeContextTokens  the context of the decode step: the prompt plus half the generated tokens (the average
 *                             over the generation, rounded up)
 * @param batch                sequences decoded together
 * @param generatedTokens      tokens generated per sequence
 * @param computeBoundBatch    smallest batch at which decode turns compute-bound (floor model)
 */
public record LatencyEstimate(
        StepTime prefill,
        StepTime decode,
        long decodeContextTokens,
        long batch,
        long generatedTokens,
        long computeBoundBatch) {

    /**
     * Time to first token, floor.
     *
     * @return seconds
     */
    public double timeToFirstTokenFloorSeconds() {
        return prefill.floorSeconds();
    }

    /**
     * Time to first token, calibrated.
     *
     * @return seconds
     */
    public double timeToFirstTokenSeconds() {
        return prefill.calibratedSeconds();
    }

    /**
     * End-to-end time of a request (prefill, then every generated token), floor.
     *
     * @return seconds
     */
    public double requestFloorSeconds() {
        return prefill.floorSeconds() + generatedTokens * decode.floorSeconds();
    }

    /**
     * End-to-end time of a request, calibrated.
     *
     * @return seconds
     */
    public double requestSeconds() {
        return prefill.calibratedSeconds() + generatedTokens * decode.calibratedSeconds();
    }

    /**
     * Tokens per second of one sequence during decode, from the floor (an upper bound).
     *
     * @return tokens per second
     */
    public double tokensPerSecondPerSequenceFloor() {
        return 1 / decode.floorSeconds();
    }

    /**
     * Tokens per second of one sequence during decode, calibrated.
     *
     * @return tokens per second
     */
    public double tokensPerSecondPerSequence() {
        return 1 / decode.calibratedSeconds();
    }

    /**
     * Tokens per second of the whole batch during decode, from the floor (an upper bound).
     *
     * @return tokens per second
     */
    public double tokensPerSecondFloor() {
        return batch / decode.floorSeconds();
    }

    /**
     * Tokens per second of the whole batch during decode, calibrated.
     *
     * @return tokens per second
     */
    public double tokensPerSecond() {
        return batch / decode.calibratedSeconds();
    }
}
