package dev.strata.estimator.bench;

import dev.strata.estimator.scaling.ChinchillaData;
import dev.strata.estimator.scaling.ChinchillaFit;
import dev.strata.estimator.scaling.FitData;
import dev.strata.estimator.scaling.FitOptions;
import java.io.IOException;
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
 * Besiroglu et al.'s refit of the Chinchilla data (245 runs, 5 highest-loss dropped) with 4,000 bootstrap
 * resamples: one whole fit per invocation (single shot, seconds per fit). Reads the data set in testdata/ (run
 * from the repository root).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(1)
public class FitBenchmark {
    FitData data;

    @Setup
    public void load() throws IOException {
        data = ChinchillaData.load();
    }

    @Benchmark
    public double bootstrapFit() {
        return ChinchillaFit.fit(
                        data, FitOptions.defaults().withExcludeHighestLoss(5).withBootstrap(4000, 1))
                .toString()
                .length();
    }
}
