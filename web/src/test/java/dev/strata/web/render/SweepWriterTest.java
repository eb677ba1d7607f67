package dev.strata.web.render;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.estimator.sweep.SweepRow;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;

class SweepWriterTest {
    @Test
    void cachedCellsNeverStandForAnotherValueOrAnotherName() throws Exception {
        // The writer keeps the text of number values per column in a table of 4,096 slots and the text cells while the
        // names stay the same: 20,000 random values (seeded) with repeats, so that slots are shared and values recur,
        // and names that change between rows, must all read back (Commons CSV) to exactly what was written.
        SplittableRandom random = new SplittableRandom(8);
        double[] pool = new double[6_000];
        for (int i = 0; i < pool.length; i++) pool[i] = random.nextDouble() * Math.pow(10, random.nextInt(-9, 9));
        List<SweepRow> rows = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            double[] v = new double[6];
            for (int c = 0; c < 6; c++) v[c] = pool[random.nextInt(pool.length)];
            String model = i % 7 == 0 ? "=evil, \"quoted\"" : "model-" + (i / 1000);
            rows.add(new SweepRow(
                    model,
                    "h100-sxm",
                    "bf16",
                    i % 3 == 0 ? "fp8" : "bf16",
                    i + 1,
                    512,
                    128,
                    1,
                    1,
                    8_030_261_248L,
                    16_060_522_496L,
                    1L << 30,
                    17L << 30,
                    true,
                    v[0],
                    v[1],
                    v[2],
                    v[3],
                    v[4],
                    v[5]));
        }
        StringWriter out = new StringWriter();
        try (SweepWriter w = new SweepWriter(Format.CSV, out)) {
            rows.forEach(w);
        }
        try (CSVParser p = CSVParser.builder()
                .setReader(new StringReader(out.toString()))
                .setFormat(Csv.FORMAT
                        .builder()
                        .setHeader()
                        .setSkipHeaderRecord(true)
                        .get())
                .get()) {
            List<CSVRecord> records = p.getRecords();
            assertThat(records).hasSize(rows.size());
            for (int i = 0; i < rows.size(); i++) {
                SweepRow r = rows.get(i);
                CSVRecord c = records.get(i);
                assertThat(c.get("model"))
                        .as("row %d", i)
                        .isEqualTo(r.model().startsWith("=") ? "'" + r.model() : r.model());
                assertThat(c.get("kvCache")).as("row %d", i).isEqualTo(r.kvCache());
                assertThat(Long.parseLong(c.get("batch"))).as("row %d", i).isEqualTo(r.batch());
                assertThat(Double.parseDouble(c.get("prefillFloorSeconds")))
                        .as("row %d", i)
                        .isEqualTo(r.prefillFloorSeconds());
                assertThat(Double.parseDouble(c.get("prefillSeconds")))
                        .as("row %d", i)
                        .isEqualTo(r.prefillSeconds());
                assertThat(Double.parseDouble(c.get("decodeFloorSeconds")))
                        .as("row %d", i)
                        .isEqualTo(r.decodeFloorSeconds());
                assertThat(Double.parseDouble(c.get("decodeSeconds")))
                        .as("row %d", i)
                        .isEqualTo(r.decodeSeconds());
                assertThat(Double.parseDouble(c.get("tokensPerSecond")))
                        .as("row %d", i)
                        .isEqualTo(r.tokensPerSecond());
                assertThat(Double.parseDouble(c.get("costPerMillionTokensUsd")))
                        .as("row %d", i)
                        .isEqualTo(r.costPerMillionTokensUsd());
            }
        }
    }
}
