package dev.strata.estimator.latency;

import dev.strata.model.GatedMlp;
import dev.strata.model.Hardware;
import dev.strata.model.LayerKind;
import dev.strata.model.MixtureOfExperts;
import dev.strata.model.Parallelism;
import dev.strata.model.Precision;
import dev.strata.model.TransformerSpec;
import dev.strata.model.Workload;
import dev.strata.model.internal.Checks;
import dev.strata.model.internal.Limits;

/**
 * Prefill and decode time as a roofline per operation (Williams, Waterman and Patterson 2009, "Roofline: an
 * insightful visual performance model", CACM 52(4)): each matrix product and each attention core takes
 * {@code max(bytes / (bandwidth x efficiency), FLOPs / (peak x efficiency))}; the step is the sum over operations and
 * layers, plus tensor-parallel all-reduces and pipeline transfers over the link, plus fixed per-layer overheads.
 *
 * <p>What a step moves (docs/formulas.md, "Decode latency"): every weight the step needs, read once (for MoE only the
 * experts the batch touches: E (1 - (1 - k/E)^b) of E routed experts for b tokens of top-k); the KV cache of every sequence, read once; the new tokens'
 * keys and values, written once; the embedding rows of the step's tokens (not the whole table: the input embedding
 * is a lookup). The output head computes logits for the last position of each sequence only (a prefill may ask for
 * every prompt position instead, as a forward pass that returns all logits does).
 *
 * <p>The floor uses 100 % of the datasheet bandwidth, peak and link bandwidth and no fixed costs: it is a lower
 * bound. The calibrated estimate applies {@code hardware.efficiency()} and the {@link LatencyTuning}.
 *
 * <p>Pipeline parallelism: a decode step passes through the stages one after another (latency is the sum over all
 * layers; micro-batching a decode step would read the weights once per micro-batch, so it is not assumed); a prefill
 * of several sequences is pipelined over them as micro-batches with the GPipe bubble (Huang et al. 2019,
 * arXiv:1811.06965 §2.2): {@code (M + p - 1) / (M p)} of the unpipelined time for M micro-batches over p stages.
 */
public final class Latency {
    private Latency() {}

    /**
     * The whole picture for one workload: prefill, decode at the average context, request time and throughput.
     *
     * @param spec the model
     * @param p its formats
     * @param w the workload (batch, prompt and generated tokens, parallelism)
     * @param hw the device
     * @param tuning the latency tuning of the device
     * @param offload what is kept in host memory
     * @return floor and calibrated times and throughputs
     */
    public static LatencyEstimate estimate(
            TransformerSpec spec, Precision p, Workload w, Hardware hw, LatencyTuning tuning, Offload offload) {
        return LatencyModel.of(spec, p, w.parallelism(), hw, tuning, offload).estimate(w);
    }

    /**
     * The context at which a request's decode is summarised: the prompt plus half the generated tokens, rounded up
     * (at least one), the average position of the generation (Llama-3-8B with 512 + 128 tokens: 576).
     *
     * @param promptTokens tokens of the prompt
     * @param generatedTokens tokens generated
     * @return the context in tokens
     */
    public static long decodeContextTokens(long promptTokens, long generatedTokens) {
        return promptTokens + Math.max(1, (generatedTokens + 1) / 2);
    }

    /**
     * One decode step: each of {@code batch} sequences adds one token at position {@code contextTokens} (attending to
     * {@code contextTokens} keys, itself included). Time for one device of the replica (all pipeline stages in turn).
     *
     * @param spec the model
     * @param p its formats
     * @param par how the model is split over devices
     * @param batch sequences in the step
     * @param contextTokens keys each sequence attends to, its new token included
     * @param hw the device
     * @param tuning the latency tuning of the device
     * @param offload what is kept in host memory
     * @return the step's terms, floor and calibrated
     */
    public static StepTime decodeStep(
            TransformerSpec spec,
            Precision p,
            Parallelism par,
            long batch,
            long contextTokens,
            Hardware hw,
            LatencyTuning tuning,
            Offload offload) {
        Checks.range("contextTokens", contextTokens, 1, Limits.MAX_CONTEXT);
        return LatencyModel.of(spec, p, par, hw, tuning, offload).decodeStep(batch, contextTokens);
    }

