package dev.strata.web.cli;

import dev.strata.web.render.Render;
import dev.strata.web.report.TrainReport;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code strata train --model M --tokens T --hardware H --devices N}: time, cost and energy of a training run. */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description =
                "Training FLOPs, wall time, device-hours, cost and energy; or the MFU a measured run implies (--device-hours / --wall-hours).")
public final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = "--model",
            paramLabel = "<preset id | path/to/config.json>",
            description = "The model (see 'strata presets').")
    String model;

    @Option(
            names = "--params",
            paramLabel = "N",
            description = "A bare parameter count instead of --model (6N FLOPs per token).")
    Double params;

    @Option(
            names = "--flops-per-token",
            paramLabel = "F",
            description = "Training FLOPs per token, instead of strata's exact count.")
    Double flopsPerToken;

    @Option(names = "--tokens", required = true, paramLabel = "T", description = "Training tokens (e.g. 14.8e12).")
    Double tokens;

    @Option(
            names = "--hardware",
            required = true,
            paramLabel = "ID",
            description = "Hardware id (see 'strata hardware').")
    String hardware;

    @Option(names = "--devices", paramLabel = "N", description = "Number of devices (default 1).")
    Long devices;

    @Option(names = "--mfu", paramLabel = "F", description = "Model FLOPs utilisation, 0-1 (default 0.40).")
    Double mfu;

    @Option(
            names = "--device-hours",
            paramLabel = "H",
            description = "Measured device-hours: report the MFU they imply.")
    Double deviceHours;

    @Option(
            names = "--wall-hours",
            paramLabel = "H",
            description = "Measured wall-clock hours: report the MFU they imply.")
    Double wallHours;

    @Option(
            names = "--price",
            paramLabel = "USD",
            description = "Price per device-hour (default: the catalog's assumption).")
    Double price;

    @Option(names = "--power", paramLabel = "W", description = "Board power per device (default: the catalog's TDP).")
    Double power;

    @Option(names = "--pue", paramLabel = "F", description = "Data-centre power usage effectiveness (default 1.2).")
    Double pue;

    @Option(
            names = "--seq-len",
            paramLabel = "T",
            description = "Training sequence length for the attention FLOPs (default min(4096, context)).")
    Integer seqLen;

    @Option(
            names = "--compute-format",
            paramLabel = "FORMAT",
            description = "Format whose peak the MFU is measured against (default bf16).")
    String computeFormat;

    @Mixin
    FormatOption format;

    @Override
    public Integer call() {
        var fmt = format.get();
        var request = new TrainReport.Request(
                model,
                params,
                flopsPerToken,
                tokens,
                hardware,
                devices,
                mfu,
                deviceHours,
                wallHours,
                price,
                power,
                pue,
                seqLen,
                computeFormat);
        spec.commandLine().getOut().print(Render.render(TrainReport.of(request), fmt));
        return 0;
    }
}
