package dev.strata.estimator.latency;

import dev.strata.estimator.flops.AttentionMask;
import dev.strata.estimator.flops.Flops;
import dev.strata.estimator.memory.KvCache;
import dev.strata.estimator.memory.Sharding;
import dev.strata.estimator.params.MatrixVisitor;
import dev.strata.estimator.params.ParamComponent;
import dev.strata.estimator.params.Parameters;
import dev.strata.model.Attention;
import dev.strata.model.Hardware;
import dev.strata.model.InvalidFieldException;
import dev.strata.model.LayerGroup;
import dev.strata.model.LayerKind;
import dev.strata.model.MixtureOfExperts;
import dev.strata.model.MultiHeadAttention;
import dev.strata.model.Parallelism;
import dev.strata.model.Precision;
import dev.strata.model.Projection;
import dev.strata.model.TransformerSpec;
import dev.strata.model.Workload;
import dev.strata.model.internal.Checks;
import dev.strata.model.internal.Limits;
import dev.strata.model.internal.WholeNumbers;
import java.util.List;

/**
 * The latency model of {@link Latency} prepared for one model, precision, parallelism, device and tuning: the shapes
 * of the matrices one device holds ({@link Sharding#forEachMatrixOnDevice}), their bytes and the fixed costs are
 * worked out once, so that each step (a decode step at some batch and context, a prefill) only adds up its terms.
 * What a sweep or a search over the batch asks many times. Immutable and safe to share between threads.
 */
public final class LatencyModel {
    private final TransformerSpec spec;
    private final Precision precision;
    private final Parallelism parallelism;
    private final Hardware hardware;
    private final LatencyTuning tuning;
    /** The routed experts' grouped-product efficiency relative to a dense product ({@link LatencyTuning}). */
    private final double expertComputeFactor;

    /** {@link ExpectedExperts#busiestRankDeviations} of the expert-parallel ranks, worked out once. */
    private final double busiestRankDeviations;

    /**
     * How many data-parallel replicas' tokens one rank's routed experts see: expert ranks beyond the tensor-parallel
     * group hold the experts of several replicas, whose tokens reach them by an all-to-all.
     */
    private final double gathered;

    private final Offload offload;
    private final Roofline roofline;
    private final Group[] groups;
    /** Bytes of one hidden vector in the activation format, per token (all-reduces and pipeline transfers). */
    private final double hiddenBytes;
    /** Bytes of one embedding row read by the lookup. */
    private final double embeddingRowBytes;

    private final double finalNormBytes;
    private final double headBytes;
    private final double headFlopsPerRow;

    /**
     * One matrix of a layer on one device: bytes of one copy, FLOPs per token row of one copy, copies, and the
     * calibrated seconds per byte of streaming it ({@link Roofline#calibratedSecondsPerByte}, fixed by its input width).
     */
    private record Matrix(
            LatencyComponent component,
            boolean routed,
            double bytesPerCopy,
            double flopsPerRow,
            long copies,
            double calibratedPerByte) {}

    /** A run of identical layers with what its terms need. */
    private record Group(
            int count,
            LayerKind kind,
            Matrix[] matrices,
            MixtureOfExperts moe,
            double vectorBytes,
            long kvBytesPerToken,
            double attentionFlopsPerKey,
            long stateBytesPerSequence,
            double recurrenceFlopsPerToken,
            long indexBytesPerToken,
            double indexFlopsPerKey,
            long attendedWindow,
            double headFraction,
            double overheadSeconds,
            double kvReadAmplification,
            double elementwiseSecondsPerToken) {}

