package dev.strata.estimator.bench;

import dev.strata.estimator.TestModels;
import dev.strata.estimator.flops.Flops;
import dev.strata.estimator.flops.FlopsConvention;
import dev.strata.estimator.latency.Latency;
import dev.strata.estimator.latency.LatencyModel;
import dev.strata.estimator.latency.LatencyTuning;
import dev.strata.estimator.latency.Offload;
import dev.strata.estimator.memory.InferenceMemory;
import dev.strata.estimator.params.Parameters;
import dev.strata.model.Activation;
import dev.strata.model.GatedMlp;
import dev.strata.model.Hardware;
import dev.strata.model.LayerKind;
import dev.strata.model.MultiHeadAttention;
import dev.strata.model.NumericFormat;
import dev.strata.model.Optimizer;
import dev.strata.model.Precision;
import dev.strata.model.TransformerSpec;
import dev.strata.model.Workload;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * A full estimate of one workload (Llama-3-8B, batch 8, prompt 1024, 256 generated, bf16, on an H100): parameters,
 * decode FLOPs per token, inference memory, and prefill and decode latency (one {@link LatencyModel} prepared per
 * estimate). One thread: the figure is per core.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 6, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
public class EstimateBenchmark {
    final TransformerSpec spec = TransformerSpec.builder()
            .vocabSize(128256)
            .hiddenSize(4096)
            .contextLength(8192)
            .layers(
                    32,
                    LayerKind.global(MultiHeadAttention.of(32, 8, 128), new GatedMlp(14336, Activation.SILU, false)))
            .build();
    final Precision precision = Precision.of(NumericFormat.BF16, NumericFormat.BF16, Optimizer.ADAMW);
    final Workload workload = Workload.of(8, 1024, 256);
    final Hardware h100 = TestModels.H100;

    @Benchmark
    public void fullEstimate(Blackhole bh) {
        bh.consume(Parameters.count(spec).total());
        bh.consume(Flops.decodePerToken(spec, workload.promptTokens(), workload.generatedTokens(), FlopsConvention.FULL)
                .total());
        bh.consume(InferenceMemory.estimate(spec, precision, workload).perDeviceBytes());
        LatencyModel latency = prepareLatency();
        bh.consume(latency.prefill(workload, false).calibratedSeconds());
        bh.consume(latency.decodeStep(workload.batch(), decodeContext()).calibratedSeconds());
    }

    /** The latency model an estimate prepares (also what {@link EstimatePartsBenchmark} times alone). */
    LatencyModel prepareLatency() {
        return LatencyModel.of(spec, precision, workload.parallelism(), h100, LatencyTuning.GPU_DEFAULT, Offload.NONE);
    }

    /** The context of the decode step an estimate times: the request's average ({@link Latency#decodeContextTokens}). */
    long decodeContext() {
        return Latency.decodeContextTokens(workload.promptTokens(), workload.generatedTokens());
    }
}
