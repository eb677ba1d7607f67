package dev.strata.web.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.data.GpuPerformance;
import dev.strata.data.validation.PublishedCalibration;
import dev.strata.data.validation.PublishedComparison;
import dev.strata.data.validation.PublishedMeasurements;
import dev.strata.data.validation.PublishedPoint;
import dev.strata.web.render.Render;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code validate --published}: the shipped GPU performance model held against every published point it covers
 * ({@code points}: measured, floor, calibrated and error of the measured time), a summary per group ({@code summary}:
 * device, model family, metric, batch 1 or larger), the cross-validation the model states, and the targets.
 */
public final class PublishedReport {
    private PublishedReport() {}

    /** Median |error| at most this on the calibration data (the target). */
    public static final double TARGET_MEDIAN = 0.12;
    /** At least this share of the points within +-25 %. */
    public static final double TARGET_WITHIN_25 = 0.85;

    /** The report, with the default engine's calibrated profile. */
    public static ObjectNode of() {
        PublishedCalibration.Fit fit = new PublishedCalibration.Fit(
                GpuPerformance.gpu(), GpuPerformance.engine("engine", GpuPerformance.defaultEngine()));
        List<PublishedComparison> cs = new ArrayList<>();
        for (PublishedPoint p : PublishedMeasurements.all()) cs.add(PublishedCalibration.compare(p, fit));
        ObjectNode root = Render.NODES.objectNode();
        ArrayNode points = root.putArray("points");
        for (PublishedComparison c : cs) {
            PublishedPoint p = c.point();
            ObjectNode o = points.addObject();
            o.put("id", p.id());
            o.put("hardware", p.hardware());
            o.put("model", p.model());
            o.put("weights", p.weights());
            o.put("tp", p.tp());
            o.put("batch", p.batch());
            o.put("prompt", p.prompt());
            o.put("generate", p.generate());
            o.put("metric", p.metric());
            o.put("measuredSeconds", c.measured());
            o.put("floorSeconds", c.floor());
            o.put("calibratedSeconds", c.calibrated());
            o.put("relativeError", c.error());
            o.put("floorBelowMeasured", c.floorBelow());
            o.put("excused", PublishedCalibration.EXCUSED.getOrDefault(p.id(), ""));
        }
        List<PublishedComparison> used = cs.stream()
                .filter(c -> !PublishedCalibration.EXCUSED.containsKey(c.point().id()))
                .toList();
        ArrayNode summary = root.putArray("summary");
        summarise(summary, "all", used, c -> "all");
        summarise(summary, "hardware", used, c -> c.point().hardware());
        summarise(summary, "model", used, c -> c.point().modelFamily());
        summarise(summary, "metric", used, c -> c.point().metric());
        summarise(summary, "batch", used, c -> c.point().single() ? "1" : "more than 1");
        // the engine version and how it batched: TensorRT-LLM 0.9's static batches, 1.0's in-flight runs (steady state)
        summarise(
                summary,
                "engine",
                used,
                c -> c.point().engine().startsWith("TensorRT-LLM 1.0")
                        ? "TensorRT-LLM 1.0, in-flight"
                        : c.point().engine().startsWith("TensorRT-LLM 0.9")
                                ? "TensorRT-LLM 0.9, static"
                                : c.point().engine());
        ArrayNode cv = root.putArray("crossValidation");
        for (String section : List.of("inSample", "leaveOneModelOut", "leaveOneDeviceOut")) {
            ObjectNode o = cv.addObject();
            o.put("fit", section);
            o.put("medianAbsError", GpuPerformance.validation(section, "medianAbsError"));
            o.put("within25", (long) GpuPerformance.validation(section, "within25"));
            o.put("points", used.size());
            o.put("p80AbsError", GpuPerformance.validation(section, "p80AbsError"));
        }
        double[] abs = abs(used);
        ArrayNode targets = root.putArray("targets");
        target(targets, "median |error| <= 12 % on the calibration data", median(abs), median(abs) <= TARGET_MEDIAN);
        double share = (double) within25(abs) / abs.length;
        target(targets, "at least 85 % of points within +-25 %", share, share >= TARGET_WITHIN_25);
        long floorsAbove = cs.stream()
                .filter(c -> !c.floorBelow()
                        && !PublishedCalibration.EXCUSED.containsKey(c.point().id()))
                .count();
        target(targets, "the floor below every measured time (excused rows apart)", floorsAbove, floorsAbove == 0);
        double lomo = GpuPerformance.validation("leaveOneModelOut", "medianAbsError");
        target(targets, "median |error| <= 12 % leaving one model out", lomo, lomo <= TARGET_MEDIAN);
        double lodo = GpuPerformance.validation("leaveOneDeviceOut", "medianAbsError");
        target(targets, "median |error| <= 12 % leaving one device out", lodo, lodo <= TARGET_MEDIAN);
        for (String section : List.of("leaveOneModelOut", "leaveOneDeviceOut")) {
            double within = GpuPerformance.validation(section, "within25") / used.size();
            target(
                    targets,
                    "at least 85 % within +-25 % leaving one " + (section.contains("Model") ? "model" : "device")
                            + " out",
                    within,
                    within >= TARGET_WITHIN_25);
        }
        return root;
    }

    private static void summarise(
            ArrayNode out, String by, List<PublishedComparison> cs, Function<PublishedComparison, String> key) {
        Map<String, List<PublishedComparison>> groups = new LinkedHashMap<>();
        for (PublishedComparison c : cs)
            groups.computeIfAbsent(key.apply(c), k -> new ArrayList<>()).add(c);
        groups.forEach((group, list) -> {
            double[] a = abs(list);
            double[] signed = list.stream()
                    .mapToDouble(PublishedComparison::error)
                    .sorted()
                    .toArray();
            ObjectNode o = out.addObject();
            o.put("by", by);
            o.put("group", group);
            o.put("points", list.size());
            o.put("medianAbsError", median(a));
            o.put("medianError", median(signed));
            o.put("within25", within25(a));
            o.put(
                    "verdict",
                    median(a) <= TARGET_MEDIAN && (double) within25(a) / a.length >= TARGET_WITHIN_25
                            ? "meets the targets"
                            : median(a) <= 0.25 ? "within 25 % at the median" : "off by more than 25 % at the median");
        });
    }

    private static void target(ArrayNode out, String description, double value, boolean met) {
        ObjectNode o = out.addObject();
        o.put("target", description);
        o.put("value", value);
        o.put("met", met);
    }

    private static double[] abs(List<PublishedComparison> cs) {
        return cs.stream().mapToDouble(c -> Math.abs(c.error())).sorted().toArray();
    }

    private static double median(double[] sorted) {
        return sorted.length == 0 ? 0 : sorted[sorted.length / 2];
    }

    private static long within25(double[] sorted) {
        return Arrays.stream(sorted).filter(v -> v <= 0.25).count();
    }

    /** Whether every target of a report is met. */
    public static List<String> missed(ObjectNode report) {
        List<String> missed = new ArrayList<>();
        report.get("targets").forEach(t -> {
            if (!t.get("met").booleanValue()) missed.add(t.get("target").asText());
        });
        return missed;
    }

    /** The summary and targets as tables. */
    public static String summaryTable(ObjectNode report) {
        return Render.rows(report, report.get("summary"), dev.strata.web.render.Format.TABLE)
                + System.lineSeparator()
                + Render.rows(report, report.get("crossValidation"), dev.strata.web.render.Format.TABLE)
                + System.lineSeparator()
                + Render.rows(report, report.get("targets"), dev.strata.web.render.Format.TABLE);
    }
}
