package dev.strata.web.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.data.ReferenceRun;
import dev.strata.data.validation.PublishedTraining;
import dev.strata.data.validation.Validation;
import dev.strata.estimator.training.TrainingStack;
import dev.strata.model.InvalidFieldException;
import dev.strata.web.chart.ChartImage;
import dev.strata.web.render.Format;
import dev.strata.web.render.Render;
import dev.strata.web.report.PublishedReport;
import dev.strata.web.report.ServingValidationReport;
import dev.strata.web.report.ValidationReport;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.jfree.chart.JFreeChart;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code strata validate}: estimates against actual runs of the reference stack (PyTorch on this machine's CPU).
 * With {@code --report}, the shipped run (or a harness output folder, {@code --data}); without it, runs the harness
 * ({@code data/reference/run.py --quick}, or {@code --full}) first and compares its fresh output, with the host
 * calibrated from that run's own microbenchmarks. Exit code 1 when a target is missed (a live {@code --quick} run
 * checks counts and memory only: its timings are of tiny models on a short calibration), 3 when PyTorch is missing.
 */
@Command(
        name = "validate",
        mixinStandardHelpOptions = true,
        description =
                "Compare estimates with actual runs of the reference stack (PyTorch on this CPU): per point and quantity, "
                        + "with summary statistics and targets. --report uses the shipped measurements; without it the harness runs first.")
public final class ValidateCommand implements Callable<Integer> {
    /** Exit code when a target is missed. */
    public static final int TARGET_MISSED = 1;
    /** Exit code when the reference stack (Python with PyTorch) is missing or broken: the harness's own code. */
    public static final int NO_REFERENCE_STACK = 3;
    /** The interpreter the harness needs: Debian's, which has python3-torch (docs/architecture.md, "Reference stack"). */
    public static final String DEFAULT_PYTHON = "/usr/bin/python3";
    /** The harness, relative to the repository root. */
    public static final String HARNESS = "data/reference/run.py";

    @Spec
    CommandSpec spec;

    @Option(names = "--report", description = "Compare the shipped measurements (or --data) without running anything.")
    boolean report;

    @Option(
            names = "--published",
            description = "Hold the GPU performance model against the published GPU measurements shipped with strata"
                    + " (TensorRT-LLM 0.9 static batches on A100, H100, H200 and L40S, TensorRT-LLM 1.0 in-flight runs"
                    + " on H100 and H200): every point, a summary per device, model, metric and batch, the"
                    + " cross-validation, and the targets.")
    boolean published;

    @Option(
            names = "--training",
            description = "Hold the training step-time model against the published Megatron-LM step times shipped with"
                    + " strata (Korthikanti et al. 2022, A100): measured, predicted and error per run, the median and"
                    + " worst error, and the targets (median <= 5 %%, worst <= 10 %%).")
    boolean training;

    @Option(
            names = "--serving",
            description = "Hold the serving simulator against the published continuous-batching measurements shipped"
                    + " with strata (TensorRT-LLM 1.0, SGLang and vLLM serving benchmarks): measured, simulated and"
                    + " error per point, the median |error| and the share within 25 %% per metric, beside other"
                    + " simulators' published errors. The TensorRT-LLM rows also calibrate the GPU model, the others"
                    + " are held out; no target.")
    boolean serving;

    @Option(
            names = "--data",
            paramLabel = "DIR",
            description =
                    "A harness output folder (cpu-reference.csv, cpu-calibration.csv, specs/) instead of the shipped run; implies --report.")
    Path data;

    @Option(
            names = "--device",
            paramLabel = "cpu|cuda",
            description =
                    "With --report: the shipped run of this device (default cpu; cuda: "
                            + "the run on an NVIDIA H100). Without --report: where the harness runs (cuda needs PyTorch >= 2 with a GPU).")
    String device = "cpu";

