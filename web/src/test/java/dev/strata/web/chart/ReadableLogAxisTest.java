package dev.strata.web.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.List;
import org.jfree.chart.axis.NumberTick;
import org.jfree.chart.ui.RectangleEdge;
import org.junit.jupiter.api.Test;

class ReadableLogAxisTest {
    static List<String> labels(double lo, double hi) {
        ReadableLogAxis axis = new ReadableLogAxis("x");
        axis.setRange(lo, hi);
        Graphics2D g = new BufferedImage(10, 10, BufferedImage.TYPE_INT_RGB).createGraphics();
        @SuppressWarnings("unchecked")
        List<NumberTick> ticks = axis.refreshTicks(
                g, new org.jfree.chart.axis.AxisState(), new Rectangle2D.Double(0, 0, 600, 400), RectangleEdge.BOTTOM);
        return ticks.stream().map(NumberTick::getText).toList();
    }

    @Test
    void aByteAxisOfOneDecadeAndAHalfGetsOneTwoFiveTicksInPowersOfTen() {
        // the validation's peak-memory chart: 280 MB to 6.3 GB (a factor of 22); before, evenly spaced ticks with all
        // their digits ran into each other at the top of the log axis
        assertThat(labels(2.8e8, 6.3e9)).containsExactly("5×10⁸", "1×10⁹", "2×10⁹", "5×10⁹");
        assertThat(labels(3e-4, 4e-3)).containsExactly("5×10⁻⁴", "0.001", "0.002");
        assertThat(labels(20, 300)).containsExactly("20", "50", "100", "200");
    }

    @Test
    void aNarrowRangeKeepsEvenlySpacedPlainNumbers() {
        // a loss axis: 1.8 to 2.3 (a factor of 1.3): a step of 0.05 (the round step nearest a seventh of the range)
        assertThat(labels(1.8, 2.3))
                .containsExactly(
                        "1.80", "1.85", "1.90", "1.95", "2.00", "2.05", "2.10", "2.15", "2.20", "2.25", "2.30");
    }
}
