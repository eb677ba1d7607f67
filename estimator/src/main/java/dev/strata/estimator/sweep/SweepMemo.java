package dev.strata.estimator.sweep;

import dev.strata.estimator.latency.LatencyModel;
import dev.strata.estimator.latency.LatencyTuning;
import dev.strata.estimator.latency.Offload;
import dev.strata.estimator.latency.StepTime;
import dev.strata.estimator.memory.MemoryModel;
import dev.strata.model.Hardware;
import dev.strata.model.LoraAdapter;
import dev.strata.model.NumericFormat;
import dev.strata.model.Optimizer;
import dev.strata.model.Parallelism;
import dev.strata.model.Precision;
import dev.strata.model.Recompute;
import dev.strata.model.TransformerSpec;
import dev.strata.model.Workload;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * What a point shares with the point before it, kept while the inputs it depends on stay the same: in odometer
 * order the last axis changes fastest, so a sweep over batch and generated tokens prepares the memory and latency
 * models once and computes the prefill (which does not depend on the generated tokens) once per batch and prompt,
 * not once per point. Keys compare by identity for specs, hardware and tunings (the sweep's own objects) and by
 * value for the rest. One memo serves one sweep, on one thread.
 */
final class SweepMemo {
    /** Prefills kept: one per batch of a batch axis up to this length (a power of two). */
    static final int PREFILLS = 4096;

    final Map<TransformerSpec, Long> params = new IdentityHashMap<>();
    private NumericFormat weights, kv;
    private Precision precision;
    private int tp, pp;
    private Parallelism parallelism;
    private LatencyModel model;
    private MemoryModel memory;
    /**
     * Prefills of the current model in a direct-mapped table: slot {@code (31 batch + prompt) mod PREFILLS}, so that
     * up to PREFILLS consecutive batches (or prompts) never share a slot; a prefill whose slot another took is
     * computed again. The keys are kept as numbers: a lookup makes no object.
     */
    private final StepTime[] prefills = new StepTime[PREFILLS];

    private final long[] prefillBatch = new long[PREFILLS], prefillPrompt = new long[PREFILLS];
    /** The decode step every point writes into (a sweep's points are evaluated one at a time). */
    final StepTime decode = new StepTime();

    Precision precision(NumericFormat w, NumericFormat k) {
        if (precision == null || !w.equals(weights) || !k.equals(kv)) {
            precision = Precision.of(w, k, Optimizer.ADAMW);
            weights = w;
            kv = k;
        }
        return precision;
    }

    Parallelism parallelism(int t, int p) {
        if (parallelism == null || t != tp || p != pp) {
            parallelism = new Parallelism(t, p, 1, 1, 0, false);
            tp = t;
            pp = p;
        }
        return parallelism;
    }

    /** The memory model of these inputs: the last one, or a new one when an input changed. */
    MemoryModel memory(TransformerSpec spec, Precision p, Parallelism par, long overheadBytes) {
        if (memory == null || !memory.isFor(spec, p, par, overheadBytes)) {
            memory = null;
            memory = MemoryModel.of(spec, p, par, overheadBytes);
        }
        return memory;
    }

    /** The latency model of these inputs: the last one, or a new one when an input changed. */
    LatencyModel model(TransformerSpec spec, Precision p, Parallelism par, Hardware hw, LatencyTuning tuning) {
        if (model == null || !model.isFor(spec, p, par, hw, tuning, Offload.NONE)) {
            model = null; // a failed preparation leaves no stale entry
            java.util.Arrays.fill(prefills, null);
            model = LatencyModel.of(spec, p, par, hw, tuning, Offload.NONE);
        }
        return model;
    }

    /**
     * The prefill of {@code batch} prompts of {@code prompt} tokens in chunks of {@code chunk} under the token budget
     * {@code budget} (both the same for every point of a sweep) on {@code m} (parallelism {@code par}), kept
     * while the model is the same: when the batch is the fastest axis, the prefills of one pass over it serve every
     * later value of the slower axes that the prefill does not depend on.
     */
    StepTime prefill(LatencyModel m, Parallelism par, long batch, long prompt, long chunk, long budget) {
        int slot = (int) ((31 * batch + prompt) & (PREFILLS - 1));
        StepTime s = prefills[slot];
        if (s == null || prefillBatch[slot] != batch || prefillPrompt[slot] != prompt) {
            s = m.prefill(
                    new Workload(
                            batch, prompt, 0, chunk, budget, par, Recompute.NONE, Optimizer.ADAMW, LoraAdapter.NONE),
                    false);
            prefills[slot] = s;
            prefillBatch[slot] = batch;
            prefillPrompt[slot] = prompt;
        }
        return s;
    }
}
