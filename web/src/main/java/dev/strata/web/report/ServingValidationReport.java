package dev.strata.web.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.data.GpuPerformance;
import dev.strata.data.validation.PublishedMeasurements;
import dev.strata.data.validation.PublishedServing;
import dev.strata.estimator.serving.SchedulerDefaults;
import dev.strata.web.render.Format;
import dev.strata.web.render.Render;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.math3.stat.descriptive.rank.Median;

/**
 * {@code validate --serving}: the serving simulator ({@code strata simulate}, with each point's engine profile) held
 * against the published continuous-batching measurements shipped with strata: measured, simulated and error per point,
 * the median |error| and the share within +-25 % over all points, per metric, per engine, and apart for the points the
 * GPU model was fitted to (the trtllm-bench runs, as their steady state: {@link PublishedMeasurements#isSteadyState})
 * and those held out; the published errors of other simulators as a fixed reference. No target is set.
 */
public final class ServingValidationReport {
    private ServingValidationReport() {}

    /** The share of points within this |error| is reported. */
    public static final double WITHIN = 0.25;

    /**
     * Other simulators' published median end-to-end errors, as the issue that asked for this comparison cites them:
     * BLIS (inference-sim) on 38 vLLM runs, AIConfigurator, LLM-Optimizer, Vidur (over 600 %).
     */
    public static final String ANCHORS = "published median errors of other simulators (their own sets): BLIS"
            + " (inference-sim) 6.8 % end-to-end on 38 vLLM runs; AIConfigurator 21.5 %; LLM-Optimizer 52 %;"
            + " Vidur over 600 %";

    /** The report over the shipped points. */
    public static ObjectNode of() {
        return of(PublishedServing.points());
    }

    /** The report over {@code points}. */
    public static ObjectNode of(List<PublishedServing.Point> points) {
        return of(points, true);
    }

    /** The report over {@code points} without the cross-validation of calibrated profiles (a calibration's trial). */
    static ObjectNode pointsOnly(List<PublishedServing.Point> points) {
        return of(points, false);
    }

    private static ObjectNode of(List<PublishedServing.Point> points, boolean crossValidate) {
        ObjectNode root = Render.NODES.objectNode();
        root.put("source", "published/serving.tsv (each row names its source)");
        ArrayNode rows = root.putArray("points");
        Map<String, List<Double>> errors = new LinkedHashMap<>();
        errors.put("all", new ArrayList<>());
        Map<String, List<Double>> engines = new LinkedHashMap<>();
        Map<String, List<Double>> fitted = new LinkedHashMap<>();
        fitted.put("fitted (steady state)", new ArrayList<>());
        for (String engine : CALIBRATED_ENGINES) fitted.put("fitted (" + engine + " profile)", new ArrayList<>());
        fitted.put("held out", new ArrayList<>());
        for (PublishedServing.Point p : points) {
            Map<String, String> options = new LinkedHashMap<>(p.simulateOptions());
            if (PublishedMeasurements.isSteadyState(p)) { // trtllm-bench chose its limits itself: its tuning code
                SchedulerDefaults bench = PublishedMeasurements.benchLimits(p);
                options.put("max-seqs", Integer.toString(bench.maxSeqs()));
                options.put("max-batched-tokens", Long.toString(bench.maxBatchedTokens()));
            }
            JsonNode sim = SimulateReport.of(ResolvedModel.of(p.model()), options::get, "--", null);
            double simulated = simulated(sim, p.metric());
            double error = simulated / p.measured() - 1;
            ObjectNode o = rows.addObject();
            o.put("id", p.id());
            o.put("engine", p.profile());
            o.put("hardware", p.hardware());
            o.put("model", p.model());
            o.put("weights", p.weights());
            o.put("tp", p.tp());
            o.put("arrival", p.arrival().equals("all") ? "all " + p.requests() : p.arrival() + " " + fmt(p.load()));
            o.put("prompt", p.prompt());
            o.put("generate", p.generate());
            o.put("metric", p.metric());
            o.put("measured", p.measured());
            o.put("simulated", simulated);
            o.put("error", error);
            o.put("preemptions", sim.path("kvCache").path("preemptions").asLong());
            boolean steady = PublishedMeasurements.isSteadyState(p), engineFit = fitsEngine(p);
            o.put("fitted", steady || engineFit);
            fitted.get(
                            steady
                                    ? "fitted (steady state)"
                                    : engineFit ? "fitted (" + p.profile() + " profile)" : "held out")
                    .add(error);
            errors.get("all").add(error);
            errors.computeIfAbsent(p.metric(), k -> new ArrayList<>()).add(error);
            engines.computeIfAbsent("engine " + p.profile(), k -> new ArrayList<>())
                    .add(error);
        }
        errors.putAll(engines);
        fitted.values().removeIf(List::isEmpty);
        errors.putAll(fitted);
        // each calibrated profile's runs predicted by its refit without their model (its stated cross-validation)
        for (String engine : crossValidate ? CALIBRATED_ENGINES : List.<String>of()) {
            List<Double> cv = new ArrayList<>();
            for (GpuPerformance.Refit f : GpuPerformance.refits(engine)) {
                List<PublishedServing.Point> left = points.stream()
                        .filter(p -> fitsEngine(p)
                                && p.profile().equals(engine)
                                && p.model().equals(f.heldOut()))
                        .toList();
                if (left.isEmpty()) continue;
                ObjectNode r = GpuPerformance.withEngine(f.profile(), () -> of(left, false));
                for (JsonNode x : r.get("points")) cv.add(x.get("error").asDouble());
            }
            if (!cv.isEmpty()) errors.put(engine + ", leaving its model out", cv);
        }
        ArrayNode summary = root.putArray("summary");
        for (Map.Entry<String, List<Double>> e : errors.entrySet()) {
            ObjectNode s = summary.addObject();
            s.put("group", e.getKey());
            s.put("points", e.getValue().size());
            s.put("medianAbsError", medianAbs(e.getValue()));
            s.put("within25", withinShare(e.getValue()));
            s.put("medianSignedError", median(e.getValue()));
        }
        root.put("anchors", ANCHORS);
        return root;
    }

