package dev.strata.estimator.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The timeline keeps exact time averages per interval, however long the run. */
class TimelineTest {
    @Test
    void aStepIsSplitOverTheIntervalsItSpansAndLongRunsMergeThem() {
        Timeline t = new Timeline(2);
        // replica A runs 4 sequences at 50 % of its cache from 0 to 1.5 ms; B 2 sequences at 10 % from 0.5 to 1 ms
        t.add(0, 1.5e-3, 4, 0.5);
        t.add(0.5e-3, 1e-3, 2, 0.1);
        List<Timeline.Point> p = t.points();
        assertThat(t.intervalSeconds()).isEqualTo(1e-3);
        assertThat(p).hasSize(2);
        // [0, 1 ms): (4 x 1 + 2 x 0.5) / (1 x 2 replicas) = 2.5 sequences; KV (0.5 x 1 + 0.1 x 0.5) / 2 = 0.275
        assertThat(p.get(0).sequences()).isCloseTo(2.5, within(1e-12));
        assertThat(p.get(0).kvUtilization()).isCloseTo(0.275, within(1e-12));
        // [1, 2 ms): 4 x 0.5 / 2 = 1; KV 0.5 x 0.5 / 2 = 0.125
        assertThat(p.get(1).sequences()).isCloseTo(1, within(1e-12));
        assertThat(p.get(1).kvUtilization()).isCloseTo(0.125, within(1e-12));
        // a step ending at 1 s outgrows 256 intervals of 1 ms: they merge until 256 x width covers it,
        // and what was added stays: the first interval now averages 0 to 4 ms (1 ms doubled twice: 256 x 4 ms = 1.024
        // s)
        t.add(0.999, 1.0, 8, 1);
        assertThat(t.intervalSeconds()).isCloseTo(4e-3, within(1e-15));
        assertThat(t.points().size()).isLessThanOrEqualTo(Timeline.BUCKETS);
        double first = (4 * 1.5e-3 + 2 * 0.5e-3) / (4e-3 * 2);
        assertThat(t.points().get(0).sequences()).isCloseTo(first, within(1e-12));
        double integral = 0;
        for (Timeline.Point x : t.points()) integral += x.sequences() * t.intervalSeconds() * 2;
        assertThat(integral).isCloseTo(4 * 1.5e-3 + 2 * 0.5e-3 + 8 * 1e-3, within(1e-12));
    }
}
