package dev.strata.web.http;

import java.time.Duration;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.QoSHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Admission of the heavy requests, Jetty's {@link QoSHandler}: every POST (fits, posted configs, the planner with a
 * pasted config, fit charts), {@code GET /api/sweep} (a stream as long as its client takes to read it) and the charts.
 * At most {@link #SLOTS} run at once, on the request threads; up to {@link #QUEUE} more wait without holding a thread,
 * each for at most {@link #MAX_WAIT}; beyond that the answer is 503 with {@code Retry-After}. Every other route (an
 * estimate by GET, the catalogs, the pages) never waits behind them, so a fit or a stalled sweep cannot take the
 * threads the fast routes need.
 */
final class HeavyRequests extends QoSHandler {
    /** Heavy requests running at once: half the cores, at least two. */
    static final int SLOTS = Math.max(2, Runtime.getRuntime().availableProcessors() / 2);
    /** Heavy requests that may wait for a slot. */
    static final int QUEUE = 32;
    /** Longest a heavy request waits for a slot. */
    static final Duration MAX_WAIT = Duration.ofSeconds(30);
    /** Seconds a refused client is told to wait before trying again. */
    static final int RETRY_AFTER_SECONDS = 5;

    HeavyRequests() {
        setMaxRequestCount(SLOTS);
        setMaxSuspendedRequestCount(QUEUE);
        setMaxSuspend(MAX_WAIT);
        include(HeavyRequests::isHeavy);
    }

    /** Whether a request is heavy: a POST, a sweep, a chart. */
    static boolean isHeavy(Request request) {
        if (request.getMethod().equals("POST")) return true;
        String path = Request.getPathInContext(request);
        return path.equals("/api/sweep") || path.startsWith("/chart/");
    }

    @Override
    protected void reject(Request request, Response response, Callback callback, int status) {
        busy(request, response, callback);
    }

    @Override
    protected void failSuspended(Request request, Response response, Callback callback, int status, Throwable failure) {
        busy(request, response, callback);
    }

    private static void busy(Request request, Response response, Callback callback) {
        response.getHeaders().put(HttpHeader.RETRY_AFTER, Integer.toString(RETRY_AFTER_SECONDS));
        Response.writeError(
                request,
                response,
                callback,
                HttpStatus.SERVICE_UNAVAILABLE_503,
                "the server is busy with " + SLOTS + " heavy requests (fits, sweeps, posted configs, charts) and "
                        + QUEUE + " waiting; try again in " + RETRY_AFTER_SECONDS + " s");
    }
}