    private LatencyModel(
            TransformerSpec spec, Precision p, Parallelism par, Hardware hw, LatencyTuning tuning, Offload offload) {
        Checks.present("spec", spec);
        Checks.present("precision", p);
        Checks.present("parallelism", par);
        Checks.present("hardware", hw);
        Checks.present("tuning", tuning);
        Checks.present("offload", offload);
        Sharding.check(spec, par);
        this.spec = spec;
        this.precision = p;
        this.parallelism = par;
        this.hardware = hw;
        this.tuning = tuning;
        this.offload = offload;
        this.roofline = new Roofline(hw, p, tuning);
        long d = spec.hiddenSize();
        int tp = par.tensor();
        this.hiddenBytes = p.activations().bytesFor(d);
        this.embeddingRowBytes = p.embeddings().bytesFor(d);
        this.finalNormBytes =
                spec.norms().finalNorm() ? p.embeddings().bytesFor(spec.norms().paramsFor(d)) : 0;
        long v = spec.vocabSize();
        this.headBytes = p.embeddings().bytesFor(WholeNumbers.ceilDiv(v * d, tp));
        this.headFlopsPerRow = Flops.linear(d, WholeNumbers.ceilDiv(v, tp));
        List<LayerGroup> layers = spec.layers();
        this.groups = new Group[layers.size()];
        LatencyTuning formatTuning = roofline.tuning();
        this.expertComputeFactor = formatTuning.expertComputeFactor();
        this.busiestRankDeviations = ExpectedExperts.busiestRankDeviations(par.expert());
        this.gathered = Math.max(1.0, (double) par.expert() / par.tensor());
        MatrixList matrices = new MatrixList(p, roofline);
        for (int i = 0; i < groups.length; i++) {
            LayerGroup g = layers.get(i);
            LayerKind kind = g.kind();
            matrices.n = 0;
            Sharding.forEachMatrixOnDevice(kind, d, par, matrices);
            Attention a = kind.attention();
            double heads = Math.ceil((double) a.heads() / tp) / a.heads();
            groups[i] = new Group(
                    g.count(),
                    kind,
                    java.util.Arrays.copyOf(matrices.m, matrices.n),
                    kind.feedForward() instanceof MixtureOfExperts moe ? moe : null,
                    p.embeddings().bytesFor(Parameters.layerVectors(kind, d, spec.norms())),
                    KvCache.bytesPerTokenPerLayer(a, p.kvCache(), tp),
                    Flops.attentionScoresPerKey(a) + Flops.attentionWeightedSumPerKey(a),
                    KvCache.stateBytesPerSequence(kind, p.kvCache(), tp),
                    Flops.recurrencePerToken(kind),
                    KvCache.indexBytesPerTokenPerLayer(a, p.kvCache()),
                    a instanceof dev.strata.model.LatentAttention mla ? Flops.indexScoresPerKey(mla) : 0,
                    Flops.attendedWindow(kind),
                    heads,
                    formatTuning.layerOverheadSeconds(Latency.feedForwardType(kind), d),
                    a instanceof MultiHeadAttention mha
                            ? formatTuning.kvReadAmplification(mha.heads(), mha.kvHeads())
                            : 1,
                    formatTuning.elementwisePassesPerLayer()
                            * p.activations().bytesFor(d + WholeNumbers.ceilDiv(activatedWidth(kind), tp))
                            * roofline.calibratedSecondsPerByte(LatencyComponent.ELEMENTWISE, 0));
        }
    }

    /** The feed-forward width one token activates in a layer: the MLP's, or its experts' and shared experts'. */
    private static long activatedWidth(LayerKind kind) {
        if (kind.feedForward() instanceof dev.strata.model.Mlp mlp) return mlp.intermediateSize();
        if (kind.feedForward() instanceof MixtureOfExperts moe)
            return (long) moe.topK() * moe.expert().intermediateSize()
                    + (long) moe.sharedExperts() * moe.sharedExpert().intermediateSize();
        return 0;
    }

    /** Collects the matrices of one layer on one device with their bytes in the weight format. */
    private static final class MatrixList implements MatrixVisitor {
        final Precision p;
        final Roofline r;
        // at most 20 matrices a layer: MLA with an indexer, a parallel Mamba-1 mixer, shared and routed experts
        final Matrix[] m = new Matrix[24];
        int n;

        MatrixList(Precision p, Roofline r) {
            this.p = p;
            this.r = r;
        }

        @Override
        public void matrix(
                ParamComponent component,
                Projection role,
                long in,
                long out,
                boolean bias,
                long copies,
                long activeCopies) {
            double one =
                    p.weightsFor(component == ParamComponent.ROUTED_EXPERTS).bytesFor(in * out)
                            + (bias ? p.embeddings().bytesFor(out) : 0);
            LatencyComponent c = componentOf(component);
            m[n++] = new Matrix(
                    c,
                    component == ParamComponent.ROUTED_EXPERTS,
                    one,
                    Flops.linear(in, out),
                    copies,
                    r.calibratedSecondsPerByte(c, in));
        }
    }

