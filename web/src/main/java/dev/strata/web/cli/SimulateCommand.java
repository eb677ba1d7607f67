package dev.strata.web.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.estimator.serving.Traffic;
import dev.strata.model.InvalidFieldException;
import dev.strata.web.render.Format;
import dev.strata.web.render.Render;
import dev.strata.web.report.SimulateReport;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code strata simulate}: a model served by replicas of a device under traffic, simulated request by request
 * ({@link SimulateReport}). Table and JSON give the summary; CSV one row per request.
 */
@Command(
        name = "simulate",
        mixinStandardHelpOptions = true,
        description = "Simulate serving under traffic: continuous batching, chunked prefill, a paged KV cache with"
                + " preemption; time to first token, time per output token and end-to-end latency (mean, p50, p90,"
                + " p99), throughput and goodput.")
public final class SimulateCommand implements Callable<Integer> {
    /** Largest trace file read. */
    public static final long MAX_TRACE_BYTES = 64L << 20;

    @Spec
    CommandSpec spec;

    @Option(
            names = "--model",
            required = true,
            paramLabel = "<preset id | path/to/config.json | ->",
            description = "The model.")
    String model;

    @Mixin
    WorkloadOptions options;

    @Option(names = "--replicas", paramLabel = "N", description = "Replicas behind the router (default 1).")
    String replicas;

    @Option(
            names = "--rate",
            paramLabel = "REQ/S|inf",
            description = "Poisson arrivals per second, or inf: every request at once.")
    String rate;

    @Option(
            names = "--burstiness",
            paramLabel = "CV",
            description = "Gamma arrivals with this coefficient of variation of the gaps (1: Poisson; 0: evenly"
                    + " spaced, a benchmark's constant rate).")
    String burstiness;

    @Option(
            names = "--concurrency",
            paramLabel = "N",
            description = "A closed loop: N requests in flight, a new one as each finishes.")
    String concurrency;

    @Option(names = "--requests", paramLabel = "N", description = "Requests to simulate (default 1000).")
    String requests;

    @Option(
            names = "--trace",
            paramLabel = "FILE.csv",
            description =
                    "Requests from a CSV with the header arrival_seconds,prompt_tokens,output_tokens (more columns"
                            + " allowed; prefix_group,prefix_tokens: requests of a group share their first"
                            + " prefix_tokens prompt tokens).")
    Path trace;

    @Option(
            names = "--mode",
            paramLabel = "aggregated|disaggregated",
            description = "One pool, or a prefill pool and a decode pool with the KV cache sent between them.")
    String mode;

    @Option(
            names = "--prefill-replicas",
            paramLabel = "N",
            description = "Disaggregated: replicas of the prefill pool (default 1).")
    String prefillReplicas;

    @Option(
            names = "--decode-replicas",
            paramLabel = "N",
            description = "Disaggregated: replicas of the decode pool (default 1).")
    String decodeReplicas;

    @Option(
            names = "--transfer-gbs",
            paramLabel = "GB/s",
            description = "Disaggregated: the link carrying the KV cache (default the device's scale-up link).")
    String transferGbs;

    @Option(
            names = "--max-seqs",
            paramLabel = "N",
            description =
                    "Most sequences running at once (default: the engine's own, e.g. trtllm 2048, vllm 1024 on an H100).")
    String maxSeqs;

    @Option(names = "--block-size", paramLabel = "TOKENS", description = "Tokens per KV block (default 16).")
    String blockSize;

    @Option(
            names = "--gpu-memory-utilization",
            paramLabel = "0..1",
            description = "Share of device memory the engine takes (default 0.9).")
    String gpuMemoryUtilization;

    @Option(
            names = "--router",
            paramLabel = "round-robin|least-loaded|cache-aware",
            description = "How arrivals go to replicas (cache-aware: by shared prompt prefix, SGLang router's policy).")
    String router;

    @Option(
            names = "--prefix-tokens",
            paramLabel = "TOKENS",
            description = "Each drawn prompt starts with a shared prefix of this many tokens (default none).")
    String prefixTokens;

    @Option(
            names = "--prefix-groups",
            paramLabel = "G",
            description = "How many distinct shared prefixes; each request takes one from the seed (default 1).")
    String prefixGroups;

    @Option(
            names = "--prefix-caching",
            paramLabel = "true|false",
            description = "Reuse the resident KV blocks of shared prefixes, as vLLM's automatic prefix caching"
                    + " (default true).")
    String prefixCaching;

