package dev.strata.web.bench;

import dev.strata.data.HardwareCatalog;
import dev.strata.data.PresetCatalog;
import dev.strata.estimator.sweep.Sweep;
import dev.strata.estimator.sweep.SweepRow;
import dev.strata.web.render.BackgroundSink;
import dev.strata.web.render.Format;
import dev.strata.web.render.SweepWriter;
import dev.strata.web.report.SweepRequest;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A million-point sweep streamed to CSV, as {@code strata sweep --model llama-3-8b --hardware h100-sxm --batch 1..1000
 * --generate 1..1000} does: every row is a full estimate (parameters, memory, prefill and decode latency, cost) and
 * is formatted into a discarding stream (the bytes are counted, not stored). As the command does, points are computed
 * on one thread and written on another ({@link BackgroundSink}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
public class SweepBenchmark {
    SweepRequest request;

    @Setup
    public void parse() {
        HardwareCatalog.ids();
        Map<String, String> values =
                Map.of("model", "llama-3-8b", "hardware", "h100-sxm", "batch", "1..1000", "generate", "1..1000");
        request = SweepRequest.parse(values::get, "--", PresetCatalog::resolve, Sweep.MAX_POINTS);
    }

    @Benchmark
    public long millionRowsToCsv() throws IOException {
        long[] bytes = new long[1];
        OutputStream counting = new OutputStream() {
            @Override
            public void write(int b) {
                bytes[0]++;
            }

            @Override
            public void write(byte[] b, int off, int len) {
                bytes[0] += len;
            }
        };
        try (SweepWriter w = new SweepWriter(
                        Format.CSV,
                        new BufferedWriter(new OutputStreamWriter(counting, StandardCharsets.UTF_8), 1 << 16));
                BackgroundSink<SweepRow> rows = new BackgroundSink<>(w, 1024, "sweep-writer")) {
            Sweep.run(request.base(), request.axes(), rows);
        }
        return bytes[0];
    }
}
