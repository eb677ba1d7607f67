package dev.strata.web.report;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.data.Preset;
import dev.strata.estimator.flops.AttentionMask;
import dev.strata.estimator.flops.FlopComponent;
import dev.strata.estimator.flops.Flops;
import dev.strata.estimator.flops.FlopsBreakdown;
import dev.strata.estimator.flops.TrainingFlops;
import dev.strata.estimator.memory.Activations;
import dev.strata.estimator.memory.Fit;
import dev.strata.estimator.memory.InferenceMemory;
import dev.strata.estimator.memory.InferenceMemoryEstimate;
import dev.strata.estimator.memory.InferenceMemoryTerms;
import dev.strata.estimator.memory.TrainingMemory;
import dev.strata.estimator.memory.TrainingMemoryEstimate;
import dev.strata.estimator.memory.TrainingMemoryTerms;
import dev.strata.estimator.params.ParamComponent;
import dev.strata.estimator.params.ParameterCount;
import dev.strata.estimator.params.Parameters;
import dev.strata.model.InvalidFieldException;
import dev.strata.model.NumericFormat;
import dev.strata.model.Parallelism;
import dev.strata.model.Precision;
import dev.strata.model.Projection;
import dev.strata.model.TransformerSpec;
import dev.strata.model.Workload;
import java.util.Map;

/**
 * The {@code estimate} result as a JSON tree, with the names of the contract in DESIGN.md. The command line and the
 * HTTP API both build their answer here, from the same estimator calls.
 */
public final class EstimateReport {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private EstimateReport() {}

    /** The estimate of a resolved model with the default workload ({@link EstimateOptions#defaults()}). */
    public static ObjectNode of(ResolvedModel model) {
        return of(model, EstimateOptions.defaults());
    }

    /**
     * The estimate of a resolved model for a workload: {@code model}, {@code params}, {@code workload},
     * {@code precision}, {@code flops} and {@code memory} (with {@code memory.training}, absent when the weights are
     * quantised and no LoRA rank is given; {@code memory.fits} only when a device capacity is given).
     */
    public static ObjectNode of(ResolvedModel model, EstimateOptions options) {
        return of(model, options, null);
    }

    /**
     * The estimate with hardware: also {@code latency}, {@code throughput}, {@code capacity} and {@code cost}
     * ({@link ServingReport}); {@code --devices} picks the parallelism, and the device's memory is the capacity of the
     * {@code memory.fits} verdict unless a device memory option overrides it.
     */
    public static ObjectNode of(ResolvedModel model, EstimateOptions options, ServingOptions serving) {
        TransformerSpec spec = model.spec();
        if (serving != null) {
            Workload given = options.workload();
            var par = serving.parallelism(spec, given.parallelism(), options.prefix());
            Long capacity = serving.hardware() != null ? Long.valueOf(serving.hardware().memoryBytes()) : options.deviceMemoryBytes();
            long runtime = serving.runtimeBytes() != null ? serving.runtimeBytes() : options.runtimeOverheadBytes();
            options = new EstimateOptions(given.withParallelism(par), options.precision(), options.convention(), runtime,
                    capacity, options.prefix());
        }
        Workload w = options.workload();
        String prefix = options.prefix();
        if (w.contextTokens() > spec.contextLength())
            throw new InvalidFieldException(prefix + "prompt", w.promptTokens(), "such that prompt + generate = " + w.contextTokens()
                    + " tokens is at most the model's context length, " + spec.contextLength());
        ObjectNode root = F.objectNode();
        root.set("model", model(spec, model.preset()));
        root.set("params", params(Parameters.count(spec), model.preset()));
        try {
            root.set("workload", workload(w));
            root.set("precision", precision(options.precision()));
            root.set("flops", flops(spec, options));
            root.set("memory", memory(spec, options));
            if (serving != null && serving.hardware() != null) ServingReport.add(root, spec, options, serving);
        } catch (InvalidFieldException e) {
            throw EstimateOptions.rename(e, prefix);
        }
        return root;
    }

