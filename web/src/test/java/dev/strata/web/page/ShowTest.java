package dev.strata.web.page;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The pages' number formats: units named, three significant digits, no exponents. */
class ShowTest {
    @Test
    void bytesFlopsAndTimesReadWithTheirUnits() {
        assertThat(Show.bytes(262_144)).isEqualTo("262 kB"); // was 2.621e+05
        assertThat(Show.bytes(16_060_522_496.0)).isEqualTo("16.1 GB");
        assertThat(Show.bytes(0)).isEqualTo("0 B");
        assertThat(Show.bytes(999_600)).isEqualTo("1.00 MB");
        assertThat(Show.flops(0)).isEqualTo("0 FLOP"); // was 0.000
        assertThat(Show.flops(90_194_313_216.0)).isEqualTo("90.2 GFLOP");
        assertThat(Show.seconds(0.002061)).isEqualTo("2.06 ms"); // beside 1.484e-05: 14.8 µs
        assertThat(Show.seconds(1.484e-05)).isEqualTo("14.8 µs");
        assertThat(Show.seconds(0.0074)).isEqualTo("7.40 ms");
        assertThat(Show.seconds(1.5)).isEqualTo("1.50 s");
    }

    @Test
    void significantDigitsKeepTheirTrailingZerosAndLargeNumbersTheirSeparators() {
        assertThat(Show.sig(1)).isEqualTo("1.00");
        assertThat(Show.sig(15)).isEqualTo("15.0");
        assertThat(Show.sig(0.0781)).isEqualTo("0.0781");
        assertThat(Show.sig(843.4)).isEqualTo("843");
        assertThat(Show.sig(123_456)).isEqualTo("123,000");
    }

    @Test
    void errorMessagesReadForAPage() {
        assertThat(Show.message("tokens = 0.0 is not allowed: must be a finite number > 0 and <= 1.0E45"))
                .isEqualTo("tokens = 0 is not allowed: must be a number above 0 and at most 1.00 × 10⁴⁵");
        assertThat(Show.message("model = \"x\" is not allowed: must be a preset id or a path to a config.json"))
                .isEqualTo("model = \"x\" is not allowed: must be a preset id");
        assertThat(Show.message("qwen2.5-7b has 1.0 layers")).isEqualTo("qwen2.5-7b has 1 layers");
    }
}
