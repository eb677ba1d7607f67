package dev.strata.estimator.cost;

import dev.strata.estimator.flops.Flops;
import dev.strata.estimator.flops.FlopsBreakdown;
import dev.strata.estimator.flops.FlopsConvention;
import dev.strata.estimator.flops.TrainingFlops;
import dev.strata.estimator.params.ParamComponent;
import dev.strata.estimator.params.ParameterCount;
import dev.strata.estimator.params.Parameters;
import dev.strata.estimator.scaling.TrainingCompute;
import dev.strata.model.Recompute;
import dev.strata.model.TransformerSpec;
import dev.strata.model.internal.Checks;
import dev.strata.model.internal.Limits;

/**
 * Training "model FLOPs" per token, the numerator of MFU (PaLM, Chowdhery et al. 2022, arXiv:2204.02311 App. B):
 * for a spec, the exact per-token count of strata's FLOPs estimator ({@link Flops#trainingPerToken}, forward plus
 * backward = 3 x forward, without recomputation, attention over the full T x T scores as PaLM counts it); for a
 * bare parameter count, Kaplan's 6N (arXiv:2001.08361 §2.1).
 */
public final class ModelFlops {
    /** Training sequence length assumed when none is given: 4,096 tokens (DeepSeek-V3 and Llama 2 pre-training). */
    public static final int DEFAULT_SEQUENCE_LENGTH = 4096;

    private ModelFlops() {}

    /**
     * Exact training FLOPs per token of {@code spec} at {@code sequenceLength} tokens per sequence, split into matrix
     * products and attention.
     *
     * @param spec the model
     * @param sequenceLength tokens per training sequence
     * @return dense and attention FLOPs per token
     */
    public static TrainingFlopsPerToken perToken(TransformerSpec spec, int sequenceLength) {
        Checks.range("seq-len", sequenceLength, 1, Limits.MAX_CONTEXT);
        TrainingFlops t = Flops.trainingPerToken(spec, sequenceLength, Recompute.NONE, FlopsConvention.FULL);
        double passes = t.total() / t.forward().total(); // 3: forward and a backward of twice its cost
        FlopsBreakdown forward = t.forward();
        return new TrainingFlopsPerToken(
                matmulParams(spec, Parameters.count(spec)),
                passes * (forward.total() - forward.attentionCore()),
                passes * forward.attentionCore(),
                sequenceLength,
                "exact: strata's FLOPs estimator, forward + backward (2x forward), no recomputation, full T x T attention scores (PaLM App. B's model FLOPs)");
    }

    /**
     * Training FLOPs per token for a bare parameter count: 6N only, no attention term (Kaplan et al. 2020 §2.1).
     *
     * @param params the parameter count N
     * @return 6N as the dense term, 0 attention
     */
    public static TrainingFlopsPerToken perToken(double params) {
        return new TrainingFlopsPerToken(
                params,
                TrainingCompute.flopsPerToken(params),
                0,
                0,
                "approximation: 6 x parameters (Kaplan et al. 2020 §2.1), no attention term");
    }

    /**
     * Parameters a token multiplies with: active parameters less the token embedding and learned position table
     * (lookups), plus the embedding matrix once more when tied, because then it is also the output head.
     *
     * @param spec the model
     * @param count its parameter count
     * @return the parameters each token multiplies with
     */
    public static double matmulParams(TransformerSpec spec, ParameterCount count) {
        double lookups = count.active(ParamComponent.EMBEDDING) + count.active(ParamComponent.POSITION_EMBEDDING);
        double tiedHead = spec.tiedEmbeddings() ? Parameters.tokenEmbedding(spec) : 0;
        return count.active() - lookups + tiedHead;
    }
}