    static ObjectNode workload(Workload w) {
        ObjectNode o = F.objectNode();
        Parallelism p = w.parallelism();
        o.put("batch", w.batch());
        o.put("promptTokens", w.promptTokens());
        o.put("generatedTokens", w.generatedTokens());
        o.put("contextTokens", w.contextTokens());
        o.put("prefillChunkTokens", w.prefillPassTokens());
        o.put("tensorParallel", p.tensor());
        o.put("pipelineParallel", p.pipeline());
        o.put("dataParallel", p.data());
        o.put("expertParallel", p.expert());
        o.put("devices", p.devices());
        o.put("zeroStage", p.zeroStage());
        o.put("sequenceParallel", p.sequenceParallel());
        o.put("recompute", w.recompute().id());
        o.put("optimizer", w.optimizer().id());
        o.put("loraRank", w.lora().rank());
        if (w.lora().enabled()) {
            StringBuilder t = new StringBuilder();
            for (Projection proj : w.lora().targets()) t.append(t.length() == 0 ? "" : ",").append(proj.id());
            o.put("loraTargets", t.toString());
        }
        return o;
    }

    static ObjectNode precision(Precision p) {
        ObjectNode o = F.objectNode();
        format(o, "weights", p.weights());
        format(o, "embeddings", p.embeddings());
        format(o, "activations", p.activations());
        format(o, "kvCache", p.kvCache());
        format(o, "gradients", p.gradients());
        format(o, "masterWeights", p.masterWeights());
        format(o, "optimizerStates", p.optimizerStates());
        return o;
    }

    private static void format(ObjectNode o, String name, NumericFormat f) {
        o.put(name, f.id());
        o.put(name + "BitsPerElement", f.bitsPerElement());
    }

    static ObjectNode flops(TransformerSpec spec, EstimateOptions options) {
        Workload w = options.workload();
        ObjectNode o = F.objectNode();
        ObjectNode c = o.putObject("convention");
        c.put("attention", options.convention().mask().id());
        c.put("attentionNote", options.convention().mask() == AttentionMask.FULL
                ? "a prefill counts every query against every key (T x T), as torch.profiler does"
                : "a prefill counts each query against the keys at or before it (T(T+1)/2)");
        c.put("flopsPerMultiplyAccumulate", 2);
        c.put("embedding", options.convention().embeddingMatmul() ? "one-hot matmul" : "lookup (0 FLOPs)");
        c.put("softmax", options.convention().softmax());

        ObjectNode prefill = o.putObject("prefill");
        prefill.put("tokens", w.batch() * w.promptTokens());
        breakdown(prefill, Flops.prefill(spec, w.promptTokens(), w.batch(), options.convention()));

        ObjectNode decode = o.putObject("decodePerToken");
        decode.put("averageContextTokens", w.promptTokens() + (Math.max(1, w.generatedTokens()) + 1) / 2.0);
        breakdown(decode, Flops.decodePerToken(spec, w.promptTokens(), w.generatedTokens(), options.convention()));

        TrainingFlops t = Flops.trainingPerToken(spec, w.promptTokens(), w.recompute(), options.convention());
        ObjectNode training = o.putObject("trainingPerToken");
        training.put("sequenceTokens", w.promptTokens());
        training.put("recompute", w.recompute().id());
        training.put("total", t.total());
        training.put("forward", t.forward().total());
        training.put("backward", t.backward());
        training.put("recomputed", t.recompute());
        ObjectNode fb = training.putObject("forwardBreakdown");
        for (Map.Entry<FlopComponent, Double> e : t.forward().breakdown().entrySet()) fb.put(e.getKey().key(), e.getValue());
        return o;
    }

    private static void breakdown(ObjectNode into, FlopsBreakdown f) {
        into.put("total", f.total());
        ObjectNode b = into.putObject("breakdown");
        for (Map.Entry<FlopComponent, Double> e : f.breakdown().entrySet()) b.put(e.getKey().key(), e.getValue());
    }

    static ObjectNode memory(TransformerSpec spec, EstimateOptions options) {
        Workload w = options.workload();
        Precision p = options.precision();
        InferenceMemoryEstimate m = InferenceMemory.estimate(spec, p, w, options.runtimeOverheadBytes());
        ObjectNode o = F.objectNode();
        InferenceMemoryTerms whole = m.whole();
        o.put("weightsBytes", whole.weightsBytes());
        o.put("kvCacheBytesPerToken", m.kvCacheBytesPerToken());
        o.put("kvCacheBytes", whole.kvCacheBytes());
        o.put("activationsBytes", whole.activationsBytes());
        o.put("prefillActivationsBytes", m.prefillActivationsBytes());
        o.put("decodeActivationsBytes", m.decodeActivationsBytes());
        o.put("runtimeOverheadBytes", whole.runtimeOverheadBytes());
        o.put("totalBytes", m.totalBytes());
        o.put("perDeviceBytes", m.perDeviceBytes());
        o.put("devices", m.devices());
        ObjectNode perDevice = o.putObject("perDevice");
        perDevice.put("weightsBytes", m.perDevice().weightsBytes());
        perDevice.put("kvCacheBytes", m.perDevice().kvCacheBytes());
        perDevice.put("activationsBytes", m.perDevice().activationsBytes());
        perDevice.put("runtimeOverheadBytes", m.perDevice().runtimeOverheadBytes());
        o.put("dominant", m.perDevice().dominant());
        if (options.deviceMemoryBytes() != null) verdict(o, m.fit(options.deviceMemoryBytes()));
        if (w.lora().enabled() || !p.weights().isQuantized()) o.set("training", training(spec, options));
        ObjectNode assumptions = o.putObject("assumptions");
        assumptions.put("flashAttention", "inference never materialises attention scores");
        assumptions.put("logitBytes", Activations.inferenceLogitBytes(p.activations())); // inference peak: head output + fp32 copy
        assumptions.put("trainingDropout", TrainingMemory.DROPOUT);
        assumptions.put("pipelineSchedule", "1F1B: stage s of p holds p - s micro-batches");
        return o;
    }

