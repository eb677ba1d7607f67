package dev.strata.web.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.estimator.scaling.ScalingLaw;
import dev.strata.estimator.scaling.ScalingLaws;
import dev.strata.web.render.Render;

/**
 * The built-in scaling laws, one row each ({@code id}, {@code name}, {@code source}, {@code paramsMeaning},
 * {@code hasLoss}); with a budget, each row also has the law's compute-optimal {@code params}, {@code tokens},
 * {@code tokensPerParam} and {@code loss}, from {@link OptimalReport} (the {@code optimal} result of that law).
 */
public final class LawsReport {
    private LawsReport() {}

    /** @param compute a training budget in FLOPs, or null for the list of laws alone */
    public static ObjectNode of(Double compute) {
        ObjectNode root = Render.NODES.objectNode();
        if (compute != null) root.put("compute", compute);
        ArrayNode laws = root.putArray("laws");
        for (ScalingLaw law : ScalingLaws.all()) {
            ObjectNode o = laws.addObject();
            o.put("id", law.id());
            o.put("name", law.name());
            o.put("source", law.source());
            o.put("paramsMeaning", law.paramsMeaning());
            o.put("hasLoss", law.hasLoss());
            if (compute != null) {
                ObjectNode opt = OptimalReport.of(new OptimalReport.Request(law.id(), compute, null, null, null, null));
                for (String key : new String[] {"params", "tokens", "tokensPerParam", "loss", "method"}) {
                    JsonNode v = opt.get(key);
                    o.set(key, v == null ? Render.NODES.nullNode() : v);
                }
            }
        }
        return root;
    }
}
