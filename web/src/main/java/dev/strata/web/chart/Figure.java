package dev.strata.web.chart;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.web.render.Render;
import java.util.List;
import org.jfree.chart.JFreeChart;

/**
 * The series a line chart is drawn from, once: the server's image ({@link #chart}) and the page's interactive chart
 * (the JSON of {@link #json}, at {@code /chart/<name>.json}) come from the same figure.
 *
 * @param title    the chart's title
 * @param subtitle a second line under the title, or null
 * @param xLabel   the x axis's label
 * @param yLabel   the y axis's label
 * @param logX     a logarithmic x axis
 * @param logY     a logarithmic y axis
 * @param lines    series drawn as lines
 * @param points   series drawn as unconnected markers
 * @param marks    dashed vertical lines (the budget, the user's N)
 * @param identity a scatter of {@code points} on equal axes with the line y = x (estimate against measured)
 * @param labels   what each point of {@code points} is (a run, a model and batch), in the same order, or empty
 */
public record Figure(
        String title,
        String subtitle,
        String xLabel,
        String yLabel,
        boolean logX,
        boolean logY,
        List<Series> lines,
        List<Series> points,
        List<Mark> marks,
        boolean identity,
        List<List<String>> labels) {

    /** A figure of lines and points without labels. */
    public Figure(
            String title,
            String subtitle,
            String xLabel,
            String yLabel,
            boolean logX,
            boolean logY,
            List<Series> lines,
            List<Series> points,
            List<Mark> marks) {
        this(title, subtitle, xLabel, yLabel, logX, logY, lines, points, marks, false, List.of());
    }

    /**
     * A dashed vertical line.
     *
     * @param x     where, in the x axis's units
     * @param label its label
     */
    public record Mark(double x, String label) {}

    /** The server's image of the figure. */
    public JFreeChart chart() {
        JFreeChart chart = identity
                ? Charts.scatter(title, xLabel, yLabel, logX, points, true)
                : points.isEmpty()
                        ? Charts.lines(title, xLabel, yLabel, logX, logY, lines)
                        : Charts.linesAndPoints(title, xLabel, yLabel, logX, logY, lines, points);
        if (subtitle != null) Charts.subtitle(chart, subtitle);
        for (Mark m : marks) Charts.verticalLine(chart, m.x(), " " + m.label() + " ");
        return chart;
    }

    /**
     * The figure as JSON: its labels, axes, each series's x and y (the points the image draws: finite, positive on a
     * log axis), each point's label, and the marks.
     */
    public ObjectNode json() {
        ObjectNode out = Render.MAPPER.createObjectNode();
        out.put("title", title);
        if (subtitle != null) out.put("subtitle", subtitle);
        out.put("xLabel", xLabel);
        out.put("yLabel", yLabel);
        out.put("logX", logX);
        out.put("logY", logY);
        series(out.putArray("lines"), lines, List.of());
        series(out.putArray("points"), points, labels);
        out.put("identity", identity);
        ArrayNode ms = out.putArray("marks");
        for (Mark m : marks) ms.addObject().put("x", m.x()).put("label", m.label());
        return out;
    }

    /** The points the image draws: finite, and positive on a log axis (as {@link Charts} keeps them). */
    private boolean drawn(Series s, int i) {
        double x = s.x()[i], y = s.y()[i];
        return Double.isFinite(x) && Double.isFinite(y) && (!logX || x > 0) && (!logY || y > 0);
    }

    private void series(ArrayNode out, List<Series> list, List<List<String>> names) {
        for (int k = 0; k < list.size(); k++) {
            Series s = list.get(k);
            ObjectNode o = out.addObject();
            o.put("name", s.name());
            ArrayNode x = o.putArray("x"), y = o.putArray("y");
            ArrayNode l = k < names.size() ? o.putArray("labels") : null;
            for (int i = 0; i < s.x().length; i++)
                if (drawn(s, i)) {
                    x.add(s.x()[i]);
                    y.add(s.y()[i]);
                    if (l != null) l.add(names.get(k).get(i));
                }
        }
    }
}
