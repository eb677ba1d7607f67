package dev.strata.web.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.model.InvalidFieldException;
import dev.strata.web.chart.ChartImage;
import dev.strata.web.render.Render;
import io.javalin.http.Context;
import java.util.Map;
import java.util.function.Function;
import org.jfree.chart.JFreeChart;

/**
 * Charts at stable URLs: {@code /chart/<name>.png} and {@code /chart/<name>.svg}, with the page's own query
 * parameters, so every chart a page shows can be fetched on its own in either format. A chart drawn from figures that
 * no {@code /api} route answers also gives them as {@code /chart/<name>.json} (what the page's interactive chart draws).
 */
final class ChartEndpoint {
    private final Map<String, Function<Context, JFreeChart>> charts;
    private final Map<String, Function<Context, JsonNode>> data;

    ChartEndpoint(Map<String, Function<Context, JFreeChart>> charts, Map<String, Function<Context, JsonNode>> data) {
        this.charts = charts;
        this.data = data;
    }

    void handle(Context ctx) throws JsonProcessingException {
        String file = ctx.pathParam("file");
        int dot = file.lastIndexOf('.');
        String name = dot < 0 ? file : file.substring(0, dot);
        String ext = dot < 0 ? "" : file.substring(dot + 1);
        Function<Context, JFreeChart> make = charts.get(name);
        if (make == null)
            throw new InvalidFieldException("chart", name, "one of " + String.join(", ", charts.keySet()));
        if (ext.equals("json") && data.containsKey(name)) {
            ctx.contentType("application/json")
                    .result(Render.MAPPER.writeValueAsBytes(data.get(name).apply(ctx)));
            return;
        }
        int width = size(ctx, "width", 720), height = size(ctx, "height", 400);
        JFreeChart chart = make.apply(ctx);
        switch (ext) {
            case "png" -> ctx.contentType("image/png").result(ChartImage.png(chart, width, height));
            case "svg" -> ctx.contentType("image/svg+xml").result(ChartImage.svg(chart, width, height));
            default ->
                throw new InvalidFieldException(
                        "chart",
                        file,
                        data.containsKey(name)
                                ? "a name ending in .png, .svg or .json"
                                : "a name ending in .png or .svg");
        }
    }

    private static int size(Context ctx, String name, int fallback) {
        String v = ctx.queryParam(name);
        if (v == null) return fallback;
        try {
            long n = dev.strata.web.report.Inputs.parseLong(v.trim());
            if (n >= 100 && n <= 2400) return (int) n;
        } catch (NumberFormatException ignored) {
            // fall through to the error
        }
        throw new InvalidFieldException(name, v, "an integer from 100 to 2400 (pixels)");
    }
}
