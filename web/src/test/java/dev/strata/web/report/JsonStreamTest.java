package dev.strata.web.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.web.render.Render;
import java.io.IOException;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** {@link JsonStream}'s cache of encoded field names: every name comes out as itself, kept or not. */
class JsonStreamTest {

    @Test
    void namesNeedingEscapesAndMoreNamesThanAreKeptAreWrittenLikeTheTree() throws IOException {
        // the stream encodes names once and keeps at most MAX_NAMES of them; every name must still come out as the
        // name it is: quotes, backslashes, control and non-ASCII characters escaped or encoded, and names past the
        // kept ones (made here) written for their one use
        ObjectNode tree = JsonNodeFactory.instance.objectNode();
        StringWriter text = new StringWriter();
        String[] odd = {
            "a\"quote", "back\\slash", "tab\there", "new\nline", "caf\u00e9", "\u6a21\u578b", "emoji \ud83d\ude80", ""
        };
        try (JsonGenerator g = Render.MAPPER.getFactory().createGenerator(text)) {
            g.writeStartObject();
            JsonOut stream = JsonOut.stream(g), treeOut = JsonOut.tree(tree);
            for (int i = 0; i < odd.length; i++) {
                stream.put(odd[i], i);
                treeOut.put(odd[i], i);
            }
            for (int i = 0; i < JsonStream.MAX_NAMES + 500; i++) {
                stream.put("generated-" + i, (long) i);
                treeOut.put("generated-" + i, (long) i);
            }
            g.writeEndObject();
        }
        // the same document (Jackson may spell a character outside the BMP as an escaped surrogate pair or as UTF-8;
        // both read back to the same name): read back and written again as the tree is, byte for byte (a boolean, so
        // that a failure does not print 4,600 fields)
        JsonNode back = Render.MAPPER.readTree(text.toString());
        assertThat(java.util.Arrays.equals(Render.compactJson((ObjectNode) back), Render.compactJson(tree)))
                .as("the streamed document read back and written as the tree is written")
                .isTrue();
        assertThat(back.get("a\"quote").asInt()).isZero();
        assertThat(back.get("\u6a21\u578b").asInt()).isEqualTo(5);
        assertThat(back.get("generated-" + (JsonStream.MAX_NAMES + 499)).asLong())
                .isEqualTo(JsonStream.MAX_NAMES + 499);
        assertThat(back.size()).isEqualTo(odd.length + JsonStream.MAX_NAMES + 500);
    }
}
