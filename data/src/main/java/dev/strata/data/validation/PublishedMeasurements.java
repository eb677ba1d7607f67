package dev.strata.data.validation;

import dev.strata.data.HfConfigImporter;
import dev.strata.data.PresetCatalog;
import dev.strata.model.InvalidFieldException;
import dev.strata.model.TransformerSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVRecord;

/**
 * The published GPU inference measurements shipped with strata (resource folder {@code dev/strata/data/published}):
 * each set a tab-separated file whose header comments say where it comes from. Configs a point names by file lie
 * beside the sets.
 */
public final class PublishedMeasurements {
    private PublishedMeasurements() {}

    /** The sets shipped, by file name. */
    public static final List<String> SETS = List.of("trtllm-0.9-static-batching.tsv");

    private static final List<PublishedPoint> ALL = load();

    /**
     * Every shipped point.
     *
     * @return the points
     */
    public static List<PublishedPoint> all() {
        return ALL;
    }

    private static List<PublishedPoint> load() {
        List<PublishedPoint> out = new ArrayList<>();
        for (String set : SETS) for (CSVRecord row : PublishedFiles.records(set)) out.add(point(row));
        return List.copyOf(out);
    }

    private static PublishedPoint point(CSVRecord r) {
        return new PublishedPoint(
                r.get("id"),
                r.get("source"),
                r.get("engine"),
                r.get("model_config"),
                r.get("hardware"),
                Integer.parseInt(r.get("devices")),
                Integer.parseInt(r.get("tp")),
                r.get("weights"),
                r.get("kv"),
                Long.parseLong(r.get("batch")),
                Long.parseLong(r.get("prompt")),
                Long.parseLong(r.get("generate")),
                r.get("metric"),
                Double.parseDouble(r.get("measured_value")),
                r.get("notes"));
    }

    /**
     * The model a point names: a preset, or a config file shipped beside the sets.
     *
     * @param p a published point
     * @return the spec
     */
    public static TransformerSpec model(PublishedPoint p) {
        if (!p.model().endsWith(".json")) return PresetCatalog.get(p.model()).spec();
        try (InputStream in = PublishedFiles.open(p.model())) {
            if (in == null) throw new InvalidFieldException("model_config", p.model(), "a config shipped with the set");
            return HfConfigImporter.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8), p.model());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
