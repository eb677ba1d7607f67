package dev.strata.estimator.memory;

import dev.strata.estimator.params.Parameters;
import dev.strata.model.InvalidFieldException;
import dev.strata.model.LayerGroup;
import dev.strata.model.LoraAdapter;
import dev.strata.model.Parallelism;
import dev.strata.model.Precision;
import dev.strata.model.Projection;
import dev.strata.model.Recompute;
import dev.strata.model.TransformerSpec;
import dev.strata.model.Workload;
import dev.strata.model.internal.Checks;
import java.util.Set;
import java.util.TreeSet;

/**
 * Memory to train (or LoRA/QLoRA fine-tune) a model on one micro-batch of {@code batch} sequences of
 * {@code promptTokens} tokens per data-parallel replica.
 *
 * <ul>
 *   <li>Model states: weights, gradients, master weights and optimizer states, partitioned by ZeRO stages 0–3 over
 *       the data-parallel ranks (Rajbhandari et al. 2020, arXiv:1910.02054 §5), of the parameters the device
 *       holds after tensor and pipeline parallelism ({@link Sharding}).</li>
 *   <li>LoRA (Hu et al. 2021, arXiv:2106.09685): the base weights are frozen (no gradients, no optimizer states; only
 *       ZeRO-3 partitions them) and stored in {@link Precision#weights()}, which for QLoRA (Dettmers et al. 2023,
 *       arXiv:2305.14314) is NF4 with its block scales; the adapters (r x (in + out) parameters per targeted
 *       matrix) are trained in mixed precision: compute copy in {@link Precision#activations()}, gradients, master
 *       copy and optimizer states as for full training.</li>
 *   <li>Activations: {@link Activations#trainingLayerBytes} per layer (Korthikanti et al. 2022 Table 2, with
 *       {@link #DROPOUT}). Under the 1F1B pipeline schedule (Narayanan et al. 2021, arXiv:2104.04473 §2.2.1) stage s of
 *       p holds p − s micro-batches in flight, so the first stage holds as many layers' activations as the whole model
 *       (Korthikanti §4.2.3). The last stage adds the output layer
 *       ({@link Activations#trainingOutputLayerBytes}). Recomputation needs one layer's recomputed activations at a
 *       time during the backward pass: that working set is added (the largest layer's).</li>
 * </ul>
 */
public final class TrainingMemory {
    private TrainingMemory() {}

    /**
     * Whether activations include dropout masks and outputs. Korthikanti et al.'s Table 2 counts them (GPT-3 trained
     * with dropout); most current LLMs train without dropout and need a little less.
     */
    public static final boolean DROPOUT = true;

    /**
     * The estimate with {@link InferenceMemory#DEFAULT_RUNTIME_OVERHEAD_BYTES}.
     *
     * @param spec the model
     * @param p its formats
     * @param w the workload (micro-batch, sequence length, parallelism, recompute, optimizer, LoRA)
     * @return model states, activations and overhead, whole and per device
     */
    public static TrainingMemoryEstimate estimate(TransformerSpec spec, Precision p, Workload w) {
        return estimate(spec, p, w, InferenceMemory.DEFAULT_RUNTIME_OVERHEAD_BYTES);
    }

    /**
     * The estimate for training {@code spec} on {@code w} in formats {@code p}, with {@code runtimeOverheadBytes} per
     * device.
     *
     * @param spec the model
     * @param p its formats
     * @param w the workload (micro-batch, sequence length, parallelism, recompute, optimizer, LoRA)
     * @param runtimeOverheadBytes bytes the runtime holds on each device
     * @return model states, activations and overhead, whole and per device
     */
    public static TrainingMemoryEstimate estimate(
            TransformerSpec spec, Precision p, Workload w, long runtimeOverheadBytes) {
        Checks.present("spec", spec);
        Checks.present("precision", p);
        Checks.present("workload", w);
        Checks.range("runtimeOverheadBytes", runtimeOverheadBytes, 0, Long.MAX_VALUE / 8);
        LoraAdapter lora = w.lora();
        if (!lora.enabled() && !p.weights().floatingPoint())
            throw new InvalidFieldException(
                    "precision.weights",
                    p.weights().id(),
                    "a floating-point format (fp32, bf16, fp16, fp8) for full training; quantised base weights need LoRA adapters (QLoRA)");
        // full training trains every weight in the compute format: a checkpoint's own expert format (gpt-oss's MXFP4)
        // is what LoRA's frozen base keeps, not what full training updates
        if (!lora.enabled() && p.mixedWeights()) p = p.withExpertWeights(p.weights());
        Parallelism par = w.parallelism();
        Sharding.check(spec, par);
        try {
            long trainable = lora.enabled()
                    ? Lora.adapterParameters(spec, lora)
                    : Parameters.count(spec).total();
            if (lora.enabled() && trainable == 0) throw noAdaptedMatrix(spec, lora);
            long frozen = lora.enabled() ? Parameters.count(spec).total() : 0;
            Parallelism one = new Parallelism(1, 1, 1, 1, 0, false);
            TrainingMemoryTerms whole = worstStage(spec, p, w, one, runtimeOverheadBytes);
            TrainingMemoryTerms perDevice = worstStage(spec, p, w, par, runtimeOverheadBytes);
            return new TrainingMemoryEstimate(whole, perDevice, trainable, frozen, par.devices());
        } catch (ArithmeticException e) {
            throw new InvalidFieldException(
                    "batch",
                    w.batch(),
                    "a workload whose byte counts fit in a 64-bit integer (reduce batch or tokens)");
        }
    }

