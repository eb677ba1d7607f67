package dev.strata.web.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.data.validation.Validation;
import dev.strata.estimator.latency.HostCalibration;
import dev.strata.model.InvalidFieldException;
import dev.strata.model.Microbenchmarks;
import dev.strata.web.chart.Figure;
import dev.strata.web.chart.Series;
import dev.strata.web.render.Render;
import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.JFreeChart;

/**
 * The {@code validate} result: every compared point ({@code points}: {@code quantity}, {@code model}, {@code dtype},
 * {@code batch}, {@code context}, {@code measured}, {@code estimated}, {@code floor} for times, {@code relativeError},
 * {@code unit}, {@code loadedMachine}: docs/architecture.md, "Contracts"), the summary per quantity and format ({@code summary}), the
 * targets and whether they are met ({@code targets}), and the host calibration the times were estimated with
 * ({@code calibration}: the floor device, the fitted efficiencies and tuning per format, and how well the fit reproduces
 * each microbenchmark).
 */
public final class ValidationReport {
    private static final JsonNodeFactory F = Render.NODES;

    private ValidationReport() {}

    /** The report of a validation. */
    public static ObjectNode of(Validation v) {
        return of(v, v.targets());
    }

    /** The report of a validation against some targets. */
    public static ObjectNode of(Validation v, List<Validation.TargetResult> results) {
        ObjectNode root = F.objectNode();
        ObjectNode run = root.putObject("run");
        Microbenchmarks measured = v.run().calibration(); // the calibrations averaged once
        run.put("source", v.run().source());
        run.put("machine", measured.machine());
        run.put("date", measured.date());
        run.put(
                "points",
                v.run().points().stream().map(Validation::key).distinct().count());
        run.put(
                "loadedPoints",
                v.run().points().stream()
                        .filter(p -> p.loadedMachine())
                        .map(Validation::key)
                        .distinct()
                        .count());
        Validation.CalibrationDrift drift = v.calibrationDrift();
        if (drift != null) {
            ObjectNode d = run.putObject("calibrationDrift");
            d.put("matrixProducts", drift.products());
            if (drift.products() > 0) {
                d.put("matrixProductTimeMedian", drift.productTimeMedian());
                d.put("matrixProductTimeMin", drift.productTimeMin());
                d.put("matrixProductTimeMax", drift.productTimeMax());
            }
            d.put("streamTime", drift.streamTime());
            d.put(
                    "note",
                    "time after the points / time before them - 1; the estimates use the two calibrations averaged");
        }
        ArrayNode targets = root.putArray("targets");
        for (Validation.TargetResult t : results) {
            ObjectNode o = targets.addObject();
            o.put("target", t.target().description());
            o.put("quantity", t.target().quantity());
            o.put("dtype", t.target().dtype() == null ? "all" : t.target().dtype());
            if (t.target().maxBatch() == Long.MAX_VALUE) o.put("batches", "all");
            else
                o.put(
                        "batches",
                        t.target().maxBatch() == 1 ? "1" : "1-" + t.target().maxBatch());
            o.put("statistic", t.target().statistic().key());
            o.put("limit", t.target().limit());
            o.put("points", t.summary().points());
            if (Double.isNaN(t.achieved())) o.putNull("achieved");
            else o.put("achieved", t.achieved());
            o.put("met", t.met());
        }
        ArrayNode summary = root.putArray("summary");
        for (String q : Validation.QUANTITIES) {
            List<String> dtypes = new ArrayList<>();
            dtypes.add(null);
            dtypes.addAll(v.dtypes());
            for (String d : dtypes) {
                for (long maxBatch : Validation.LATENCY_QUANTITIES.contains(q)
                        ? new long[] {1, Long.MAX_VALUE}
                        : new long[] {Long.MAX_VALUE}) {
                    Validation.Summary s = v.summary(q, d, 1, maxBatch);
                    if (s.points() == 0) continue;
                    ObjectNode o = summary.addObject();
                    o.put("quantity", q);
                    o.put("dtype", d == null ? "all" : d);
                    o.put("batches", maxBatch == 1 ? "1" : "all");
                    o.put("points", s.points());
                    o.put("medianAbsRelativeError", s.medianAbsRelativeError());
                    o.put("maxAbsRelativeError", s.maxAbsRelativeError());
                    if (Validation.LATENCY_QUANTITIES.contains(q)) o.put("floorIsLowerBound", s.floorIsLowerBound());
                }
            }
        }
        ArrayNode points = root.putArray("points");
        for (Validation.Row r : v.rows()) {
            ObjectNode o = points.addObject();
            o.put("quantity", r.quantity());
            o.put("model", r.model());
            o.put("dtype", r.dtype());
            o.put("batch", r.batch());
            o.put("context", r.context());
            o.put("measured", r.measured());
            o.put("estimated", r.estimated());
            if (Double.isNaN(r.floor())) o.putNull("floor");
            else o.put("floor", r.floor());
            o.put("relativeError", r.relativeError());
            o.put("unit", r.unit());
            o.put("loadedMachine", r.loaded());
        }
        root.set("calibration", calibration(v.calibration()));
        if (!"cpu".equals(v.run().device()) && !dev.strata.data.HardwareCatalog.recordedMemory(measured)) {
            // a GPU run made before the harness recorded its device's memory: the host entry's capacity is this
            // machine's
            // RAM, not the GPU's, so it is not shown (the validation compares no quantity with it)
            ObjectNode hw = (ObjectNode) root.get("calibration").get("hardware");
            hw.putNull("memoryBytes");
            hw.put(
                    "memoryBytesNote",
                    "not recorded by this run's calibration (made before calibrate.py's device_memory_bytes)");
        }
        return root;
    }

