package dev.strata.web.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.model.InvalidFieldException;
import org.junit.jupiter.api.Test;

class QueryTest {

    @Test
    void wellFormedQueriesPass() {
        // none of these has a broken %-sequence: + is a space, %FF is a byte (decoded to U+FFFD, not refused)
        for (String q : new String[] {
            null, "", "&&", "model=gpt2&batch=8", "batch", "a=b=c", "a+b=c%20d+e", "p=%E2%82%AC", "batch=%FF"
        }) Query.check(q);
    }

    @Test
    void brokenPercentEncodingNamesTheParameter() {
        assertThatThrownBy(() -> Query.check("model=gpt2&batch=%zz"))
                .isInstanceOfSatisfying(
                        InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("batch"))
                .hasMessageContaining("%zz")
                .hasMessageContaining("percent-encoded");
        assertThatThrownBy(() -> Query.check("batch=8%"))
                .isInstanceOfSatisfying(
                        InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("batch"));
        assertThatThrownBy(() -> Query.check("ba%tch=8"))
                .isInstanceOfSatisfying(
                        InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("query"));
    }
}