    static ObjectNode training(TransformerSpec spec, EstimateOptions options) {
        TrainingMemoryEstimate t = TrainingMemory.estimate(spec, options.precision(), options.workload(), options.runtimeOverheadBytes());
        ObjectNode o = F.objectNode();
        o.put("method", !t.lora() ? "full" : options.precision().weights().bits() < 8 ? "qlora" : "lora");
        o.put("trainableParams", t.trainableParams());
        o.put("frozenParams", t.frozenParams());
        TrainingMemoryTerms whole = t.whole();
        terms(o, whole);
        o.put("totalBytes", t.totalBytes());
        o.put("perDeviceBytes", t.perDeviceBytes());
        o.put("devices", t.devices());
        terms(o.putObject("perDevice"), t.perDevice());
        o.put("dominant", t.perDevice().dominant());
        if (options.deviceMemoryBytes() != null) verdict(o, t.fit(options.deviceMemoryBytes()));
        return o;
    }

    private static void terms(ObjectNode o, TrainingMemoryTerms t) {
        o.put("weightsBytes", t.weightsBytes());
        o.put("gradientsBytes", t.gradientsBytes());
        o.put("masterWeightsBytes", t.masterWeightsBytes());
        o.put("optimizerStatesBytes", t.optimizerStatesBytes());
        o.put("activationsBytes", t.activationsBytes());
        o.put("runtimeOverheadBytes", t.runtimeOverheadBytes());
    }

    private static void verdict(ObjectNode o, Fit fit) {
        o.put("fits", fit.fits());
        o.put("deviceMemoryBytes", fit.deviceMemoryBytes());
        o.put("headroomBytes", fit.headroomBytes());
        o.put("headroomFraction", fit.headroomFraction());
    }

    static ObjectNode model(TransformerSpec spec, Preset preset) {
        ObjectNode m = F.objectNode();
        if (preset != null) m.put("id", preset.id());
        m.put("name", spec.name());
        m.put("layers", spec.layerCount());
        m.put("hiddenSize", spec.hiddenSize());
        m.put("vocabSize", spec.vocabSize());
        m.put("contextLength", spec.contextLength());
        m.put("mixtureOfExperts", spec.isMixtureOfExperts());
        m.put("tiedEmbeddings", spec.tiedEmbeddings());
        return m;
    }

    static ObjectNode params(ParameterCount count, Preset preset) {
        ObjectNode p = F.objectNode();
        p.put("total", count.total());
        p.put("active", count.active());
        p.put("nonEmbedding", count.nonEmbedding());
        ObjectNode breakdown = p.putObject("breakdown");
        for (Map.Entry<ParamComponent, Long> e : count.breakdown().entrySet()) breakdown.put(e.getKey().key(), e.getValue());
        if (count.active() != count.total()) {
            ObjectNode active = p.putObject("activeBreakdown");
            for (Map.Entry<ParamComponent, Long> e : count.activeBreakdown().entrySet()) active.put(e.getKey().key(), e.getValue());
        }
        if (count.multiTokenPrediction() > 0) p.put("multiTokenPrediction", count.multiTokenPrediction());
        if (preset != null && preset.publishedTotal() != null) {
            ObjectNode pub = p.putObject("published");
            pub.put("total", preset.publishedTotal());
            if (preset.publishedActive() != null) pub.put("active", preset.publishedActive());
            pub.put("text", preset.publishedText());
            pub.put("exact", preset.publishedExact());
            pub.put("source", preset.source());
        }
        return p;
    }
}
