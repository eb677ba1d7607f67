package dev.strata.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.web.http.StrataServer;
import dev.strata.web.page.ModelsPage;
import dev.strata.web.page.ScalingPage;
import dev.strata.web.page.ValidationPage;
import dev.strata.web.render.Render;
import io.javalin.testtools.JavalinTest;
import io.javalin.testtools.Response;
import java.util.Map;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.category.CategoryDataset;
import org.jfree.data.xy.XYDataset;
import org.junit.jupiter.api.Test;

/**
 * The figures of the Scaling, Validation and Models charts at {@code /chart/<name>.json}: the pages' interactive
 * charts draw from them, and they are the series the images are drawn from (compared exactly, point by point).
 */
class ChartDataTest {
    private static final String SCALING = "law=chinchilla&compute=5.76e23&params=70e9";

    @Test
    void theScalingFiguresAreTheSeriesOfTheirImages() {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            Map<String, JFreeChart> images = Map.of(
                    "frontier",
                            ScalingPage.frontierChart(
                                    Map.of("law", "chinchilla", "compute", "5.76e23", "params", "70e9")::get),
                    "allocation",
                            ScalingPage.allocationChart(
                                    Map.of("law", "chinchilla", "compute", "5.76e23", "params", "70e9")::get),
                    "isoflop",
                            ScalingPage.isoFlopChart(
                                    Map.of("law", "chinchilla", "compute", "5.76e23", "params", "70e9")::get));
            for (var e : images.entrySet()) {
                JsonNode d = json(client.get("/chart/" + e.getKey() + ".json?" + SCALING));
                assertSameSeries(e.getKey(), e.getValue().getXYPlot(), d);
                assertThat(d.get("logX").asBoolean()).as(e.getKey()).isTrue();
            }
            // the budget is marked on the frontier and allocation charts, the user's N on the iso-FLOP curves
            JsonNode frontier = json(client.get("/chart/frontier.json?" + SCALING));
            assertThat(frontier.get("marks").get(0).get("x").doubleValue()).isEqualTo(5.76e23);
            JsonNode iso = json(client.get("/chart/isoflop.json?" + SCALING));
            assertThat(iso.get("marks").get(0).get("x").doubleValue()).isEqualTo(70e9);
            String html = client.get("/scaling?" + SCALING).body().string();
            for (String name : new String[] {"frontier", "allocation", "isoflop"})
                assertThat(html)
                        .contains("id=\"" + name + "-plot\" data-chart=\"figure\" data-src=\"/chart/" + name + ".json?"
                                + SCALING.replace("&", "&amp;") + "\"");
            // a chart without figures as JSON (the fit is posted) says which endings it has
            assertThat(client.get("/chart/fit.json").code()).isEqualTo(400);
        });
    }

    @Test
    void theValidationFigureIsTheScatterOfItsImageWithEachPointsRun() {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            String q = "device=cpu&quantity=decode_seconds_per_token";
            JsonNode d = json(client.get("/chart/validation.json?" + q));
            XYPlot plot =
                    ValidationPage.chart("decode_seconds_per_token", "cpu").getXYPlot();
            assertSameSeries("validation", plot, d);
            assertThat(d.get("identity").asBoolean()).isTrue();
            for (JsonNode s : d.get("points")) {
                assertThat(s.get("labels")).hasSize(s.get("x").size());
                assertThat(s.get("labels").get(0).asText()).matches(".+, batch \\d+, context \\d+");
            }
        });
    }

    @Test
    void theParametersFigureIsTheBarsOfItsImage() {
        JavalinTest.test(StrataServer.create(), (server, client) -> {
            JsonNode d = json(client.get("/chart/params.json?model=mixtral-8x7b"));
            CategoryDataset bars =
                    ((CategoryPlot) ModelsPage.chart("mixtral-8x7b").getPlot()).getDataset();
            assertThat(bars.getRowCount()).isEqualTo(d.get("series").size());
            assertThat(bars.getColumnCount()).isEqualTo(d.get("terms").size());
            for (int r = 0; r < bars.getRowCount(); r++)
                for (int c = 0; c < bars.getColumnCount(); c++)
                    assertThat(bars.getValue(r, c).doubleValue())
                            .isEqualTo(d.get("series")
                                    .get(r)
                                    .get("billions")
                                    .get(c)
                                    .doubleValue());
        });
    }

    /** The image's datasets (lines, then points) hold exactly the JSON's series, in order. */
    private static void assertSameSeries(String name, XYPlot plot, JsonNode d) {
        String[] kinds = {"lines", "points"};
        int dataset = 0;
        for (String kind : kinds) {
            JsonNode list = d.get(kind);
            if (list.isEmpty()) continue;
            XYDataset xy = plot.getDataset(dataset++);
            assertThat(xy.getSeriesCount()).as(name + " " + kind).isEqualTo(list.size());
            for (int s = 0; s < list.size(); s++) {
                JsonNode series = list.get(s);
                assertThat(xy.getSeriesKey(s).toString())
                        .isEqualTo(series.get("name").asText());
                assertThat(xy.getItemCount(s))
                        .as(name + " " + series.get("name"))
                        .isEqualTo(series.get("x").size());
                for (int i = 0; i < xy.getItemCount(s); i++) {
                    assertThat(xy.getXValue(s, i))
                            .isEqualTo(series.get("x").get(i).doubleValue());
                    assertThat(xy.getYValue(s, i))
                            .isEqualTo(series.get("y").get(i).doubleValue());
                }
            }
        }
    }

    private static JsonNode json(Response r) throws Exception {
        assertThat(r.code()).isEqualTo(200);
        assertThat(r.headers().get("Content-Type").get(0)).startsWith("application/json");
        return Render.MAPPER.readTree(r.body().string());
    }
}
