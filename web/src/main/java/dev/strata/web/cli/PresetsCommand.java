package dev.strata.web.cli;

import dev.strata.web.render.Render;
import dev.strata.web.report.PresetsReport;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code strata presets}: the built-in model catalog. */
@Command(name = "presets", mixinStandardHelpOptions = true, description = "List the built-in model presets.")
public final class PresetsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    FormatOption format;

    @Override
    public Integer call() {
        var root = PresetsReport.all();
        spec.commandLine().getOut().print(Render.rows(root, root.get("presets"), format.get()));
        return 0;
    }
}
