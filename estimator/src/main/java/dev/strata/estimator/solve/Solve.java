package dev.strata.estimator.solve;

import dev.strata.estimator.cost.ServingCost;
import dev.strata.estimator.latency.Latency;
import dev.strata.estimator.latency.LatencyEstimate;
import dev.strata.estimator.latency.LatencyTuning;
import dev.strata.estimator.latency.Offload;
import dev.strata.estimator.memory.InferenceMemory;
import dev.strata.estimator.memory.MemoryModel;
import dev.strata.estimator.memory.Sharding;
import dev.strata.model.Checks;
import dev.strata.model.Hardware;
import dev.strata.model.InvalidFieldException;
import dev.strata.model.Limits;
import dev.strata.model.Parallelism;
import dev.strata.model.Precision;
import dev.strata.model.TransformerSpec;
import dev.strata.model.Workload;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The inverse questions of capacity planning, answered with the same memory and latency estimators as the forward
 * ones (so the answers agree with them at the boundary): the largest batch or context that fits, the fewest devices
 * that hold a model, and the cheapest catalog hardware that meets a time-per-token target.
 *
 * <p>Memory grows monotonically with batch, context and (per device) shrinks with devices, so each answer is a
 * binary or linear search over the estimator itself, not a separate formula.
 */
public final class Solve {
    private Solve() {}

    /** Largest tensor-parallel degree tried: one node of 8 devices on a scale-up link (NVLink, Infinity Fabric). */
    public static final int MAX_TENSOR_PARALLEL = 8;
    /** Most devices {@link #minDevices} and {@link #cheapest} consider. */
    public static final int MAX_DEVICES = 4096;

    /** Whether {@code w} fits on devices of {@code capacityBytes} each. */
    public static boolean fits(TransformerSpec spec, Precision p, Workload w, long capacityBytes, long overheadBytes) {
        return InferenceMemory.estimate(spec, p, w, overheadBytes).fit(capacityBytes).fits();
    }

    /**
     * The largest batch (sequences per replica) that fits with {@code w}'s context and parallelism; 0 when not even
     * one sequence fits.
     */
    public static long maxBatch(TransformerSpec spec, Precision p, Workload w, long capacityBytes, long overheadBytes) {
        Checks.range("deviceMemoryBytes", capacityBytes, 1, Long.MAX_VALUE);
        MemoryModel memory = MemoryModel.of(spec, p, w.parallelism(), overheadBytes); // prepared once for the search
        if (!fits(memory, w.withBatch(1), capacityBytes)) return 0;
        long lo = 1, hi = Workload.MAX_BATCH;
        if (fitsSafely(memory, w.withBatch(hi), capacityBytes)) return hi;
        while (hi - lo > 1) { // fits(lo), !fits(hi)
            long mid = lo + (hi - lo) / 2;
            if (fitsSafely(memory, w.withBatch(mid), capacityBytes)) lo = mid;
            else hi = mid;
        }
        return lo;
    }

    /**
     * The longest context (prompt plus {@code w.generatedTokens()}) that fits for {@code w.batch()} sequences; 0 when
     * even a one-token prompt does not fit. Not capped at the model's trained context: compare with it.
     */
    public static long maxContext(TransformerSpec spec, Precision p, Workload w, long capacityBytes, long overheadBytes) {
        Checks.range("deviceMemoryBytes", capacityBytes, 1, Long.MAX_VALUE);
        long gen = w.generatedTokens();
        MemoryModel memory = MemoryModel.of(spec, p, w.parallelism(), overheadBytes); // prepared once for the search
        if (!fitsSafely(memory, withPrompt(w, 1), capacityBytes)) return 0;
        long lo = 1, hi = Limits.MAX_CONTEXT - gen;
        if (fitsSafely(memory, withPrompt(w, hi), capacityBytes)) return hi + gen;
        while (hi - lo > 1) {
            long mid = lo + (hi - lo) / 2;
            if (fitsSafely(memory, withPrompt(w, mid), capacityBytes)) lo = mid;
            else hi = mid;
        }
        return lo + gen;
    }

