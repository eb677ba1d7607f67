package dev.strata.web;

import dev.strata.web.cli.CompletionCommand;
import dev.strata.web.cli.EstimateCommand;
import dev.strata.web.cli.FitCommand;
import dev.strata.web.cli.HardwareCommand;
import dev.strata.web.cli.OptimalCommand;
import dev.strata.web.cli.PlanCommand;
import dev.strata.web.cli.PresetsCommand;
import dev.strata.web.cli.SimulateCommand;
import dev.strata.web.cli.SpecCommand;
import dev.strata.web.cli.StandardStreams;
import dev.strata.web.cli.SweepCommand;
import dev.strata.web.cli.TrainCommand;
import dev.strata.web.cli.ValidateCommand;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code strata} command line. Exit code 0 on success, 2 on bad input with a one-line message on stderr, 1 when
 * the output cannot be written (a full disk, a closed pipe) or on an internal error, with one line too.
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
            CompletionCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {
    /** Exit code for bad input (docs/architecture.md, "Contracts"). */
    public static final int BAD_INPUT = 2;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Exit code when the output could not be written or something failed inside. */
    public static final int FAILED = 1;

    public static void main(String[] args) {
        System.exit(run(args, StandardStreams.stdout(), new PrintWriter(System.err, true)));
    }

    /**
     * Runs the command line with the given streams and returns the exit code (used by tests). A write to {@code out}
     * that throws {@link StandardStreams.OutputFailed} ends the command with {@link #FAILED}.
     */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        int code = commandLine(out, err).execute(args);
        try {
            out.flush();
        } catch (StandardStreams.OutputFailed e) {
            if (code != FAILED) code = outputFailed(e, err); // else it was said already
        }
        err.flush();
        return code;
    }

    /** As {@link #run(String[], PrintWriter, PrintWriter)}, with {@code in} as standard input ({@code --model -}). */
    public static int run(String[] args, java.io.InputStream in, PrintWriter out, PrintWriter err) {
        StandardStreams.setIn(in);
        try {
            return run(args, out, err);
        } finally {
            StandardStreams.setIn(null);
        }
    }

    /** The command line with every command, its handlers and its streams. */
    static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        // defaults of the user's own, when there is a file of them: ~/.strata.properties (or the file the system
        // property picocli.defaults.strata.path names), a line per option by its long name without dashes
        // (hardware=h100-sxm)
        cl.setDefaultValueProvider(new CommandLine.PropertiesDefaultProvider());
        // numbers as people write them, as the pages take them: 15T, 8k, 128Ki, 1e24 (Inputs)
        CommandLine.ITypeConverter<Double> number = dev.strata.web.report.Inputs::parseNumber;
        CommandLine.ITypeConverter<Long> whole = dev.strata.web.report.Inputs::parseLong;
        cl.registerConverter(Double.class, number).registerConverter(Double.TYPE, number);
        cl.registerConverter(Long.class, whole).registerConverter(Long.TYPE, whole);
        // every command answers --version, not just the top one
        Version version = new Version();
        for (CommandLine sub : cl.getSubcommands().values())
            sub.getCommandSpec().versionProvider(version);
        // picocli's own printing (usage, --version) fails outside the commands: said the same way
        cl.setExecutionStrategy(parsed -> {
            try {
                return new CommandLine.RunLast().execute(parsed);
            } catch (StandardStreams.OutputFailed e) {
                return outputFailed(e, err);
            }
        });
        cl.setParameterExceptionHandler((ex, a) -> {
            err.println("strata: " + oneLine(ex.getMessage()));
            return BAD_INPUT;
        });
        cl.setExecutionExceptionHandler((ex, command, parsed) -> {
            StandardStreams.OutputFailed writing = StandardStreams.outputFailure(ex);
            if (writing != null) return outputFailed(writing, err);
            if (ex instanceof IllegalArgumentException) {
                err.println("strata: " + oneLine(ex.getMessage()));
                return BAD_INPUT;
            }
            err.println("strata: internal error: " + oneLine(String.valueOf(ex)));
            return FAILED;
        });
        return cl;
    }

    private static int outputFailed(StandardStreams.OutputFailed e, PrintWriter err) {
        err.println("strata: cannot write the output: " + oneLine(e.getCause().getMessage()));
        return FAILED;
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
    }
}
