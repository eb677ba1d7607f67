package dev.strata.estimator.memory;

import dev.strata.estimator.params.MatrixVisitor;
import dev.strata.estimator.params.ParamComponent;
import dev.strata.estimator.params.Parameters;
import dev.strata.model.Attention;
import dev.strata.model.InvalidFieldException;
import dev.strata.model.LayerGroup;
import dev.strata.model.LayerKind;
import dev.strata.model.LinearAttention;
import dev.strata.model.MixtureOfExperts;
import dev.strata.model.MultiHeadAttention;
import dev.strata.model.NoMixer;
import dev.strata.model.Parallelism;
import dev.strata.model.Projection;
import dev.strata.model.StateSpaceMixer;
import dev.strata.model.TransformerSpec;
import dev.strata.model.internal.WholeNumbers;

/**
 * How tensor, pipeline and expert parallelism split a model over devices.
 *
 * <ul>
 *   <li>Tensor parallelism (Megatron-LM, Shoeybi et al. 2019, arXiv:1909.08053 §3): column-parallel matrices split
 *       their output features, row-parallel ones their input ({@link Projection#split()}); the heads are split, so
 *       the tensor-parallel degree must divide every layer's query heads. Key/value heads are split too, or replicated
 *       when there are fewer of them than ranks (as vLLM does), so kvHeads and the degree must divide one another.
 *       Token embedding and output head are split by vocabulary; norms, MLA down-projections, routers and a learned
 *       position table are replicated.</li>
 *   <li>Pipeline parallelism: contiguous runs of layers, as even as possible (the first {@code layers mod stages}
 *       stages hold one layer more); the first stage holds the embedding, the last the final norm and the head, and a
 *       copy of the embedding when the head is tied to it (Megatron-LM, Narayanan et al. 2021, arXiv:2104.04473).</li>
 *   <li>Expert parallelism: each of the {@code expert} ranks holds {@code ceil(routedExperts / expert)} whole routed
 *       experts; without it the routed experts are split by tensor parallelism like dense MLPs.</li>
 * </ul>
 */
public final class Sharding {
    private Sharding() {}

    /**
     * Checks that {@code p} can split {@code spec}; throws {@link InvalidFieldException} naming the parallelism field.
     *
     * @param spec the model
     * @param p the parallelism
     */
    public static void check(TransformerSpec spec, Parallelism p) {
        // the messages are built in methods of their own, so that this check stays small enough for the JIT to
        // inline into the estimators, which call it for every estimate
        int tp = p.tensor();
        for (LayerGroup g : spec.layers()) {
            checkMixer(g.kind().attention(), tp);
            checkMixer(g.kind().parallelMixer(), tp);
        }
        // a model has at least one layer
        if (p.pipeline() > 1 && p.pipeline() > spec.layerCount())
            throw new InvalidFieldException(
                    "parallelism.pipeline",
                    p.pipeline(),
                    "an integer from 1 to the number of layers, " + spec.layerCount());
        if (p.expert() > 1) checkExperts(spec, p);
    }

    private static void checkMixer(Attention a, int tp) {
        if (a instanceof NoMixer) return;
        if (a.heads() % tp != 0) throw headsNotSplit(tp, a);
        if (a instanceof MultiHeadAttention mha && mha.kvHeads() % tp != 0 && tp % mha.kvHeads() != 0)
            throw kvHeadsNotSplit(tp, mha);
        if (a instanceof LinearAttention lin && lin.keyHeads() % tp != 0)
            throw groupsNotSplit(tp, "keyHeads", lin.keyHeads());
        if (a instanceof StateSpaceMixer ssm && ssm.groups() % tp != 0)
            throw groupsNotSplit(tp, "groups", ssm.groups());
    }

    private static InvalidFieldException headsNotSplit(int tp, Attention a) {
        return new InvalidFieldException(
                "parallelism.tensor", tp, "a divisor of the attention heads (attention.heads = " + a.heads() + ")");
    }

    private static InvalidFieldException groupsNotSplit(int tp, String field, int n) {
        return new InvalidFieldException(
                "parallelism.tensor",
                tp,
                "a divisor of the mixer's " + field + " (attention." + field + " = " + n + ")");
    }

    private static InvalidFieldException kvHeadsNotSplit(int tp, MultiHeadAttention mha) {
        return new InvalidFieldException(
                "parallelism.tensor",
                tp,
                "a divisor or a multiple of the key/value heads (attention.kvHeads = " + mha.kvHeads() + ")");
    }

