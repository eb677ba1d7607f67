package dev.strata.web.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.estimator.scaling.ComputeOptimal;
import dev.strata.estimator.scaling.IsoFlopPoint;
import dev.strata.estimator.scaling.OffOptimal;
import dev.strata.estimator.scaling.Planner;
import dev.strata.estimator.scaling.ScalingLaw;
import dev.strata.estimator.scaling.ScalingLaws;
import dev.strata.estimator.scaling.TrainingCompute;
import dev.strata.model.InvalidFieldException;
import dev.strata.web.render.Render;
import java.util.Map;

/**
 * The {@code optimal} result: the compute-optimal model size and data for a budget (or the budget for a target
 * loss) under a law, with {@code params}, {@code tokens} and {@code loss} at the top (docs/architecture.md, "Contracts").
 */
public final class OptimalReport {
    /** Default law. */
    public static final String DEFAULT_LAW = "chinchilla";
    /** Default span of an iso-FLOP curve either side of the optimum. */
    public static final double DEFAULT_SPAN = 10;

    private OptimalReport() {}

    /**
     * What the user asked (command-line options and HTTP query names: compute, law, loss, params, iso-flop, span).
     *
     * @param law     law id or {@code E=..,A=..,B=..,alpha=..,beta=..}; null for {@link #DEFAULT_LAW}
     * @param compute training budget in FLOPs, or null when {@code loss} is given
     * @param loss    a target loss, or null when {@code compute} is given
     * @param params  a model size to compare with the optimum at the budget (off-optimal penalty), or null
     * @param isoFlop points of an iso-FLOP curve to add, or null/0 for none
     * @param span    factor either side of the optimum the curve spans, or null for {@link #DEFAULT_SPAN}
     */
    public record Request(String law, Double compute, Double loss, Double params, Integer isoFlop, Double span) {
        /** The request from named inputs (HTTP query parameters or form fields). */
        public static Request from(Inputs in) {
            return new Request(
                    in.text("law"),
                    in.number("compute"),
                    in.number("loss"),
                    in.number("params"),
                    in.integer("iso-flop"),
                    in.number("span"));
        }
    }

    public static ObjectNode of(Request r) {
        ScalingLaw law = ScalingLaws.resolve(r.law() == null ? DEFAULT_LAW : r.law());
        if ((r.compute() == null) == (r.loss() == null))
            throw InvalidFieldException.withMessage(
                    "compute", "give exactly one of --compute (a budget in FLOPs) and --loss (a target loss)");
        ComputeOptimal opt = r.compute() != null ? law.optimal(r.compute()) : law.computeForLoss(r.loss());
        ObjectNode root = Render.NODES.objectNode();
        root.set("law", law(law));
        if (r.loss() != null) root.put("targetLoss", r.loss());
        root.put("compute", opt.computeFlops());
        Counts.put(root, "params", opt.params());
        Counts.put(root, "tokens", opt.tokens());
        if (opt.loss().isPresent()) root.put("loss", opt.loss().getAsDouble());
        else root.putNull("loss");
        root.put("tokensPerParam", opt.tokensPerParam());
        root.put("flopsPerToken", opt.flopsPerToken());
        root.put("method", opt.method().key());
        if (r.params() != null)
            root.set(
                    "offOptimal",
                    offOptimal(Planner.offOptimal(
                            law, r.params(), TrainingCompute.tokens(opt.computeFlops(), r.params()))));
        int points = r.isoFlop() == null ? 0 : r.isoFlop();
        if (points != 0) { // 0: no curve; Planner refuses counts outside 2..10,000
            ArrayNode curve = root.putArray("isoFlop");
            for (IsoFlopPoint p :
                    Planner.isoFlop(law, opt.computeFlops(), points, r.span() == null ? DEFAULT_SPAN : r.span())) {
                ObjectNode o = curve.addObject();
                Counts.put(o, "params", p.params());
                Counts.put(o, "tokens", p.tokens());
                o.put("loss", p.loss());
                o.put("tokensPerParam", p.tokensPerParam());
            }
        }
        return root;
    }

    /** A law's id, name, source, what its N counts, and constants. */
    public static ObjectNode law(ScalingLaw law) {
        ObjectNode o = Render.NODES.objectNode();
        o.put("id", law.id());
        o.put("name", law.name());
        o.put("source", law.source());
        o.put("paramsMeaning", law.paramsMeaning());
        ObjectNode c = o.putObject("constants");
        for (Map.Entry<String, Double> e : law.constants().entrySet()) c.put(e.getKey(), e.getValue());
        return o;
    }

    private static ObjectNode offOptimal(OffOptimal off) {
        ObjectNode o = Render.NODES.objectNode();
        Counts.put(o, "params", off.params());
        Counts.put(o, "tokens", off.tokens());
        o.put("loss", off.loss());
        Counts.put(o, "optimalParams", off.optimal().params());
        o.put("optimalLoss", off.optimal().loss().orElseThrow());
        o.put("paramsRatio", off.paramsRatio());
        o.put("lossPenalty", off.lossPenalty());
        o.put("equivalentCompute", off.equivalentComputeFlops());
        o.put("computeOverhead", off.computeOverhead());
        return o;
    }
}
