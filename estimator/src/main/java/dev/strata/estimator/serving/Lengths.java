package dev.strata.estimator.serving;

import dev.strata.model.InvalidFieldException;
import dev.strata.model.internal.Checks;
import dev.strata.model.internal.Limits;
import org.apache.commons.math3.distribution.LogNormalDistribution;
import org.apache.commons.math3.distribution.UniformIntegerDistribution;
import org.apache.commons.math3.random.RandomGenerator;

/**
 * Token lengths of requests: fixed ({@code 512}), log-normal with a mean and a sigma of the log
 * ({@code lognormal:MEAN:SIGMA}, as serving benchmarks draw prompt and output lengths), or uniform between two
 * integers ({@code uniform:A:B}). Draws are at least {@code min} and at most the context limit.
 *
 * @param text  the form it was given in
 * @param fixed the fixed length, or 0 for a distribution
 * @param mean  the distribution's mean (the fixed length for a fixed one)
 * @param kind  {@code fixed}, {@code lognormal} or {@code uniform}
 * @param a     the log-normal's sigma, or the uniform's lower end
 * @param b     the uniform's upper end
 */
public record Lengths(String text, long fixed, double mean, String kind, double a, double b) {

    /**
     * Parses {@code text} for {@code field}; lengths below {@code min} are refused.
     *
     * @param field the option the text came from, named in the error
     * @param text the lengths, in one of the forms above
     * @param min the smallest length allowed
     * @return the lengths
     */
    public static Lengths parse(String field, String text, long min) {
        if (text == null || text.isBlank())
            throw new InvalidFieldException(field, text, "a length, lognormal:MEAN:SIGMA or uniform:A:B");
        String t = text.trim();
        String[] p = t.split(":", -1);
        try {
            if (p.length == 1) {
                long v = Long.parseLong(t);
                Checks.range(field, v, min, Limits.MAX_CONTEXT);
                return new Lengths(t, v, v, "fixed", 0, 0);
            }
            if (p.length == 3 && p[0].equals("lognormal")) {
                double mean = Double.parseDouble(p[1]), sigma = Double.parseDouble(p[2]);
                if (!(mean >= min && mean <= Limits.MAX_CONTEXT) || !(sigma > 0 && sigma <= 5))
                    throw new InvalidFieldException(
                            field,
                            t,
                            "lognormal:MEAN:SIGMA with MEAN from " + min + " to " + Limits.MAX_CONTEXT
                                    + " and SIGMA in (0, 5]");
                return new Lengths(t, 0, mean, "lognormal", sigma, 0);
            }
            if (p.length == 3 && p[0].equals("uniform")) {
                long lo = Long.parseLong(p[1]), hi = Long.parseLong(p[2]);
                if (lo < min || hi < lo || hi > Limits.MAX_CONTEXT)
                    throw new InvalidFieldException(
                            field, t, "uniform:A:B with " + min + " <= A <= B <= " + Limits.MAX_CONTEXT);
                return new Lengths(t, 0, (lo + hi) / 2.0, "uniform", lo, hi);
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new InvalidFieldException(field, t, "a length, lognormal:MEAN:SIGMA or uniform:A:B");
    }

    /**
     * A fixed length.
     *
     * @param v the length
     * @return the lengths
     */
    public static Lengths fixed(long v) {
        return new Lengths(Long.toString(v), v, v, "fixed", 0, 0);
    }

    /**
     * The largest length a draw can give.
     *
     * @return the length, in tokens
     */
    public long max() {
        return switch (kind) {
            case "fixed" -> fixed;
            case "uniform" -> (long) b;
            default -> Limits.MAX_CONTEXT;
        };
    }

    /** One draw, at least {@code min}, at most {@code cap}. */
    long sample(RandomGenerator g, long min, long cap) {
        long v = switch (kind) {
            case "fixed" -> fixed;
            case "uniform" -> new UniformIntegerDistribution(g, (int) a, (int) b).sample();
            default -> {
                // a log-normal with this mean: mu = ln(mean) - sigma^2 / 2
                double mu = Math.log(mean) - a * a / 2;
                yield Math.round(new LogNormalDistribution(g, mu, a).sample());
            }
        };
        return Math.max(min, Math.min(cap, v));
    }
}
