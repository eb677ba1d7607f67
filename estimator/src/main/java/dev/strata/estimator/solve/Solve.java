package dev.strata.estimator.solve;

import dev.strata.estimator.cost.ServingCost;
import dev.strata.estimator.latency.Latency;
import dev.strata.estimator.latency.LatencyEstimate;
import dev.strata.estimator.latency.LatencyTuning;
import dev.strata.estimator.latency.Offload;
import dev.strata.estimator.memory.InferenceMemory;
import dev.strata.estimator.memory.MemoryModel;
import dev.strata.estimator.memory.Sharding;
import dev.strata.model.Hardware;
import dev.strata.model.InvalidFieldException;
import dev.strata.model.Parallelism;
import dev.strata.model.Precision;
import dev.strata.model.TransformerSpec;
import dev.strata.model.Workload;
import dev.strata.model.internal.Checks;
import dev.strata.model.internal.Limits;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.LongPredicate;
import java.util.function.LongUnaryOperator;

/**
 * The inverse questions of capacity planning, answered with the same memory and latency estimators as the forward
 * ones (so the answers agree with them at the boundary): the largest batch or context that fits, the fewest devices
 * that hold a model, and the cheapest catalog hardware that meets a time-per-token target.
 *
 * <p>Memory grows monotonically with batch, context and (per device) shrinks with devices, so each answer is a
 * search over the estimator itself, not a separate formula: linear over device counts, and for batch and context a
 * search that starts where Newton's method puts the boundary ({@link #newtonGuess}) and brackets it from there
 * ({@link #largest}).
 */
public final class Solve {
    private Solve() {}

    /** Largest tensor-parallel degree tried: one node of 8 devices on a scale-up link (NVLink, Infinity Fabric). */
    public static final int MAX_TENSOR_PARALLEL = 8;
    /** Most devices {@link #minDevices} and {@link #cheapest} consider. */
    public static final int MAX_DEVICES = 4096;

    /**
     * Whether {@code w} fits on devices of {@code capacityBytes} each.
     *
     * @param spec the model
     * @param p its formats
     * @param w the workload
     * @param capacityBytes the memory of one device
     * @param overheadBytes bytes the runtime holds on each device
     * @return whether the most loaded device's bytes fit
     */
    public static boolean fits(TransformerSpec spec, Precision p, Workload w, long capacityBytes, long overheadBytes) {
        return InferenceMemory.estimate(spec, p, w, overheadBytes)
                .fit(capacityBytes)
                .fits();
    }

    /**
     * The largest batch (sequences per replica) that fits with {@code w}'s context and parallelism; 0 when not even
     * one sequence fits.
     *
     * @param spec the model
     * @param p its formats
     * @param w the workload, whose batch is ignored
     * @param capacityBytes the memory of one device
     * @param overheadBytes bytes the runtime holds on each device
     * @return the batch, or 0
     */
    public static long maxBatch(TransformerSpec spec, Precision p, Workload w, long capacityBytes, long overheadBytes) {
        Checks.range("deviceMemoryBytes", capacityBytes, 1, Long.MAX_VALUE);
        MemoryModel memory = MemoryModel.of(spec, p, w.parallelism(), overheadBytes); // prepared once for the search
        LongUnaryOperator bytes = bytesByBatch(memory, w);
        if (bytes.applyAsLong(1) > capacityBytes) return 0;
        return largest(
                b -> fitsSafely(bytes, b, capacityBytes),
                1,
                Workload.MAX_BATCH,
                newtonGuess(bytes, 1, Workload.MAX_BATCH, capacityBytes));
    }

