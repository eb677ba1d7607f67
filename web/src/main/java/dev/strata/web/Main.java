package dev.strata.web;

import dev.strata.web.cli.EstimateCommand;
import dev.strata.web.cli.FitCommand;
import dev.strata.web.cli.HardwareCommand;
import dev.strata.web.cli.OptimalCommand;
import dev.strata.web.cli.PlanCommand;
import dev.strata.web.cli.PresetsCommand;
import dev.strata.web.cli.ServeCommand;
import dev.strata.web.cli.SimulateCommand;
import dev.strata.web.cli.SpecCommand;
import dev.strata.web.cli.SweepCommand;
import dev.strata.web.cli.TrainCommand;
import dev.strata.web.cli.ValidateCommand;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code strata} command line. Exit code 0 on success, 2 on bad input with a one-line message on stderr.
 */
@Command(
        name = "strata",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "Sizes transformer models and prices them.",
        subcommands = {
            EstimateCommand.class,
            SweepCommand.class,
            SimulateCommand.class,
            PlanCommand.class,
            OptimalCommand.class,
            FitCommand.class,
            TrainCommand.class,
            ValidateCommand.class,
            PresetsCommand.class,
            HardwareCommand.class,
            SpecCommand.class,
            ServeCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {
    /** Exit code for bad input (docs/architecture.md, "Contracts"). */
    public static final int BAD_INPUT = 2;

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line with the given streams and returns the exit code (used by tests). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, a) -> {
            err.println("strata: " + oneLine(ex.getMessage()));
            return BAD_INPUT;
        });
        cl.setExecutionExceptionHandler((ex, command, parsed) -> {
            if (ex instanceof IllegalArgumentException) {
                err.println("strata: " + oneLine(ex.getMessage()));
                return BAD_INPUT;
            }
            err.println("strata: internal error: " + oneLine(String.valueOf(ex)));
            return 1;
        });
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
    }
}
