package dev.strata.web.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.strata.model.InvalidFieldException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Numbers as people type them, and as the pages print them: {@code 8k}, {@code 15T}, {@code 1e24}, {@code 1.5e12}. */
class InputsTest {
    @Test
    void integersTakeExponentsAndMultipliers() {
        // expected values: the multipliers' definitions (SI 10^3k, binary 2^10k), exact
        assertThat(Inputs.parseLong("8192")).isEqualTo(8192);
        assertThat(Inputs.parseLong("8k")).isEqualTo(8_000);
        assertThat(Inputs.parseLong("8Ki")).isEqualTo(8_192);
        assertThat(Inputs.parseLong("128Ki")).isEqualTo(131_072);
        assertThat(Inputs.parseLong("15T")).isEqualTo(15_000_000_000_000L);
        assertThat(Inputs.parseLong("1.5e12")).isEqualTo(1_500_000_000_000L);
        assertThat(Inputs.parseLong("70B")).isEqualTo(70_000_000_000L);
        assertThat(Inputs.parseLong("2.5M")).isEqualTo(2_500_000);
        assertThat(Inputs.parseLong("+5")).isEqualTo(5);
        assertThat(Inputs.parseLong("-3")).isEqualTo(-3);
    }

    @Test
    void integersThatAreNotWholeOrTooLargeOrOddlyWrittenAreRefused() {
        for (String bad : new String[] {
            "1.5",
            "1.0001k",
            "1e19",
            "9.3e18",
            "1e-3",
            "8 k",
            "8kk",
            "0x10",
            "NaN",
            "Infinity",
            "1e24d",
            "８",
            "",
            "k",
            "1e99999"
        }) assertThatThrownBy(() -> Inputs.parseLong(bad)).as(bad).isInstanceOf(NumberFormatException.class);
    }

    @Test
    void numbersTakeTheSameForms() {
        // expected values: the literal's decimal value, to a double's rounding (relative 1e-15)
        assertThat(Inputs.parseNumber("1e24")).isCloseTo(1e24, within(1e9));
        assertThat(Inputs.parseNumber("5.76e23")).isCloseTo(5.76e23, within(1e9));
        assertThat(Inputs.parseNumber("15T")).isEqualTo(15e12);
        assertThat(Inputs.parseNumber("0.4")).isEqualTo(0.4);
        assertThat(Inputs.parseNumber(".5")).isEqualTo(0.5);
        for (String bad : new String[] {"NaN", "Infinity", "-Infinity", "1e400", "0x1p3", "2.5f", "1,5", "e5"})
            assertThatThrownBy(() -> Inputs.parseNumber(bad)).as(bad).isInstanceOf(NumberFormatException.class);
    }

    @Test
    void aBadInputNamesItsFieldAndTheFormsAllowed() {
        Inputs in = new Inputs(Map.of("compute", "lots", "tokens", "1.5")::get);
        assertThatThrownBy(() -> in.number("compute"))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessage("compute = \"lots\" is not allowed: must be a number (e.g. 2.5, 1.5e12, 15T)");
        assertThatThrownBy(() -> in.whole("tokens"))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessageContaining("tokens = \"1.5\" is not allowed: must be an integer (e.g. 8192, 8k, 1.5e12)");
        assertThat(new Inputs(Map.of("compute", "1e24")::get).number("compute")).isEqualTo(1e24);
    }
}
