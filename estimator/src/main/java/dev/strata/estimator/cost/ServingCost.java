package dev.strata.estimator.cost;

import dev.strata.model.InvalidFieldException;
import dev.strata.model.internal.Checks;

/**
 * The cost of serving a model: per million output tokens and per request at a batch size, and the batch size
 * that serves cheapest while every sequence still gets its tokens at least as fast as a target.
 *
 * <p>A group of {@code devices} devices at {@code pricePerDeviceHourUsd} costs devices x price / 3600 USD per
 * second whether busy or not; it produces batch / stepSeconds output tokens per second.
 */
public final class ServingCost {
    /** Largest batch considered. */
    public static final int MAX_BATCH = 1 << 20;

    private ServingCost() {}

    /**
     * USD per million output tokens: devices x price / 3600 / (output tokens/s) x 10⁶.
     *
     * @param outputTokensPerSecond output tokens per second of the whole group of devices
     * @param devices devices serving together
     * @param pricePerDeviceHourUsd price of one device for one hour, USD
     * @return USD per million output tokens
     */
    public static double perMillionOutputTokensUsd(
            double outputTokensPerSecond, long devices, double pricePerDeviceHourUsd) {
        Checks.positive("tokens-per-second", outputTokensPerSecond, 1e12);
        return groupUsdPerSecond(devices, pricePerDeviceHourUsd) / outputTokensPerSecond * 1e6;
    }

    /**
     * Serving cost at {@code batch}: step time from {@code model}; a request pays its prefill seconds in full and a
     * 1/batch share of the group for the {@code outputTokens} steps it decodes.
     *
     * @param model seconds per decode step by batch
     * @param batch concurrent sequences, 1 to {@link #MAX_BATCH}
     * @param devices devices serving together
     * @param pricePerDeviceHourUsd price of one device for one hour, USD
     * @param outputTokens tokens each request generates
     * @param prefillSecondsPerRequest group time the request's prompt takes (0 to ignore prompts)
     * @return throughput, time per token and cost at that batch
     */
    public static ServingCostEstimate at(
            StepTimeModel model,
            int batch,
            long devices,
            double pricePerDeviceHourUsd,
            int outputTokens,
            double prefillSecondsPerRequest) {
        Checks.range("batch", batch, 1, MAX_BATCH);
        Checks.range("output-tokens", outputTokens, 1, Integer.MAX_VALUE);
        Checks.range("prefill-seconds", prefillSecondsPerRequest, 0, 1e6);
        double step = Checks.positive("decodeStepSeconds", model.decodeStepSeconds(batch), 1e6);
        double tokensPerSecond = batch / step;
        double usdPerSecond = groupUsdPerSecond(devices, pricePerDeviceHourUsd);
        double decodeSeconds = outputTokens * step;
        return new ServingCostEstimate(
                batch,
                step,
                tokensPerSecond,
                perMillionOutputTokensUsd(tokensPerSecond, devices, pricePerDeviceHourUsd),
                prefillSecondsPerRequest + decodeSeconds,
                usdPerSecond * (prefillSecondsPerRequest + decodeSeconds / batch));
    }

    /**
     * The batch in 1..maxBatch with the lowest cost per output token whose step time (the time between a
     * sequence's tokens) is at most {@code maxSecondsPerToken}; ties go to the smaller batch. Every batch is
     * evaluated, so the model need not be monotone.
     *
     * @param model seconds per decode step by batch
     * @param maxBatch the largest batch that fits (memory), or {@link #MAX_BATCH}
     * @param maxSecondsPerToken the longest step time allowed
     * @param devices devices serving together
     * @param pricePerDeviceHourUsd price of one device for one hour, USD
     * @param outputTokens tokens each request generates
     * @param prefillSecondsPerRequest group time the request's prompt takes (0 to ignore prompts)
     * @return the estimate at the cheapest batch
     * @throws InvalidFieldException (field {@code max-seconds-per-token}) when even batch 1 is too slow
     */
    public static ServingCostEstimate cheapestBatch(
            StepTimeModel model,
            int maxBatch,
            double maxSecondsPerToken,
            long devices,
            double pricePerDeviceHourUsd,
            int outputTokens,
            double prefillSecondsPerRequest) {
        Checks.range("max-batch", maxBatch, 1, MAX_BATCH);
        Checks.positive("max-seconds-per-token", maxSecondsPerToken, 1e6);
        ServingCostEstimate best = null;
        for (int b = 1; b <= maxBatch; b++) {
            double step = model.decodeStepSeconds(b);
            if (!(step <= maxSecondsPerToken)) continue;
            ServingCostEstimate e =
                    at(model, b, devices, pricePerDeviceHourUsd, outputTokens, prefillSecondsPerRequest);
            if (best == null || e.costPerMillionOutputTokensUsd() < best.costPerMillionOutputTokensUsd()) best = e;
        }
        if (best == null)
            throw new InvalidFieldException(
                    "max-seconds-per-token",
                    maxSecondsPerToken,
                    "at least the step time at batch 1 (" + model.decodeStepSeconds(1) + " s)");
        return best;
    }

    private static double groupUsdPerSecond(long devices, double pricePerDeviceHourUsd) {
        Checks.range("devices", devices, 1, TrainingRun.MAX_DEVICES);
        Checks.range("price", pricePerDeviceHourUsd, 0, 1e6);
        return devices * pricePerDeviceHourUsd / TrainingCost.SECONDS_PER_HOUR;
    }
}
