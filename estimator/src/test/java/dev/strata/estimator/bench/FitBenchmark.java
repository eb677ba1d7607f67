package dev.strata.estimator.bench;

import dev.strata.estimator.scaling.ChinchillaFit;
import dev.strata.estimator.scaling.FitData;
import dev.strata.estimator.scaling.FitOptions;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
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
        List<double[]> rows = new ArrayList<>();
        try (Reader in = Files.newBufferedReader(Path.of("testdata", "datasets", "chinchilla_svg_extracted.csv"))) {
            for (CSVRecord r : CSVFormat.RFC4180
                    .builder()
                    .setHeader()
                    .setSkipHeaderRecord(true)
                    .get()
                    .parse(in))
                rows.add(new double[] {
                    Double.parseDouble(r.get("Model Size")),
                    Double.parseDouble(r.get("Training FLOP")),
                    Double.parseDouble(r.get("loss"))
                });
        }
        double[] n = new double[rows.size()], c = new double[rows.size()], l = new double[rows.size()];
        int[] row = new int[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            n[i] = rows.get(i)[0];
            c[i] = rows.get(i)[1];
            l[i] = rows.get(i)[2];
            row[i] = i + 1;
        }
        data = FitData.ofCompute(n, c, l, row);
    }

    @Benchmark
    public double bootstrapFit() {
        return ChinchillaFit.fit(
                        data, FitOptions.defaults().withExcludeHighestLoss(5).withBootstrap(4000, 1))
                .toString()
                .length();
    }
}
