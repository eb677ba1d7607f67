package dev.strata.web.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.model.InvalidFieldException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QueryTest {

    @Test
    void parseReadsAQueryAsJavalinReadsItForTheOtherRoutes() {
        // expected values: the rules of Query.parse (split at &, name and value at the first =, URLDecoder in UTF-8,
        // the first value of a repeated name), which EstimateApiTest holds against the answers of Javalin's own routes
        assertThat(Query.parse(null)).isEmpty();
        assertThat(Query.parse("")).isEmpty();
        assertThat(Query.parse("&&")).isEmpty();
        assertThat(Query.parse("model=gpt2&batch=8&batch=abc")).isEqualTo(Map.of("model", "gpt2", "batch", "8"));
        assertThat(Query.parse("batch")).isEqualTo(Map.of("batch", ""));
        assertThat(Query.parse("a=b=c")).isEqualTo(Map.of("a", "b=c"));
        assertThat(Query.parse("a+b=c%20d+e")).isEqualTo(Map.of("a b", "c d e"));
        assertThat(Query.parse("p=%E2%82%AC")).isEqualTo(Map.of("p", "\u20ac"));
        // a byte sequence that is not UTF-8 becomes U+FFFD, so the option's own check names it (Jetty's parser throws)
        assertThat(Query.parse("batch=%FF")).isEqualTo(Map.of("batch", "\ufffd"));
        assertThat(Query.parse("batch=%C3%28")).isEqualTo(Map.of("batch", "\ufffd("));
    }

    @Test
    void brokenPercentEncodingNamesTheParameter() {
        assertThatThrownBy(() -> Query.parse("model=gpt2&batch=%zz"))
                .isInstanceOfSatisfying(InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("batch"))
                .hasMessageContaining("%zz").hasMessageContaining("percent-encoded");
        assertThatThrownBy(() -> Query.parse("batch=8%"))
                .isInstanceOfSatisfying(InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("batch"));
        assertThatThrownBy(() -> Query.parse("ba%tch=8"))
                .isInstanceOfSatisfying(InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("query"));
    }
}
