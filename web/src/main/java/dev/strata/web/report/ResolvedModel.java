package dev.strata.web.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.data.HfConfigImporter;
import dev.strata.data.Preset;
import dev.strata.data.PresetCatalog;
import dev.strata.model.InvalidFieldException;
import dev.strata.model.TransformerSpec;

/**
 * A model as the user named it: a preset (with its published figures) or an imported config.
 *
 * @param spec   the architecture
 * @param preset the preset it came from, or null for an imported config
 */
public record ResolvedModel(TransformerSpec spec, Preset preset) {

    /** A preset id or the path of a config.json. */
    public static ResolvedModel of(String model) {
        if (model != null && PresetCatalog.contains(model)) {
            Preset p = PresetCatalog.get(model);
            return new ResolvedModel(p.spec(), p);
        }
        return new ResolvedModel(PresetCatalog.resolve(model), null);
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
        return new ResolvedModel(HfConfigImporter.fromJson(json, "pasted config"), null);
    }

    /** A config.json sent inline (HTTP POST). */
    public static ResolvedModel ofConfig(JsonNode config) {
        return new ResolvedModel(HfConfigImporter.fromNode(config, "config"), null);
    }
}