    /**
     * The model prepared for {@code spec} in {@code p}, split by {@code par}, on {@code hw} with {@code tuning}.
     *
     * @param spec the model
     * @param p its formats
     * @param par how the model is split over devices
     * @param hw the device
     * @param tuning the latency tuning of the device
     * @param offload what is kept in host memory
     * @return the prepared model
     */
    public static LatencyModel of(
            TransformerSpec spec, Precision p, Parallelism par, Hardware hw, LatencyTuning tuning, Offload offload) {
        return new LatencyModel(spec, p, par, hw, tuning, offload);
    }

    /**
     * The whole picture for one workload (whose parallelism must be the prepared one): prefill, decode at the request's
     * average context ({@link Latency#decodeContextTokens}), and the batch at which that decode turns compute-bound.
     *
     * @param w the workload
     * @return floor and calibrated times and throughputs
     */
    public LatencyEstimate estimate(Workload w) {
        StepTime prefill = prefill(w, false);
        long decodeContext = Latency.decodeContextTokens(w.promptTokens(), w.generatedTokens());
        StepTime decode = decodeStep(w.batch(), decodeContext);
        return new LatencyEstimate(
                prefill, decode, decodeContext, w.batch(), w.generatedTokens(), computeBoundBatch(decodeContext));
    }

    /**
     * One decode step: each of {@code batch} sequences adds one token at position {@code contextTokens} (attending to
     * {@code contextTokens} keys, itself included). Time for one device of the replica (all pipeline stages in turn).
     *
     * @param batch sequences in the step
     * @param contextTokens keys each sequence attends to, its new token included
     * @return the step's terms, floor and calibrated
     */
    public StepTime decodeStep(long batch, long contextTokens) {
        Checks.range("contextTokens", contextTokens, 1, Limits.MAX_CONTEXT);
        return decode(new StepTime(), batch, contextTokens, offload); // a new step is empty already
    }

    /**
     * {@link #decodeStep(long, long)} written into {@code into}, which is emptied first and returned: a sweep reuses one
     * step for all its points instead of making one per point.
     *
     * @param batch sequences in the step
     * @param contextTokens keys each sequence attends to, its new token included
     * @param into the step to fill
     * @return {@code into}
     */
    public StepTime decodeStep(long batch, long contextTokens, StepTime into) {
        Checks.range("contextTokens", contextTokens, 1, Limits.MAX_CONTEXT);
        Checks.present("step", into);
        into.clear();
        return decode(into, batch, contextTokens, offload);
    }

    /** Adds one decode step (one new token per sequence after {@code contextTokens - 1} cached) to {@code step}. */
    private StepTime decode(StepTime step, long batch, long contextTokens, Offload o) {
        pass(step, roofline, batch, 1, contextTokens - 1, batch, o);
        return step;
    }

    /**
     * Prefill of {@code w.batch()} prompts of {@code w.promptTokens()} tokens, in chunks of {@code w.prefillPassTokens()},
     * {@code w.prefillPassSequences()} sequences per pass (the token budget's groups one after another), with the logits of every prompt position when {@code allLogits} (else of the last position of each sequence):
     * the time to the first token, pipelined over the sequences when pp &gt; 1 (GPipe, see {@link Latency}).
     *
     * @param w the workload
     * @param allLogits whether every prompt position's logits are computed
     * @return the prefill's terms, floor and calibrated
     */
    public StepTime prefill(Workload w, boolean allLogits) {
        Checks.present("workload", w);
        if (!w.parallelism().equals(parallelism))
            throw new InvalidFieldException(
                    "workload.parallelism",
                    w.parallelism(),
                    "the parallelism the latency model was prepared for, " + parallelism);
        long chunk = w.prefillPassTokens();
        long group = w.prefillPassSequences(); // sequences whose chunks share a pass under the token budget
        long groups = w.batch() / group, rest = w.batch() % group;
        StepTime total = new StepTime();
        StepTime full = new StepTime();
        chunks(full, group, w.promptTokens(), chunk, allLogits);
        total.add(full, groups); // the groups follow one another
        if (rest > 0) chunks(total, rest, w.promptTokens(), chunk, allLogits);
        int stages = parallelism.pipeline();
        if (stages > 1 && w.batch() > 1) { // GPipe: M micro-batches (one sequence each) over p stages
            double m = w.batch();
            StepTime pipelined = new StepTime();
            pipelined.add(total, (m + stages - 1) / (m * stages));
            return pipelined;
        }
        return total;
    }