    private static void checkExperts(TransformerSpec spec, Parallelism p) {
        boolean any = false;
        for (LayerGroup g : spec.layers()) {
            if (g.kind().feedForward() instanceof MixtureOfExperts moe) {
                any = true;
                if (moe.routedExperts() % p.expert() != 0)
                    throw new InvalidFieldException(
                            "parallelism.expert",
                            p.expert(),
                            "a divisor of the routed experts (feedForward.routedExperts = " + moe.routedExperts()
                                    + ")");
            }
        }
        if (!any) throw new InvalidFieldException("parallelism.expert", p.expert(), "1 for a model without experts");
    }

    /**
     * Key/value heads one tensor-parallel rank holds: kvHeads / tp, or 1 (replicated) when tp > kvHeads.
     *
     * @param mha the attention
     * @param tp tensor-parallel ranks
     * @return key/value heads on one rank
     */
    public static long kvHeadsPerDevice(MultiHeadAttention mha, int tp) {
        return mha.kvHeads() >= tp ? mha.kvHeads() / tp : 1;
    }

    /**
     * Visits the matrices one device holds of a layer of {@code kind}: the same calls as
     * {@link Parameters#forEachMatrix} with the widths and copies of one tensor-/expert-parallel rank.
     *
     * @param kind the layer's kind
     * @param d the hidden size
     * @param p the parallelism
     * @param v receives each matrix
     */
    public static void forEachMatrixOnDevice(LayerKind kind, long d, Parallelism p, MatrixVisitor v) {
        int tp = p.tensor();
        if (tp == 1 && p.expert() == 1) { // one device holds every matrix whole
            Parameters.forEachMatrix(kind, d, v);
            return;
        }
        Parameters.forEachMatrix(kind, d, (component, role, in, out, bias, copies, activeCopies) -> {
            long c = copies;
            long a = activeCopies;
            int split = tp;
            if (component == ParamComponent.ROUTED_EXPERTS && p.expert() > 1) {
                c = WholeNumbers.ceilDiv(copies, p.expert());
                a = Math.min(a, c);
                split = 1; // whole experts per rank
            }
            long i = in;
            long o = out;
            if (split > 1) {
                if ((role == Projection.KEY || role == Projection.VALUE)
                        && kind.attention() instanceof MultiHeadAttention mha)
                    o = kvHeadsPerDevice(mha, split) * mha.headDim();
                else if (role.split() == Projection.Split.OUTPUT) o = WholeNumbers.ceilDiv(out, split);
                else if (role.split() == Projection.Split.INPUT) i = WholeNumbers.ceilDiv(in, split);
            }
            v.matrix(component, role, i, o, bias, c, a);
        });
    }

    /**
     * Layers of pipeline stage {@code s} of {@code stages} over {@code layers}: the first {@code layers mod stages} get
     * one more.
     *
     * @param layers layers of the model
     * @param stages pipeline stages
     * @param s the stage, from 0
     * @return the stage's layers
     */
    public static int stageLayers(int layers, int stages, int s) {
        return layers / stages + (s < layers % stages ? 1 : 0);
    }

    /** Index of the first layer of stage {@code s}. */
    static int stageStart(int layers, int stages, int s) {
        return s * (layers / stages) + Math.min(s, layers % stages);
    }

    /** The stage that holds layer {@code i}. */
    static int stageOf(int layers, int stages, int i) {
        int q = layers / stages;
        int r = layers % stages;
        int big = r * (q + 1);
        return i < big ? i / (q + 1) : r + (i - big) / q;
    }

    /** Per-layer value of a layer kind. */
    @FunctionalInterface
    interface PerLayer {
        long of(LayerKind kind);
    }

    /**
     * Sums {@code perLayer} over the layers of each pipeline stage; entry s is stage s. Work is proportional to
     * layer groups plus stages.
     */
    static long[] perStage(TransformerSpec spec, int stages, PerLayer perLayer) {
        long[] sums = new long[stages];
        if (stages == 1) { // the whole model on one stage: no stage arithmetic (its divisions are most of the walk)
            for (LayerGroup g : spec.layers())
                sums[0] = Math.addExact(sums[0], Math.multiplyExact(perLayer.of(g.kind()), (long) g.count()));
            return sums;
        }
        int layers = spec.layerCount();
        int first = 0;
        for (LayerGroup g : spec.layers()) {
            long value = perLayer.of(g.kind());
            int end = first + g.count();
            for (int s = stageOf(layers, stages, first); s < stages && stageStart(layers, stages, s) < end; s++) {
                int lo = Math.max(first, stageStart(layers, stages, s));
                int hi = Math.min(end, stageStart(layers, stages, s) + stageLayers(layers, stages, s));
                if (hi > lo) sums[s] = Math.addExact(sums[s], Math.multiplyExact(value, (long) (hi - lo)));
            }
            first = end;
        }
        return sums;
    }
}
