package dev.strata.estimator.training;

import dev.strata.estimator.cost.ModelFlops;
import dev.strata.estimator.flops.FlopComponent;
import dev.strata.estimator.flops.Flops;
import dev.strata.estimator.flops.FlopsBreakdown;
import dev.strata.estimator.flops.FlopsConvention;
import dev.strata.estimator.flops.TrainingFlops;
import dev.strata.estimator.latency.Collectives;
import dev.strata.estimator.latency.GpuEfficiency;
import dev.strata.estimator.latency.LatencyTuning;
import dev.strata.estimator.params.ParamComponent;
import dev.strata.estimator.params.ParameterCount;
import dev.strata.estimator.params.Parameters;
import dev.strata.model.Hardware;
import dev.strata.model.InvalidFieldException;
import dev.strata.model.LayerGroup;
import dev.strata.model.LayerKind;
import dev.strata.model.MixtureOfExperts;
import dev.strata.model.Mlp;
import dev.strata.model.Recompute;
import dev.strata.model.TransformerSpec;
import dev.strata.model.internal.Checks;

/**
 * The time of one training step of Megatron-style data, tensor, pipeline and sequence parallel training, built up from
 * the work of one device (in outline the cost model of Calculon: Isaev et al., "Calculon: a Methodology and Tool for High-Level Codesign of
 * Systems and Large Language Models", SC'23).
 *
 * <p>Per micro-batch of {@code n = b s} tokens, on one device of the slowest pipeline stage ({@code ceil(L / p)}
 * layers, and the output logits, which the last stage computes):
 * <ul>
 *   <li>Matrix products and the attention core: the forward FLOPs of strata's count ({@link Flops#trainingPerToken},
 *   causal with FlashAttention, full T x T without) divided by t, at the device's peak in the compute format times the
 *   GEMM efficiency of the GPU performance model for n rows ({@link GpuEfficiency#compute} x
 *   {@link LatencyTuning#computeShapeFactor}; a routed expert's over the {@code n k / E} rows routed to it) times the
 *   training stack's {@link TrainingStack#kernelEfficiency}. The
 *   backward pass costs twice the forward (Narayanan §3.5).</li>
 *   <li>Memory-bound elementwise kernels, at the device's bandwidth times {@link GpuEfficiency#bandwidth}: per layer and
 *   token, {@link #HIDDEN_PASSES} reads or writes of a hidden vector (two norms, two bias-dropout-residual adds; split
 *   over t with sequence parallelism, else repeated on every rank), {@link #FFN_PASSES} of the feed-forward activation
 *   (the bias-activation kernel) and, without FlashAttention, {@link #SCORE_PASSES} of the t-th share of the
 *   {@code heads x s} attention scores (masked softmax and dropout written and read), also at the kernel
 *   efficiency. Backward: twice the forward.</li>
 *   <li>Recomputation (Korthikanti §5): none; selective, the attention core and its softmax again; full, the whole
 *   layers' forward again (not the logits).</li>
 *   <li>Tensor parallelism (Narayanan §2.3, Korthikanti §4.2.2): 2 all-reduces of the n x h activations per layer in
 *   the forward and 2 in the backward, 2 more in a fully recomputed forward; with sequence parallelism each all-reduce
 *   becomes a reduce-scatter and an all-gather of the same total bytes, and the backward gathers the layer's two split
 *   inputs again (Korthikanti §4.2.2 stores them split), one all-reduce's bytes more. Ring collectives ({@link Collectives}) over the
 *   scale-up link at {@link GpuEfficiency#communication}, on the critical path (not overlapped).</li>
 *   <li>Expert parallelism over e ranks (each holding 1/e of the routed experts, split by t within it): each MoE layer
 *   sends every token's hidden vector to its top-k experts and back, forward and backward (and in a fully recomputed
 *   forward), {@code (e - 1) / e} of it leaving the rank, over one direction of the link; the routed experts' FLOPs per
 *   device stay those of balanced routing.</li>
 *   <li>Pipeline transfers: each micro-batch's activations (n x h, split over t by the scatter-gather optimisation of
 *   Narayanan §4.1) sent forward and its gradient back, V times with interleaving, not overlapped.</li>
 * </ul>
 * A step runs {@code m = B / (b d)} micro-batches and the pipeline bubble: {@code (p - 1) / V} micro-batch times, the
 * bubble fraction {@code (p - 1) / (V m)} of Narayanan §2.2 (1F1B) and §2.2.2 (interleaved). The data-parallel
 * gradient reduction (a ring all-reduce, or with ZeRO a reduce-scatter and all-gather of the same bytes) of the
 * local gradients (dense {@code / (t p)} over d ranks, routed experts {@code / (t p e)} over d / e) overlaps the backward pass of the last micro-batch except for its last bucket
 * ({@link TrainingStack#bucketBytes}); ZeRO-3 all-gathers the weights before every micro-batch's forward and backward,
 * hidden behind the compute when it is shorter. The optimizer then reads and writes {@link #OPTIMIZER_BYTES_PER_PARAM}
 * bytes per local parameter (Adam with fp32 master weights), sharded over d with ZeRO 1 to 3.
 */
