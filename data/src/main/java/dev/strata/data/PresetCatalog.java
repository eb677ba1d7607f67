package dev.strata.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.model.InvalidFieldException;
import dev.strata.model.TransformerSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The built-in model presets ({@code presets.json} in this module's resources). Each preset's architecture is a
 * config in Hugging Face form, imported by {@link HfConfigImporter} so that the key mapping lives in one place.
 */
public final class PresetCatalog {
    private static final Map<String, Preset> PRESETS = load();

    private PresetCatalog() {}

    /**
     * All presets in catalog order.
     *
     * @return the presets
     */
    public static List<Preset> all() {
        return List.copyOf(PRESETS.values());
    }

    /**
     * The preset with this id; an unknown id names the known ones.
     *
     * @param id a preset id
     * @return the preset, with its published count and source
     */
    public static Preset get(String id) {
        Preset p = PRESETS.get(id);
        if (p == null)
            throw new InvalidFieldException(
                    "model",
                    id,
                    "a preset id (" + String.join(", ", PRESETS.keySet()) + ") or a path to a config.json");
        return p;
    }

    /**
     * Whether a preset has this id.
     *
     * @param id a preset id
     * @return whether the catalog has it
     */
    public static boolean contains(String id) {
        return PRESETS.containsKey(id);
    }

    /**
     * Resolves what a user typed for {@code --model}: a preset id, the path of a config.json or of a Hugging Face
     * snapshot folder, or a repository id ({@code org/name}) found in the local Hugging Face cache (the folder
     * huggingface_hub uses: {@code HF_HUB_CACHE}, else {@code HF_HOME/hub}, else {@code ~/.cache/huggingface/hub};
     * nothing is downloaded).
     *
     * @param model a preset id, a path or a repository id
     * @return the spec
     */
    public static TransformerSpec resolve(String model) {
        return resolveImport(model).spec();
    }

    private static String folderName(Path dir) {
        Path name = dir.toAbsolutePath().normalize().getFileName();
        return name == null ? "checkpoint" : name.toString();
    }

    /**
     * As {@link #resolve}, with what an imported config assumed (a preset: its family is "preset", nothing assumed).
     *
     * @param model a preset id, a path or a repository id
     * @return the spec, the family and the assumptions
     */
    public static HfConfigImporter.Imported resolveImport(String model) {
        if (model == null || model.isBlank())
            throw new InvalidFieldException("model", model, "a preset id or a path to a config.json");
        if (PRESETS.containsKey(model))
            return new HfConfigImporter.Imported(PRESETS.get(model).spec(), "preset", List.of());
        Path path;
        try {
            path = Path.of(model);
        } catch (InvalidPathException e) {
            throw new InvalidFieldException("model", model, "a preset id or a path to a config.json");
        }
        if (Files.isDirectory(path)) return HfConfigImporter.importFolder(path, folderName(path));
        if (model.toLowerCase(java.util.Locale.ROOT).endsWith(".gguf") && Files.isRegularFile(path)) {
            String file = path.getFileName().toString();
            return HfConfigImporter.importGguf(path, file.substring(0, file.length() - 5));
        }
        if (!model.endsWith(".json") && !Files.exists(path) && HubCache.isRepoId(model))
            return HfConfigImporter.importFolder(HubCache.snapshot(model, HubCache.roots()), model);
        if (model.endsWith(".json") || model.contains("/") || model.contains("\\") || Files.isRegularFile(path))
            return HfConfigImporter.importFile(path);
        get(model); // throws, listing the presets
        throw new IllegalStateException("unreachable");
    }

    private static Map<String, Preset> load() {
        try (InputStream in = PresetCatalog.class.getResourceAsStream("presets.json")) {
            if (in == null) throw new IllegalStateException("presets.json is missing from the strata-data jar");
            JsonNode root = new ObjectMapper().readTree(in);
            Map<String, Preset> m = new LinkedHashMap<>();
            for (JsonNode p : root.get("presets")) {
                String id = p.get("id").asText();
                JsonNode pub = p.get("published");
                HfConfigImporter.Imported imported = HfConfigImporter.importNode(
                        p.get("config"), p.get("name").asText());
                TransformerSpec spec = imported.spec();
                m.put(
                        id,
                        new Preset(
                                id,
                                p.get("name").asText(),
                                spec,
                                longOrNull(pub.get("total")),
                                longOrNull(pub.get("active")),
                                pub.path("text").asText(""),
                                pub.path("exact").asBoolean(false),
                                pub.path("source").asText(""),
                                p.path("note").asText(""),
                                imported));
            }
            return Collections.unmodifiableMap(m);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Long longOrNull(JsonNode n) {
        return n == null || n.isNull() ? null : n.asLong();
    }

    /**
     * Ids in catalog order.
     *
     * @return the ids
     */
    public static List<String> ids() {
        return new ArrayList<>(PRESETS.keySet());
    }
}
