package dev.strata.estimator.serving;

import dev.strata.model.InvalidFieldException;
import dev.strata.model.internal.Checks;
import dev.strata.model.internal.Limits;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.math3.distribution.ExponentialDistribution;
import org.apache.commons.math3.distribution.GammaDistribution;
import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.random.Well19937c;

/**
 * The requests a simulation serves: how they arrive (Poisson, gamma or evenly spaced at a rate, all at once, a closed
 * loop at a fixed concurrency, or a trace) and their prompt and output lengths, drawn from a seed so that a run
 * repeats exactly.
 *
 * @param arrivals    {@code poisson}, {@code gamma}, {@code constant} (one every 1 / rate seconds, as a benchmark's
 *                    constant-rate mode sends them), {@code all} (every request at time 0: {@code --rate inf}),
 *                    {@code closed} (a new request as soon as one finishes) or {@code trace}
 * @param rate        requests per second (poisson, gamma, constant)
 * @param burstiness  the gamma's coefficient of variation of the gaps (1 is Poisson)
 * @param concurrency requests in flight (closed)
 * @param requests    how many requests
 * @param prompt      prompt lengths (an empirical prompt and output of one source are drawn row by row together)
 * @param output      output lengths
 * @param seed        the seed of every draw
 * @param trace       the requests of a trace (arrival, prompt, output), or empty
 * @param prefixTokens  tokens of the shared prefix a drawn prompt starts with (0: none)
 * @param prefixGroups  how many distinct shared prefixes there are; each drawn request takes one at random (0: none)
 */