    /** Engines whose profile's figures are fitted to their runs here ({@link EngineCalibration#FITTED}), by id. */
    static final List<String> CALIBRATED_ENGINES =
            EngineCalibration.FITTED.keySet().stream().sorted().toList();

    /** Whether {@code p} is one of the runs an engine profile is fitted to. */
    static boolean fitsEngine(PublishedServing.Point p) {
        return p.engineFit() && CALIBRATED_ENGINES.contains(p.profile());
    }

    /** The summary rows and the anchors' line, for the table format. */
    public static String summaryTable(ObjectNode report) {
        return Render.rows(report, report.get("summary"), Format.TABLE)
                + System.lineSeparator()
                + report.get("anchors").asText()
                + System.lineSeparator();
    }

    /**
     * The simulated value of {@code metric} in the published unit; a median inter-token latency with the simulated
     * median of every gap between a request's consecutive tokens (as the benchmarks measure it).
     */
    static double simulated(JsonNode sim, String metric) {
        return switch (metric) {
            case "output_tokens_per_s" ->
                sim.path("throughput").path("outputTokensPerSecond").asDouble(Double.NaN);
            case "tpot_ms_mean" -> 1000 * sim.path("tpotSeconds").path("mean").asDouble(Double.NaN);
            case "ttft_ms_mean" -> 1000 * sim.path("ttftSeconds").path("mean").asDouble(Double.NaN);
            case "ttft_ms_p50" -> 1000 * sim.path("ttftSeconds").path("p50").asDouble(Double.NaN);
            case "itl_ms_p50" -> 1000 * sim.path("itlSeconds").path("p50").asDouble(Double.NaN);
            case "e2e_ms_p50" -> 1000 * sim.path("e2eSeconds").path("p50").asDouble(Double.NaN);
            default -> throw new IllegalArgumentException("unknown metric " + metric);
        };
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.3g", v);
    }

    private static double medianAbs(List<Double> errors) {
        return median(errors.stream().map(Math::abs).toList());
    }

    private static double median(List<Double> values) {
        return new Median()
                .evaluate(values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static double withinShare(List<Double> errors) {
        return errors.stream().filter(e -> Math.abs(e) <= WITHIN).count() / (double) errors.size();
    }
}
