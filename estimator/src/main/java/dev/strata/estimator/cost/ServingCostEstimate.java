package dev.strata.estimator.cost;

/**
 * What serving costs at one batch size.
 *
 * @param batch                         concurrent sequences
 * @param decodeStepSeconds             seconds per decode step: also the time between a sequence's output tokens
 * @param outputTokensPerSecond         output tokens per second of the whole device group: batch / step time
 * @param costPerMillionOutputTokensUsd USD per million output tokens
 * @param secondsPerRequest             prefill seconds + output tokens x step time, for one request
 * @param costPerRequestUsd             USD per request: its share (1 / batch) of the group's time while it decodes,
 *                                      plus its prefill time in full
 */
public record ServingCostEstimate(
        int batch,
        double decodeStepSeconds,
        double outputTokensPerSecond,
        double costPerMillionOutputTokensUsd,
        double secondsPerRequest,
        double costPerRequestUsd) {}
