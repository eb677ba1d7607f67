package dev.strata.estimator.serving;

import dev.strata.model.InvalidFieldException;
import dev.strata.model.internal.Checks;
import dev.strata.model.internal.Limits;
import org.apache.commons.math3.distribution.LogNormalDistribution;
import org.apache.commons.math3.distribution.UniformIntegerDistribution;
import org.apache.commons.math3.random.RandomGenerator;

/**
 * Token lengths of requests: fixed ({@code 512}), log-normal with a mean and a sigma of the log
 * ({@code lognormal:MEAN:SIGMA}, as serving benchmarks draw prompt and output lengths), uniform between two
 * integers ({@code uniform:A:B}), or empirical: the values of a dataset's column, each draw one of them at random
 * ({@code empirical:FILE.csv:COLUMN} on the command line, which reads the file; {@link #empirical}). Draws are at least
 * {@code min} and at most the context limit.
 *
 * @param text   the form it was given in
 * @param fixed  the fixed length, or 0 for a distribution
 * @param mean   the distribution's mean (the fixed length for a fixed one)
 * @param kind   {@code fixed}, {@code lognormal}, {@code uniform} or {@code empirical}
 * @param a      the log-normal's sigma, or the uniform's lower end
 * @param b      the uniform's upper end
 * @param values an empirical distribution's values, one per row of its source (null for the others)
 * @param source an empirical distribution's source file (null for the others): two columns of one source are drawn
 *               row by row together ({@link #pairedWith})
 */
public record Lengths(
        String text, long fixed, double mean, String kind, double a, double b, long[] values, String source) {

    /** The form an empirical distribution takes as text; only the command line reads the file it names. */
    public static final String EMPIRICAL = "empirical:";

    /** A fixed, log-normal or uniform distribution. */
    Lengths(String text, long fixed, double mean, String kind, double a, double b) {
        this(text, fixed, mean, kind, a, b, null, null);
    }

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
        if (t.startsWith(EMPIRICAL))
            throw new InvalidFieldException(
                    field,
                    t,
                    "empirical:FILE.csv:COLUMN on the command line only (the server reads no files), or a length,"
                            + " lognormal:MEAN:SIGMA or uniform:A:B");
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
     * The empirical distribution of {@code values}, the rows of a column of {@code source}: each draw is one row's
     * value, every row equally likely.
     *
     * @param field the option the values came from, named in errors
     * @param text the form it was given in (for example {@code empirical:lengths.csv:prompt_tokens})
     * @param source the file the values were read from
     * @param values one value per row, each at least {@code min} and at most the context limit
     * @param min the smallest length allowed
     * @return the lengths
     */
    public static Lengths empirical(String field, String text, String source, long[] values, long min) {
        Checks.text(field, source);
        if (values == null || values.length == 0)
            throw new InvalidFieldException(field, text, "a column with at least one value");
        double sum = 0;
        for (int i = 0; i < values.length; i++) {
            if (values[i] < min || values[i] > Limits.MAX_CONTEXT)
                throw new InvalidFieldException(
                        field,
                        "row " + (i + 1) + " = " + values[i],
                        "a length from " + min + " to " + Limits.MAX_CONTEXT + " tokens");
            sum += values[i];
        }
        return new Lengths(text, 0, sum / values.length, "empirical", 0, 0, values.clone(), source);
    }

    /**
     * Whether this and {@code other} are two columns of one source, drawn row by row together so that a request's
     * prompt and output keep their pairing.
     *
     * @param other the other lengths
     * @return whether the two are paired
     */
    public boolean pairedWith(Lengths other) {
        return kind.equals("empirical")
                && other.kind.equals("empirical")
                && source.equals(other.source)
                && values.length == other.values.length;
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
            case "empirical" -> java.util.Arrays.stream(values).max().orElse(0);
            default -> Limits.MAX_CONTEXT;
        };
    }

    /** One draw, at least {@code min}, at most {@code cap}. */
    long sample(RandomGenerator g, long min, long cap) {
        long v = switch (kind) {
            case "fixed" -> fixed;
            case "uniform" -> new UniformIntegerDistribution(g, (int) a, (int) b).sample();
            case "empirical" -> values[g.nextInt(values.length)];
            default -> {
                // a log-normal with this mean: mu = ln(mean) - sigma^2 / 2
                double mu = Math.log(mean) - a * a / 2;
                yield Math.round(new LogNormalDistribution(g, mu, a).sample());
            }
        };
        return Math.max(min, Math.min(cap, v));
    }
}