    private static TrainingMemoryTerms worstStage(
            TransformerSpec spec, Precision p, Workload w, Parallelism par, long overhead) {
        int stages = par.pipeline();
        LoraAdapter lora = w.lora();
        long[] frozenBytes = lora.enabled() ? Weights.perStageBytes(spec, p, par) : new long[stages];
        long[] trainable = lora.enabled()
                ? Lora.perStageAdapterParameters(spec, lora, par)
                : Weights.perStageParameters(spec, par);
        Precision trained = lora.enabled() ? adapterPrecision(p) : p;
        long[] layerActivations = Sharding.perStage(
                spec,
                stages,
                kind -> Activations.trainingLayerBytes(
                        kind,
                        spec.hiddenSize(),
                        spec.norms(),
                        w.promptTokens(),
                        w.batch(),
                        par.tensor(),
                        par.sequenceParallel(),
                        w.recompute(),
                        p.activations(),
                        DROPOUT));
        long tokens = Math.multiplyExact(w.promptTokens(), w.batch());
        long output = Activations.trainingOutputLayerBytes(
                spec, tokens, par.tensor(), par.sequenceParallel(), p.activations());
        long working = recomputeWorkingSet(spec, w, par, p);
        TrainingMemoryTerms worst = null;
        for (int s = 0; s < stages; s++) {
            ModelStateBytes states =
                    ModelStates.perDevice(trainable[s], trained, w.optimizer(), par.zeroStage(), par.data());
            long weights = Math.addExact(
                    states.weights(), ModelStates.frozenWeightsPerDevice(frozenBytes[s], par.zeroStage(), par.data()));
            long activations = Math.multiplyExact(layerActivations[s], (long) (stages - s));
            if (s == stages - 1) activations = Math.addExact(activations, output);
            activations = Math.addExact(activations, working);
            TrainingMemoryTerms t = new TrainingMemoryTerms(
                    weights,
                    states.gradients(),
                    states.masterWeights(),
                    states.optimizerStates(),
                    activations,
                    overhead);
            if (worst == null || t.total() > worst.total()) worst = t;
        }
        return worst;
    }

    /** LoRA whose targets name no matrix the model has (a router on a dense model): nothing would be trained. */
    private static InvalidFieldException noAdaptedMatrix(TransformerSpec spec, LoraAdapter lora) {
        Set<String> has = new TreeSet<>();
        for (LayerGroup g : spec.layers())
            Parameters.forEachMatrix(
                    g.kind(),
                    spec.hiddenSize(),
                    (component, role, in, out, bias, copies, active) -> has.add(role.id()));
        Set<String> asked = new TreeSet<>();
        for (Projection p : lora.targets()) asked.add(p.id());
        return new InvalidFieldException(
                "lora.targets", String.join(",", asked), "at least one projection " + spec.name() + " has, of " + has);
    }

    /** The formats of LoRA adapters: compute copy in the activation format, the rest as for full training. */
    static Precision adapterPrecision(Precision p) {
        return new Precision(
                p.activations(),
                p.activations(),
                p.activations(),
                p.kvCache(),
                p.gradients(),
                p.masterWeights(),
                p.optimizerStates(),
                p.activations());
    }

    /** Extra activations alive while one layer is recomputed in the backward pass (0 without recomputation). */
    private static long recomputeWorkingSet(TransformerSpec spec, Workload w, Parallelism par, Precision p) {
        if (w.recompute() == Recompute.NONE) return 0;
        long worst = 0;
        for (LayerGroup g : spec.layers()) {
            long all = Activations.trainingLayerBytes(
                    g.kind(),
                    spec.hiddenSize(),
                    spec.norms(),
                    w.promptTokens(),
                    w.batch(),
                    par.tensor(),
                    par.sequenceParallel(),
                    Recompute.NONE,
                    p.activations(),
                    DROPOUT);
            long kept = Activations.trainingLayerBytes(
                    g.kind(),
                    spec.hiddenSize(),
                    spec.norms(),
                    w.promptTokens(),
                    w.batch(),
                    par.tensor(),
                    par.sequenceParallel(),
                    w.recompute(),
                    p.activations(),
                    DROPOUT);
            worst = Math.max(worst, all - kept);
        }
        return worst;
    }
}