    /**
     * The longest context (prompt plus {@code w.generatedTokens()}) that fits for {@code w.batch()} sequences; 0 when
     * even a one-token prompt does not fit. Not capped at the model's trained context: compare with it.
     *
     * @param spec the model
     * @param p its formats
     * @param w the workload, whose prompt length is ignored
     * @param capacityBytes the memory of one device
     * @param overheadBytes bytes the runtime holds on each device
     * @return the context in tokens, or 0
     */
    public static long maxContext(
            TransformerSpec spec, Precision p, Workload w, long capacityBytes, long overheadBytes) {
        Checks.range("deviceMemoryBytes", capacityBytes, 1, Long.MAX_VALUE);
        long gen = w.generatedTokens();
        MemoryModel memory = MemoryModel.of(spec, p, w.parallelism(), overheadBytes); // prepared once for the search
        LongUnaryOperator bytes = prompt -> {
            Workload wp = withPrompt(w, prompt);
            return memory.perDeviceBytes(
                    wp.batch(), wp.prefillPassSequences(), wp.prefillPassTokens(), wp.contextTokens());
        };
        if (!fitsSafely(bytes, 1, capacityBytes)) return 0;
        long hi = Limits.MAX_CONTEXT - gen;
        return largest(
                        prompt -> fitsSafely(bytes, prompt, capacityBytes),
                        1,
                        hi,
                        newtonGuess(bytes, 1, hi, capacityBytes))
                + gen;
    }

    /**
     * The largest {@code n} in {@code [lo, hi]} with {@code fits(n)}, for a {@code fits} that holds up to some point and
     * not after it (memory grows with batch and tokens), given that {@code fits(lo)}. The search starts at
     * {@code guess}, gallops away from it in doubling steps until it brackets the boundary, then bisects the bracket:
     * an exact guess costs two probes and a wrong one a number that grows with the logarithm of its error. The answer
     * is the same for every guess; only the number of probes depends on it.
     */
    static long largest(LongPredicate fits, long lo, long hi, long guess) {
        long g = Math.max(lo, Math.min(hi, guess));
        if (fits.test(g)) { // the boundary is at or above the guess: gallop up
            lo = g;
            for (long step = 1; lo < hi; step = Math.min(step * 2, Long.MAX_VALUE / 4)) {
                long next = lo + Math.min(step, hi - lo);
                if (!fits.test(next)) {
                    hi = next - 1;
                    break;
                }
                lo = next;
            }
        } else { // the boundary is below the guess: gallop down
            hi = g - 1;
            for (long step = 1; hi > lo; step = Math.min(step * 2, Long.MAX_VALUE / 4)) {
                long next = hi - Math.min(step, hi - lo);
                if (next == lo) break; // fits(lo) is given
                if (fits.test(next)) {
                    lo = next;
                    break;
                }
                hi = next - 1;
            }
        }
        while (lo < hi) { // fits(lo); the answer is in [lo, hi]
            long mid = lo + (hi - lo + 1) / 2;
            if (fits.test(mid)) lo = mid;
            else hi = mid - 1;
        }
        return lo;
    }

    /**
     * Where {@code bytes} reaches {@code capacityBytes}, by Newton's method: from {@code x}, where the bytes would
     * reach the capacity if they grew on as they do over the next step, and again from there, until the guess stays
     * (at most {@value #NEWTON_STEPS} times). A starting point for {@link #largest}. Per-device bytes are piecewise
     * affine and convex in the batch and in the tokens (weights plus a cache and activations per token, the
     * activations the larger of a layer's working set and the head's logits), so the guess is the answer within a step
     * or two. Between {@code x} and {@code hi}; where a step cannot be counted (bytes overflow) the last counted guess.
     */
    static long newtonGuess(LongUnaryOperator bytes, long x, long hi, long capacityBytes) {
        long guess = x;
        for (int i = 0; i < NEWTON_STEPS && guess < hi; i++) {
            long next;
            try {
                long at = bytes.applyAsLong(guess);
                long slope = bytes.applyAsLong(guess + 1) - at;
                if (slope <= 0) return hi; // nothing grows: the search checks the top of its range
                long move = Math.floorDiv(capacityBytes - at, slope); // below zero when the guess does not fit
                next = move > hi - guess ? hi : Math.max(x, guess + move);
            } catch (InvalidFieldException e) {
                if (e.field().equals("batch")) return guess; // byte counts overflow here
                throw e;
            }
            if (next == guess) break;
            guess = next;
        }
        return guess;
    }

