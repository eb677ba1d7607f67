package dev.strata.estimator.bench;

import dev.strata.estimator.params.Parameters;
import dev.strata.model.Activation;
import dev.strata.model.GatedMlp;
import dev.strata.model.LatentAttention;
import dev.strata.model.LayerKind;
import dev.strata.model.MixtureOfExperts;
import dev.strata.model.MultiHeadAttention;
import dev.strata.model.TransformerSpec;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Throughput of the exact parameter count for a dense (Llama-3-8B) and an MLA + MoE (DeepSeek-V3) shape. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ParamsBenchmark {
    final TransformerSpec llama = TransformerSpec.builder()
            .vocabSize(128256)
            .hiddenSize(4096)
            .layers(
                    32,
                    LayerKind.global(MultiHeadAttention.of(32, 8, 128), new GatedMlp(14336, Activation.SILU, false)))
            .build();
    final TransformerSpec deepseek = TransformerSpec.builder()
            .vocabSize(129280)
            .hiddenSize(7168)
            .layers(
                    3,
                    LayerKind.global(
                            new LatentAttention(128, 1536, 512, 128, 64, 128),
                            new GatedMlp(18432, Activation.SILU, false)))
            .layers(
                    58,
                    LayerKind.global(
                            new LatentAttention(128, 1536, 512, 128, 64, 128),
                            new MixtureOfExperts(new GatedMlp(2048, Activation.SILU, false), 256, 1, 8, true)))
            .build();

    @Benchmark
    public long paramsDense() {
        return Parameters.count(llama).total();
    }

    @Benchmark
    public long paramsMlaMoe() {
        return Parameters.count(deepseek).total();
    }
}
