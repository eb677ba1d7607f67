package dev.strata.estimator.memory;

import dev.strata.estimator.params.ParamComponent;
import dev.strata.estimator.params.Parameters;
import dev.strata.model.LayerKind;
import dev.strata.model.Norms;
import dev.strata.model.NumericFormat;
import dev.strata.model.Parallelism;
import dev.strata.model.Precision;
import dev.strata.model.TransformerSpec;
import dev.strata.model.internal.WholeNumbers;

/**
 * Bytes of the weights. The matrices of the transformer layers (attention projections, MLPs, experts) are stored in
 * {@link Precision#weights()} (the routed experts' in {@link Precision#expertWeights()}); the token embedding, position table, output head, norms, routers and biases in
 * {@link Precision#embeddings()} (quantisers keep those in 16 bits). Block scales are counted per matrix, over its
 * {@code in x out} elements in storage order ({@link NumericFormat#bytesFor}), which is exact whenever the group size
 * divides the input width (GPTQ/AWQ groups along the input, bitsandbytes over the flattened tensor).
 *
 * <p>The encoders of a multimodal checkpoint ({@link TransformerSpec#encoderParameters()}) are held whole by the first
 * pipeline stage's devices in the embedding format; training counts the language model's states only.
 *
 * <p>In 16 bits this is 2 bytes per parameter: Llama-3-8B, 8,030,261,248 parameters, is 16,060,522,496 bytes, the
 * safetensors {@code total_size} of the published checkpoint (docs/architecture.md, "Exact parameter counts").
 */
public final class Weights {
    private Weights() {}

    /**
     * Bytes of every weight of the model, one copy (all experts).
     *
     * @param spec the model
     * @param p its formats
     * @return bytes
     */
    public static long bytes(TransformerSpec spec, Precision p) {
        long[] stages = perStageBytes(spec, p, Parallelism.NONE);
        return stages[0];
    }

    /**
     * Bytes of the weights on the most loaded device under tensor, pipeline and expert parallelism.
     *
     * @param spec the model
     * @param p its formats
     * @param par how the model is split over devices
     * @return bytes on the most loaded device
     */
    public static long perDeviceBytes(TransformerSpec spec, Precision p, Parallelism par) {
        long max = 0;
        for (long b : perStageBytes(spec, p, par)) max = Math.max(max, b);
        return max;
    }

    /** Bytes of the weights of one device in each pipeline stage. */
    static long[] perStageBytes(TransformerSpec spec, Precision p, Parallelism par) {
        Sharding.check(spec, par);
        long d = spec.hiddenSize();
        Norms norms = spec.norms();
        long[] stages = Sharding.perStage(spec, par.pipeline(), kind -> layerBytes(kind, d, norms, p, par));
        int tp = par.tensor();
        NumericFormat e = p.embeddings();
        long embedding = e.bytesFor(WholeNumbers.ceilDiv(Parameters.tokenEmbedding(spec), tp));
        stages[0] = Math.addExact(stages[0], Math.addExact(embedding, e.bytesFor(Parameters.positionEmbedding(spec))));
        // a multimodal checkpoint's encoders (vision tower, projector): whole, in 16 bits, with the first stage
        stages[0] = Math.addExact(stages[0], e.bytesFor(spec.encoderParameters()));
        int last = stages.length - 1;
        long head = spec.tiedEmbeddings()
                ? (last > 0 ? embedding : 0)
                : e.bytesFor(WholeNumbers.ceilDiv(Parameters.outputHead(spec), tp));
        long finalNorm = norms.finalNorm() ? e.bytesFor(norms.paramsFor(d)) : 0;
        stages[last] = Math.addExact(stages[last], Math.addExact(head, finalNorm));
        return stages;
    }

    /** Bytes of one layer of {@code kind} on one device: matrices in the weight format, the rest in the embedding format. */
    static long layerBytes(LayerKind kind, long d, Norms norms, Precision p, Parallelism par) {
        long[] sum = new long[1];
        Sharding.forEachMatrixOnDevice(kind, d, par, (component, role, in, out, bias, copies, active) -> {
            long one = Math.addExact(
                    p.weightsFor(component == ParamComponent.ROUTED_EXPERTS).bytesFor(Math.multiplyExact(in, out)),
                    bias ? p.embeddings().bytesFor(out) : 0);
            sum[0] = Math.addExact(sum[0], Math.multiplyExact(one, copies));
        });
        return Math.addExact(sum[0], p.embeddings().bytesFor(Parameters.layerVectors(kind, d, norms)));
    }

    /** Parameters of one layer held by one device (all formats alike): the count that training states scale with. */
    static long layerParameters(LayerKind kind, long d, Norms norms, Parallelism par) {
        long[] sum = new long[1];
        Sharding.forEachMatrixOnDevice(
                kind,
                d,
                par,
                (component, role, in, out, bias, copies, active) ->
                        sum[0] = Math.addExact(sum[0], Math.multiplyExact(Parameters.linear(in, out, bias), copies)));
        return Math.addExact(sum[0], Parameters.layerVectors(kind, d, norms));
    }

    /**
     * Parameters of the most loaded device (largest pipeline stage, one tensor/expert rank).
     *
     * @param spec the model
     * @param par how the model is split over devices
     * @return parameters on the most loaded device
     */
    public static long parametersPerDevice(TransformerSpec spec, Parallelism par) {
        long[] stages = perStageParameters(spec, par);
        long max = 0;
        for (long v : stages) max = Math.max(max, v);
        return max;
    }

    /** Parameters of one device in each pipeline stage. */
    static long[] perStageParameters(TransformerSpec spec, Parallelism par) {
        Sharding.check(spec, par);
        long d = spec.hiddenSize();
        Norms norms = spec.norms();
        long[] stages = Sharding.perStage(spec, par.pipeline(), kind -> layerParameters(kind, d, norms, par));
        int tp = par.tensor();
        long embedding = WholeNumbers.ceilDiv(Parameters.tokenEmbedding(spec), tp);
        stages[0] = Math.addExact(stages[0], embedding + Parameters.positionEmbedding(spec));
        int last = stages.length - 1;
        long head = spec.tiedEmbeddings()
                ? (last > 0 ? embedding : 0)
                : WholeNumbers.ceilDiv(Parameters.outputHead(spec), tp);
        stages[last] = Math.addExact(stages[last], head + (norms.finalNorm() ? norms.paramsFor(d) : 0));
        return stages;
    }
}
