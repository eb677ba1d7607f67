package dev.strata.model.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WholeNumbersTest {

    /** The ceiling of a / b computed in arbitrary precision: the definition, not the code under test. */
    private static long reference(long a, long b) {
        return new java.math.BigDecimal(BigInteger.valueOf(a))
                .divide(new java.math.BigDecimal(BigInteger.valueOf(b)), 0, RoundingMode.CEILING)
                .longValueExact();
    }

    @Test
    void ceilingDivisionIsExactForEveryDividendAndDivisor() {
        // by hand: 7/2 = 3.5 -> 4, 8/2 = 4, -7/2 = -3.5 -> -3, 0/8 = 0, 1/8 -> 1, 9/3 = 3, 10/3 -> 4; exact
        assertThat(WholeNumbers.ceilDiv(7, 2)).isEqualTo(4);
        assertThat(WholeNumbers.ceilDiv(8, 2)).isEqualTo(4);
        assertThat(WholeNumbers.ceilDiv(-7, 2)).isEqualTo(-3);
        assertThat(WholeNumbers.ceilDiv(0, 8)).isZero();
        assertThat(WholeNumbers.ceilDiv(1, 8)).isEqualTo(1);
        assertThat(WholeNumbers.ceilDiv(9, 3)).isEqualTo(3);
        assertThat(WholeNumbers.ceilDiv(10, 3)).isEqualTo(4);
        // the shift and the division paths against BigDecimal's CEILING at the extremes and on seeded values; exact
        long[] edges = {
            Long.MAX_VALUE, Long.MAX_VALUE - 1, Long.MIN_VALUE, Long.MIN_VALUE + 1, -1, 0, 1, 63, 64, 65, 1L << 62
        };
        long[] divisors = {1, 2, 3, 7, 8, 64, 128, 1000, 1L << 40, Long.MAX_VALUE};
        for (long a : edges)
            for (long b : divisors)
                assertThat(WholeNumbers.ceilDiv(a, b)).as("%d / %d", a, b).isEqualTo(reference(a, b));
        SplittableRandom r = new SplittableRandom(42);
        for (int i = 0; i < 20_000; i++) {
            long a = r.nextLong() >> r.nextInt(64);
            long b = r.nextBoolean() ? 1L << r.nextInt(63) : 1 + (r.nextLong(Long.MAX_VALUE) >> r.nextInt(63));
            assertThat(WholeNumbers.ceilDiv(a, b)).as("%d / %d", a, b).isEqualTo(reference(a, b));
        }
    }
}