    /** Adds the passes that prefill {@code sequences} prompts of {@code prompt} tokens, {@code chunk} at a time. */
    private void chunks(StepTime into, long sequences, long prompt, long chunk, boolean allLogits) {
        for (long done = 0; done < prompt; done += chunk) {
            long q = Math.min(chunk, prompt - done);
            boolean last = done + q >= prompt;
            long logitRows = allLogits ? sequences * q : last ? sequences : 0;
            pass(into, roofline, sequences, q, done, logitRows, offload); // the chunks add up
        }
    }

    /**
     * The smallest batch at which a decode step at {@code contextTokens} turns compute-bound in the floor model
     * (see {@link Latency#computeBoundBatch}), without offload; {@code Workload.MAX_BATCH} if it never does.
     *
     * @param contextTokens keys each sequence attends to
     * @return the batch
     */
    public long computeBoundBatch(long contextTokens) {
        Checks.range("contextTokens", contextTokens, 1, Limits.MAX_CONTEXT);
        long lo = 1, hi = Workload.MAX_BATCH;
        StepTime probe = new StepTime(); // one step reused by the probes (about 25) instead of one made per probe
        if (!computeBound(hi, contextTokens, probe)) return Workload.MAX_BATCH;
        while (lo < hi) {
            long mid = (lo + hi) >>> 1;
            if (computeBound(mid, contextTokens, probe)) hi = mid;
            else lo = mid + 1;
        }
        return lo;
    }

    private boolean computeBound(long batch, long context, StepTime probe) {
        probe.clear();
        decode(probe, batch, context, Offload.NONE);
        return probe.floorComputeBoundSeconds > probe.floorMemoryBoundSeconds;
    }

    /**
     * The context length of the model this was prepared for.
     *
     * @return the context length in tokens
     */
    public long contextLength() {
        return spec.contextLength();
    }

    /**
     * Whether this model was prepared for these inputs (spec, hardware and tuning by identity, the rest by value).
     *
     * @param s the spec
     * @param p the formats
     * @param par the parallelism
     * @param hw the device
     * @param t the tuning
     * @param o the offload
     * @return true when every input is the prepared one
     */
    public boolean isFor(TransformerSpec s, Precision p, Parallelism par, Hardware hw, LatencyTuning t, Offload o) {
        return s == spec
                && p.equals(precision)
                && par.equals(parallelism)
                && hw == hardware
                && t == tuning
                && o == offload;
    }

    /**
     * Adds one forward pass to {@code step}: {@code batch} sequences each process {@code queries} new tokens after
     * {@code cached} tokens already in the cache, computing the logits of {@code logitRows} token rows (the last
     * position of each sequence: batch; none: 0). The terms of {@link Latency}'s class comment.
     */
    private void pass(
            StepTime step, Roofline r, long batch, long queries, long cached, long logitRows, Offload offload) {
        Checks.range("batch", batch, 1, Workload.MAX_BATCH);
        tokenTerms(step, r, (double) batch * queries, logitRows, offload);
        boolean kvOffloaded = offload == Offload.KV_CACHE;
        for (Group g : groups) attentionCore(r, step, g.count, g, batch, queries, cached, kvOffloaded);
    }

