package dev.strata.estimator.scaling;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/**
 * The 245 runs Besiroglu et al. 2024 (arXiv:2404.10102) extracted from Hoffmann et al. 2022's Figure 4, from the
 * data set in testdata/ (sources in testdata/SOURCES.md): N = "Model Size", C = "Training FLOP", D = C / (6N).
 */
public final class ChinchillaData {
    static final Path CSV = Path.of("testdata", "datasets", "chinchilla_svg_extracted.csv");

    private ChinchillaData() {}

    /** The 245 runs as fit data, rows numbered from 1 in file order. */
    public static FitData load() throws IOException {
        List<double[]> rows = new ArrayList<>();
        try (Reader in = Files.newBufferedReader(CSV)) {
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
        for (int i = 0; i < rows.size(); i++) {
            n[i] = rows.get(i)[0];
            c[i] = rows.get(i)[1];
            l[i] = rows.get(i)[2];
        }
        return FitData.ofCompute(n, c, l, FitData.rowNumbers(n.length));
    }
}
