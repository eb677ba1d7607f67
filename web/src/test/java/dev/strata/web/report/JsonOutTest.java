package dev.strata.web.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.web.render.Render;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** How {@link JsonOut} writes a double: whole numbers up to 2^53 as JSON integers, anything else as Jackson writes it. */
class JsonOutTest {

    /** {@code value} through both writers, as compact JSON text of {@code {"v": value}}; asserts they agree. */
    private static String written(double value) throws IOException {
        ObjectNode tree = JsonNodeFactory.instance.objectNode();
        JsonOut.tree(tree).put("v", value);
        StringWriter text = new StringWriter();
        try (JsonGenerator g = Render.MAPPER.getFactory().createGenerator(text)) {
            g.writeStartObject();
            JsonOut.stream(g).put("v", value);
            g.writeEndObject();
        }
        assertThat(text.toString()).isEqualTo(new String(Render.compactJson(tree), StandardCharsets.UTF_8));
        return text.toString();
    }

    @Test
    void wholeNumbersAreIntegersAndTheRestAreDoubles() throws IOException {
        // expected texts by hand: the prefill FLOPs of Llama-3-8B (512 tokens) are 7,822,209,187,840, which Jackson's
        // double writer gives as 7.82220918784E12
        assertThat(written(7_822_209_187_840.0)).isEqualTo("{\"v\":7822209187840}");
        assertThat(written(16.0)).isEqualTo("{\"v\":16}");
        assertThat(written(0.0)).isEqualTo("{\"v\":0}");
        assertThat(written(-3.0)).isEqualTo("{\"v\":-3}");
        assertThat(written(0.5)).isEqualTo("{\"v\":0.5}");
        assertThat(written(576.5)).isEqualTo("{\"v\":576.5}");
        assertThat(written(8e-6)).isEqualTo("{\"v\":8.0E-6}");
        // 2^53 = 9,007,199,254,740,992 is the last whole number below which every whole number is a double
        assertThat(written(9_007_199_254_740_992.0)).isEqualTo("{\"v\":9007199254740992}");
        assertThat(written(9_007_199_254_740_994.0)).isEqualTo("{\"v\":9.007199254740994E15}");
        assertThat(written(1e24)).isEqualTo("{\"v\":1.0E24}");
    }

    @Test
    void everyWrittenNumberReadsBackToTheSameDouble() throws IOException {
        SplittableRandom r = new SplittableRandom(53);
        for (int i = 0; i < 20_000; i++) {
            double v = switch (i % 4) {
                case 0 -> Math.floor(r.nextDouble() * Math.pow(2, r.nextInt(70)));
                case 1 -> r.nextDouble() * Math.pow(10, r.nextInt(-12, 25));
                case 2 -> (double) r.nextLong(1L << 54);
                default -> Double.longBitsToDouble(r.nextLong() & 0x7fefffffffffffffL);
            };
            JsonNode back = Render.MAPPER.readTree(written(v)).get("v");
            assertThat(back.asDouble()).as("%s", v).isEqualTo(v);
            assertThat(back.isIntegralNumber()).as("%s", v).isEqualTo(Render.isWhole(v));
        }
    }
}