    /**
     * One step of an engine that batches continuously, added to {@code into} (emptied first) and returned:
     * {@code decodeSeqs} sequences each add one token after their own cached tokens ({@code decodeCachedTokens} in all),
     * and {@code chunks} prefill chunks add {@code chunkTokens[i]} prompt tokens after {@code chunkCached[i]} cached
     * ones, in one forward pass: the weights read once for all the step's tokens, each sequence's cache read for its
     * own attention, the logits of {@code logitRows} rows (the decoding sequences and the chunks that end a prompt).
     * Decoding sequences are summarised by their mean context (exact without sliding windows).
     *
     * @param decodeSeqs sequences that decode one token in the step
     * @param decodeCachedTokens cached tokens of those sequences, in all
     * @param chunkTokens prompt tokens of each prefill chunk
     * @param chunkCached tokens already cached before each chunk
     * @param chunks how many entries of {@code chunkTokens} and {@code chunkCached} are used
     * @param logitRows rows whose logits the step computes
     * @param into the step to fill
     * @return {@code into}
     */
    public StepTime mixedStep(
            long decodeSeqs,
            long decodeCachedTokens,
            long[] chunkTokens,
            long[] chunkCached,
            int chunks,
            long logitRows,
            StepTime into) {
        Checks.present("step", into);
        Checks.range("decodeSeqs", decodeSeqs, 0, Workload.MAX_BATCH);
        Checks.range("decodeCachedTokens", decodeCachedTokens, 0, Long.MAX_VALUE / 2);
        Checks.range("chunks", chunks, 0, Math.min(chunkTokens.length, chunkCached.length));
        into.clear();
        double tokens = decodeSeqs;
        for (int i = 0; i < chunks; i++) tokens += chunkTokens[i];
        if (tokens <= 0) throw InvalidFieldException.withMessage("step", "a step needs at least one token");
        tokenTerms(into, roofline, tokens, logitRows, offload);
        boolean kvOffloaded = offload == Offload.KV_CACHE;
        if (decodeSeqs > 0) {
            long mean = Math.round((double) decodeCachedTokens / decodeSeqs);
            for (Group g : groups) attentionCore(roofline, into, g.count, g, decodeSeqs, 1, mean, kvOffloaded);
        }
        for (int i = 0; i < chunks; i++)
            for (Group g : groups)
                attentionCore(roofline, into, g.count, g, 1, chunkTokens[i], chunkCached[i], kvOffloaded);
        return into;
    }

    /**
     * The terms of a pass that depend on its token count alone: the embedding rows, every matrix (weights read once,
     * FLOPs per token row), norms, all-reduces, fixed and elementwise costs, pipeline transfers and the logits of
     * {@code logitRows} rows.
     */
    private void tokenTerms(StepTime step, Roofline r, double tokens, long logitRows, Offload offload) {
        boolean weightsOffloaded = offload == Offload.WEIGHTS;
        int tp = parallelism.tensor();
        int ep = parallelism.expert();
        double actBytes = hiddenBytes * tokens; // one hidden vector per token, for all-reduces
        double matrixPerFlop = r.calibratedSecondsPerFlop(
                LatencyComponent.MLP, tokens); // every product but the routed experts' has tokens rows

        // Input embedding: a lookup of the step's rows (vocab-parallel over tp).
        r.op(step, 1, LatencyComponent.EMBEDDING, tokens * embeddingRowBytes / tp, 0, tokens, spec.hiddenSize(), false);
        for (Group g : groups) {
            double times = g.count; // the terms below stand for count identical layers
            for (Matrix m : g.matrices) {
                double read, passes, perFlop;
                if (m.routed) {
                    MixtureOfExperts moe = g.moe;
                    double seen = tokens * gathered;
                    double touched = m.copies * ExpectedExperts.fractionTouched(moe.routedExperts(), moe.topK(), seen);
                    read = touched;
                    passes = seen * moe.topK() * m.copies / moe.routedExperts();
                    perFlop = r.calibratedSecondsPerFlop(m.component, touched > 0 ? passes / touched : 0)
                            / expertComputeFactor // rows per expert touched
                            * ExpectedExperts.busiestRankFactor(passes, ep, busiestRankDeviations); // the busiest rank
                } else {
                    read = m.copies;
                    passes = tokens * m.copies;
                    perFlop = matrixPerFlop;
                }
                r.op(
                        step,
                        times,
                        m.component,
                        read * m.bytesPerCopy,
                        m.flopsPerRow * passes,
                        m.calibratedPerByte,
                        perFlop,
                        weightsOffloaded);
                r.calls(step, times, m.component, read); // one call per matrix read (for routed experts: those touched)
            }
            r.op(step, times, LatencyComponent.NORMS, g.vectorBytes, 0, tokens, 0, weightsOffloaded);
            if (tp > 1)
                r.allReduce(
                        step, times * 2, actBytes, tp); // after attention and after the feed-forward (Megatron-LM §3)
            if (g.moe != null && gathered > 1) // dispatch to the expert ranks and combine back: the rows sent away
            r.allToAll(step, times * 2, actBytes * g.moe.topK() / tp * (ep - 1) / ep);
            step.t[StepTime.CALIBRATED + LatencyComponent.OVERHEAD.ordinal()] += times * g.overheadSeconds;
            step.t[StepTime.CALIBRATED + LatencyComponent.ELEMENTWISE.ordinal()] +=
                    times * tokens * g.elementwiseSecondsPerToken;
        }
        if (parallelism.pipeline() > 1) r.pointToPoint(step, actBytes, parallelism.pipeline() - 1);
        r.passOverhead(step);
        if (logitRows > 0) {
            double rows = logitRows;
            if (finalNormBytes > 0) r.op(step, 1, LatencyComponent.NORMS, finalNormBytes, 0, rows, 0, false);
            r.op(
                    step,
                    1,
                    LatencyComponent.OUTPUT_HEAD,
                    headBytes,
                    headFlopsPerRow * rows,
                    rows,
                    spec.hiddenSize(),
                    false);
            r.calls(step, 1, LatencyComponent.OUTPUT_HEAD, 1);
        }
    }

