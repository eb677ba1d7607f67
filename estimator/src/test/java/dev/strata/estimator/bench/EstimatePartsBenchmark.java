package dev.strata.estimator.bench;

import dev.strata.estimator.flops.Flops;
import dev.strata.estimator.flops.FlopsConvention;
import dev.strata.estimator.latency.LatencyModel;
import dev.strata.estimator.memory.InferenceMemory;
import dev.strata.estimator.params.Parameters;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The parts of {@link EstimateBenchmark#fullEstimate} one at a time, in nanoseconds each, on the same workload: where
 * an estimate's time goes (with {@code -prof gc}, its allocation, which on a machine like this one costs about as much
 * per byte as the arithmetic does per operation). The latency steps run on a model prepared once.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 4, time = 1)
@Fork(3)
@Threads(1)
public class EstimatePartsBenchmark {
    final EstimateBenchmark f = new EstimateBenchmark();
    final LatencyModel prepared = f.prepareLatency();

    @Benchmark
    public long params() {
        return Parameters.count(f.spec).total();
    }

    @Benchmark
    public double flops() {
        return Flops.decodePerToken(
                        f.spec, f.workload.promptTokens(), f.workload.generatedTokens(), FlopsConvention.FULL)
                .total();
    }

    @Benchmark
    public long memory() {
        return InferenceMemory.estimate(f.spec, f.precision, f.workload).perDeviceBytes();
    }

    @Benchmark
    public LatencyModel prepareLatency() {
        return f.prepareLatency();
    }

    @Benchmark
    public double prefill() {
        return prepared.prefill(f.workload, false).calibratedSeconds();
    }

    @Benchmark
    public double decodeStep() {
        return prepared.decodeStep(f.workload.batch(), f.decodeContext()).calibratedSeconds();
    }
}
