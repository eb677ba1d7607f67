package dev.strata.web.chart;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.StandardChartTheme;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The chart kinds the pages use, built with JFreeChart's factories and one consistent look. */
public final class Charts {
    private static final Color[] PALETTE = {
        new Color(0x1f77b4),
        new Color(0xff7f0e),
        new Color(0x2ca02c),
        new Color(0xd62728),
        new Color(0x9467bd),
        new Color(0x8c564b),
        new Color(0xe377c2),
        new Color(0x7f7f7f)
    };

    private Charts() {}

    /** Lines through the points of each series; axes optionally logarithmic. */
    public static JFreeChart lines(
            String title, String xLabel, String yLabel, boolean logX, boolean logY, List<Series> series) {
        return xy(title, xLabel, yLabel, logX, logY, series, true, false);
    }

    /** Points only (a scatter plot); with {@code identityLine}, the line y = x across the data range. */
    public static JFreeChart scatter(
            String title, String xLabel, String yLabel, boolean logAxes, List<Series> series, boolean identityLine) {
        JFreeChart chart = xy(title, xLabel, yLabel, logAxes, logAxes, series, false, true);
        if (identityLine) {
            double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
            for (Series s : series)
                for (int i = 0; i < s.x().length; i++) {
                    lo = Math.min(lo, Math.min(s.x()[i], s.y()[i]));
                    hi = Math.max(hi, Math.max(s.x()[i], s.y()[i]));
                }
            if (lo < hi) {
                XYPlot plot = chart.getXYPlot();
                XYSeriesCollection line = new XYSeriesCollection();
                XYSeries id = new XYSeries("y = x");
                id.add(lo, lo);
                id.add(hi, hi);
                line.addSeries(id);
                plot.setDataset(1, line);
                XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
                r.setSeriesPaint(0, Color.GRAY);
                r.setSeriesStroke(
                        0,
                        new BasicStroke(
                                1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
                plot.setRenderer(1, r);
            }
        }
        return chart;
    }

    /**
     * Stacked horizontal bars: one bar per category, one stack segment per series ({@code values.get(series)[i]}
     * for category i).
     */
    public static JFreeChart stackedBars(
            String title, String valueLabel, List<String> categories, Map<String, double[]> values) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        values.forEach((series, v) -> {
            for (int i = 0; i < categories.size(); i++) data.addValue(v[i], series, categories.get(i));
        });
        JFreeChart chart = ChartFactory.createStackedBarChart(
                title, null, valueLabel, data, PlotOrientation.HORIZONTAL, true, false, false);
        style(chart);
        CategoryPlot plot = chart.getCategoryPlot();
        for (int i = 0; i < values.size(); i++) plot.getRenderer().setSeriesPaint(i, PALETTE[i % PALETTE.length]);
        return chart;
    }

    /**
     * Lines through the points of each of {@code lines}, and the points of each of {@code points} as unconnected
     * markers, on one plot (data and a fitted law, curves and their optima).
     */
    public static JFreeChart linesAndPoints(
            String title,
            String xLabel,
            String yLabel,
            boolean logX,
            boolean logY,
            List<Series> lines,
            List<Series> points) {
        JFreeChart chart = xy(title, xLabel, yLabel, logX, logY, lines, true, false);
        XYPlot plot = chart.getXYPlot();
        plot.setDataset(1, dataset(points, logX, logY));
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(false, true);
        for (int i = 0; i < points.size(); i++) r.setSeriesPaint(i, PALETTE[(lines.size() + i) % PALETTE.length]);
        plot.setRenderer(1, r);
        plot.setDatasetRenderingOrder(org.jfree.chart.plot.DatasetRenderingOrder.FORWARD);
        return chart;
    }

    /** A second line under the title (what the chart is of: model, hardware, parallelism). */
    public static void subtitle(JFreeChart chart, String text) {
        org.jfree.chart.title.TextTitle t =
                new org.jfree.chart.title.TextTitle(text, new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        t.setPaint(new Color(0x4a5468));
        chart.addSubtitle(0, t);
    }

    /** A labelled vertical line at {@code x} across an XY chart (a budget, a chosen size). */
    public static void verticalLine(JFreeChart chart, double x, String label) {
        chart.getXYPlot().addDomainMarker(marker(x, label, new Color(0x555555)));
    }

    /** A labelled horizontal line at {@code y} across an XY chart (a service level, a limit). */
    public static void horizontalLine(JFreeChart chart, double y, String label) {
        ValueMarker m = marker(y, label, new Color(0xb00020));
        m.setLabelAnchor(RectangleAnchor.TOP_RIGHT); // the label above the line, inside the plot's right end
        m.setLabelTextAnchor(TextAnchor.BOTTOM_RIGHT);
        chart.getXYPlot().addRangeMarker(m);
    }

    /** A labelled line at {@code value} across the bars of a bar chart (a device's memory capacity). */
    public static void limitLine(JFreeChart chart, double value, String label) {
        chart.getCategoryPlot().addRangeMarker(marker(value, label, new Color(0xb00020)));
    }

    private static ValueMarker marker(double value, String label, Color color) {
        ValueMarker m = new ValueMarker(
                value,
                color,
                new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
        m.setLabel(label);
        m.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        m.setLabelPaint(color);
        m.setLabelBackgroundColor(new Color(255, 255, 255, 220));
        m.setLabelAnchor(RectangleAnchor.TOP_LEFT);
        m.setLabelTextAnchor(TextAnchor.TOP_RIGHT);
        return m;
    }

    private static XYSeriesCollection dataset(List<Series> series, boolean logX, boolean logY) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (Series s : series) {
            XYSeries xs = new XYSeries(s.name(), false, true);
            for (int i = 0; i < s.x().length; i++) {
                if (Double.isFinite(s.x()[i])
                        && Double.isFinite(s.y()[i])
                        && (!logX || s.x()[i] > 0)
                        && (!logY || s.y()[i] > 0)) xs.add(s.x()[i], s.y()[i]);
            }
            data.addSeries(xs);
        }
        return data;
    }

    private static JFreeChart xy(
            String title,
            String xLabel,
            String yLabel,
            boolean logX,
            boolean logY,
            List<Series> series,
            boolean lines,
            boolean shapes) {
        XYSeriesCollection data = dataset(series, logX, logY);
        JFreeChart chart = ChartFactory.createXYLineChart(
                title, xLabel, yLabel, data, PlotOrientation.VERTICAL, true, false, false);
        style(chart);
        XYPlot plot = chart.getXYPlot();
        if (logX) plot.setDomainAxis(log(xLabel));
        if (logY) plot.setRangeAxis(log(yLabel));
        if (!logX) ((NumberAxis) plot.getDomainAxis()).setAutoRangeIncludesZero(false);
        if (!logY) ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(lines, shapes);
        for (int i = 0; i < series.size(); i++) {
            r.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
            r.setSeriesStroke(i, new BasicStroke(2f));
        }
        plot.setRenderer(r);
        return chart;
    }

    /**
     * Adds {@code series} on a second y axis at the right of an XY chart made by {@link #lines} (e.g. throughput
     * beside latency), drawn dashed.
     */
    public static void addSecondaryAxis(JFreeChart chart, String label, boolean logY, Series series) {
        XYPlot plot = chart.getXYPlot();
        XYSeriesCollection data = new XYSeriesCollection();
        XYSeries xs = new XYSeries(series.name(), false, true);
        for (int i = 0; i < series.x().length; i++)
            if (Double.isFinite(series.x()[i]) && Double.isFinite(series.y()[i]) && (!logY || series.y()[i] > 0))
                xs.add(series.x()[i], series.y()[i]);
        data.addSeries(xs);
        int index = plot.getDatasetCount();
        plot.setDataset(index, data);
        ValueAxis axis = logY ? log(label) : new NumberAxis(label);
        plot.setRangeAxis(1, axis);
        plot.mapDatasetToRangeAxis(index, 1);
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
        r.setSeriesPaint(0, PALETTE[(plot.getSeriesCount()) % PALETTE.length]);
        r.setSeriesStroke(
                0, new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
        plot.setRenderer(index, r);
    }

    private static ValueAxis log(String label) {
        return new ReadableLogAxis(label);
    }

    private static void style(JFreeChart chart) {
        StandardChartTheme theme = (StandardChartTheme) StandardChartTheme.createJFreeTheme();
        theme.setExtraLargeFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        theme.setLargeFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        theme.setRegularFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        theme.apply(chart);
        chart.setBackgroundPaint(Color.WHITE);
        chart.getPlot().setBackgroundPaint(new Color(0xfafafa));
    }
}
