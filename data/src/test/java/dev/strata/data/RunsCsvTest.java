package dev.strata.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.strata.estimator.scaling.FitData;
import dev.strata.model.InvalidFieldException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class RunsCsvTest {
    static final RunsCsv.Columns DEFAULTS = RunsCsv.Columns.defaults();

    @Test
    void readsTokensOrComputeByColumnName() {
        RunsCsv.Runs withTokens = RunsCsv.read("N,D,loss\n1e8,2e9,3.1\n4e8,8e9,2.9\n", DEFAULTS);
        assertThat(withTokens.params()).containsExactly(1e8, 4e8);
        assertThat(withTokens.tokens()).containsExactly(2e9, 8e9);
        assertThat(withTokens.compute()).isNull();
        assertThat(withTokens.rows()).containsExactly(1, 2);
        RunsCsv.Runs withCompute = RunsCsv.read("N,C,loss\n1e8,1.2e18,3.1\n", DEFAULTS);
        assertThat(withCompute.compute()).containsExactly(1.2e18);
        assertThat(withCompute.tokens()).isNull();
    }

    @Test
    void fitDataTakesTheTokensOrDerivesThemFromCompute() {
        FitData fromTokens =
                RunsCsv.read("N,D,loss\n1e8,2e9,3.1\n4e8,8e9,2.9\n", DEFAULTS).fitData();
        assertThat(fromTokens.tokens()).containsExactly(2e9, 8e9);
        assertThat(fromTokens.rows()).containsExactly(1, 2);
        // D = C / (6N): 1.2e18 / (6 x 1e8) = 2e9 (Kaplan et al. 2020 §2.1), up to the rounding of the division
        FitData fromCompute =
                RunsCsv.read("N,C,loss\n1e8,1.2e18,3.1\n", DEFAULTS).fitData();
        assertThat(fromCompute.tokens()[0]).isCloseTo(2e9, within(1e-6));
        assertThat(fromCompute.loss()).containsExactly(3.1);
    }

    @Test
    void readsTheSharedChinchillaDataWithItsOwnColumnNames() {
        // Besiroglu et al. 2024's extraction of Chinchilla's Figure 4: 245 runs
        RunsCsv.Runs runs = RunsCsv.read(
                Path.of("testdata", "datasets", "chinchilla_svg_extracted.csv"),
                new RunsCsv.Columns("Model Size", null, "Training FLOP", "loss"));
        assertThat(runs.size()).isEqualTo(245);
        assertThat(runs.compute()).hasSize(245);
    }

    @Test
    void badCellsNameTheRowLineAndColumn() {
        assertThatThrownBy(() -> RunsCsv.read("N,D,loss\n1e8,2e9,3.1\n1e8,2e9,-3\n", DEFAULTS))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessage("row 2 (line 3), column \"loss\": -3 is not allowed: must be a finite number > 0");
        assertThatThrownBy(() -> RunsCsv.read("N,D,loss\n1e8,NaN,3.1\n", DEFAULTS))
                .hasMessage("row 1 (line 2), column \"D\": NaN is not allowed: must be a finite number > 0");
        assertThatThrownBy(() -> RunsCsv.read("N,D,loss\n1e8,2e9,abc\n", DEFAULTS))
                .hasMessage("row 1 (line 2), column \"loss\": \"abc\" is not a number");
        assertThatThrownBy(() -> RunsCsv.read("N,D,loss\n1e8,,3\n", DEFAULTS))
                .hasMessage("row 1 (line 2), column \"D\": the value is missing");
        assertThatThrownBy(() -> RunsCsv.read("N,D,loss\n0,1e9,3\n", DEFAULTS))
                .hasMessageStartingWith("row 1 (line 2), column \"N\": 0 is not allowed");
        assertThatThrownBy(() -> RunsCsv.read("N,D,loss\n1e8,Infinity,3\n", DEFAULTS))
                .hasMessageContaining("column \"D\": Infinity is not allowed");
        assertThatThrownBy(() -> RunsCsv.read("N,D,loss\n1e8,2e9\n", DEFAULTS))
                .hasMessage("row 1 (line 2), column \"loss\": the value is missing");
    }

    @Test
    void missingColumnsAndEmptyFilesAreNamed() {
        assertThatThrownBy(() -> RunsCsv.read("params,D,loss\n1,2,3\n", DEFAULTS))
                .hasMessage("n-col = \"N\" is not allowed: must be a column of the CSV header [params, D, loss]");
        assertThatThrownBy(() -> RunsCsv.read("N,D,loss\n1,2,3\n", new RunsCsv.Columns("N", "D", "C", "final_loss")))
                .hasMessageStartingWith("loss-col = \"final_loss\"");
        assertThatThrownBy(() -> RunsCsv.read("N,tokens,loss\n1,2,3\n", DEFAULTS))
                .hasMessageStartingWith(
                        "c-col = \"C\" is not allowed: must be a column of the CSV header [N, tokens, loss]");
        assertThatThrownBy(() -> RunsCsv.read("", DEFAULTS)).hasMessageContaining("the CSV file is empty");
        assertThatThrownBy(() -> RunsCsv.read("N,D,loss\n", DEFAULTS)).hasMessageContaining("has a header but no rows");
        assertThatThrownBy(() -> RunsCsv.read(Path.of("no-such-runs.csv"), DEFAULTS))
                .hasMessage("data = \"no-such-runs.csv\" is not allowed: must be the path of an existing CSV file");
    }

    @Test
    void aMalformedHeaderIsBadDataNotAnIoError() {
        // Found by the HTTP fuzz test: an unterminated quote in the header row made POST /api/fit answer 500.
        assertThatThrownBy(() -> RunsCsv.read("\"N,D,loss\n1e8,2e9,3.1\n", DEFAULTS))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessageStartingWith("data: not a valid CSV file: ")
                .satisfies(e -> assertThat(((InvalidFieldException) e).field()).isEqualTo("data"));
        assertThatThrownBy(() -> RunsCsv.read("N,D,loss\n1e8,\"2e9,3.1\n", DEFAULTS))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessageStartingWith("data: not a valid CSV file: ");
    }

    @Test
    void aColumnNamedTwiceIsRefusedNamingIt() {
        // issue 28: commons-csv kept one of the two without a word, so which N was fitted depended on the library
        assertThatThrownBy(() -> RunsCsv.read("N,D,N,loss\n1e8,2e9,3e8,3.1\n", DEFAULTS))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessage("data: the header names the column \"N\" twice; each column needs a name of its own");
    }

    @Test
    void deviceFilesAreRefusedBeforeTheyAreOpened() {
        // issue 28: /dev/zero reported 0 bytes and was read to its end (gigabytes of NULs)
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.exists(Path.of("/dev/zero")));
        assertThatThrownBy(() -> RunsCsv.read(Path.of("/dev/zero"), DEFAULTS))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessage("data = \"/dev/zero\" is not allowed: must be a CSV file, a regular file (this is a device,"
                        + " pipe or socket)");
    }
}
