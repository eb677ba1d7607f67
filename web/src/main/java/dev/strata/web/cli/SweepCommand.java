package dev.strata.web.cli;

import dev.strata.estimator.sweep.Sweep;
import dev.strata.estimator.sweep.SweepRow;
import dev.strata.model.InvalidFieldException;
import dev.strata.web.render.BackgroundSink;
import dev.strata.web.render.SweepWriter;
import dev.strata.web.report.SweepRequest;
import java.io.BufferedWriter;
import java.io.Writer;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code strata sweep}: the options of {@code estimate}, any of them a list or a range, streamed one row per point.
 */
@Command(
        name = "sweep",
        mixinStandardHelpOptions = true,
        description = {
            "Vary any estimate option over a list (1,2,4) or range (1..1024, 1..1024x2, 0..4096+512) and stream one row per point.",
            "Varying: --model, --hardware, --weights, --kv, --devices, --tp, --pp, --prompt, --generate, --batch (the last varies fastest)."
        })
public final class SweepCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = "--model",
            required = true,
            paramLabel = "<preset id | config.json | ->[,...]",
            description = "One or more models (- reads a config.json from standard input).")
    String model;

    @Mixin
    WorkloadOptions options;

    @Option(
            names = "--format",
            paramLabel = "csv|json|table",
            defaultValue = "csv",
            description = "csv (default), json (one JSON object per line) or table.")
    String format;

    /** Most points a sweep may have unless {@code --max-points} says otherwise: minutes of output, gigabytes of CSV. */
    public static final long DEFAULT_MAX_POINTS = 10_000_000;

    @Option(
            names = "--max-points",
            paramLabel = "N",
            description = "Most points the sweep may have (default " + DEFAULT_MAX_POINTS + ", at most "
                    + Sweep.MAX_POINTS + "); a larger sweep is refused before it starts. Counted from the lists "
                    + "and ranges as written.")
    Long maxPoints;

    @Override
    public Integer call() {
        Map<String, String> values = options.values();
        values.put("model", model);
        long cap = maxPoints == null ? DEFAULT_MAX_POINTS : maxPoints;
        if (cap < 1 || cap > Sweep.MAX_POINTS)
            throw new InvalidFieldException("--max-points", cap, "an integer from 1 to " + Sweep.MAX_POINTS);
        SweepRequest req = SweepRequest.parse(values::get, "--", ModelOption.specs(), cap);
        var fmt = dev.strata.web.render.Format.parse("--format", format);
        Sweep.check(req.base(), req.axes()); // a bad point is exit 2 before the header, not after some rows
        Writer out = spec.commandLine().getOut();
        // points are computed on this thread and written on another: a long sweep uses two cores
        try (SweepWriter w = new SweepWriter(fmt, new BufferedWriter(out, 1 << 16));
                BackgroundSink<SweepRow> rows = new BackgroundSink<>(w, 1024, "strata-sweep-writer")) {
            Sweep.run(req.base(), req.axes(), rows);
        }
        return 0;
    }
}
