package dev.strata.web.chart;

import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.text.DecimalFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTick;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.TickType;
import org.jfree.chart.axis.TickUnits;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.Range;

/**
 * A base-10 logarithmic axis whose labels people read at a glance: whole powers of ten (10²³) when the range spans
 * decades, and round numbers when it spans less than a factor of {@link #PLAIN_BELOW_RATIO}: evenly spaced plain
 * numbers (1.8, 2.0, 2.2) over less than a factor of {@link #LINEAR_BELOW_RATIO}, as a loss axis does, and 1, 2 and 5
 * times powers of ten (5×10⁸, 1×10⁹, 2×10⁹), which a log axis spaces evenly, over a wider range, as the validation's
 * byte axes do. JFreeChart's own LogAxis would label 10^0.25 there.
 */
final class ReadableLogAxis extends LogAxis {
    private static final long serialVersionUID = 1L;
    /** Ranges narrower than this ratio get plain-number labels. */
    static final double PLAIN_BELOW_RATIO = 30;

    private static final int PLAIN_TICKS = 7;
    /** Ranges narrower than this ratio get evenly spaced ticks (on a log axis they are nearly even to the eye too). */
    static final double LINEAR_BELOW_RATIO = 3;
    /** Plain numbers from here up are written as a mantissa times a power of ten. */
    private static final double SCIENTIFIC_FROM = 1e5;

    ReadableLogAxis(String label) {
        super(label);
        setBase(10);
        setSmallestValue(1e-300);
        setMinorTickMarksVisible(true);
        TickUnits decades = new TickUnits();
        for (int k : new int[] {1, 2, 3, 5, 10, 20, 50}) decades.add(new NumberTickUnit(k, new DecimalFormat("0")));
        setStandardTickUnits(decades);
    }

    private boolean plain() {
        Range r = getRange();
        return r.getLowerBound() > 0 && r.getUpperBound() / r.getLowerBound() < PLAIN_BELOW_RATIO;
    }

    @Override
    protected List refreshTicksVertical(Graphics2D g2, Rectangle2D dataArea, RectangleEdge edge) {
        if (!plain()) return super.refreshTicksVertical(g2, dataArea, edge);
        return plainTicks(edge == RectangleEdge.LEFT ? TextAnchor.CENTER_RIGHT : TextAnchor.CENTER_LEFT);
    }

    @Override
    protected List refreshTicksHorizontal(Graphics2D g2, Rectangle2D dataArea, RectangleEdge edge) {
        if (!plain()) return super.refreshTicksHorizontal(g2, dataArea, edge);
        return plainTicks(edge == RectangleEdge.BOTTOM ? TextAnchor.TOP_CENTER : TextAnchor.BOTTOM_CENTER);
    }

    /** Round values across the range: evenly spaced below {@link #LINEAR_BELOW_RATIO}, else 1-2-5 times powers of ten. */
    private List<NumberTick> plainTicks(TextAnchor anchor) {
        Range r = getRange();
        double lo = r.getLowerBound(), hi = r.getUpperBound();
        if (hi / lo >= LINEAR_BELOW_RATIO) {
            List<NumberTick> ticks = new ArrayList<>();
            for (int e = (int) Math.floor(Math.log10(lo)); e <= (int) Math.ceil(Math.log10(hi)); e++)
                for (int m : new int[] {1, 2, 5}) {
                    double v = m * Math.pow(10, e);
                    if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9))
                        ticks.add(new NumberTick(TickType.MAJOR, v, label(m, e), anchor, anchor, 0));
                }
            return ticks;
        }
        double raw = (hi - lo) / PLAIN_TICKS;
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = raw / mag < 1.5 ? mag : raw / mag < 3.5 ? 2 * mag : raw / mag < 7.5 ? 5 * mag : 10 * mag;
        int decimals = Math.max(0, (int) -Math.floor(Math.log10(step) + 1e-9));
        List<NumberTick> ticks = new ArrayList<>();
        for (double v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
            ticks.add(new NumberTick(
                    TickType.MAJOR, v, String.format(Locale.ROOT, "%." + decimals + "f", v), anchor, anchor, 0));
        return ticks;
    }

    private static final String SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹";

    /** {@code m x 10^e} as a person writes it: plain below {@link #SCIENTIFIC_FROM} (and above 0.001), else 5×10⁸. */
    static String label(int m, int e) {
        double v = m * Math.pow(10, e);
        if (v < SCIENTIFIC_FROM && e >= -3)
            return new java.math.BigDecimal(m).scaleByPowerOfTen(e).toPlainString();
        StringBuilder b = new StringBuilder().append(m).append("×10");
        for (char c : Integer.toString(e).toCharArray()) b.append(c == '-' ? '⁻' : SUPERSCRIPTS.charAt(c - '0'));
        return b.toString();
    }
}
