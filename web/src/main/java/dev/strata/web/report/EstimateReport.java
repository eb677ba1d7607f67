package dev.strata.web.report;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.data.CheckpointCount;
import dev.strata.data.Preset;
import dev.strata.estimator.flops.AttentionMask;
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
import dev.strata.estimator.params.ParameterCount;
import dev.strata.estimator.params.Parameters;
import dev.strata.model.InvalidFieldException;
import dev.strata.model.NumericFormat;
import dev.strata.model.Parallelism;
import dev.strata.model.Precision;
import dev.strata.model.Projection;
import dev.strata.model.TransformerSpec;
import dev.strata.model.Workload;
import dev.strata.web.render.Render;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * The {@code estimate} result as a JSON tree, with the names of the contract in docs/architecture.md ("Contracts"). The command line and the
 * HTTP API both build their answer here, from the same estimator calls.
 */
public final class EstimateReport {
    private static final JsonNodeFactory F = Render.NODES;

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
        ObjectNode root = F.objectNode();
        write(JsonOut.tree(root), model, options, serving);
        return root;
    }

    /**
     * {@link #of(ResolvedModel, EstimateOptions, ServingOptions)} as compact JSON in UTF-8, as the HTTP API answers:
     * the same fields in the same order ({@link Render#compactJson} of the tree), written straight through Jackson's
     * generator without building the tree.
     */
    public static byte[] compactJson(ResolvedModel model, EstimateOptions options, ServingOptions serving) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8 * 1024);
        writeCompactJson(out, model, options, serving);
        return out.toByteArray();
    }

    /**
     * {@link #compactJson} written to {@code out}, which is neither flushed nor closed. A refused input ({@link InvalidFieldException})
     * can be thrown after part of the answer was written: the caller discards what {@code out} got.
     */
    public static void writeCompactJson(
            OutputStream out, ResolvedModel model, EstimateOptions options, ServingOptions serving) {
        try (JsonGenerator g = Render.MAPPER.getFactory().createGenerator(out)) {
            g.disable(
                    JsonGenerator.Feature.AUTO_CLOSE_TARGET); // nor flushed: a servlet stream would send what it holds
            g.disable(JsonGenerator.Feature.FLUSH_PASSED_TO_STREAM);
            g.writeStartObject();
            write(JsonOut.stream(g), model, options, serving);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(JsonOut root, ResolvedModel model, EstimateOptions options, ServingOptions serving) {
        TransformerSpec spec = model.spec();
        if (serving != null) {
            Workload given = options.workload();
            var par = serving.parallelism(spec, given.parallelism(), options.prefix());
            Long capacity = serving.hardware() != null
                    ? Long.valueOf(serving.hardware().memoryBytes())
                    : options.deviceMemoryBytes();
            long runtime = serving.runtimeBytes() != null ? serving.runtimeBytes() : options.runtimeOverheadBytes();
            options = new EstimateOptions(
                    given.withParallelism(par),
                    options.precision(),
                    options.convention(),
                    runtime,
                    capacity,
                    options.prefix());
        }
        Workload w = options.workload();
        String prefix = options.prefix();
        if (w.contextTokens() > spec.contextLength())
            throw new InvalidFieldException(
                    prefix + "prompt",
                    w.promptTokens(),
                    "such that prompt + generate = " + w.contextTokens()
                            + " tokens is at most the model's context length, " + spec.contextLength());
        model(root.object("model"), spec, model).end();
        ParameterCount count = Parameters.count(spec);
        params(root.object("params"), count, model.preset()).end();
        if (model.checkpoint() != null)
            checkpoint(root.object("checkpoint"), model.checkpoint(), count).end();
        try {
            workload(root.object("workload"), w).end();
            JsonOut precision = precision(root.object("precision"), options.precision());
            if (model.weights() != null
                    && model.weights().equals(options.precision().weights()))
                precision.put("weightsSource", "checkpoint (" + model.weightsSource() + ")");
            precision.end();
            flops(root.object("flops"), spec, options).end();
            memory(root.object("memory"), spec, options).end();
            if (serving != null && serving.hardware() != null) ServingReport.add(root, spec, options, serving);
        } catch (InvalidFieldException e) {
            throw EstimateOptions.rename(e, prefix);
        }
    }

    static JsonOut workload(JsonOut o, Workload w) {
        Parallelism p = w.parallelism();
        o.put("batch", w.batch());
        o.put("promptTokens", w.promptTokens());
        o.put("generatedTokens", w.generatedTokens());
        o.put("contextTokens", w.contextTokens());
        o.put("prefillChunkTokens", w.prefillPassTokens());
        o.put("prefillTokenBudget", w.prefillTokenBudget());
        o.put("prefillSequencesPerPass", w.prefillPassSequences());
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
            for (Projection proj : w.lora().targets())
                t.append(t.length() == 0 ? "" : ",").append(proj.id());
            o.put("loraTargets", t.toString());
        }
        return o;
    }

    static JsonOut precision(JsonOut o, Precision p) {
        format(o, "weights", p.weights());
        if (p.mixedWeights()) format(o, "expertWeights", p.expertWeights());
        format(o, "embeddings", p.embeddings());
        format(o, "activations", p.activations());
        format(o, "kvCache", p.kvCache());
        format(o, "gradients", p.gradients());
        format(o, "masterWeights", p.masterWeights());
        format(o, "optimizerStates", p.optimizerStates());
        return o;
    }

    private static void format(JsonOut o, String name, NumericFormat f) {
        o.put(name, f.id());
        o.put(name + "BitsPerElement", f.bitsPerElement());
    }

    static JsonOut flops(JsonOut o, TransformerSpec spec, EstimateOptions options) {
        Workload w = options.workload();
        JsonOut c = o.object("convention");
        c.put("attention", options.convention().mask().id());
        c.put(
                "attentionNote",
                options.convention().mask() == AttentionMask.FULL
                        ? "a prefill counts every query against every key (T x T), as torch.profiler does"
                        : "a prefill counts each query against the keys at or before it (T(T+1)/2)");
        c.put("flopsPerMultiplyAccumulate", 2);
        c.put("embedding", options.convention().embeddingMatmul() ? "one-hot matmul" : "lookup (0 FLOPs)");
        c.put("softmax", options.convention().softmax());
        c.end();

        JsonOut prefill = o.object("prefill");
        prefill.put("tokens", w.batch() * w.promptTokens());
        breakdown(prefill, Flops.prefill(spec, w.promptTokens(), w.batch(), options.convention()));
        prefill.end();

        JsonOut decode = o.object("decodePerToken");
        decode.put("averageContextTokens", w.promptTokens() + (Math.max(1, w.generatedTokens()) + 1) / 2.0);
        breakdown(decode, Flops.decodePerToken(spec, w.promptTokens(), w.generatedTokens(), options.convention()));
        decode.end();

        TrainingFlops t = Flops.trainingPerToken(spec, w.promptTokens(), w.recompute(), options.convention());
        JsonOut training = o.object("trainingPerToken");
        training.put("sequenceTokens", w.promptTokens());
        training.put("recompute", w.recompute().id());
        training.put("total", t.total());
        training.put("forward", t.forward().total());
        training.put("backward", t.backward());
        training.put("recomputed", t.recompute());
        JsonOut fb = training.object("forwardBreakdown");
        t.forward().forEachTerm((term, v) -> fb.put(term.key(), v));
        fb.end();
        training.end();
        return o;
    }

    private static void breakdown(JsonOut into, FlopsBreakdown f) {
        into.put("total", f.total());
        JsonOut b = into.object("breakdown");
        f.forEachTerm((c, v) -> b.put(c.key(), v));
        b.end();
    }

    static JsonOut memory(JsonOut o, TransformerSpec spec, EstimateOptions options) {
        Workload w = options.workload();
        Precision p = options.precision();
        InferenceMemoryEstimate m = InferenceMemory.estimate(spec, p, w, options.runtimeOverheadBytes());
        InferenceMemoryTerms whole = m.whole();
        o.put("weightsBytes", whole.weightsBytes());
        o.put("kvCacheBytesPerToken", m.kvCacheBytesPerToken());
        long state = dev.strata.estimator.memory.KvCache.stateBytesPerSequence(spec, p.kvCache());
        if (state > 0) o.put("stateBytesPerSequence", state); // linear-attention and Mamba layers, in kvCacheBytes
        o.put("kvCacheBytes", whole.kvCacheBytes());
        o.put("activationsBytes", whole.activationsBytes());
        o.put("prefillActivationsBytes", m.prefillActivationsBytes());
        o.put("decodeActivationsBytes", m.decodeActivationsBytes());
        o.put("runtimeOverheadBytes", whole.runtimeOverheadBytes());
        o.put("totalBytes", m.totalBytes());
        o.put("perDeviceBytes", m.perDeviceBytes());
        o.put("devices", m.devices());
        JsonOut perDevice = o.object("perDevice");
        perDevice.put("weightsBytes", m.perDevice().weightsBytes());
        perDevice.put("kvCacheBytes", m.perDevice().kvCacheBytes());
        perDevice.put("activationsBytes", m.perDevice().activationsBytes());
        perDevice.put("runtimeOverheadBytes", m.perDevice().runtimeOverheadBytes());
        perDevice.end();
        o.put("dominant", m.perDevice().dominant());
        if (options.deviceMemoryBytes() != null) verdict(o, m.fit(options.deviceMemoryBytes()));
        if (w.lora().enabled() || !p.weights().isQuantized())
            training(o.object("training"), spec, options).end();
        JsonOut assumptions = o.object("assumptions");
        assumptions.put("flashAttention", "inference never materialises attention scores");
        assumptions.put(
                "logitBytes",
                Activations.inferenceLogitBytes(p.activations())); // inference peak: head output + fp32 copy
        assumptions.put("trainingDropout", TrainingMemory.DROPOUT);
        assumptions.put("pipelineSchedule", "1F1B: stage s of p holds p - s micro-batches");
        assumptions.end();
        return o;
    }

    static JsonOut training(JsonOut o, TransformerSpec spec, EstimateOptions options) {
        TrainingMemoryEstimate t =
                TrainingMemory.estimate(spec, options.precision(), options.workload(), options.runtimeOverheadBytes());
        o.put("method", !t.lora() ? "full" : options.precision().weights().bits() < 8 ? "qlora" : "lora");
        o.put("trainableParams", t.trainableParams());
        o.put("frozenParams", t.frozenParams());
        TrainingMemoryTerms whole = t.whole();
        terms(o, whole);
        o.put("totalBytes", t.totalBytes());
        o.put("perDeviceBytes", t.perDeviceBytes());
        o.put("devices", t.devices());
        terms(o.object("perDevice"), t.perDevice()).end();
        o.put("dominant", t.perDevice().dominant());
        if (options.deviceMemoryBytes() != null) verdict(o, t.fit(options.deviceMemoryBytes()));
        return o;
    }

    private static JsonOut terms(JsonOut o, TrainingMemoryTerms t) {
        o.put("weightsBytes", t.weightsBytes());
        o.put("gradientsBytes", t.gradientsBytes());
        o.put("masterWeightsBytes", t.masterWeightsBytes());
        o.put("optimizerStatesBytes", t.optimizerStatesBytes());
        o.put("activationsBytes", t.activationsBytes());
        o.put("runtimeOverheadBytes", t.runtimeOverheadBytes());
        return o;
    }

    private static void verdict(JsonOut o, Fit fit) {
        o.put("fits", fit.fits());
        o.put("deviceMemoryBytes", fit.deviceMemoryBytes());
        o.put("headroomBytes", fit.headroomBytes());
        o.put("headroomFraction", fit.headroomFraction());
    }

    /** The {@code model} section as a tree (the train report shows it too). */
    static ObjectNode model(ResolvedModel model) {
        ObjectNode m = F.objectNode();
        model(JsonOut.tree(m), model.spec(), model);
        return m;
    }

    private static JsonOut model(JsonOut m, TransformerSpec spec, ResolvedModel model) {
        if (model.preset() != null) m.put("id", model.preset().id());
        m.put("name", spec.name());
        if (model.family() != null) m.put("family", model.family());
        if (!model.assumptions().isEmpty()) m.put("importAssumptions", String.join("; ", model.assumptions()));
        m.put("layers", spec.layerCount());
        m.put("hiddenSize", spec.hiddenSize());
        m.put("vocabSize", spec.vocabSize());
        m.put("contextLength", spec.contextLength());
        m.put("mixtureOfExperts", spec.isMixtureOfExperts());
        m.put("tiedEmbeddings", spec.tiedEmbeddings());
        return m;
    }

    /**
     * What the checkpoint's safetensors hold beside strata's count: parameters, bytes, scales, elements per dtype, and
     * the stored parameters less strata's {@code checkpointTotal}, overall and per term (by module name).
     */
    private static JsonOut checkpoint(JsonOut o, CheckpointCount c, ParameterCount count) {
        o.put("tensors", c.tensors());
        o.put("parameters", c.parameters());
        o.put("bytes", c.bytes());
        if (c.scaleElements() > 0) o.put("scaleElements", c.scaleElements());
        JsonOut dtypes = o.object("elementsByDtype");
        c.elementsByDtype().forEach(dtypes::put); // in name order
        dtypes.end();
        o.put("differenceFromStrata", c.parameters() - count.checkpointTotal());
        var differences = c.differences(count);
        if (!differences.isEmpty()) {
            JsonOut d = o.object("differenceByTerm");
            differences.forEach(d::put);
            d.end();
        }
        return o;
    }

    static JsonOut params(JsonOut p, ParameterCount count, Preset preset) {
        p.put("total", count.total());
        p.put("active", count.active());
        p.put("nonEmbedding", count.nonEmbedding());
        JsonOut breakdown = p.object("breakdown");
        count.forEachTerm((c, v) -> breakdown.put(c.key(), v));
        breakdown.end();
        if (count.active() != count.total()) {
            JsonOut active = p.object("activeBreakdown");
            count.forEachActiveTerm((c, v) -> active.put(c.key(), v));
            active.end();
        }
        if (count.multiTokenPrediction() > 0) p.put("multiTokenPrediction", count.multiTokenPrediction());
        if (count.encoder() > 0) p.put("encoder", count.encoder());
        if (count.checkpointTotal() != count.total()) p.put("checkpointTotal", count.checkpointTotal());
        if (preset != null && preset.publishedTotal() != null) {
            JsonOut pub = p.object("published");
            pub.put("total", (long) preset.publishedTotal());
            if (preset.publishedActive() != null) pub.put("active", (long) preset.publishedActive());
            pub.put("text", preset.publishedText());
            pub.put("exact", preset.publishedExact());
            pub.put("source", preset.source());
            pub.end();
        }
        return p;
    }
}
