package dev.strata.web.cli;

import dev.strata.data.SpecJson;
import dev.strata.web.render.Format;
import dev.strata.web.render.Render;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code strata spec --model X}: the model's architecture in strata's spec JSON, which {@code --model} accepts back
 * and which the reference-stack harness builds in PyTorch.
 */
@Command(name = "spec", mixinStandardHelpOptions = true, description = "Print a model's spec as strata spec JSON.")
public final class SpecCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = "--model",
            required = true,
            paramLabel = "<preset id | path/to/config.json | ->",
            description = "A preset id or a Hugging Face config.json.")
    String model;

    @Option(
            names = "--format",
            paramLabel = "json|table|csv",
            defaultValue = "json",
            description = "json (default), table or csv.")
    String format;

    @Override
    public Integer call() {
        Format fmt = Format.parse("--format", format);
        var tree = SpecJson.tree(ModelOption.resolve(model).spec());
        spec.commandLine().getOut().print(Render.render(tree, fmt));
        return 0;
    }
}