public record Traffic(
        String arrivals,
        double rate,
        double burstiness,
        int concurrency,
        int requests,
        Lengths prompt,
        Lengths output,
        long seed,
        List<Request> trace,
        long prefixTokens,
        int prefixGroups) {

    /** Most requests a simulation takes. */
    public static final int MAX_REQUESTS = 1_000_000;

    /**
     * One request: when it arrives, its prompt and output tokens, and the shared prefix its prompt starts with.
     *
     * @param arrival seconds from the start of the run
     * @param prompt prompt tokens
     * @param output output tokens
     * @param prefixGroup which shared prefix the prompt starts with (requests of a group share it), or -1 for none
     * @param prefixTokens the tokens of that shared prefix, at most the prompt (0 for none)
     */
    public record Request(double arrival, long prompt, long output, int prefixGroup, long prefixTokens) {
        /**
         * Checks the fields; an invalid one throws an {@code InvalidFieldException} naming it.
         *
         * @param arrival seconds from the start of the run
         * @param prompt prompt tokens
         * @param output output tokens
         * @param prefixGroup which shared prefix the prompt starts with, or -1 for none
         * @param prefixTokens the tokens of that shared prefix, at most the prompt (0 for none)
         */
        public Request {
            Checks.range("arrival_seconds", arrival, 0, 1e9);
            Checks.range("prompt_tokens", prompt, 1, Limits.MAX_CONTEXT);
            Checks.range("output_tokens", output, 1, Limits.MAX_CONTEXT);
            Checks.range("prefix_group", prefixGroup, -1, Integer.MAX_VALUE);
            Checks.range("prefix_tokens", prefixTokens, 0, prompt);
            if (prefixGroup < 0 && prefixTokens > 0)
                throw new InvalidFieldException(
                        "prefix_group", prefixGroup, "a group for a shared prefix of " + prefixTokens + " tokens");
        }

        /**
         * A request without a shared prefix.
         *
         * @param arrival seconds from the start of the run
         * @param prompt prompt tokens
         * @param output output tokens
         */
        public Request(double arrival, long prompt, long output) {
            this(arrival, prompt, output, -1, 0);
        }
    }

    /**
     * Checks the fields that the arrivals use; an invalid one throws an {@code InvalidFieldException} naming it. The
     * trace is copied; a trace's requests give the count.
     *
     * @param arrivals {@code poisson}, {@code gamma}, {@code constant}, {@code all}, {@code closed} or {@code trace}
     * @param rate requests per second (poisson, gamma, constant)
     * @param burstiness the gamma's coefficient of variation of the gaps (1 is Poisson)
     * @param concurrency requests in flight (closed)
     * @param requests how many requests
     * @param prompt prompt lengths
     * @param output output lengths
     * @param seed the seed of every draw
     * @param trace the requests of a trace (arrival, prompt, output), or empty
     * @param prefixTokens tokens of the shared prefix a drawn prompt starts with (0: none)
     * @param prefixGroups how many distinct shared prefixes there are (0: none)
     */
    public Traffic {
        Checks.text("arrivals", arrivals);
        if (!List.of("poisson", "gamma", "constant", "all", "closed", "trace").contains(arrivals))
            throw new InvalidFieldException("arrivals", arrivals, "poisson, gamma, constant, all, closed or trace");
        if (atRate(arrivals)) Checks.positive("rate", rate, 1e6);
        if (arrivals.equals("gamma")) Checks.positive("burstiness", burstiness, 100);
        if (arrivals.equals("closed")) Checks.range("concurrency", concurrency, 1, 1_000_000);
        trace = List.copyOf(trace);
        if (arrivals.equals("trace")) {
            if (trace.isEmpty()) throw InvalidFieldException.withMessage("trace", "trace has no requests");
            requests = trace.size();
        }
        Checks.range("requests", requests, 1, MAX_REQUESTS);
        if (!arrivals.equals("trace")) {
            Checks.present("prompt", prompt);
            Checks.present("output", output);
        }
        Checks.range("prefixTokens", prefixTokens, 0, Limits.MAX_CONTEXT);
        Checks.range("prefixGroups", prefixGroups, 0, 1_000_000);
        if ((prefixTokens > 0) != (prefixGroups > 0))
            throw InvalidFieldException.withMessage(
                    prefixTokens > 0 ? "prefixGroups" : "prefixTokens",
                    "prefixTokens and prefixGroups go together: a shared prefix of N tokens among G groups");
    }

    /**
     * Whether requests of {@code arrivals} come at a rate ({@code poisson}, {@code gamma}, {@code constant}).
     *
     * @param arrivals an arrivals kind
     * @return whether {@code rate} applies
     */
    public static boolean atRate(String arrivals) {
        return arrivals.equals("poisson") || arrivals.equals("gamma") || arrivals.equals("constant");
    }

    /**
     * Traffic without shared prefixes.
     *
     * @param arrivals {@code poisson}, {@code gamma}, {@code constant}, {@code all}, {@code closed} or {@code trace}
     * @param rate requests per second (poisson, gamma, constant)
     * @param burstiness the gamma's coefficient of variation of the gaps (1 is Poisson)
     * @param concurrency requests in flight (closed)
     * @param requests how many requests
     * @param prompt prompt lengths
     * @param output output lengths
     * @param seed the seed of every draw
     * @param trace the requests of a trace (arrival, prompt, output), or empty
     */
    public Traffic(
            String arrivals,
            double rate,
            double burstiness,
            int concurrency,
            int requests,
            Lengths prompt,
            Lengths output,
            long seed,
            List<Request> trace) {
        this(arrivals, rate, burstiness, concurrency, requests, prompt, output, seed, trace, 0, 0);
    }

    /**
     * This traffic with each drawn prompt starting with one of {@code groups} shared prefixes of {@code tokens}
     * tokens (the whole prompt when it is shorter), the group drawn uniformly from the seed.
     *
     * @param tokens tokens of the shared prefix
     * @param groups how many distinct prefixes
     * @return the traffic
     */
    public Traffic withPrefix(long tokens, int groups) {
        return new Traffic(
                arrivals, rate, burstiness, concurrency, requests, prompt, output, seed, trace, tokens, groups);
    }

    /**
     * Poisson arrivals at {@code rate} per second.
     *
     * @param rate requests per second
     * @param requests how many requests
     * @param prompt prompt lengths
     * @param output output lengths
     * @param seed the seed of every draw
     * @return the traffic
     */
    public static Traffic poisson(double rate, int requests, Lengths prompt, Lengths output, long seed) {
        return new Traffic("poisson", rate, 1, 0, requests, prompt, output, seed, List.of());
    }

    /**
     * The requests, in arrival order. For a closed loop the arrivals are 0 and the simulation delays each one until
     * a request of the loop finishes.
     *
     * @return the requests
     */
    public List<Request> draw() {
        return draw(Limits.MAX_CONTEXT);
    }

    /**
     * The requests, each at most {@code context} tokens (prompt and output): drawn lengths are clipped to it; a trace
     * or fixed lengths beyond it are refused, naming the field.
     *
     * @param context the largest prompt plus output, in tokens
     * @return the requests
     */
    public List<Request> draw(long context) {
        Checks.range("context", context, 2, Limits.MAX_CONTEXT);
        // fixed, uniform and empirical lengths must fit whole (a paired dataset row by row); a log-normal's tail is
        // clipped
        if (!arrivals.equals("trace")
                && !prompt.kind().equals("lognormal")
                && !output.kind().equals("lognormal")
                && (prompt.pairedWith(output) ? longestRow(prompt, output) : prompt.max() + output.max()) > context)
            throw new InvalidFieldException(
                    "prompt",
                    prompt.text() + " + " + output.text(),
                    "prompt and output lengths whose sum is at most the model's context, " + context + " tokens");
        if (arrivals.equals("trace")) {
            for (Request r : trace)
                if (r.prompt() + r.output() > context)
                    throw new InvalidFieldException(
                            "trace",
                            "prompt_tokens + output_tokens = " + (r.prompt() + r.output()),
                            "at most the model's context, " + context + " tokens");
            List<Request> sorted = new ArrayList<>(trace);
            sorted.sort(java.util.Comparator.comparingDouble(Request::arrival));
            return sorted;
        }
        RandomGenerator g = new Well19937c(seed);
        ExponentialDistribution exp = arrivals.equals("poisson") ? new ExponentialDistribution(g, 1 / rate) : null;
        // gaps with mean 1 / rate and coefficient of variation cv: shape 1 / cv^2, scale cv^2 / rate
        GammaDistribution gamma = arrivals.equals("gamma")
                ? new GammaDistribution(g, 1 / (burstiness * burstiness), burstiness * burstiness / rate)
                : null;
        List<Request> out = new ArrayList<>(requests);
        boolean paired = prompt.pairedWith(output);
        double t = 0;
        for (int i = 0; i < requests; i++) {
            if (exp != null) t += exp.sample();
            else if (gamma != null) t += gamma.sample();
            else if (arrivals.equals("constant")) t += 1 / rate;
            long p, o;
            if (paired) {
                int row = g.nextInt(prompt.values().length);
                p = prompt.values()[row];
                o = output.values()[row];
            } else {
                p = prompt.sample(g, 1, context - 1);
                o = output.sample(g, 1, context - p);
            }
            if (prefixGroups > 0) out.add(new Request(t, p, o, g.nextInt(prefixGroups), Math.min(prefixTokens, p)));
            else out.add(new Request(t, p, o));
        }
        return out;
    }

    /** The longest prompt plus output of one row of a paired dataset. */
    private static long longestRow(Lengths prompt, Lengths output) {
        long m = 0;
        for (int i = 0; i < prompt.values().length; i++) m = Math.max(m, prompt.values()[i] + output.values()[i]);
        return m;
    }
}
