package dev.strata.web.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.data.CheckpointCount;
import dev.strata.data.HfConfigImporter;
import dev.strata.data.Preset;
import dev.strata.data.PresetCatalog;
import dev.strata.model.InvalidFieldException;
import dev.strata.model.NumericFormat;
import dev.strata.model.TransformerSpec;
import java.util.List;

/**
 * A model as the user named it: a preset (with its published figures) or an imported config.
 *
 * @param spec        the architecture
 * @param preset      the preset it came from, or null for an imported config
 * @param family      the Hugging Face family an imported config was read as; null for a preset
 * @param assumptions what the import assumed (defaults of absent keys, parts not counted); empty when nothing was
 * @param weights     the weight format the checkpoint stores, the default of {@code --weights}; null when unknown
 * @param expertWeights the format of the routed experts where the checkpoint quantises only those; null otherwise
 * @param weightsSource where {@code weights} was read (the config key); null when {@code weights} is
 * @param checkpoint  what the snapshot folder's safetensors hold; null for a config alone or a preset
 */
public record ResolvedModel(
        TransformerSpec spec,
        Preset preset,
        String family,
        List<String> assumptions,
        NumericFormat weights,
        NumericFormat expertWeights,
        String weightsSource,
        CheckpointCount checkpoint) {
    public ResolvedModel {
        assumptions = List.copyOf(assumptions);
    }

    /** A preset's model, or a spec built in code: nothing assumed, no checkpoint format. */
    public ResolvedModel(TransformerSpec spec, Preset preset) {
        this(spec, preset, null, List.of(), null, null, null, null);
    }

    private static ResolvedModel imported(HfConfigImporter.Imported i) {
        return new ResolvedModel(
                i.spec(),
                null,
                i.family(),
                i.assumptions(),
                i.weights(),
                i.expertWeights(),
                i.weightsSource(),
                i.checkpoint());
    }

    /** A preset id or the path of a config.json. */
    public static ResolvedModel of(String model) {
        if (model != null && PresetCatalog.contains(model)) {
            Preset p = PresetCatalog.get(model);
            var i = p.imported(); // a preset's config may name its checkpoint's format (an FP8 checkpoint)
            return new ResolvedModel(
                    p.spec(), p, i.family(), i.assumptions(), i.weights(), i.expertWeights(), i.weightsSource(), null);
        }
        return imported(PresetCatalog.resolveImport(model));
    }

    /**
     * {@code value} when it cannot name a file; otherwise an error naming {@code field}. The server never reads a file
     * named by a client: models and hardware come from the catalogs, configs are posted or pasted.
     */
    public static String catalogId(String field, String value) {
        if (value.contains("/") || value.contains("\\") || value.endsWith(".json"))
            throw new InvalidFieldException(
                    field, value, "a catalog id (the server reads no files: post or paste a config.json instead)");
        return value;
    }

    /** A config.json (or strata spec JSON) pasted as text, e.g. in the planner's form. */
    public static ResolvedModel ofConfigText(String json) {
        return ofConfigText(json, "pasted config");
    }

    /** A config.json (or strata spec JSON) given as text from {@code source} (named in errors). */
    public static ResolvedModel ofConfigText(String json, String source) {
        return imported(HfConfigImporter.importJson(json, source));
    }

    /**
     * A model read from the first bytes of a GGUF file (its header; the tensor data after it is not read), as
     * {@code --model FILE.gguf} reads it, with the config.json its metadata stands for (which a page keeps as the
     * model's state). Errors name {@code field}.
     *
     * @param model  the model, with the tensors counted ({@link #checkpoint})
     * @param config the config.json the metadata stands for: importing it gives the same architecture
     */
    public record FromGguf(ResolvedModel model, String config) {}

    /** As {@link FromGguf}: {@code header} the file's first bytes, {@code fileName} its name (the model's). */
    public static FromGguf ofGguf(byte[] header, String fileName, String field) {
        String name = fileName.toLowerCase(java.util.Locale.ROOT).endsWith(".gguf")
                ? fileName.substring(0, fileName.length() - 5)
                : fileName;
        var g = HfConfigImporter.importGguf(
                new java.io.ByteArrayInputStream(header), field, "GGUF file " + fileName, name);
        return new FromGguf(imported(g.imported()), g.config().toPrettyString());
    }

    /** A config.json sent inline (HTTP POST). */
    public static ResolvedModel ofConfig(JsonNode config) {
        return imported(HfConfigImporter.importNode(config, "config"));
    }
}
