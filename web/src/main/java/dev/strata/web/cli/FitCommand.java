package dev.strata.web.cli;

import dev.strata.data.RunsCsv;
import dev.strata.web.render.Render;
import dev.strata.web.report.FitReport;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code strata fit --data runs.csv}: fits L = E + A/N^alpha + B/D^beta to your own runs. */
@Command(
        name = "fit",
        mixinStandardHelpOptions = true,
        description =
                "Fit the Chinchilla form L = E + A/N^alpha + B/D^beta to training runs in a CSV file (Hoffmann et al. 2022's procedure), "
                        + "with bootstrap standard errors.")
public final class FitCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = "--data",
            required = true,
            paramLabel = "FILE",
            description = "CSV file with a header row, one run per row.")
    Path data;

    @Option(names = "--n-col", paramLabel = "NAME", description = "Column of parameter counts N (default N).")
    String nCol;

    @Option(names = "--d-col", paramLabel = "NAME", description = "Column of training tokens D (default D).")
    String dCol;

    @Option(
            names = "--c-col",
            paramLabel = "NAME",
            description = "Column of training FLOPs C instead of D; D = C / (6N) (default C, used when there is no D).")
    String cCol;

    @Option(names = "--loss-col", paramLabel = "NAME", description = "Column of final losses (default loss).")
    String lossCol;

    @Option(
            names = "--exclude-highest-loss",
            paramLabel = "K",
            description = "Leave out the K runs with the highest loss (default 0).")
    Integer excludeHighestLoss;

    @Option(
            names = "--bootstrap",
            paramLabel = "N",
            description = "Bootstrap resamples for standard errors (default " + FitReport.DEFAULT_BOOTSTRAP
                    + "; 0 for none).")
    Integer bootstrap;

    @Option(
            names = "--seed",
            paramLabel = "S",
            description = "Seed of the bootstrap (default 1): the same seed gives the same numbers.")
    Long seed;

    @Mixin
    FormatOption format;

    @Override
    public Integer call() {
        var fmt = format.get();
        var request = new FitReport.Request(nCol, dCol, cCol, lossCol, excludeHighestLoss, bootstrap, seed);
        var runs = RunsCsv.read(data, request.columns());
        spec.commandLine().getOut().print(Render.render(FitReport.of(runs, request), fmt));
        return 0;
    }
}
