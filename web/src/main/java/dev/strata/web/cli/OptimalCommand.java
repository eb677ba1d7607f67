package dev.strata.web.cli;

import dev.strata.web.render.Render;
import dev.strata.web.report.OptimalReport;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code strata optimal --compute C [--law id]}: the compute-optimal model size and data under a scaling law. */
@Command(
        name = "optimal",
        mixinStandardHelpOptions = true,
        description =
                "Compute-optimal parameters and tokens for a budget (or the budget for a target loss) under a scaling law.")
public final class OptimalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--compute", paramLabel = "FLOPS", description = "Training budget in FLOPs (e.g. 1e24).")
    Double compute;

    @Option(
            names = "--law",
            paramLabel = "<id | E=..,A=..,B=..,alpha=..,beta=..>",
            description = "Scaling law (default " + OptimalReport.DEFAULT_LAW
                    + "): chinchilla, chinchilla-unrounded, epoch-2024, kaplan-2020, "
                    + "deepseek-2024, chinchilla-approach-1, or your own Chinchilla-form constants.")
    String law;

    @Option(
            names = "--loss",
            paramLabel = "L",
            description = "Target loss instead of --compute: the budget that reaches it.")
    Double loss;

    @Option(
            names = "--params",
            paramLabel = "N",
            description = "A model size to compare with the optimum of the budget (loss penalty).")
    Double params;

    @Option(
            names = "--iso-flop",
            paramLabel = "POINTS",
            description = "Add an iso-FLOP curve (loss vs N at the budget) of this many points.")
    Integer isoFlop;

    @Option(
            names = "--span",
            paramLabel = "FACTOR",
            description = "How far either side of the optimum the iso-FLOP curve reaches (default 10).")
    Double span;

    @Mixin
    FormatOption format;

    @Override
    public Integer call() {
        var fmt = format.get();
        spec.commandLine()
                .getOut()
                .print(Render.render(
                        OptimalReport.of(new OptimalReport.Request(law, compute, loss, params, isoFlop, span)), fmt));
        return 0;
    }
}