    /** Most Newton steps {@link #newtonGuess} takes: enough for the two pieces of the activations and a check. */
    static final int NEWTON_STEPS = 4;

    /**
     * The fewest devices that hold {@code w} (its batch per replica, one replica): for n = 1, 2, ... the split is
     * tensor parallelism up to {@link #MAX_TENSOR_PARALLEL} (the largest degree that divides n and the heads), the
     * rest pipeline stages. Empty when no count up to {@link #MAX_DEVICES} fits.
     *
     * @param spec the model
     * @param p its formats
     * @param w the workload; its parallelism is replaced by each split but for its ZeRO stage and sequence parallelism
     * @param capacityBytes the memory of one device
     * @param overheadBytes bytes the runtime holds on each device
     * @return the parallelism, or empty
     */
    public static Optional<Parallelism> minDevices(
            TransformerSpec spec, Precision p, Workload w, long capacityBytes, long overheadBytes) {
        for (int n = 1; n <= MAX_DEVICES; n++) {
            Optional<Parallelism> par = split(spec, n, w.parallelism());
            if (par.isPresent() && fitsSafely(spec, p, w.withParallelism(par.get()), capacityBytes, overheadBytes))
                return par;
        }
        return Optional.empty();
    }

    /**
     * The split of {@code n} devices into tensor x pipeline that {@link #minDevices} uses, if one is valid.
     *
     * @param spec the model
     * @param n the number of devices
     * @param base the parallelism whose ZeRO stage and sequence parallelism the split keeps (data and expert degrees
     *     are 1)
     * @return the split, or empty
     */
    public static Optional<Parallelism> split(TransformerSpec spec, int n, Parallelism base) {
        for (int tp = Math.min(n, MAX_TENSOR_PARALLEL); tp >= 1; tp--) {
            if (n % tp != 0) continue;
            int pp = n / tp;
            if (pp > spec.layerCount()) continue;
            Parallelism par = new Parallelism(tp, pp, 1, 1, base.zeroStage(), base.sequenceParallel());
            try {
                Sharding.check(spec, par);
                return Optional.of(par);
            } catch (InvalidFieldException e) {
                // tp does not divide the heads: try a smaller degree
            }
        }
        return Optional.empty();
    }

    /**
     * One way to serve a workload: a device kind, how many, and what it costs.
     *
     * @param hardware                 the device
     * @param parallelism              the split of the devices
     * @param decodeSecondsPerToken    calibrated time per output token
     * @param tokensPerSecond          calibrated output tokens per second of the whole batch
     * @param costPerMillionTokensUsd  {@link ServingCost#perMillionOutputTokensUsd}
     */
    public record Option(
            Hardware hardware,
            Parallelism parallelism,
            double decodeSecondsPerToken,
            double tokensPerSecond,
            double costPerMillionTokensUsd) {
        /**
         * Devices of the option: tensor x pipeline x data.
         *
         * @return the number of devices
         */
        public int devices() {
            return parallelism.devices();
        }
    }

    /**
     * For each device kind, the fewest devices that hold the workload and decode at most
     * {@code targetSecondsPerToken} per token (calibrated), with the cost per million output tokens; cheapest first.
     * A device kind that cannot meet the target with up to {@link #MAX_DEVICES} devices is left out.
     *
     * @param spec the model
     * @param p its formats
     * @param w the workload
     * @param catalog the device kinds to consider
     * @param targetSecondsPerToken the longest calibrated time per output token allowed
     * @param overheadBytes bytes the runtime holds on each device
     * @param tuning the latency tuning of every device
     * @return the options, cheapest first
     */
    public static List<Option> cheapest(
            TransformerSpec spec,
            Precision p,
            Workload w,
            List<Hardware> catalog,
            double targetSecondsPerToken,
            long overheadBytes,
            LatencyTuning tuning) {
        Checks.present("tuning", tuning);
        return cheapest(spec, p, w, catalog, targetSecondsPerToken, overheadBytes, hw -> tuning);
    }

