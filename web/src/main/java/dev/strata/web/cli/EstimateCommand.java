package dev.strata.web.cli;

import dev.strata.web.render.Render;
import dev.strata.web.report.EstimateOptions;
import dev.strata.web.report.EstimateReport;
import dev.strata.web.report.ResolvedModel;
import dev.strata.web.report.ServingOptions;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code strata estimate --model <preset | config.json> [workload options]}: parameters, FLOPs and memory of one model.
 * The workload options are read as text and parsed by {@link EstimateOptions}, the same code the HTTP API uses.
 */
@Command(
        name = "estimate",
        mixinStandardHelpOptions = true,
        description = "Estimate parameters, FLOPs and memory (inference and training) for one model.")
public final class EstimateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = "--model",
            required = true,
            paramLabel = "<preset id | path/to/config.json | ->",
            description =
                    "A preset id (see 'strata presets'), a Hugging Face config.json, or - to read a config.json from standard input.")
    String model;

    @Mixin
    WorkloadOptions options;

    @Mixin
    FormatOption format;

    @Override
    public Integer call() {
        var fmt = format.get();
        Map<String, String> values = options.values();
        ResolvedModel resolved = ModelOption.resolve(model);
        EstimateOptions parsed = EstimateOptions.parse(values::get, "--", resolved);
        spec.commandLine()
                .getOut()
                .print(Render.render(
                        EstimateReport.of(resolved, parsed, ServingOptions.parse(values::get, "--", parsed)), fmt));
        return 0;
    }
}
