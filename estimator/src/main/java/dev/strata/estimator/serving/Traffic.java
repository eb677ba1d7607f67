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
 * The requests a simulation serves: how they arrive (Poisson or gamma at a rate, all at once, a closed loop at a fixed
 * concurrency, or a trace) and their prompt and output lengths, drawn from a seed so that a run repeats exactly.
 *
 * @param arrivals    {@code poisson}, {@code gamma}, {@code all} (every request at time 0: {@code --rate inf}),
 *                    {@code closed} (a new request as soon as one finishes) or {@code trace}
 * @param rate        requests per second (poisson, gamma)
 * @param burstiness  the gamma's coefficient of variation of the gaps (1 is Poisson)
 * @param concurrency requests in flight (closed)
 * @param requests    how many requests
 * @param prompt      prompt lengths
 * @param output      output lengths
 * @param seed        the seed of every draw
 * @param trace       the requests of a trace (arrival, prompt, output), or empty
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
        List<Request> trace) {

    /** Most requests a simulation takes. */
    public static final int MAX_REQUESTS = 1_000_000;

    /**
     * One request: when it arrives, and its prompt and output tokens.
     *
     * @param arrival seconds from the start of the run
     * @param prompt prompt tokens
     * @param output output tokens
     */
    public record Request(double arrival, long prompt, long output) {
        /**
         * Checks the fields; an invalid one throws an {@code InvalidFieldException} naming it.
         *
         * @param arrival seconds from the start of the run
         * @param prompt prompt tokens
         * @param output output tokens
         */
        public Request {
            Checks.range("arrival_seconds", arrival, 0, 1e9);
            Checks.range("prompt_tokens", prompt, 1, Limits.MAX_CONTEXT);
            Checks.range("output_tokens", output, 1, Limits.MAX_CONTEXT);
        }
    }

    /**
     * Checks the fields that the arrivals use; an invalid one throws an {@code InvalidFieldException} naming it. The
     * trace is copied; a trace's requests give the count.
     *
     * @param arrivals {@code poisson}, {@code gamma}, {@code all}, {@code closed} or {@code trace}
     * @param rate requests per second (poisson, gamma)
     * @param burstiness the gamma's coefficient of variation of the gaps (1 is Poisson)
     * @param concurrency requests in flight (closed)
     * @param requests how many requests
     * @param prompt prompt lengths
     * @param output output lengths
     * @param seed the seed of every draw
     * @param trace the requests of a trace (arrival, prompt, output), or empty
     */
    public Traffic {
        Checks.text("arrivals", arrivals);
        if (!List.of("poisson", "gamma", "all", "closed", "trace").contains(arrivals))
            throw new InvalidFieldException("arrivals", arrivals, "poisson, gamma, all, closed or trace");
        if (arrivals.equals("poisson") || arrivals.equals("gamma")) Checks.positive("rate", rate, 1e6);
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
        // fixed and uniform lengths must fit whole; a log-normal's tail is clipped
        if (!arrivals.equals("trace")
                && !prompt.kind().equals("lognormal")
                && !output.kind().equals("lognormal")
                && prompt.max() + output.max() > context)
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
        double t = 0;
        for (int i = 0; i < requests; i++) {
            if (exp != null) t += exp.sample();
            else if (gamma != null) t += gamma.sample();
            long p = prompt.sample(g, 1, context - 1);
            long o = output.sample(g, 1, context - p);
            out.add(new Request(t, p, o));
        }
        return out;
    }
}
