package dev.strata.model.internal;

/** Integer arithmetic the counts share, in one place. */
public final class WholeNumbers {
    private WholeNumbers() {}

    /**
     * {@code ceil(a / b)} for {@code b >= 1}, exact for every {@code a} (no negation that could overflow) (Java 18's {@code Math.ceilDiv}, which Java 17
     * lacks). Divisors of 1 and powers of two (tensor-parallel degrees, group sizes, 8 bits a byte) take a shift: a
     * 64-bit division costs tens of cycles, and an estimate makes dozens of these.
     */
    public static long ceilDiv(long a, long b) {
        if (b == 1) return a;
        // the floor by an arithmetic shift, one more when bits are left over
        if (b > 0 && (b & (b - 1)) == 0) return (a >> Long.numberOfTrailingZeros(b)) + ((a & (b - 1)) != 0 ? 1 : 0);
        long q = a / b; // rounds toward zero: the ceiling for a negative a, one less than it for a positive a with a
        // remainder
        return a % b > 0 ? q + 1 : q;
    }
}
