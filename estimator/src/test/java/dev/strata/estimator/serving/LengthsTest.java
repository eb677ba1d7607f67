package dev.strata.estimator.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.strata.model.InvalidFieldException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Request lengths drawn from a dataset's column ({@link Lengths#empirical}) and the forms {@link Lengths#parse} takes. */
class LengthsTest {
    private static final long[] PROMPTS = {100, 200, 300, 400};
    private static final long[] OUTPUTS = {7, 8, 9, 10};

    private static List<Traffic.Request> draw(Lengths prompt, Lengths output, int n, long seed, long context) {
        return new Traffic("all", 0, 1, 0, n, prompt, output, seed, List.of()).draw(context);
    }

    @Test
    void anEmpiricalDrawIsOneOfTheColumnsValuesEachRowEquallyLikely() {
        Lengths p = Lengths.empirical("--prompt", "empirical:a.csv:p", "a.csv", PROMPTS, 1);
        // its mean is the column's, exactly
        assertThat(p.mean()).isEqualTo(250.0);
        assertThat(p.max()).isEqualTo(400);
        int n = 40_000;
        Map<Long, Integer> seen = new HashMap<>();
        for (Traffic.Request r : draw(p, Lengths.fixed(16), n, 7, 100_000)) seen.merge(r.prompt(), 1, Integer::sum);
        assertThat(seen.keySet()).containsExactlyInAnyOrder(100L, 200L, 300L, 400L);
        // each a quarter of the draws: the binomial's sd at n = 40,000 is 0.0022, the tolerance 0.01 (4.6 sd)
        for (int count : seen.values()) assertThat(count / (double) n).isCloseTo(0.25, within(0.01));
        // seeded: the same seed draws the same requests
        assertThat(draw(p, Lengths.fixed(16), 100, 7, 100_000)).isEqualTo(draw(p, Lengths.fixed(16), 100, 7, 100_000));
    }

    @Test
    void twoColumnsOfOneSourceAreDrawnRowByRowTogether() {
        Lengths p = Lengths.empirical("--prompt", "empirical:a.csv:p", "a.csv", PROMPTS, 1);
        Lengths o = Lengths.empirical("--generate", "empirical:a.csv:o", "a.csv", OUTPUTS, 1);
        assertThat(p.pairedWith(o)).isTrue();
        for (Traffic.Request r : draw(p, o, 2_000, 3, 100_000))
            assertThat(r.output()).as("row of prompt " + r.prompt()).isEqualTo(r.prompt() / 100 + 6);
        // two sources: drawn apart, so some requests mix rows (all 16 pairs turn up in 2,000 draws)
        Lengths other = Lengths.empirical("--generate", "empirical:b.csv:o", "b.csv", OUTPUTS, 1);
        assertThat(p.pairedWith(other)).isFalse();
        assertThat(draw(p, other, 2_000, 3, 100_000).stream()
                        .map(r -> r.prompt() + "/" + r.output())
                        .distinct()
                        .count())
                .isEqualTo(16);
    }

    @Test
    void aPairedDatasetMustFitTheContextRowByRowAndAnUnpairedOneWhole() {
        // rows 400 + 7 ... 100 + 10: the longest row is 407 tokens; apart, 400 + 10 = 410 could be drawn
        Lengths p = Lengths.empirical("--prompt", "empirical:a.csv:p", "a.csv", PROMPTS, 1);
        Lengths o = Lengths.empirical("--generate", "empirical:a.csv:o", "a.csv", new long[] {10, 9, 8, 7}, 1);
        assertThat(draw(p, o, 100, 1, 407)).hasSize(100);
        Lengths apart = Lengths.empirical("--generate", "empirical:b.csv:o", "b.csv", new long[] {10, 9, 8, 7}, 1);
        assertThatThrownBy(() -> draw(p, apart, 100, 1, 407))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessageContaining("407");
    }

    @Test
    void badValuesAndTheServersFormAreRefusedNamingTheField() {
        assertThatThrownBy(() -> Lengths.empirical("--prompt", "empirical:a.csv:p", "a.csv", new long[] {5, 0}, 1))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessageContaining("--prompt")
                .hasMessageContaining("row 2 = 0");
        assertThatThrownBy(() -> Lengths.empirical("--prompt", "empirical:a.csv:p", "a.csv", new long[0], 1))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessageContaining("at least one value");
        // only the command line reads a file: the text form is refused elsewhere, saying so
        assertThatThrownBy(() -> Lengths.parse("prompt", "empirical:/etc/lengths.csv:p", 1))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessageContaining("prompt")
                .hasMessageContaining("command line only");
    }
}