    /**
     * The fewest devices that hold {@code w} (its batch per replica, one replica): for n = 1, 2, ... the split is
     * tensor parallelism up to {@link #MAX_TENSOR_PARALLEL} (the largest degree that divides n and the heads), the
     * rest pipeline stages. Empty when no count up to {@link #MAX_DEVICES} fits.
     */
    public static Optional<Parallelism> minDevices(TransformerSpec spec, Precision p, Workload w, long capacityBytes, long overheadBytes) {
        for (int n = 1; n <= MAX_DEVICES; n++) {
            Optional<Parallelism> par = split(spec, n, w.parallelism());
            if (par.isPresent() && fitsSafely(spec, p, w.withParallelism(par.get()), capacityBytes, overheadBytes)) return par;
        }
        return Optional.empty();
    }

    /** The split of {@code n} devices into tensor x pipeline that {@link #minDevices} uses, if one is valid. */
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
    public record Option(Hardware hardware, Parallelism parallelism, double decodeSecondsPerToken, double tokensPerSecond,
                         double costPerMillionTokensUsd) {
        public int devices() {
            return parallelism.devices();
        }
    }

    /**
     * For each device kind, the fewest devices that hold the workload and decode at most
     * {@code targetSecondsPerToken} per token (calibrated), with the cost per million output tokens; cheapest first.
     * A device kind that cannot meet the target with up to {@link #MAX_DEVICES} devices is left out.
     */
    public static List<Option> cheapest(TransformerSpec spec, Precision p, Workload w, List<Hardware> catalog, double targetSecondsPerToken,
                                        long overheadBytes, LatencyTuning tuning) {
        Checks.positive("targetSecondsPerToken", targetSecondsPerToken, 1e6);
        List<Option> options = new ArrayList<>();
        for (Hardware hw : catalog) {
            if (hw.pricePerHourUsd() <= 0) continue;
            for (int n = 1; n <= MAX_DEVICES; n *= 2) { // tensor parallelism speeds decode up to one node; beyond, pipelines hold the model
                Optional<Parallelism> par = split(spec, n, w.parallelism());
                if (par.isEmpty()) continue;
                if (n > 1 && par.get().tensor() > 1 && hw.scaleUpBandwidthBytesPerSecond() <= 0) break;
                Workload wn = w.withParallelism(par.get());
                if (!fitsSafely(spec, p, wn, hw.memoryBytes(), overheadBytes)) continue;
                LatencyEstimate est = Latency.estimate(spec, p, wn, hw, tuning, Offload.NONE);
                double tpot = est.decode().calibratedSeconds();
                if (tpot <= targetSecondsPerToken) {
                    double perSecond = est.tokensPerSecond();
                    options.add(new Option(hw, par.get(), tpot, perSecond, ServingCost.perMillionOutputTokensUsd(perSecond, n, hw.pricePerHourUsd())));
                    break;
                }
                if (par.get().tensor() < Math.min(n, MAX_TENSOR_PARALLEL)) break; // more devices would only add pipeline stages: no faster
            }
        }
        options.sort(Comparator.comparingDouble(Option::costPerMillionTokensUsd));
        return options;
    }

    /**
     * Whether {@code w} fits, from a memory model prepared for its model, precision, parallelism and overhead
     * ({@link MemoryModel#perDeviceBytes}: the same bytes as {@link #fits}); a workload too large to count does not.
     */
    private static boolean fitsSafely(MemoryModel memory, Workload w, long capacityBytes) {
        try {
            return fits(memory, w, capacityBytes);
        } catch (InvalidFieldException e) {
            if (e.field().equals("batch")) return false; // byte counts overflow: certainly does not fit
            throw e;
        }
    }

    /** {@link #fits}, treating a workload too large to count as not fitting. */
    private static boolean fitsSafely(TransformerSpec spec, Precision p, Workload w, long capacityBytes, long overheadBytes) {
        return fitsSafely(MemoryModel.of(spec, p, w.parallelism(), overheadBytes), w, capacityBytes);
    }

    /** Whether {@code w} fits, from a memory model prepared for its model, precision, parallelism and overhead. */
    private static boolean fits(MemoryModel memory, Workload w, long capacityBytes) {
        return memory.perDeviceBytes(w.batch(), w.prefillPassTokens(), w.contextTokens()) <= capacityBytes;
    }

    /** {@code w} with another prompt, its prefill chunk capped by it: the workloads {@link #maxContext} tries. */
    static Workload withPrompt(Workload w, long prompt) {
        return new Workload(w.batch(), prompt, w.generatedTokens(), w.prefillChunkTokens() == 0 ? 0 : Math.min(w.prefillChunkTokens(), prompt),
                w.parallelism(), w.recompute(), w.optimizer(), w.lora());
    }
}