    /**
     * {@link #cheapest} with each device's own tuning ({@code tuningOf}: a fitted GPU model, an engine's profile).
     *
     * @param spec the model
     * @param p its formats
     * @param w the workload
     * @param catalog the device kinds to consider
     * @param targetSecondsPerToken the longest calibrated time per output token allowed
     * @param overheadBytes bytes the runtime holds on each device
     * @param tuningOf the latency tuning of each device
     * @return the options, cheapest first
     */
    public static List<Option> cheapest(
            TransformerSpec spec,
            Precision p,
            Workload w,
            List<Hardware> catalog,
            double targetSecondsPerToken,
            long overheadBytes,
            java.util.function.Function<Hardware, LatencyTuning> tuningOf) {
        Checks.positive("targetSecondsPerToken", targetSecondsPerToken, 1e6);
        List<Option> options = new ArrayList<>();
        for (Hardware hw : catalog) {
            if (hw.pricePerHourUsd() <= 0) continue;
            for (int n = 1;
                    n <= MAX_DEVICES;
                    n *= 2) { // tensor parallelism speeds decode up to one node; beyond, pipelines hold the model
                Optional<Parallelism> par = split(spec, n, w.parallelism());
                if (par.isEmpty()) continue;
                if (n > 1 && par.get().tensor() > 1 && hw.scaleUpBandwidthBytesPerSecond() <= 0) break;
                Workload wn = w.withParallelism(par.get());
                if (!fitsSafely(spec, p, wn, hw.memoryBytes(), overheadBytes)) continue;
                LatencyEstimate est = Latency.estimate(spec, p, wn, hw, tuningOf.apply(hw), Offload.NONE);
                double tpot = est.decode().calibratedSeconds();
                if (tpot <= targetSecondsPerToken) {
                    double perSecond = est.tokensPerSecond();
                    options.add(new Option(
                            hw,
                            par.get(),
                            tpot,
                            perSecond,
                            ServingCost.perMillionOutputTokensUsd(perSecond, n, hw.pricePerHourUsd())));
                    break;
                }
                if (par.get().tensor() < Math.min(n, MAX_TENSOR_PARALLEL))
                    break; // more devices would only add pipeline stages: no faster
            }
        }
        options.sort(Comparator.comparingDouble(Option::costPerMillionTokensUsd));
        return options;
    }

    /**
     * Whether the workload at {@code x} fits, its per-device bytes counted by {@code bytes} (from a {@link MemoryModel}:
     * the same bytes as {@link #fits}); a workload too large to count does not.
     */
    private static boolean fitsSafely(LongUnaryOperator bytes, long x, long capacityBytes) {
        try {
            return bytes.applyAsLong(x) <= capacityBytes;
        } catch (InvalidFieldException e) {
            if (e.field().equals("batch")) return false; // byte counts overflow: certainly does not fit
            throw e;
        }
    }

    /** {@link #fits}, treating a workload too large to count as not fitting. */
    private static boolean fitsSafely(
            TransformerSpec spec, Precision p, Workload w, long capacityBytes, long overheadBytes) {
        return fitsSafely(
                bytesByBatch(MemoryModel.of(spec, p, w.parallelism(), overheadBytes), w), w.batch(), capacityBytes);
    }

    /** Per-device bytes of {@code w} (its tokens and parallelism, the model {@code memory} was prepared for) by batch. */
    private static LongUnaryOperator bytesByBatch(MemoryModel memory, Workload w) {
        long pass = w.prefillPassTokens();
        return b -> memory.perDeviceBytes(
                b, Workload.prefillPassSequences(b, pass, w.prefillTokenBudget()), pass, w.contextTokens());
    }

    /** {@code w} with another prompt, its prefill chunk capped by it: the workloads {@link #maxContext} tries. */
    static Workload withPrompt(Workload w, long prompt) {
        return new Workload(
                w.batch(),
                prompt,
                w.generatedTokens(),
                w.prefillChunkTokens() == 0 ? 0 : Math.min(w.prefillChunkTokens(), prompt),
                w.prefillTokenBudget(),
                w.parallelism(),
                w.recompute(),
                w.optimizer(),
                w.lora());
    }
}