public final class TrainingStepModel {
    /**
     * Hidden-vector reads and writes per layer and token in the forward pass: two norms (read and write each: 4) and
     * two fused bias-dropout-residual adds (read two, write one: 6), counted from the Megatron-LM transformer layer.
     */
    public static final double HIDDEN_PASSES = 10;
    /** Reads and writes per element of the feed-forward activation in the forward pass: the fused bias-activation. */
    public static final double FFN_PASSES = 2;
    /**
     * Reads and writes per attention score in the forward pass of an unfused attention: the fused scale-mask-softmax
     * reads the scores and writes the probabilities, dropout reads them and writes the result.
     */
    public static final double SCORE_PASSES = 4;
    /**
     * Bytes an Adam step moves per parameter: reads the fp32 gradient (4), reads and writes the fp32 master weight,
     * first and second moments (24), writes the 16-bit weight (2) (Rajbhandari et al. 2020, arXiv:1910.02054 §3.1:
     * 16 bytes of state per parameter in mixed precision).
     */
    public static final double OPTIMIZER_BYTES_PER_PARAM = 30;
    /** Bytes per activation element: 16-bit activations, also with fp8 matrix products. */
    public static final double ACTIVATION_BYTES = 2;
    /** Bytes per weight element the ZeRO-3 all-gathers move (16-bit weights). */
    public static final double WEIGHT_BYTES = 2;

    private TrainingStepModel() {}