    /**
     * Attention over the cache: reads the {@code cached} tokens each sequence holds (capped by a sliding window) once,
     * writes the new tokens' keys and values, and computes scores and weighted sums for the causal keys of the new
     * queries ({@link Flops#keysAttended}). A linear-attention or state-space layer instead reads and writes each
     * sequence's state once and runs its recurrence for every new token.
     */
    private static void attentionCore(
            Roofline r,
            StepTime step,
            double times,
            Group g,
            long batch,
            long queries,
            long cached,
            boolean offloaded) {
        long held = KvCache.tokensHeld(g.kind, cached);
        // DeepSeek sparse attention reads the latents of the indexer's top-k tokens and every index key
        long aw = g.attendedWindow;
        long attended = aw > 0 ? Math.min(cached, aw) : cached;
        double bytes = (double) batch
                * ((attended + queries) * (g.kvBytesPerToken - g.indexBytesPerToken)
                        + (held + queries) * g.indexBytesPerToken
                        + 2.0 * g.stateBytesPerSequence);
        long w = g.kind.slidingWindow();
        double keys = Flops.keysAttended(cached + queries, aw, AttentionMask.CAUSAL)
                - Flops.keysAttended(cached, aw, AttentionMask.CAUSAL);
        double indexKeys = g.indexFlopsPerKey == 0
                ? 0
                : Flops.keysAttended(cached + queries, w, AttentionMask.CAUSAL)
                        - Flops.keysAttended(cached, w, AttentionMask.CAUSAL);
        double flops = batch
                * ((keys * g.attentionFlopsPerKey + queries * g.recurrenceFlopsPerToken) * g.headFraction
                        + indexKeys * g.indexFlopsPerKey);
        if (g.kvReadAmplification == 1 || offloaded)
            r.op(step, times, LatencyComponent.ATTENTION_CORE, bytes, flops, queries, 0, offloaded);
        else // a kernel that reads the cache once per query head: more calibrated time per byte, the floor unchanged
        r.op(
                    step,
                    times,
                    LatencyComponent.ATTENTION_CORE,
                    bytes,
                    flops,
                    r.calibratedSecondsPerByte(LatencyComponent.ATTENTION_CORE, 0) * g.kvReadAmplification,
                    flops == 0 ? 0 : r.calibratedSecondsPerFlop(LatencyComponent.ATTENTION_CORE, queries),
                    false);
    }

    private static LatencyComponent componentOf(ParamComponent c) {
        return switch (c) {
            case MLP -> LatencyComponent.MLP;
            case SHARED_EXPERTS, ROUTED_EXPERTS, ROUTER -> LatencyComponent.EXPERTS;
            default -> LatencyComponent.ATTENTION_PROJECTIONS;
        };
    }
}
