package dev.strata.web.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.data.Preset;
import dev.strata.data.PresetCatalog;
import dev.strata.estimator.params.ParameterCount;
import dev.strata.estimator.params.Parameters;
import dev.strata.web.render.Render;

/** The preset catalog with each model's computed and published parameter counts. */
public final class PresetsReport {
    private PresetsReport() {}

    /** {@code {"presets": [{id, name, paramsTotal, paramsActive, paramsCheckpoint, published...}...]}}. */
    public static ObjectNode all() {
        ObjectNode root = Render.NODES.objectNode();
        ArrayNode list = root.putArray("presets");
        for (Preset p : PresetCatalog.all()) {
            ParameterCount c = Parameters.count(p.spec());
            ObjectNode o = list.addObject();
            o.put("id", p.id());
            o.put("name", p.name());
            o.put("paramsTotal", c.total());
            o.put("paramsActive", c.active());
            // the main model with its MTP block and vision tower: what a checkpoint holds and a Hub total counts
            o.put("paramsCheckpoint", c.checkpointTotal());
            if (p.publishedTotal() != null) o.put("publishedTotal", p.publishedTotal());
            if (p.publishedActive() != null) o.put("publishedActive", p.publishedActive());
            o.put("published", p.publishedText());
            o.put("publishedExact", p.publishedExact());
            o.put("source", p.source());
            if (!p.note().isEmpty()) o.put("note", p.note());
        }
        return root;
    }
}