    @Option(
            names = "--full",
            description =
                    "Run the full grid (5 models x fp32/bf16, about 6-8 minutes on two cores) instead of --quick (under a minute).")
    boolean full;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description = "Where the harness writes its run (default: a temporary folder, removed afterwards).")
    Path out;

    @Option(
            names = "--python",
            paramLabel = "FILE",
            description = "The Python interpreter with PyTorch (default " + DEFAULT_PYTHON + ").")
    String python = DEFAULT_PYTHON;

    @Option(
            names = "--chart",
            paramLabel = "FILE.png|FILE.svg",
            description = "Also write a chart of estimate against measured, with the line y = x.")
    Path chart;

    @Option(
            names = "--chart-quantity",
            paramLabel = "QUANTITY",
            description = "Quantity of the chart (default decode_seconds_per_token).")
    String chartQuantity = "decode_seconds_per_token";

    @Mixin
    FormatOption format;

    @Override
    public Integer call() {
        Format fmt = format.get();
        if (chart != null) chartFormat(chart);
        ReferenceRun.checkDevice("--device", device);
        if (!Validation.QUANTITIES.contains(chartQuantity))
            throw new InvalidFieldException(
                    "--chart-quantity", chartQuantity, "one of " + String.join(", ", Validation.QUANTITIES));
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        if ((published ? 1 : 0) + (training ? 1 : 0) + (serving ? 1 : 0) > 1)
            throw InvalidFieldException.withMessage(
                    "--training", "give one of --published, --training and --serving, not more");
        if (published) return published(fmt, stdout, stderr);
        if (serving) return serving(fmt, stdout);
        if (training) return training(fmt, stdout, stderr);
        Validation v;
        List<Validation.TargetResult> targets;
        Path temp = null;
        try {
            if (report || data != null) {
                if (full || out != null)
                    throw InvalidFieldException.withMessage(
                            "--report", "--full and --out run the harness: leave out --report and --data");
                if (data != null && !device.equals("cpu"))
                    throw InvalidFieldException.withMessage(
                            "--device", "--data reads the device from the folder's files: leave out --device");
                v = data == null ? Validation.shipped(device) : Validation.of(ReferenceRun.read(data));
                targets = v.targets();
            } else {
                Path dir = out;
                if (dir == null) dir = temp = Files.createTempDirectory("strata-validate");
                int code = runHarness(dir, stderr);
                if (code == NO_REFERENCE_STACK) return NO_REFERENCE_STACK;
                v = Validation.of(ReferenceRun.read(dir));
                targets = full ? v.targets() : v.evaluate(Validation.quickTargets());
                if (code != 0)
                    stderr.println("strata: the harness exited with code " + code + " (some points failed; see "
                            + dir.resolve(device + "-reference-run.json") + "); comparing the points it measured");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (temp != null) delete(temp);
        }
        ObjectNode root = ValidationReport.of(v, targets);
        if (fmt == Format.TABLE)
            stdout.print(Render.rows(root, root.get("points"), Format.TABLE)
                    + System.lineSeparator()
                    + ValidationReport.summaryTable(root));
        else stdout.print(Render.rows(root, root.get("points"), fmt));
        stdout.flush();
        if (chart != null) writeChart(ValidationReport.chart(v, chartQuantity), chart);
        List<String> missed = new ArrayList<>();
        for (Validation.TargetResult t : targets)
            if (!t.met()) missed.add(t.target().description());
        if (!missed.isEmpty()) {
            stderr.println("strata: validation missed " + missed.size() + " target(s): " + String.join("; ", missed));
            return TARGET_MISSED;
        }
        return 0;
    }

    /** {@code --published}: the published GPU points, their summary and the targets; exit 1 when one is missed. */
    private int training(Format fmt, PrintWriter stdout, PrintWriter stderr) {
        if (report || data != null || full || out != null || chart != null || !device.equals("cpu"))
            throw InvalidFieldException.withMessage(
                    "--training",
                    "--training compares the shipped published training runs: leave out --report, --data, --full,"
                            + " --out, --chart and --device");
        List<PublishedTraining.Row> stepTimes = PublishedTraining.rows();
        List<PublishedTraining.Row> weakScaling = PublishedTraining.weakScaling();
        List<PublishedTraining.Row> rows = new java.util.ArrayList<>(stepTimes);
        rows.addAll(weakScaling);
        ObjectNode root = Render.NODES.objectNode();
        String korthikanti = "Korthikanti et al. 2022, arXiv:2205.05198 Table 3 (published/megatron-training.tsv)";
        String narayanan = "Narayanan et al. 2021, arXiv:2104.04473 Table 1 (published/megatron-weak-scaling.tsv;"
                + " step time implied by the achieved teraFLOP/s and eq. (3); micro-batch 1, no interleaving assumed)";
        root.put("source", korthikanti + "; " + narayanan);
        root.put("kernelEfficiency", TrainingStack.FITTED_KERNEL_EFFICIENCY);
        ArrayNode runs = root.putArray("runs");
        for (PublishedTraining.Row r : rows) {
            ObjectNode o = runs.addObject();
            boolean weak = weakScaling.contains(r);
            o.put("id", r.id());
            o.put("source", weak ? "Narayanan 2021 Table 1" : "Korthikanti 2022 Table 3");
            o.put("hardware", r.hardware());
            o.put("devices", r.layout().devices());
            o.put("tp", r.layout().tensor());
            o.put("pp", r.layout().pipeline());
            o.put("interleave", r.layout().interleave());
            o.put("globalBatch", r.layout().globalBatch());
            o.put("recompute", r.layout().recompute().id());
            o.put("sequenceParallel", r.layout().sequenceParallel());
            o.put("measuredSeconds", r.measuredSeconds());
            o.put("predictedSeconds", r.predicted().seconds());
            o.put("error", r.error());
            o.put("measuredTflopsPerGpu", r.measuredTflopsPerDevice());
            o.put("predictedTflopsPerGpu", r.predictedTflopsPerDevice());
            o.put("mfu", r.predicted().mfu());
        }
        double median = PublishedTraining.medianAbsError(rows), worst = PublishedTraining.worstAbsError(rows);
        root.put("medianAbsError", median);
        root.put("worstAbsError", worst);
        ObjectNode sets = root.putObject("sets");
        for (var set : java.util.Map.of("stepTimes", stepTimes, "weakScaling", weakScaling)
                .entrySet()) {
            ObjectNode s = sets.putObject(set.getKey());
            s.put("runs", set.getValue().size());
            s.put("medianAbsError", PublishedTraining.medianAbsError(set.getValue()));
            s.put("worstAbsError", PublishedTraining.worstAbsError(set.getValue()));
        }
        if (fmt == Format.TABLE)
            stdout.print(Render.rows(root, runs, Format.TABLE)
                    + System.lineSeparator()
                    + String.format(
                            java.util.Locale.ROOT,
                            "median |error| %.1f %% (target 5 %%), worst %.1f %% (target 10 %%) over %d runs;"
                                    + " step times (Korthikanti 2022) %.1f %% and %.1f %%, weak scaling (Narayanan"
                                    + " 2021) %.1f %% and %.1f %%%n",
                            100 * median,
                            100 * worst,
                            rows.size(),
                            100 * PublishedTraining.medianAbsError(stepTimes),
                            100 * PublishedTraining.worstAbsError(stepTimes),
                            100 * PublishedTraining.medianAbsError(weakScaling),
                            100 * PublishedTraining.worstAbsError(weakScaling)));
        else stdout.print(Render.rows(root, runs, fmt));
        stdout.flush();
        if (median > 0.05 || worst > 0.10) {
            stderr.println("strata: training validation missed its targets (median <= 5 %, worst <= 10 %)");
            return TARGET_MISSED;
        }
        return 0;
    }

    /** A mode over the shipped published points takes none of the options of a measured run. */
    private void shippedPointsOnly(String option, String what) {
        if (report || data != null || full || out != null || chart != null || !device.equals("cpu"))
            throw InvalidFieldException.withMessage(
                    option, option + " " + what + ": leave out --report, --data, --full, --out, --chart and --device");
    }

    /** A report's points in {@code fmt}; in a table, its summary after them. */
    private static void printPoints(
            ObjectNode root, java.util.function.Supplier<String> summaryTable, Format fmt, PrintWriter stdout) {
        stdout.print(Render.rows(root, root.get("points"), fmt)
                + (fmt == Format.TABLE ? System.lineSeparator() + summaryTable.get() : ""));
        stdout.flush();
    }

    /** {@code --serving}: the published serving points simulated, their summary and the anchors' errors. */
    private int serving(Format fmt, PrintWriter stdout) {
        shippedPointsOnly("--serving", "simulates the shipped published serving points");
        ObjectNode root = ServingValidationReport.of();
        printPoints(root, () -> ServingValidationReport.summaryTable(root), fmt, stdout);
        return 0;
    }

    private int published(Format fmt, PrintWriter stdout, PrintWriter stderr) {
        shippedPointsOnly("--published", "compares the shipped published GPU points");
        ObjectNode root = PublishedReport.of();
        printPoints(root, () -> PublishedReport.summaryTable(root), fmt, stdout);
        List<String> missed = PublishedReport.missed(root);
        if (!missed.isEmpty()) {
            stderr.println("strata: validation missed " + missed.size() + " target(s): " + String.join("; ", missed));
            return TARGET_MISSED;
        }
        return 0;
    }

    /**
     * Runs the harness from the repository root into {@code dir}, its progress passed through on stderr. Returns its
     * exit code; 3 (with a one-line message) when Python or PyTorch is missing.
     */
    private int runHarness(Path dir, PrintWriter stderr) throws IOException {
        Path root = repositoryRoot();
        if (!Files.isExecutable(Path.of(python))) {
            stderr.println(
                    "strata: " + python
                            + " not found: the reference stack needs Debian's Python with PyTorch (apt-get install -y python3-torch libopenblas0-openmp)");
            return NO_REFERENCE_STACK;
        }
        List<String> command = List.of(
                python,
                HARNESS,
                full ? "--full" : "--quick",
                "--device",
                device,
                "--out",
                dir.toAbsolutePath().toString());
        stderr.println("strata: running " + String.join(" ", command));
        stderr.flush();
        Process p = new ProcessBuilder(command)
                .directory(root.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        int code;
        try {
            code = p.waitFor();
        } catch (InterruptedException e) {
            p.destroy();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the harness ran");
        }
        // exit 3: PyTorch missing or broken; the harness has said so in one line (with what to install)
        if (code == 2)
            throw InvalidFieldException.withMessage("validate", "the harness refused its options (exit 2; see above)");
        else if (code != 0 && code != 4 && code != NO_REFERENCE_STACK)
            throw new IllegalStateException("the harness exited with code " + code);
        return code;
    }

    /**
     * The repository root that holds the harness: the working directory or one of its parents, else the folder
     * three levels above the application jar ({@code web/target/strata.jar}).
     */
    static Path repositoryRoot() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent())
            if (Files.isRegularFile(d.resolve(HARNESS))) return d;
        try {
            Path jar = Path.of(ValidateCommand.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            for (Path d = jar.getParent(); d != null; d = d.getParent())
                if (Files.isRegularFile(d.resolve(HARNESS))) return d;
        } catch (Exception e) {
            // below
        }
        throw InvalidFieldException.withMessage(
                "validate",
                "the harness " + HARNESS + " is not under the working directory or the jar's folder: "
                        + "run strata validate from the repository, or use --report");
    }

    private static String chartFormat(Path file) {
        String name =
                file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".png")) return "png";
        if (name.endsWith(".svg")) return "svg";
        throw new InvalidFieldException("--chart", file, "a file name ending in .png or .svg");
    }

    private static void writeChart(JFreeChart c, Path file) {
        try {
            if (chartFormat(file).equals("png"))
                Files.write(file, ChartImage.png(c, ChartImage.WIDTH, ChartImage.HEIGHT + 160));
            else Files.writeString(file, ChartImage.svg(c, ChartImage.WIDTH, ChartImage.HEIGHT + 160));
        } catch (IOException e) {
            throw new InvalidFieldException("--chart", file, "a writable file (" + e.getMessage() + ")");
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        } catch (IOException ignored) {
            // a temporary folder left behind is harmless
        }
    }
}
