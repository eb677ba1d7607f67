package dev.strata.web.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.web.render.Render;
import dev.strata.web.report.EstimateOptions;
import dev.strata.web.report.EstimateReport;
import dev.strata.web.report.ResolvedModel;
import dev.strata.web.report.ServingOptions;
import java.io.ByteArrayOutputStream;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What {@code GET /api/estimate} does for one request, without HTTP: parse the options and write the report (every
 * estimate; with a device also latency, throughput, serving capacity with its batch and context searches, and cost) as
 * compact JSON straight through the generator ({@code streamed}); and for comparison the tree the command line builds,
 * built and then written, and the two halves on their own. Llama-3-8B with the defaults, without a device and
 * on an H100. Run with the server's collector ({@code -XX:+UseParallelGC}, as the launcher starts it). One thread.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"-XX:+UseParallelGC", "-Xmx1g"})
@Threads(1)
public class EstimateReportBenchmark {
    /** The query: empty (the model only) or a device. */
    @Param({"", "h100-sxm"})
    public String hardware;

    Function<String, String> values;
    ResolvedModel model;
    ObjectNode built;

    @Setup
    public void setUp() {
        Map<String, String> query = hardware.isEmpty() ? Map.of() : Map.of("hardware", hardware);
        values = query::get;
        model = ResolvedModel.of("llama-3-8b");
        built = build();
    }

    private ObjectNode build() {
        EstimateOptions options = EstimateOptions.parse(values, "");
        return EstimateReport.of(model, options, ServingOptions.parse(values, "", options));
    }

    /** Stands for Jetty's response buffer, which its buffer pool reuses between requests. */
    final ByteArrayOutputStream response = new ByteArrayOutputStream(64 * 1024);

    /**
     * What the API does: the report written straight through the generator into the response's buffer
     * ({@link EstimateReport#writeCompactJson}).
     */
    @Benchmark
    public int streamed() {
        EstimateOptions options = EstimateOptions.parse(values, "");
        response.reset();
        EstimateReport.writeCompactJson(response, model, options, ServingOptions.parse(values, "", options));
        return response.size();
    }

    /** What the API did before: the tree built, then written. */
    @Benchmark
    public byte[] buildAndWrite() {
        return Render.compactJson(build());
    }

    @Benchmark
    public ObjectNode buildOnly() {
        return build();
    }

    @Benchmark
    public byte[] writeOnly() {
        return Render.compactJson(built);
    }
}