    /**
     * Prefill of {@code w.batch()} prompts of {@code w.promptTokens()} tokens, in chunks of
     * {@code w.prefillPassTokens()}: the time to the first token, pipelined over the sequences when pp &gt; 1.
     *
     * @param spec the model
     * @param p its formats
     * @param w the workload
     * @param hw the device
     * @param tuning the latency tuning of the device
     * @param offload what is kept in host memory
     * @return the prefill's terms, floor and calibrated
     */
    public static StepTime prefill(
            TransformerSpec spec, Precision p, Workload w, Hardware hw, LatencyTuning tuning, Offload offload) {
        return prefill(spec, p, w, hw, tuning, offload, false);
    }

    /**
     * The prefill, with the logits of every prompt position when {@code allLogits} (as Hugging Face
     * {@code model(input_ids)} and the reference harness compute them) instead of the last position of each sequence.
     *
     * @param spec the model
     * @param p its formats
     * @param w the workload
     * @param hw the device
     * @param tuning the latency tuning of the device
     * @param offload what is kept in host memory
     * @param allLogits whether every prompt position's logits are computed
     * @return the prefill's terms, floor and calibrated
     */
    public static StepTime prefill(
            TransformerSpec spec,
            Precision p,
            Workload w,
            Hardware hw,
            LatencyTuning tuning,
            Offload offload,
            boolean allLogits) {
        return LatencyModel.of(spec, p, w.parallelism(), hw, tuning, offload).prefill(w, allLogits);
    }

    /**
     * The smallest batch at which a decode step at {@code contextTokens} turns compute-bound in the floor model
     * (compute time of the matrix products reaches their memory time); {@code Workload.MAX_BATCH} if it never does.
     * On an A100 the weight-read crossover is about peak / bandwidth = 312e12 / 1.555e12 = 200 tokens for 16-bit
     * weights (docs/formulas.md, "Decode latency"); the KV cache grows with the batch and pushes it further out.
     *
     * @param spec the model
     * @param p its formats
     * @param par how the model is split over devices
     * @param contextTokens keys each sequence attends to
     * @param hw the device
     * @param tuning the latency tuning of the device
     * @return the batch
     */
    public static long computeBoundBatch(
            TransformerSpec spec, Precision p, Parallelism par, long contextTokens, Hardware hw, LatencyTuning tuning) {
        return LatencyModel.of(spec, p, par, hw, tuning, Offload.NONE).computeBoundBatch(contextTokens);
    }

    /**
     * The bandwidth efficiency the calibrated estimate uses for matrix products in {@code computeFormat}: the device's,
     * scaled by the tuning of that format (at most 1).
     *
     * @param hw the device
     * @param tuning the latency tuning of the device
     * @param computeFormat the format whose peak the products run at
     * @return the efficiency, at most 1
     */
    public static double bandwidthEfficiency(Hardware hw, LatencyTuning tuning, String computeFormat) {
        return Roofline.bandwidthEfficiency(hw, tuning.forFormat(computeFormat));
    }

    /**
     * The compute efficiency the calibrated estimate uses in {@code computeFormat} (see {@link #bandwidthEfficiency}).
     *
     * @param hw the device
     * @param tuning the latency tuning of the device
     * @param computeFormat the format whose peak the products run at
     * @return the efficiency, at most 1
     */
    public static double computeEfficiency(Hardware hw, LatencyTuning tuning, String computeFormat) {
        return Roofline.computeEfficiency(hw, tuning.forFormat(computeFormat));
    }

    /**
     * The numeric format whose peak the matrix products run at (see {@code Roofline}): what {@code --peak-tflops}
     * overrides.
     *
     * @param hw the device
     * @param p the model's formats
     * @return a format id of {@link Hardware#FORMATS}
     */
    public static String computeFormat(Hardware hw, Precision p) {
        return Roofline.computeFormat(hw, p);
    }

    /** The feed-forward type of a layer as spec JSON names it: {@code dense}, {@code gated} or {@code moe}. */
    static String feedForwardType(LayerKind kind) {
        if (kind.feedForward() instanceof MixtureOfExperts) return "moe";
        if (kind.feedForward() instanceof dev.strata.model.NoFeedForward) return "none";
        return kind.feedForward() instanceof GatedMlp ? "gated" : "dense";
    }
}
