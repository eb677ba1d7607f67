package dev.strata.web.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.web.render.Format;
import dev.strata.web.render.Render;
import dev.strata.web.report.PlanReport;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code strata plan}: the cheapest deployments that serve a rate within service levels ({@link PlanReport}). Table
 * and JSON give the search, the deployments and the Pareto frontier; CSV the deployments.
 */
@Command(
        name = "plan",
        mixinStandardHelpOptions = true,
        description =
                "The cheapest deployments (device, devices per replica, expert parallelism, replicas or prefill and"
                        + " decode pools, formats, token budget) that serve"
                        + " a request rate within time-to-first-token and time-per-output-token service levels, simulated.")
public final class PlanCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = "--model",
            required = true,
            paramLabel = "<preset id | path/to/config.json | ->",
            description = "The model.")
    String model;

    @Option(names = "--rate", required = true, paramLabel = "REQ/S", description = "Requests per second (Poisson).")
    String rate;

    @Option(
            names = "--ttft-p90-ms",
            required = true,
            paramLabel = "ms",
            description = "Time to first token, 90th percentile.")
    String ttft;

    @Option(
            names = "--tpot-p90-ms",
            required = true,
            paramLabel = "ms",
            description = "Time per output token, 90th percentile.")
    String tpot;

    @Option(
            names = "--prompt",
            paramLabel = "TOKENS|lognormal:MEAN:SIGMA|uniform:A:B|empirical:FILE.csv:COLUMN",
            description = "Prompt lengths (default 512).")
    String prompt;

    @Option(
            names = "--generate",
            paramLabel = "TOKENS|lognormal:MEAN:SIGMA|uniform:A:B|empirical:FILE.csv:COLUMN",
            description = "Output lengths (default 128).")
    String generate;

    @Option(
            names = "--hardware",
            paramLabel = "ID[,ID...]",
            description = "Devices to consider (default: every priced catalog device).")
    String hardware;

    @Option(
            names = "--device-memory-gib",
            paramLabel = "GiB",
            description = "Memory of the one --hardware device, changed (as estimate takes it).")
    String deviceMemoryGib;

    @Option(
            names = "--bandwidth-gbs",
            paramLabel = "GB/s",
            description = "Memory bandwidth of the one --hardware device, changed.")
    String bandwidthGbs;

    @Option(
            names = "--peak-tflops",
            paramLabel = "TFLOP/s",
            description = "Peak of the compute format of the one --hardware device, changed.")
    String peakTflops;

    @Option(
            names = "--price",
            paramLabel = "USD",
            description = "Price per device-hour of the one --hardware device, changed.")
    String price;

    @Option(
            names = "--devices",
            paramLabel = "N[,N...]",
            description = "Devices per replica to consider (default 1,2,4,8).")
    String devices;

    @Option(
            names = "--weights",
            paramLabel = "F[,F...]",
            description = "Weight formats (default bf16, and fp8 where the device has an fp8 peak).")
    String weights;

    @Option(
            names = "--ep",
            paramLabel = "N[,N...]",
            description = "Expert-parallel degrees (default for a mixture of experts: every divisor of the tensor"
                    + " parallel ranks that divides the routed experts; else 1).")
    String ep;

    @Option(
            names = "--mode",
            paramLabel = "aggregated,disaggregated",
            description = "Serving modes: one pool, or a prefill pool and a decode pool (default both).")
    String mode;

    @Option(
            names = "--tp",
            paramLabel = "N[,N...]",
            description =
                    "Tensor-parallel degrees to consider, each with every --pp (default: each --devices count split"
                            + " as tensor parallel up to 8, then pipeline stages; with --pp alone, 1,2,4,8).")
    String tp;

    @Option(
            names = "--pp",
            paramLabel = "N[,N...]",
            description = "Pipeline stages to consider, each with every --tp (default 1 when --tp is given).")
    String pp;

    @Option(
            names = "--kv",
            paramLabel = "FORMAT[,FORMAT...]",
            description =
                    "KV-cache formats, each beside every weight format (default: the weights' width, fp8 beside fp8"
                            + " weights, else bf16).")
    String kv;

    @Option(names = "--max-batched-tokens", paramLabel = "N[,N...]", description = "Token budgets (default 2048,8192).")
    String budgets;

    @Option(names = "--max-seqs", paramLabel = "N[,N...]", description = "Sequence limits (default 64,256).")
    String maxSeqs;

    @Option(
            names = "--engine",
            paramLabel = "trtllm|vllm|sglang|eager|llamacpp",
            description = "The serving engine (default trtllm).")
    String engine;

    @Option(names = "--requests", paramLabel = "N", description = "Requests per simulation (default 1000).")
    String requests;

    @Mixin
    FrontEndOptions frontEnd;

    @Option(
            names = "--rows",
            paramLabel = "deployments|pareto",
            description = "The list a CSV holds, a row each: the deployments (the default) or the throughput frontier's"
                    + " points.")
    String rows;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the arrivals and lengths (default 0).")
    String seed;

    @Mixin
    FormatOption format;

    @Override
    public Integer call() {
        Format fmt = format.get();
        Map<String, String> v = OptionTexts.of(spec);
        String rowsKey = PlanReport.rows(v.get("rows"), "--");
        ObjectNode root =
                PlanReport.of(ModelOption.resolve(model), v::get, "--", Integer.MAX_VALUE, EmpiricalLengths.resolve(v));
        var out = spec.commandLine().getOut();
        if (fmt == Format.TABLE)
            out.print(Render.table(root.deepCopy().without(java.util.List.of("deployments", "pareto")))
                    + System.lineSeparator()
                    + Render.rows(root, root.get("deployments"), Format.TABLE)
                    + System.lineSeparator()
                    + Render.rows(root, root.get("pareto"), Format.TABLE));
        else out.print(Render.rows(root, root.get(rowsKey), fmt));
        out.flush();
        return 0;
    }
}
