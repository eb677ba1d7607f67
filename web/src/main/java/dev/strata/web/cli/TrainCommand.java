package dev.strata.web.cli;

import dev.strata.web.render.Render;
import dev.strata.web.report.TrainReport;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code strata train --model M --tokens T --hardware H --devices N [--tp --pp ...]}: time, cost and energy of a
 * training run at the step-time model's MFU (at the layout given, or the fastest that fits), or at an assumed MFU.
 */
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

    @Option(
            names = "--tokens",
            paramLabel = "T",
            description = "Training tokens (e.g. 14.8e12); without it, with a layout: one step's tokens.")
    Double tokens;

    @Option(
            names = "--hardware",
            required = true,
            paramLabel = "ID",
            description = "Hardware id (see 'strata hardware').")
    String hardware;

    @Option(names = "--devices", paramLabel = "N", description = "Number of devices (default 1).")
    Long devices;

    @Option(
            names = "--mfu",
            paramLabel = "F",
            description =
                    "An assumed model FLOPs utilisation, 0-1, instead of the step-time model's (which --model"
                            + " without a layout times at the fastest layout that fits); 0.40 for --params or --flops-per-token.")
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

    @Option(
            names = "--tp",
            paramLabel = "T",
            description =
                    "Tensor-parallel ranks: with any layout option the step-time model predicts the MFU. Default 1.")
    Integer tp;

    @Option(names = "--pp", paramLabel = "P", description = "Pipeline stages; default 1.")
    Integer pp;

    @Option(
            names = "--interleave",
            paramLabel = "V",
            description = "Model chunks per pipeline stage (interleaved 1F1B); default 1.")
    Integer interleave;

    @Option(
            names = "--global-batch",
            paramLabel = "B",
            description = "Sequences per optimizer step; default 4 x pp x dp x micro-batch.")
    Integer globalBatch;

    @Option(names = "--micro-batch", paramLabel = "B", description = "Sequences per micro-batch; default 1.")
    Integer microBatch;

    @Option(
            names = "--recompute",
            paramLabel = "none|selective|full",
            description = "Activation recomputation; default none.")
    String recompute;

    @Option(
            names = "--sequence-parallel",
            arity = "0..1",
            fallbackValue = "true",
            paramLabel = "true|false",
            description = "Megatron sequence parallelism; default false.")
    String sequenceParallel;

    @Option(
            names = "--weights",
            paramLabel = "fp16|bf16|fp8",
            description = "Format of the matrix products (and of the peak MFU is measured against); default bf16.")
    String weights;

    @Option(names = "--zero", paramLabel = "0..3", description = "ZeRO stage over the data-parallel ranks; default 0.")
    Integer zero;

    @Option(
            names = "--ep",
            paramLabel = "E",
            description = "Expert-parallel ranks (a divisor of dp; mixtures of experts); default 1.")
    Integer ep;

    @Option(
            names = "--search",
            description = "Every layout of --devices that fits memory (tp, pp, interleave, dp, micro-batch, recompute,"
                    + " sequence parallel, ZeRO), fastest first; needs --model and --global-batch.")
    boolean search;

    @Option(names = "--top", paramLabel = "N", description = "With --search: how many layouts to list (default 10).")
    Integer top;

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
                computeFormat,
                new TrainReport.Layout(
                        tp,
                        pp,
                        interleave,
                        globalBatch,
                        microBatch,
                        recompute,
                        sequenceParallel,
                        weights,
                        zero,
                        ep,
                        search ? Boolean.TRUE : null,
                        top));
        var result = TrainReport.of(request);
        spec.commandLine()
                .getOut()
                .print(
                        result.has("layouts")
                                ? Render.rows(result, result.get("layouts"), fmt)
                                : Render.render(result, fmt));
        return 0;
    }
}