    /** The fitted host calibration: device, efficiencies and tuning per format, and the fit's own errors. */
    static ObjectNode calibration(HostCalibration c) {
        ObjectNode o = F.objectNode();
        o.put(
                "method",
                "fitted to the run's microbenchmarks only (matrix products, KV reads, per-layer overheads), never to the points: "
                        + "commons-math3 BOBYQA on the squared log error of the roofline's time of each matrix product");
        o.set("hardware", HardwareReport.of(c.hardware()));
        o.put("referenceFormat", c.referenceFormat());
        ObjectNode formats = o.putObject("formats");
        c.tuning().formats().forEach((format, t) -> {
            ObjectNode f = formats.putObject(format);
            f.put(
                    "bandwidthEfficiency",
                    Math.min(1, c.hardware().efficiency().bandwidth() * t.bandwidthEfficiencyScale()));
            f.put("computeEfficiency", Math.min(1, c.hardware().efficiency().compute() * t.computeEfficiencyScale()));
            f.set("tuning", ServingReport.tuning(t));
        });
        ArrayNode checks = o.putArray("checks");
        for (HostCalibration.Check k : c.checks()) {
            ObjectNode x = checks.addObject();
            x.put("benchmark", k.benchmark());
            x.put("format", k.format());
            x.put("measuredSeconds", k.measuredSeconds());
            x.put("fittedSeconds", k.fittedSeconds());
            x.put("relativeError", k.relativeError());
        }
        return o;
    }

    /** The run (where, when, on what, its calibration drift), summary and targets as tables for people, after the table of points. */
    public static String summaryTable(ObjectNode report) {
        return dev.strata.web.render.Render.table(report.get("run"))
                + System.lineSeparator()
                + dev.strata.web.render.Render.rows(report, report.get("summary"), dev.strata.web.render.Format.TABLE)
                + System.lineSeparator()
                + dev.strata.web.render.Render.rows(report, report.get("targets"), dev.strata.web.render.Format.TABLE);
    }

    /**
     * Estimate against measured for one quantity, one series per format and one of floors (for times), on log axes,
     * with the line y = x.
     */
    public static JFreeChart chart(Validation v, String quantity) {
        return figure(v, quantity).chart();
    }

    /** The series of {@link #chart}, each point labelled with its model, batch and context. */
    public static Figure figure(Validation v, String quantity) {
        if (!Validation.QUANTITIES.contains(quantity))
            throw new InvalidFieldException("quantity", quantity, "one of " + String.join(", ", Validation.QUANTITIES));
        List<Series> series = new ArrayList<>();
        List<List<String>> labels = new ArrayList<>();
        for (String d : v.dtypes()) {
            List<Validation.Row> rows = v.rows().stream()
                    .filter(r -> r.quantity().equals(quantity) && r.dtype().equals(d))
                    .toList();
            if (!rows.isEmpty()) {
                series.add(new Series(
                        d + " estimate",
                        values(rows, Validation.Row::measured),
                        values(rows, Validation.Row::estimated)));
                labels.add(labels(rows));
            }
        }
        if (Validation.LATENCY_QUANTITIES.contains(quantity)) {
            List<Validation.Row> rows =
                    v.rows().stream().filter(r -> r.quantity().equals(quantity)).toList();
            if (!rows.isEmpty()) {
                series.add(new Series(
                        "floor (lower bound)",
                        values(rows, Validation.Row::measured),
                        values(rows, Validation.Row::floor)));
                labels.add(labels(rows));
            }
        }
        String unit = v.rows().stream()
                .filter(r -> r.quantity().equals(quantity))
                .map(Validation.Row::unit)
                .findFirst()
                .orElse("");
        return new Figure(
                quantity + ": strata vs the reference stack",
                null,
                "measured (" + unit + ")",
                "estimated (" + unit + ")",
                true,
                true,
                List.of(),
                series,
                List.of(),
                true,
                labels);
    }

    private static List<String> labels(List<Validation.Row> rows) {
        return rows.stream()
                .map(r -> r.model() + ", batch " + r.batch() + ", context " + r.context())
                .toList();
    }

    private static double[] values(List<Validation.Row> rows, java.util.function.ToDoubleFunction<Validation.Row> f) {
        return rows.stream().mapToDouble(f).toArray();
    }
}
