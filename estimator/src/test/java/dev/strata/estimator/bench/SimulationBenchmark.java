package dev.strata.estimator.bench;

import dev.strata.estimator.latency.LatencyModel;
import dev.strata.estimator.latency.LatencyTuning;
import dev.strata.estimator.latency.Offload;
import dev.strata.estimator.serving.Lengths;
import dev.strata.estimator.serving.ServingSimulation;
import dev.strata.estimator.serving.Traffic;
import dev.strata.model.Activation;
import dev.strata.model.GatedMlp;
import dev.strata.model.Hardware;
import dev.strata.model.LayerKind;
import dev.strata.model.MultiHeadAttention;
import dev.strata.model.NumericFormat;
import dev.strata.model.Optimizer;
import dev.strata.model.Parallelism;
import dev.strata.model.Precision;
import dev.strata.model.TransformerSpec;
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
 * 100,000 requests on one replica of Llama 3 8B on an H100 (bf16, the default scheduler: 256 sequences, 8,192 tokens
 * a step), Poisson at 15 requests per second with log-normal prompts (mean 1,000) and uniform outputs (64 to 512):
 * the target is at most 1 s per replica on one core. The same with SGLang's scheduler (prefill-first): its
 * admission checks every running request's finish order.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xmx1g", "-XX:ActiveProcessorCount=1"})
public class SimulationBenchmark {
    LatencyModel model;
    Traffic traffic;
    ServingSimulation.Scheduler scheduler;

    @Setup
    public void prepare() {
        TransformerSpec spec = TransformerSpec.builder()
                .vocabSize(128256)
                .hiddenSize(4096)
                .layers(
                        32,
                        LayerKind.global(
                                MultiHeadAttention.of(32, 8, 128), new GatedMlp(14336, Activation.SILU, false)))
                .build();
        Hardware h100 = Hardware.builder("h100-sxm")
                .name("H100")
                .peakFlopsPerSecond(Map.of("bf16", 989e12))
                .memoryBytes(80_000_000_000L)
                .memoryBandwidthBytesPerSecond(3.35e12)
                .build();
        model = LatencyModel.of(
                spec,
                Precision.of(NumericFormat.BF16, NumericFormat.BF16, Optimizer.ADAMW),
                Parallelism.NONE,
                h100,
                LatencyTuning.GPU_DEFAULT,
                Offload.NONE);
        traffic = Traffic.poisson(
                15,
                100_000,
                Lengths.parse("prompt", "lognormal:1000:0.7", 1),
                Lengths.parse("generate", "uniform:64:512", 1),
                1);
        scheduler = new ServingSimulation.Scheduler(256, 8192, 16, 25_000);
    }

    @Benchmark
    public double hundredThousandRequests() {
        return ServingSimulation.run(model, scheduler, 1, "round-robin", traffic)
                .makespanSeconds();
    }

    @Benchmark
    public double hundredThousandRequestsPrefillFirst() {
        return ServingSimulation.run(model, scheduler.withPrefillFirst(true), 1, "round-robin", traffic)
                .makespanSeconds();
    }
}