    @Option(
            names = "--capacity-policy",
            paramLabel = "max-utilization|guaranteed-no-evict|prefill-first",
            description = "Admit a request when its next tokens fit and preempt when blocks run out (vLLM's), only"
                    + " when its whole prompt and output fit (TensorRT-LLM's default), or as SGLang does: prefill"
                    + " batches first, never mixed with decoding, admitted while every running request's remaining"
                    + " tokens still fit as they finish; default: the engine's.")
    String capacityPolicy;

    @Mixin
    FrontEndOptions frontEnd;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the arrivals and lengths (default 0).")
    String seed;

    @Option(names = "--ttft-p90-ms", paramLabel = "ms", description = "Time-to-first-token service level for goodput.")
    String ttftP90Ms;

    @Option(
            names = "--tpot-p90-ms",
            paramLabel = "ms",
            description = "Time-per-output-token service level for goodput.")
    String tpotP90Ms;

    @Mixin
    FormatOption format;

    @Override
    public Integer call() {
        Format fmt = format.get();
        Map<String, String> values = OptionTexts.of(spec);
        ObjectNode root = SimulateReport.of(
                ModelOption.resolve(model),
                values::get,
                "--",
                trace == null ? null : readTrace(trace),
                Double.POSITIVE_INFINITY,
                EmpiricalLengths.resolve(values));
        var out = spec.commandLine().getOut();
        if (fmt == Format.CSV) out.print(Render.rows(root, root.get("perRequest"), fmt));
        else {
            SimulateReport.keepFor(root, fmt);
            out.print(Render.render(root, fmt));
        }
        out.flush();
        return 0;
    }

    /** The requests of a trace file (Commons CSV, header row); errors name --trace, the row and the column. */
    static List<Traffic.Request> readTrace(Path file) {
        try {
            if (!Files.isRegularFile(file))
                throw new InvalidFieldException("--trace", file.toString(), "a regular CSV file");
            if (Files.size(file) > MAX_TRACE_BYTES)
                throw new InvalidFieldException(
                        "--trace", file.toString(), "a file of at most " + MAX_TRACE_BYTES + " bytes");
            List<Traffic.Request> out = new ArrayList<>();
            java.util.Map<String, Integer> groups = new java.util.HashMap<>();
            try (Reader r = Files.newBufferedReader(file)) {
                for (CSVRecord row : CSVFormat.RFC4180
                        .builder()
                        .setHeader()
                        .setSkipHeaderRecord(true)
                        .build()
                        .parse(r)) {
                    if (out.size() >= Traffic.MAX_REQUESTS)
                        throw new InvalidFieldException(
                                "--trace", file.toString(), "at most " + Traffic.MAX_REQUESTS + " requests");
                    long prompt = (long) number(row, "prompt_tokens");
                    int group = -1;
                    long shared = 0;
                    if (row.isMapped("prefix_group") || row.isMapped("prefix_tokens")) {
                        // a request of a group shares the group's first prefix_tokens tokens; an empty group: none
                        String id = row.isMapped("prefix_group")
                                ? row.get("prefix_group").trim()
                                : "";
                        if (!id.isEmpty()) {
                            if (!row.isMapped("prefix_tokens"))
                                throw new InvalidFieldException(
                                        "--trace", "prefix_group", "a prefix_tokens column beside it");
                            group = groups.computeIfAbsent(id, k -> groups.size());
                            shared = (long) number(row, "prefix_tokens");
                            if (shared < 0 || shared > prompt)
                                throw new InvalidFieldException(
                                        "--trace",
                                        "row " + row.getRecordNumber() + " prefix_tokens = " + shared,
                                        "from 0 to the row's prompt_tokens, " + prompt);
                        }
                    }
                    out.add(new Traffic.Request(
                            number(row, "arrival_seconds"),
                            prompt,
                            (long) number(row, "output_tokens"),
                            group,
                            shared));
                }
            }
            return out;
        } catch (NoSuchFileException e) {
            throw new InvalidFieldException("--trace", file.toString(), "an existing CSV file");
        } catch (IOException | IllegalArgumentException e) {
            if (e instanceof InvalidFieldException f) throw f;
            throw new InvalidFieldException(
                    "--trace",
                    file.toString(),
                    "a CSV with the header arrival_seconds,prompt_tokens,output_tokens (" + e.getMessage() + ")");
        }
    }

    private static double number(CSVRecord row, String column) {
        if (!row.isMapped(column))
            throw new InvalidFieldException(
                    "--trace", column, "a header naming arrival_seconds, prompt_tokens and output_tokens");
        String v = row.get(column).trim();
        try {
            double d = Double.parseDouble(v);
            if (Double.isFinite(d)) return d;
        } catch (NumberFormatException e) {
            // below
        }
        throw new InvalidFieldException(
                "--trace", "row " + row.getRecordNumber() + " " + column + " = " + v, "a number");
    }
}
