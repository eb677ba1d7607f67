package dev.strata.web.http;

import java.time.Duration;
import java.util.function.Predicate;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.QoSHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Admission of heavy requests, Jetty's {@link QoSHandler}, in two classes: {@link #compute()} (every POST: fits,
 * posted configs, the planner with a pasted config, fit charts; the charts; serving simulations and plans) and
 * {@link #streams()}
 * ({@code GET /api/sweep}, an answer as long as its client takes to read it). At most {@code slots} of a class run at
 * once, on the request threads; up to {@link #QUEUE} more wait without holding a thread, each for at most
 * {@link #MAX_WAIT}; beyond that the answer is 503 with {@code Retry-After}. Every other route (an estimate by GET, the
 * catalogs, the pages) never waits behind them, so fits or stalled sweeps cannot take the threads and cores the fast
 * routes need, and stalled sweeps cannot hold back the fits.
 */
final class HeavyRequests extends QoSHandler {
    /**
     * CPU-heavy requests running at once: half the cores, at least one. A fit also runs its starts and resamples on the
     * common fork-join pool, so one fit already keeps two cores busy.
     */
    static final int COMPUTE_SLOTS = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    /** Sweeps streaming at once. */
    static final int STREAM_SLOTS = 2;
    /** Heavy requests of a class that may wait for a slot. */
    static final int QUEUE = 32;
    /** Longest a heavy request waits for a slot: six fits of the shipped runs in a row, on two cores. */
    static final Duration MAX_WAIT = Duration.ofSeconds(60);
    /** Seconds a refused client is told to wait before trying again. */
    static final int RETRY_AFTER_SECONDS = 5;

    private final int slots;
    private final String what;

    private HeavyRequests(int slots, String what, Predicate<Request> applies) {
        this.slots = slots;
        this.what = what;
        setMaxRequestCount(slots);
        setMaxSuspendedRequestCount(QUEUE);
        setMaxSuspend(MAX_WAIT);
        include(applies);
    }

    /**
     * Fits, posted configs, the planner with a pasted config, charts, serving simulations, plans, comparisons and
     * training runs (whose layouts are searched): every POST, {@code /compare} (up to six estimates), {@code /chart/},
     * {@code /api/simulate}, {@code /api/plan}, the capacity page (which plans), {@code /api/train} and
     * {@code /training} with {@code search=true}.
     */
    static HeavyRequests compute() {
        return new HeavyRequests(
                COMPUTE_SLOTS,
                "heavy requests (fits, posted configs, charts, simulations, plans)",
                r -> isCompute(
                        r.getMethod(),
                        Request.getPathInContext(r),
                        r.getHttpURI().getQuery()));
    }

    /** A training page that searches layouts ({@code search=true}). */
    private static final java.util.regex.Pattern QUERY_SEARCH = java.util.regex.Pattern.compile("(^|&)search=true");

    /** A non-empty {@code config} parameter in a query string. */
    private static final java.util.regex.Pattern QUERY_CONFIG = java.util.regex.Pattern.compile("(^|&)config=[^&]");

    /**
     * Whether a request of {@code method} on {@code path} with {@code query} (null: none) is CPU-heavy (as {@link
     * #compute()} and {@link HeavyWork}); a planner GET with a config in its query is a posted config by another way.
     */
    static boolean isCompute(String method, String path, String query) {
        return method.equals("POST")
                || (path.equals("/")
                        && query != null
                        && QUERY_CONFIG.matcher(query).find())
                || path.equals("/compare")
                || path.startsWith("/api/train")
                || (path.equals("/training")
                        && query != null
                        && QUERY_SEARCH.matcher(query).find())
                || path.startsWith("/chart/")
                || path.startsWith("/api/simulate")
                || path.startsWith("/api/plan")
                || path.equals("/capacity");
    }

    /** Sweeps, which stream for as long as their clients read. */
    static HeavyRequests streams() {
        return new HeavyRequests(
                STREAM_SLOTS, "sweeps", r -> Request.getPathInContext(r).equals("/api/sweep"));
    }

    @Override
    protected void reject(Request request, Response response, Callback callback, int status) {
        busy(request, response, callback);
    }

    @Override
    protected void failSuspended(Request request, Response response, Callback callback, int status, Throwable failure) {
        busy(request, response, callback);
    }

    private void busy(Request request, Response response, Callback callback) {
        response.getHeaders().put(HttpHeader.RETRY_AFTER, Integer.toString(RETRY_AFTER_SECONDS));
        Response.writeError(
                request,
                response,
                callback,
                HttpStatus.SERVICE_UNAVAILABLE_503,
                "the server is busy with " + slots + " " + what + " and " + QUEUE + " waiting; try again in "
                        + RETRY_AFTER_SECONDS + " s");
    }
}
