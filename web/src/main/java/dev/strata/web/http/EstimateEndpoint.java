package dev.strata.web.http;

import dev.strata.web.render.Format;
import dev.strata.web.report.EstimateOptions;
import dev.strata.web.report.EstimateReport;
import dev.strata.web.report.ResolvedModel;
import dev.strata.web.report.ServingOptions;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * {@code GET /api/estimate} (and HEAD, and the path with a trailing slash, which Javalin's router also accepted), answered
 * by {@link RequestFilter} before Javalin sees the request; {@code POST /api/estimate} goes through Javalin and writes
 * its answer with {@link #respond}, so both answer the same options with the same bytes.
 *
 * <p>Why ahead of Javalin: the endpoint is the one programs call many times a second, and Javalin's per-request routing
 * (a stream and a regular expression per declared route for each handler stage, the method name matched by a regular
 * expression compiled per request, the query map, a copy of the endpoint) was a third of what a with-hardware estimate
 * request allocated and about a tenth of its CPU time. The filter has already set the security headers, refused other
 * methods and checked the query's percent-encoding; errors are the same JSON, with the same status, as Javalin's
 * exception handler writes ({@link StrataServer#errorStatus}, {@link StrataServer#errorBody}).
 *
 * <p>Parameters are read from the query as Javalin reads them for the other routes ({@link Query#parse}); Jetty's own
 * {@code getParameter} is stricter (a byte sequence that is not UTF-8 throws), so it would answer some queries
 * differently from every other route.
 */
final class EstimateEndpoint {
    private EstimateEndpoint() {}

    /** Whether the filter answers {@code method} on {@code path} (the request URI, not decoded) here. */
    static boolean serves(String method, String path) {
        return (path.equals("/api/estimate") || path.equals("/api/estimate/")) && (method.equals("GET") || method.equals("HEAD"));
    }

    /** Answers a GET (or HEAD: Jetty sends the headers and drops the body) with the estimate, or the error JSON. */
    static void get(HttpServletRequest req, HttpServletResponse res) throws IOException {
        try {
            Function<String, String> values = StrataServer.noFiles(Query.parse(req.getQueryString())::get);
            respond(res, ResolvedModel.of(StrataServer.required(values, "model")), values, values.apply("format"));
        } catch (RuntimeException e) {
            res.resetBuffer(); // nothing has been sent: the buffer holds the whole answer
            res.setStatus(StrataServer.errorStatus(e));
            res.setContentType("application/json");
            res.getOutputStream().write(StrataServer.errorBody(e).getBytes(StandardCharsets.UTF_8));
        }
    }

    /**
     * The estimate for option values named as the CLI options without dashes: one code path with the command line. JSON
     * (the default format) is written straight from the report ({@link EstimateReport#writeCompactJson}: the same bytes
     * as the tree, without building it); CSV and the table are rendered from the tree. A refusal throws before anything
     * is sent: the answer is written into Jetty's buffer, which holds the whole of it, and the caller's error answer
     * discards it.
     */
    static void respond(HttpServletResponse res, ResolvedModel model, Function<String, String> values, String format) throws IOException {
        EstimateOptions options = EstimateOptions.parse(values, "");
        ServingOptions serving = ServingOptions.parse(values, "", options);
        Format f = StrataServer.format(format);
        res.setBufferSize(StrataServer.ESTIMATE_BUFFER_BYTES);
        if (f == Format.JSON) {
            // written through Jetty's output buffer, not built as bytes first (a third of what a request allocated)
            res.setContentType("application/json");
            try {
                EstimateReport.writeCompactJson(res.getOutputStream(), model, options, serving);
            } catch (RuntimeException e) {
                res.resetBuffer(); // the caller's error answer sets its own content type
                throw e;
            }
        } else {
            StrataServer.Answer a = StrataServer.Answer.of(f, EstimateReport.of(model, options, serving), null);
            res.setContentType(a.contentType());
            res.getOutputStream().write(a.body());
        }
    }
}