    /**
     * One training step of {@code spec} laid out by {@code layout} on {@code hw}.
     *
     * @param spec the model
     * @param hw the device (peaks, memory bandwidth, scale-up link)
     * @param gpu the GPU performance model's efficiencies
     * @param computeFormat the format the matrix products run in ({@code bf16}, {@code fp16}, {@code fp8}); MFU and HFU
     *     are measured against its peak
     * @param layout the parallel layout and batch
     * @param stack the attention kernel and the network
     * @return the step's time, its breakdown, MFU, HFU and tokens per second
     */
    public static TrainingStep estimate(
            TransformerSpec spec,
            Hardware hw,
            GpuEfficiency gpu,
            String computeFormat,
            TrainingLayout layout,
            TrainingStack stack) {
        Checks.present("spec", spec);
        Checks.present("hardware", hw);
        Checks.present("gpu", gpu);
        Checks.present("layout", layout);
        Checks.present("stack", stack);
        if (!hw.hasPeak(Checks.present("compute-format", computeFormat)))
            throw new InvalidFieldException(
                    "weights",
                    computeFormat,
                    "a format " + hw.id() + " has a peak for, one of "
                            + hw.peakFlopsPerSecond().keySet());
        int t = layout.tensor(), p = layout.pipeline(), d = layout.data(), v = layout.interleave();
        int s = layout.sequenceLength();
        long layers = 0;
        for (LayerGroup g : spec.layers()) layers += g.count();
        if (p > layers) throw new InvalidFieldException("pp", p, "at most the model's " + layers + " layers");
        if (v > 1 && layers % ((long) p * v) != 0)
            throw new InvalidFieldException(
                    "interleave", v, "such that pp x interleave divides the model's " + layers + " layers");
        if (t > 1 || p > 1) requireLink(hw);

        double n = (double) layout.microBatch() * s; // tokens of one micro-batch
        double stageLayers = Math.ceil((double) layers / p); // the slowest stage's share of the layers
        double layerShare = stageLayers / layers;

        // FLOPs per token as executed: causal with FlashAttention, full T x T without.
        FlopsConvention executed = stack.flashAttention() ? FlopsConvention.CAUSAL : FlopsConvention.FULL;
        TrainingFlops hardwareFlops = Flops.trainingPerToken(spec, s, layout.recompute(), executed);
        FlopsBreakdown fwd = hardwareFlops.forward();
        double logits = fwd.get(FlopComponent.OUTPUT_LOGITS);
        double layerMatrices = fwd.layers() - fwd.attentionCore();
        double attention = fwd.attentionCore();

        double peak = hw.peakFlopsPerSecond(computeFormat);
        LatencyTuning shape = new LatencyTuning(gpu.gemmHalfTokens(computeFormat), 0, 1, 0, 0);
        double k = stack.kernelEfficiency();
        double secondsPerFlop = 1 / (peak * gpu.compute(computeFormat) * shape.computeShapeFactor(n) * k);
        double secondsPerByte = 1 / (hw.memoryBandwidthBytesPerSecond() * gpu.bandwidth());
        double kernelSecondsPerByte = secondsPerByte / k;

        // routed experts: a product per expert over the n x top-k / experts rows routed to it (balanced routing)
        double routedFlops = fwd.get(FlopComponent.ROUTED_EXPERTS);
        double expertRows = n;
        for (LayerGroup g : spec.layers())
            if (g.kind().feedForward() instanceof MixtureOfExperts moe)
                expertRows = Math.min(expertRows, n * moe.topK() / moe.routedExperts());
        double expertSecondsPerFlop =
                secondsPerFlop * shape.computeShapeFactor(n) / shape.computeShapeFactor(expertRows);

        // forward of one micro-batch on one device of the slowest stage, by part
        double matricesFwd = n * ((layerMatrices - routedFlops) * layerShare + logits) / t * secondsPerFlop
                + n * routedFlops * layerShare / t * expertSecondsPerFlop;
        double attentionFwd = n * attention * layerShare / t * secondsPerFlop;
        double hiddenElems = 0, ffnElems = 0, scoreElems = 0; // per token, summed over the model's layers
        for (LayerGroup g : spec.layers()) {
            LayerKind kind = g.kind();
            hiddenElems += g.count() * HIDDEN_PASSES * spec.hiddenSize();
            ffnElems += g.count() * FFN_PASSES * activatedWidth(kind);
            if (!stack.flashAttention())
                scoreElems += g.count() * SCORE_PASSES * kind.attention().heads() * (double) s;
        }
        double elementwiseBytesPerToken =
                ACTIVATION_BYTES * layerShare * (hiddenElems / (layout.sequenceParallel() ? t : 1) + ffnElems / t);
        double scoreBytesPerToken = ACTIVATION_BYTES * layerShare * scoreElems / t;
        double elementwiseFwd = n * elementwiseBytesPerToken * kernelSecondsPerByte;
        double scoresFwd = n * scoreBytesPerToken * kernelSecondsPerByte;

        double forward = matricesFwd + attentionFwd + elementwiseFwd + scoresFwd;
        double backward = 2 * forward;
        double layersFwd = forward - n * logits / t * secondsPerFlop;
        double recompute = switch (layout.recompute()) {
            case NONE -> 0;
            case SELECTIVE -> attentionFwd + scoresFwd;
            case FULL -> layersFwd;
        };
        double computePerMicroBatch = forward + backward + recompute;

        // tensor-parallel collectives on the critical path
        // with sequence parallelism the backward gathers each layer's two split inputs again (two all-gathers, half an
        // all-reduce each), unless the full forward was recomputed, which gathered them
        double redoneGathers = layout.sequenceParallel() && layout.recompute() != Recompute.FULL ? 1 : 0;
        double tpCollectives = stageLayers * (4 + (layout.recompute() == Recompute.FULL ? 2 : 0) + redoneGathers);
        double activationBytes = n * spec.hiddenSize() * ACTIVATION_BYTES;
        double tpLink = t <= stack.nodeSize() ? hw.scaleUpBandwidthBytesPerSecond() : stack.scaleOutBytesPerSecond();
        double tpComm = tpCollectives
                * Collectives.ringAllReduceSeconds(
                        activationBytes, t, tpLink * gpu.communication(), gpu.collectiveLatencySeconds());

        // pipeline transfers: forward activations and backward gradients, V times each with interleaving
        double ppLink = layout.devices() <= stack.nodeSize()
                ? hw.scaleUpBandwidthBytesPerSecond()
                : stack.scaleOutBytesPerSecond();
        double ppComm = p == 1
                ? 0
                : 2.0
                        * v
                        * Collectives.pointToPointSeconds(
                                activationBytes / t, ppLink * gpu.communication(), gpu.collectiveLatencySeconds());

        // expert parallelism: each MoE layer's tokens dispatched to their top-k experts and combined back, forward and
        // backward (and the recomputed forward), as all-to-alls over the e ranks
        double epComm = 0;
        int e = layout.expert();
        if (e > 1) {
            double moeLayers = 0, topK = 0;
            for (LayerGroup g : spec.layers())
                if (g.kind().feedForward() instanceof MixtureOfExperts moe) {
                    moeLayers += g.count();
                    topK = Math.max(topK, moe.topK());
                }
            double stageMoeLayers = Math.ceil(moeLayers * layerShare);
            double bytes = n * spec.hiddenSize() * ACTIVATION_BYTES * topK * (e - 1.0) / e;
            double epLink = (long) t * e <= stack.nodeSize()
                    ? hw.scaleUpBandwidthBytesPerSecond()
                    : stack.scaleOutBytesPerSecond();
            double allToAll = Collectives.pointToPointSeconds(
                    bytes, epLink * gpu.communication(), gpu.collectiveLatencySeconds());
            epComm = stageMoeLayers * (4 + (layout.recompute() == Recompute.FULL ? 2 : 0)) * allToAll;
        }
        double microBatch = computePerMicroBatch + tpComm + ppComm + epComm;
        int m = layout.microBatches();
        double bubble = (p - 1.0) / v * microBatch;

        // data parallelism: gradient reduction of the local parameters, overlapped with the last backward but its
        // last bucket; ZeRO-3 weight all-gathers per micro-batch hidden behind the compute when shorter
        // local parameters: the dense ones split by t and p, the routed experts also by e; their gradients reduce over
        // d and d / e ranks
        ParameterCount count = Parameters.count(spec);
        double routed = count.total(ParamComponent.ROUTED_EXPERTS);
        double denseLocal = (count.total() - routed) / ((double) t * p);
        double expertLocal = routed / ((double) t * p * e);
        double localParams = denseLocal + expertLocal;
        double dpLink =
                (long) t * d <= stack.nodeSize() ? hw.scaleUpBandwidthBytesPerSecond() : stack.scaleOutBytesPerSecond();
        double gradientBytes = localParams * stack.gradientBytes();
        double dpAllReduce = Collectives.ringAllReduceSeconds(
                        denseLocal * stack.gradientBytes(),
                        d,
                        dpLink * gpu.communication(),
                        gpu.collectiveLatencySeconds())
                + Collectives.ringAllReduceSeconds(
                        expertLocal * stack.gradientBytes(),
                        d / e,
                        dpLink * gpu.communication(),
                        gpu.collectiveLatencySeconds());
        double lastBucket = gradientBytes <= 0 ? 0 : dpAllReduce * Math.min(1, stack.bucketBytes() / gradientBytes);
        double dpExposed = d == 1 ? 0 : Math.max(dpAllReduce - backward, lastBucket);
        double zero3Exposed = 0;
        if (layout.zeroStage() == 3 && d > 1) {
            // an all-gather moves half an all-reduce's bytes; one before the forward and one before the backward
            double gather = Collectives.ringAllReduceSeconds(
                            localParams * WEIGHT_BYTES, d, dpLink * gpu.communication(), gpu.collectiveLatencySeconds())
                    / 2;
            zero3Exposed = m * (Math.max(0, gather - forward) + Math.max(0, gather - backward));
        }
        double optimizerParams = layout.zeroStage() >= 1 ? localParams / d : localParams;
        double optimizer = optimizerParams * OPTIMIZER_BYTES_PER_PARAM * secondsPerByte;

        double compute = m * computePerMicroBatch;
        double communication = m * (tpComm + ppComm + epComm) + dpExposed + zero3Exposed;
        double step = compute + communication + bubble + optimizer;
        double tokensPerSecond = layout.tokensPerStep() / step;
        double modelFlops = ModelFlops.perToken(spec, s).total();
        double devicesPeak = layout.devices() * peak;
        return new TrainingStep(
                step,
                compute,
                communication,
                bubble,
                optimizer,
                microBatch,
                dpAllReduce,
                modelFlops * tokensPerSecond / devicesPeak,
                hardwareFlops.total() * tokensPerSecond / devicesPeak,
                tokensPerSecond,
                modelFlops,
                hardwareFlops.total());
    }

    /** The feed-forward width one token activates in a layer: the MLP's, or its chosen and shared experts'. */
    private static double activatedWidth(LayerKind kind) {
        if (kind.feedForward() instanceof Mlp mlp) return mlp.intermediateSize();
        if (kind.feedForward() instanceof MixtureOfExperts moe)
            return (double) moe.topK() * moe.expert().intermediateSize()
                    + (double) moe.sharedExperts()
                            * (moe.sharedExpert() == null ? moe.expert() : moe.sharedExpert()).intermediateSize();
        return 0;
    }

    private static void requireLink(Hardware hw) {
        if (hw.scaleUpBandwidthBytesPerSecond() <= 0)
            throw new InvalidFieldException(
                    "tp", "> 1", "1 with pp 1 on a device whose scale-up link bandwidth is not known");
    }
}
