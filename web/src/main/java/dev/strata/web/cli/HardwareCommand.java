package dev.strata.web.cli;

import dev.strata.web.render.Render;
import dev.strata.web.report.HardwareReport;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code strata hardware}: the accelerator catalog. */
@Command(
        name = "hardware",
        mixinStandardHelpOptions = true,
        description = "List the accelerator catalog with the source of every figure.")
public final class HardwareCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    FormatOption format;

    @Override
    public Integer call() {
        var root = HardwareReport.all();
        spec.commandLine().getOut().print(Render.rows(root, root.get("hardware"), format.get()));
        return 0;
    }
}
