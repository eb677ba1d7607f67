package dev.strata.web.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.data.PresetCatalog;
import dev.strata.data.RunsCsv;
import dev.strata.data.validation.Validation;
import dev.strata.estimator.serving.Traffic;
import dev.strata.estimator.sweep.Sweep;
import dev.strata.model.InvalidFieldException;
import dev.strata.web.page.ApiDocsPage;
import dev.strata.web.page.CapacityPage;
import dev.strata.web.page.ComparePage;
import dev.strata.web.page.HardwarePage;
import dev.strata.web.page.Html;
import dev.strata.web.page.ModelsPage;
import dev.strata.web.page.Page;
import dev.strata.web.page.PlannerPage;
import dev.strata.web.page.ScalingPage;
import dev.strata.web.page.TrainingPage;
import dev.strata.web.page.ValidationPage;
import dev.strata.web.render.Format;
import dev.strata.web.render.Render;
import dev.strata.web.render.SweepWriter;
import dev.strata.web.report.EstimateOptions;
import dev.strata.web.report.EstimateReport;
import dev.strata.web.report.FitReport;
import dev.strata.web.report.HardwareReport;
import dev.strata.web.report.Inputs;
import dev.strata.web.report.LawsReport;
import dev.strata.web.report.OptimalReport;
import dev.strata.web.report.PlanReport;
import dev.strata.web.report.PresetsReport;
import dev.strata.web.report.ResolvedModel;
import dev.strata.web.report.ServingOptions;
import dev.strata.web.report.SimulateReport;
import dev.strata.web.report.SweepRequest;
import dev.strata.web.report.TrainReport;
import dev.strata.web.report.TrainingMemoryReport;
import dev.strata.web.report.ValidationReport;
import dev.strata.web.report.WorkBudget;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.config.SizeUnit;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.CustomRequestLog;
import org.eclipse.jetty.server.RequestLog;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.component.LifeCycle;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The web app: JSON API and pages. {@code GET /api/validate} is the report of {@code strata validate --report} on the
 * shipped reference run (JSON; {@code format=csv} gives its points), {@code /chart/validation.png?quantity=...} its chart. {@code GET /api/estimate} takes the workload options of {@code strata estimate} as
 * query parameters named like the options without the leading dashes ({@code batch}, {@code tp}, {@code zero},
 * {@code device-memory-gib}, ...); {@code POST /api/estimate} also reads them from fields of the JSON body. Routes are declared up front; handlers parse, call the report builders (which
 * call the estimators) and render. Bad input is HTTP 400 with {@code {"error", "field"}}; oversized bodies 413.
 * {@code GET /openapi.json} describes every {@code /api} route ({@link OpenApi}); {@code GET /api-docs} shows that
 * description in Swagger UI.
 */
public final class StrataServer {
    /** Largest request body accepted, in bytes (but the planner's upload: {@link #MAX_UPLOAD_BYTES}). */
    public static final long MAX_BODY_BYTES = 1 << 20;
    /**
     * Largest body of the planner's POST, whose model picker takes a GGUF file's header ({@link
     * PlannerPage#MAX_UPLOAD_BYTES}); a body over it is refused unread (413 naming {@code file}).
     */
    public static final long MAX_UPLOAD_BYTES = PlannerPage.MAX_UPLOAD_BYTES;

    /** The largest body a request to {@code path} by {@code method} may send: the planner's POST takes an upload. */
    static long maxBody(String method, String path) {
        return "POST".equals(method) && "/".equals(path) ? MAX_UPLOAD_BYTES : MAX_BODY_BYTES;
    }
    /**
     * The chunk in which Javalin copies a result set on the context (pages, CSV, the other API answers) to the response:
     * the size of an estimate's JSON, rounded up. The estimate's JSON itself is written to the response directly.
     */
    static final int RESULT_COPY_BYTES = 8 * 1024;
    /**
     * Jetty's output buffer for an estimate answer: larger than any (the largest, DeepSeek-V3 with a target, every
     * option and the whole catalog's {@code cheapest} list, is under a third of it; a test holds that).
     */
    static final int ESTIMATE_BUFFER_BYTES = 64 * 1024;
    /**
     * How long a connection may go without a byte received or sent before Jetty closes it: the read deadline of a body,
     * the write deadline of an answer its client stopped reading, and the life of an idle kept-alive connection.
     */
    public static final long IDLE_TIMEOUT_MS = 10_000;
    /**
     * Slowest a body ({@link EagerBodies}) or an answer (Jetty's minimum response data rate) may arrive on average,
     * in bytes per second.
     */
    public static final long MIN_DATA_RATE = 16 * 1024;
    /** Most threads serving requests (Jetty's selector and acceptor included): four per core, at least 8. */
    public static final int THREADS = Math.max(8, 4 * Runtime.getRuntime().availableProcessors());

    private StrataServer() {}

    /**
     * Longest a stopping server (SIGTERM, {@link Javalin#stop()}) waits for the requests in flight to finish: longer
     * than any request within the work budgets takes, so that none is cut off.
     */
    public static final long STOP_TIMEOUT_MS = 10_000;

    /**
     * What each request-log line holds, in Jetty's {@link CustomRequestLog} syntax: the time (UTC, ISO 8601), method,
     * path, status, bytes of the answer's body, and milliseconds taken.
     */
    public static final String REQUEST_LOG_FORMAT = "%{yyyy-MM-dd'T'HH:mm:ss.SSS'Z'|UTC}t %m %U %s %O %{ms}Tms";

    /** A configured, not yet started server that logs no requests. */
    public static Javalin create() {
        return create(null);
    }

    /**
     * A configured, not yet started server.
     *
     * @param requestLog where a line per request goes ({@link #REQUEST_LOG_FORMAT}), or null for none
     */
    public static Javalin create(RequestLog.Writer requestLog) {
        Map<String, Function<Context, org.jfree.chart.JFreeChart>> chartMakers = new java.util.HashMap<>(Map.of(
                "params", ctx -> ModelsPage.chart(required(ctx, "model")),
                "serving",
                        ctx -> SimulateReport.latencyChart(
                                ResolvedModel.of(required(ctx, "model")), noFiles(name -> Query.text(ctx, name))),
                "memory", ctx -> PlannerPage.memoryChart(PlannerPage.values(ctx::queryParam)),
                "sweep", ctx -> PlannerPage.sweepChart(PlannerPage.values(ctx::queryParam)),
                "training-memory", ctx -> TrainingPage.memoryChart(ctx::queryParam),
                "frontier", ctx -> ScalingPage.frontierChart(ctx::queryParam),
                "allocation", ctx -> ScalingPage.allocationChart(ctx::queryParam),
                "isoflop", ctx -> ScalingPage.isoFlopChart(ctx::queryParam),
                "fit", ctx -> ScalingPage.fitChart(fitInput(ctx)),
                "validation",
                        ctx -> ValidationPage.chart(
                                ctx.queryParam("quantity") == null
                                        ? "decode_seconds_per_token"
                                        : ctx.queryParam("quantity"),
                                device(ctx))));
        // the capacity page's charts: the plan's frontier and its cheapest deployment's latency against rate
        chartMakers.put(
                "simulate-timeline",
                ctx -> SimulateReport.timelineChart(
                        ResolvedModel.of(required(ctx, "model")), noFiles(name -> Query.text(ctx, name))));
        chartMakers.put("capacity-frontier", ctx -> CapacityPage.frontierChart(ctx::queryParam));
        chartMakers.put("capacity-latency", ctx -> CapacityPage.latencyChart(ctx::queryParam));
        // the latency chart's figures as JSON, for the page's interactive chart (no /api route answers them)
        // and the scaling page's figures, the series their images are drawn from
        ChartEndpoint charts = new ChartEndpoint(
                Map.copyOf(chartMakers),
                Map.of(
                        "capacity-latency", ctx -> CapacityPage.latencyData(ctx::queryParam),
                        "frontier",
                                ctx -> ScalingPage.frontierFigure(ctx::queryParam)
                                        .json(),
                        "allocation",
                                ctx -> ScalingPage.allocationFigure(ctx::queryParam)
                                        .json(),
                        "isoflop",
                                ctx -> ScalingPage.isoFlopFigure(ctx::queryParam)
                                        .json(),
                        "params", ctx -> ModelsPage.chartData(required(ctx, "model")),
                        "validation",
                                ctx -> ValidationPage.figure(
                                                ctx.queryParam("quantity") == null
                                                        ? "decode_seconds_per_token"
                                                        : ctx.queryParam("quantity"),
                                                device(ctx))
                                        .json()));
        return Javalin.create(config -> {
            config.http.maxRequestSize = MAX_UPLOAD_BYTES; // per route: body(ctx) holds the others to MAX_BODY_BYTES
            // Javalin copies every result into Jetty's output through a buffer of this size, allocated per request
            // (left
            // unset, Jetty's 32 KiB); Jetty still aggregates its own 32 KiB before writing, so larger results (charts,
            // CSV) only take more copy calls.
            config.http.responseBufferSize = RESULT_COPY_BYTES;
            // Requests are short and CPU-bound: a pool a few times the cores (not Jetty's 200) keeps the tail latency
            // down.
            config.jetty.threadPool = new QueuedThreadPool(THREADS, Math.min(8, THREADS));
            config.jetty.multipartConfig.maxFileSize(MAX_BODY_BYTES, SizeUnit.BYTES);
            config.jetty.multipartConfig.maxTotalRequestSize(MAX_BODY_BYTES, SizeUnit.BYTES);
            config.jetty.multipartConfig.maxInMemoryFileSize((int) MAX_BODY_BYTES, SizeUnit.BYTES);
            // Deadlines (docs/http-api.md, "Limits"): a connection that neither sends nor reads a byte for the idle
            // timeout is closed, so a blocked write (a client that stopped reading) gives its thread back; an answer
            // read slower than the minimum rate fails too. The idle timeout is the connector's (set as the server
            // starts, once Javalin has made its connector), not HttpConfiguration's, which Jetty would set and reset
            // on the connection around every request. Bodies are read before the route runs, with the same
            // deadlines (EagerBodies): Jetty's minimum request data rate would time them from their first byte and
            // refuse a small body whose route started a few milliseconds later.
            config.jetty.modifyHttpConfiguration(http -> http.setMinResponseDataRate(MIN_DATA_RATE));
            config.jetty.modifyServer(server -> {
                server.addEventListener(new LifeCycle.Listener() {
                    @Override
                    public void lifeCycleStarting(LifeCycle event) {
                        for (Connector c : server.getConnectors())
                            if (c instanceof AbstractConnector a) a.setIdleTimeout(IDLE_TIMEOUT_MS);
                    }
                });
                server.setErrorHandler(new JsonErrorHandler());
                if (requestLog != null) server.setRequestLog(new CustomRequestLog(requestLog, REQUEST_LOG_FORMAT));
                // a stop lets the requests in flight finish (up to the timeout) and refuses new connections meanwhile
                server.setStopTimeout(STOP_TIMEOUT_MS);
                // Inserted below the server, each above the last: bodies are read first, without a thread (a body
                // sent a byte a second holds none; EagerBodies), then heavy requests wait for one of their slots.
                server.insertHandler(HeavyRequests.compute());
                server.insertHandler(HeavyRequests.streams());
                server.insertHandler(EagerBodies.handler());
                server.insertHandler(new GracefulHandler());
            });
            // Answers go to a browser or a program on this machine: compressing them costs more than it saves.
            config.http.compressionStrategy = CompressionStrategy.NONE;
            config.jetty.modifyServletContextHandler(context -> {
                context.addFilter(new RequestFilter(), "/*", EnumSet.of(DispatcherType.REQUEST));
                context.addFilter(new HeavyWork(), "/*", EnumSet.of(DispatcherType.REQUEST));
            });
            config.startup.showJavalinBanner = false;
            config.staticFiles.add(files -> {
                files.hostedPath = "/static";
                files.directory = "/dev/strata/web/static";
                files.location = Location.CLASSPATH;
            });
            // Swagger UI for /api-docs, from its WebJar on the class path: the page loads nothing from elsewhere
            config.staticFiles.add(files -> {
                files.hostedPath = ApiDocsPage.ASSETS;
                files.directory = "/META-INF/resources/webjars/swagger-ui";
                files.location = Location.CLASSPATH;
            });
            // uPlot for the planner's interactive charts, from its WebJar on the class path (no CDN)
            config.staticFiles.add(files -> {
                files.hostedPath = PlannerPage.UPLOT_ASSETS;
                files.directory = "/META-INF/resources/webjars/uplot";
                files.location = Location.CLASSPATH;
            });
            // Javalin tries the routes of a method in the order they are declared: the API, which programs call most,
            // first
            config.routes.get("/healthz", ctx -> ctx.contentType("text/plain").result("ok\n"));
            config.routes.get("/api/version", ctx -> respond(ctx, versionReport(), null));
            config.routes.get("/api/presets", ctx -> respond(ctx, PresetsReport.all(), "presets"));
            config.routes.get(
                    "/api/estimate",
                    ctx -> estimate(ctx, ResolvedModel.of(required(ctx, "model")), noFiles(ctx::queryParam)));
            config.routes.post("/api/estimate", StrataServer::postEstimate);
            config.routes.get("/api/sweep", StrataServer::sweep);
            config.routes.get("/api/simulate", StrataServer::simulate);
            config.routes.post("/api/simulate", StrataServer::postSimulate);
            config.routes.get("/api/plan", ctx -> {
                String rows = PlanReport.rows(Query.text(ctx, "rows"), "");
                respond(
                        ctx,
                        PlanReport.of(
                                ResolvedModel.of(required(ctx, "model")),
                                noFiles(name -> Query.text(ctx, name)),
                                "",
                                PlanReport.HTTP_MAX_CANDIDATES),
                        rows);
            });
            config.routes.post("/api/plan", StrataServer::postPlan);
            config.routes.get("/api/hardware", ctx -> respond(ctx, HardwareReport.all(), "hardware"));
            config.routes.get("/api/optimal", StrataServer::optimal);
            config.routes.post("/api/fit", StrataServer::fit);
            config.routes.get("/api/train", StrataServer::train);
            config.routes.get(
                    "/api/training-memory", ctx -> respond(ctx, TrainingMemoryReport.of(inputs(ctx)), "rows"));
            config.routes.get(
                    "/api/laws", ctx -> respond(ctx, LawsReport.of(inputs(ctx).number("compute")), "laws"));
            config.routes.get(
                    "/api/validate",
                    ctx -> respond(ctx, ValidationReport.of(Validation.shipped(device(ctx))), "points"));
            // the description of the routes above (OpenApi), and the page that shows it
            config.routes.get("/openapi.json", ctx -> {
                byte[] doc = OpenApi.json();
                // its length up front (a HEAD's too): the document is larger than Jetty's buffer, which else chunks it
                ctx.res().setContentLength(doc.length);
                ctx.contentType("application/json").result(doc);
            });
            config.routes.get("/api-docs", ctx -> ctx.html(ApiDocsPage.html()));
            config.routes.get("/", StrataServer::planner);
            config.routes.post("/", StrataServer::planner);
            config.routes.get("/compare", StrataServer::compare);
            config.routes.post("/compare", StrataServer::compare);
            config.routes.get(
                    "/validation",
                    ctx -> page(ctx, ValidationPage.render(ctx.queryParam("quantity"), ctx.queryParam("device"))));
            config.routes.get("/models", ctx -> page(ctx, ModelsPage.render(ctx.queryParam("model"))));
            config.routes.get("/training", ctx -> page(ctx, TrainingPage.render(ctx::queryParam)));
            config.routes.get("/capacity", ctx -> page(ctx, CapacityPage.render(ctx::queryParam)));
            config.routes.get("/hardware", ctx -> page(ctx, HardwarePage.render(ctx::queryParam)));
            config.routes.get("/scaling", ctx -> page(ctx, ScalingPage.render(ctx::queryParam, null)));
            config.routes.post("/scaling/fit", ctx -> page(ctx, ScalingPage.render(ctx::queryParam, fitInput(ctx))));
            config.routes.get("/scaling/fit", ctx -> ctx.redirect("/scaling"));
            config.routes.post("/scaling/residuals.csv", StrataServer::residuals);
            config.routes.get("/chart/{file}", charts::handle);
            config.routes.post("/chart/{file}", charts::handle);
            // Javalin hands its own HTTP exceptions (its 404, 413) only to a handler registered for them
            config.routes.exception(HttpResponseException.class, StrataServer::error);
            config.routes.exception(Exception.class, StrataServer::error);
            config.routes.error(404, ctx -> {
                // a browser asking for a page gets a page (with the navigation), programs the JSON error
                String accept = ctx.header("Accept");
                if (!ctx.path().startsWith("/api") && accept != null && accept.contains("text/html"))
                    ctx.status(404)
                            .html(Html.page(
                                    "Not found",
                                    null,
                                    "<p class=\"error-box\" id=\"error\">There is no page at "
                                            + Html.esc(ctx.path())
                                            + ". The pages are in the navigation above; the HTTP API is at"
                                            + " <a href=\"/api-docs\">/api-docs</a>.</p>"));
                else if (ctx.result() == null || ctx.result().isEmpty())
                    error(ctx, 404, "no such page: " + ctx.path(), null);
            });
        });
    }

    /**
     * JSON bodies as strictly as JSON allows: text after the value and a key given twice are errors (Jackson reads the
     * first value and stops, and keeps the last of two keys, both without a word).
     */
    private static final ObjectReader STRICT_JSON = Render.MAPPER
            .reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION);

    /** The fields a posted body may have besides the options: the model, and the format. */
    private static final Set<String> BODY_FIELDS = Set.of("config", "model", "format");

    /**
     * The options of an estimate, every name its parsers ask for (found by parsing with every option absent, which
     * asks for each).
     */
    static final Set<String> ESTIMATE_OPTIONS = estimateOptions();

    private static Set<String> estimateOptions() {
        Set<String> names = new java.util.TreeSet<>();
        Function<String, String> none = name -> {
            names.add(name);
            return null;
        };
        ServingOptions.parse(none, "", EstimateOptions.parse(none, ""));
        return Collections.unmodifiableSet(names);
    }

    private static void postEstimate(Context ctx) throws IOException {
        Posted posted = posted(ctx, ESTIMATE_OPTIONS, Set.of(), "an estimate", "strata estimate");
        if (posted != null) estimate(ctx, posted.model(), noFiles(name -> field(ctx, posted.body(), name)));
    }

    /** A posted body: the JSON object and the model it names ({@code config} or {@code model}). */
    private record Posted(JsonNode body, ResolvedModel model) {}

    /**
     * Reads a POST's JSON body: an object with {@code config} (a Hugging Face config.json object) or {@code model} (a
     * preset id), {@code format}, the fields of {@code extra}, and {@code options} named as the command's options
     * without dashes; anything else is a 400 naming it. Null when the body was too large (answered 413 here, unread).
     */
    private static Posted posted(Context ctx, Set<String> options, Set<String> extra, String what, String command)
            throws IOException {
        if (ctx.contentLength() > MAX_BODY_BYTES) {
            drain(ctx);
            error(ctx, 413, "request body is larger than " + MAX_BODY_BYTES + " bytes", "body");
            return null;
        }
        JsonNode body;
        try {
            body = STRICT_JSON.readTree(body(ctx));
        } catch (JsonProcessingException e) {
            throw InvalidFieldException.withMessage(
                    "body",
                    "request body is not valid JSON: " + e.getOriginalMessage().replaceAll("\\s+", " "));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (body == null || body.isMissingNode() || !body.isObject())
            throw new InvalidFieldException(
                    "body", body == null || body.isMissingNode() ? "empty" : body.getNodeType(), "a JSON object");
        for (var names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!options.contains(name) && !BODY_FIELDS.contains(name) && !extra.contains(name))
                throw InvalidFieldException.withMessage(
                        name,
                        name + " is not a field of " + what + ": the body has \"config\" or \"model\", \"format\","
                                + (extra.isEmpty()
                                        ? ""
                                        : " "
                                                + String.join(
                                                        ", ",
                                                        extra.stream()
                                                                .map(e -> "\"" + e + "\"")
                                                                .sorted()
                                                                .toList())
                                                + ",")
                                + " and the options of " + command + " without dashes: "
                                + String.join(", ", new java.util.TreeSet<>(options)));
        }
        ResolvedModel model;
        JsonNode config = body.get("config"), preset = body.get("model");
        if (config != null && !config.isNull()) {
            if (preset != null && !preset.isNull())
                throw InvalidFieldException.withMessage(
                        "model", "the body has both \"config\" and \"model\": give one of them");
            if (!config.isObject())
                throw new InvalidFieldException("config", shorten(config), "a Hugging Face config.json object");
            model = ResolvedModel.ofConfig(config);
        } else if (preset != null && preset.isTextual())
            model = ResolvedModel.of(presetId("model", preset.textValue()));
        else if (preset != null && !preset.isNull())
            throw new InvalidFieldException("model", shorten(preset), "a preset id as a JSON string");
        else
            throw InvalidFieldException.withMessage(
                    "config",
                    "the body must have \"config\" (a Hugging Face config.json object) or \"model\" (a preset id)");
        return new Posted(body, model);
    }

    /**
     * The text of option {@code name} from the body, else the query: a JSON string, number or boolean (null is
     * absent); an array or an object is refused, as is an option given in both.
     */
    private static String field(Context ctx, JsonNode body, String name) {
        JsonNode v = body.get(name);
        String query = ctx.queryParam(name);
        if (v == null || v.isNull()) return query;
        if (!v.isValueNode()) throw new InvalidFieldException(name, shorten(v), "a JSON string, number or boolean");
        if (query != null)
            throw InvalidFieldException.withMessage(
                    name, name + " is given both in the body and in the query: give it once");
        return v.asText();
    }

    /** A JSON value's text for a message, cut to 80 characters. */
    private static String shorten(JsonNode v) {
        String t = v.toString();
        return t.length() <= 80 ? t : t.substring(0, 77) + "...";
    }

    /**
     * The estimate for option values named as the CLI options without dashes: one code path with the command line, for
     * GET (query) and POST (body fields, then query). JSON (the default format) is written straight from the report
     * into Jetty's buffer ({@link EstimateReport#writeCompactJson}: the same bytes as the tree, without building it);
     * CSV and the table are rendered from the tree. The buffer holds the whole answer, so a refusal found while writing
     * is discarded and answered by the exception handler as every other error.
     */
    private static void estimate(Context ctx, ResolvedModel model, Function<String, String> values) throws IOException {
        EstimateOptions options = EstimateOptions.parse(values, "", model);
        ServingOptions serving = ServingOptions.parse(values, "", options);
        WorkBudget.checkEstimate(model, serving);
        Format f = format(values.apply("format"));
        HttpServletResponse res = ctx.res();
        res.setBufferSize(ESTIMATE_BUFFER_BYTES);
        if (f == Format.JSON) {
            res.setContentType("application/json");
            try {
                EstimateReport.writeCompactJson(res.getOutputStream(), model, options, serving);
            } catch (RuntimeException e) {
                res.resetBuffer(); // the error answer sets its own content type
                throw e;
            }
        } else {
            Answer a = Answer.of(f, EstimateReport.of(model, options, serving), null);
            ctx.contentType(a.contentType()).result(a.body());
        }
    }

    /** The {@code device} of a validation request: {@code cpu} (default) or {@code cuda}, the shipped run to show. */
    private static String device(Context ctx) {
        return Validation.deviceOrDefault(ctx.queryParam("device"));
    }

    /**
     * The planner page: GET with the state in the query; POST with a pasted config.json (the form posts when one is
     * pasted). A config in a GET's query is honoured too, never ignored: the form sends it so without JavaScript.
     */
    private static void planner(Context ctx) {
        boolean post = ctx.method().name().equals("POST");
        if (post && ctx.contentLength() > MAX_UPLOAD_BYTES) {
            // refused unread: the page, with its defaults, says why next to the file field
            long length = ctx.contentLength();
            drain(ctx);
            page(
                    ctx,
                    PlannerPage.render(
                            PlannerPage.values(name -> null),
                            null,
                            List.of(),
                            PlannerPage.Upload.refused(
                                    null,
                                    "file",
                                    PlannerPage.FILE + ": the upload is " + length + " bytes; at most "
                                            + MAX_UPLOAD_BYTES + " are read (a GGUF file is gigabytes: send its"
                                            + " header only, e.g. its first 32 MiB; the page does so with"
                                            + " JavaScript)",
                                    413)));
            return;
        }
        Function<String, String> values = post ? name -> formParam(ctx, name) : ctx::queryParam;
        // a parameter the page has no field for is named on the page, not ignored
        var names = post ? form(ctx).fields().keySet() : ctx.queryParamMap().keySet();
        String config = values.apply("config");
        // the model picker's file: a config.json, a GGUF header or a safetensors index (checked against the config)
        PlannerPage.Upload upload = post
                ? PlannerPage.upload(
                        form(ctx).fileNames().get(PlannerPage.FILE),
                        form(ctx).files().get(PlannerPage.FILE),
                        config)
                : null;
        if (upload == null && post && (config == null || config.isBlank()))
            config = formParam(ctx, PlannerPage.FILE); // a file part sent without a file name
        page(ctx, PlannerPage.render(PlannerPage.values(values), config, PlannerPage.unknown(names), upload));
    }

    /**
     * The compare page: the planner's query with lists, by GET (a config in the query honoured, as the planner's) or
     * POST with a pasted config.json; {@code format=csv} gives one row per setup (a refusal then is JSON, as the API's).
     */
    private static void compare(Context ctx) {
        boolean post = ctx.method().name().equals("POST");
        Function<String, String> read = post ? name -> formParam(ctx, name) : name -> Query.text(ctx, name);
        Map<String, String> values = ComparePage.values(read);
        String config = read.apply("config"), format = read.apply("format");
        if (format != null && !format.isBlank() && !format.trim().equals("html")) {
            if (!format.trim().equals("csv"))
                throw new InvalidFieldException("format", format, "html (the default) or csv");
            ctx.contentType("text/csv; charset=utf-8")
                    .header("Content-Disposition", "attachment; filename=\"compare.csv\"")
                    .result(ComparePage.csv(values, config));
            return;
        }
        page(ctx, ComparePage.render(values, config));
    }

    /** Most points one {@code GET /api/sweep} may ask for (the command line allows {@link Sweep#MAX_POINTS}). */
    public static final long MAX_SWEEP_POINTS = 100_000;

    /**
     * GET /api/sweep: the estimate options, any of them a list or range, streamed as CSV (default) or JSON lines
     * ({@code format=json}); more than {@link #MAX_SWEEP_POINTS} points is a 400 naming the option.
     */
    private static void sweep(Context ctx) throws java.io.IOException {
        Function<String, String> values = noFiles(ctx::queryParam);
        String model = values.apply("model");
        if (model != null) for (String m : model.split(",")) presetId("model", m.trim());
        SweepRequest req = SweepRequest.parse(values, "", PresetCatalog::resolve, MAX_SWEEP_POINTS);
        Format format = Format.parse("format", ctx.queryParam("format") == null ? "csv" : ctx.queryParam("format"));
        if (format == Format.TABLE) throw new InvalidFieldException("format", "table", "csv or json");
        Sweep.check(req.base(), req.axes()); // fail before streaming: errors must be a 400, not a cut-off body
        ctx.contentType(format == Format.CSV ? "text/csv; charset=utf-8" : "application/x-ndjson");
        java.io.Writer out = new java.io.BufferedWriter(
                new java.io.OutputStreamWriter(ctx.outputStream(), java.nio.charset.StandardCharsets.UTF_8), 1 << 16);
        try (SweepWriter w = new SweepWriter(format, out)) {
            Sweep.run(req.base(), req.axes(), w);
        }
    }

    /** Option values where a hardware given as a file path is refused: the server never reads files named by a client. */
    static Function<String, String> noFiles(Function<String, String> values) {
        return name -> {
            String v = values.apply(name);
            if (name.equals("hardware") && v != null) presetId("hardware", v);
            return v;
        };
    }

    /** {@code v} if it cannot name a file; otherwise a 400 naming {@code field} ({@link ResolvedModel#catalogId}). */
    private static String presetId(String field, String v) {
        return ResolvedModel.catalogId(field, v);
    }

    /** GET /api/optimal?compute=1e24&law=chinchilla[&loss=&params=&iso-flop=&span=]: as {@code strata optimal}. */
    private static void optimal(Context ctx) {
        respond(ctx, OptimalReport.of(OptimalReport.Request.from(inputs(ctx))), null);
    }

    /**
     * POST /api/fit?c-col=...&exclude-highest-loss=5&bootstrap=1000&seed=1 with the runs as a CSV body: as
     * {@code strata fit}.
     */
    private static void fit(Context ctx) {
        if (ctx.contentLength() > MAX_BODY_BYTES) {
            drain(ctx);
            error(ctx, 413, "request body is larger than " + MAX_BODY_BYTES + " bytes", "body");
            return;
        }
        FitReport.Request request = FitReport.Request.from(inputs(ctx));
        String body = new String(body(ctx), java.nio.charset.StandardCharsets.UTF_8);
        if (body.isBlank())
            throw InvalidFieldException.withMessage("data", "data: POST the runs as a CSV body with a header row");
        RunsCsv.Runs runs = RunsCsv.read(body, request.columns());
        WorkBudget.checkFit(runs, request);
        respond(ctx, FitReport.of(runs, request), null);
    }

    /** GET /api/train?model=llama-3-8b&tokens=15e12&hardware=h100-sxm&devices=1024[&mfu=&price=...]: as {@code strata train}. */
    private static void train(Context ctx) {
        var result = TrainReport.of(TrainReport.Request.from(inputs(ctx)), WorkBudget.MAX_TRAINING_LAYOUTS);
        respond(ctx, result, result.has("layouts") ? "layouts" : null);
    }

    /** The fields of a posted simulation besides the model and the format: {@code simulate}'s options, and the trace. */
    private static final Set<String> SIMULATE_OPTIONS = postedOptions("simulate");

    /** The fields of a posted plan besides the model and the format: {@code plan}'s options. */
    private static final Set<String> PLAN_OPTIONS = postedOptions("plan");

    /** The options of {@code command} a posted body may have as fields: all but the model and a trace file. */
    private static Set<String> postedOptions(String command) {
        Set<String> names = new java.util.TreeSet<>(OpenApi.options(command).keySet());
        names.removeAll(Set.of("model", "trace", "format"));
        return java.util.Collections.unmodifiableSet(names);
    }

    /**
     * POST /api/simulate with a JSON body: as GET, for a posted config.json ({@code config}) or a preset
     * ({@code model}), and with {@code trace}, the requests themselves (the server reads no files).
     */
    private static void postSimulate(Context ctx) throws IOException {
        Posted posted = posted(ctx, SIMULATE_OPTIONS, Set.of("trace"), "a simulation", "strata simulate");
        if (posted == null) return;
        Function<String, String> values = noFiles(name -> field(ctx, posted.body(), name));
        ObjectNode root = SimulateReport.of(
                posted.model(), values, "", trace(posted.body().get("trace")), SimulateReport.HTTP_MAX_TOKENS);
        Format f = format(values.apply("format"));
        SimulateReport.keepFor(root, f);
        respond(ctx, f, root, root.has("perRequest") ? "perRequest" : null);
    }

    /** POST /api/plan with a JSON body: as GET, for a posted config.json ({@code config}) or a preset ({@code model}). */
    private static void postPlan(Context ctx) throws IOException {
        Posted posted = posted(ctx, PLAN_OPTIONS, Set.of(), "a plan", "strata plan");
        if (posted == null) return;
        Function<String, String> values = noFiles(name -> field(ctx, posted.body(), name));
        String rows = PlanReport.rows(values.apply("rows"), "");
        ObjectNode root = PlanReport.of(posted.model(), values, "", PlanReport.HTTP_MAX_CANDIDATES);
        respond(ctx, format(values.apply("format")), root, rows);
    }

    /**
     * A posted trace: an array of requests, each an object with {@code arrival_seconds}, {@code prompt_tokens} and
     * {@code output_tokens} (numbers), and optionally {@code prefix_group} (text) with {@code prefix_tokens} (the
     * columns of the command line's trace file). Null when absent; errors name {@code trace}, the request and the field.
     */
    static List<Traffic.Request> trace(JsonNode trace) {
        if (trace == null || trace.isNull()) return null;
        if (!trace.isArray() || trace.isEmpty()) throw wrong("trace", trace, "an array of requests, at least one");
        if (trace.size() > Traffic.MAX_REQUESTS)
            throw new InvalidFieldException(
                    "trace", trace.size() + " requests", "at most " + Traffic.MAX_REQUESTS + " requests");
        Set<String> fields =
                Set.of("arrival_seconds", "prompt_tokens", "output_tokens", "prefix_group", "prefix_tokens");
        Map<String, Integer> groups = new java.util.HashMap<>();
        List<Traffic.Request> out = new ArrayList<>(trace.size());
        for (int i = 0; i < trace.size(); i++) {
            JsonNode r = trace.get(i);
            String at = "trace[" + i + "]";
            if (!r.isObject()) throw wrong(at, r, "an object with arrival_seconds, prompt_tokens and output_tokens");
            for (var names = r.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!fields.contains(name))
                    throw wrong(
                            at + "." + name,
                            r.get(name),
                            "a field of a request, one of " + new java.util.TreeSet<>(fields));
            }
            double arrival = number(r, at, "arrival_seconds");
            long prompt = tokens(r, at, "prompt_tokens"), output = tokens(r, at, "output_tokens");
            int group = -1;
            long shared = 0;
            JsonNode g = r.get("prefix_group");
            if (g != null && !g.isNull() && !(g.isTextual() && g.textValue().isBlank())) {
                if (!g.isTextual()) throw wrong(at + ".prefix_group", g, "a JSON string");
                if (r.get("prefix_tokens") == null || r.get("prefix_tokens").isNull())
                    throw new InvalidFieldException(
                            at + ".prefix_group", g.textValue(), "a prefix_tokens field beside it");
                group = groups.computeIfAbsent(g.textValue(), k -> groups.size());
                shared = tokens(r, at, "prefix_tokens");
            }
            try { // the request checks its own ranges; its refusal names the field within the trace
                out.add(new Traffic.Request(arrival, prompt, output, group, shared));
            } catch (InvalidFieldException e) {
                throw InvalidFieldException.withMessage(at + "." + e.field(), at + "." + e.getMessage());
            }
        }
        return out;
    }

    /** A trace request's number field, finite. */
    private static double number(JsonNode r, String at, String name) {
        JsonNode v = r.get(name);
        if (v == null || v.isNull())
            throw InvalidFieldException.withMessage(at + "." + name, at + "." + name + " is missing: a number");
        if (!v.isNumber() || !Double.isFinite(v.doubleValue())) throw wrong(at + "." + name, v, "a number");
        return v.doubleValue();
    }

    /** A trace request's token count: a whole number ({@link Traffic.Request} checks its range). */
    private static long tokens(JsonNode r, String at, String name) {
        JsonNode v = r.get(name);
        if (v == null || v.isNull())
            throw InvalidFieldException.withMessage(
                    at + "." + name, at + "." + name + " is missing: a whole number of tokens");
        if (!v.isIntegralNumber() || !v.canConvertToLong()) throw wrong(at + "." + name, v, "a whole number of tokens");
        return v.longValue();
    }
    /** A posted value of the wrong kind: a 400 naming the field, the JSON value as it was sent, and what is allowed. */
    private static InvalidFieldException wrong(String field, JsonNode v, String allowed) {
        return InvalidFieldException.withMessage(
                field,
                field + " is " + shorten(v) + " (JSON "
                        + v.getNodeType().toString().toLowerCase(java.util.Locale.ROOT) + "): must be " + allowed);
    }

    /**
     * GET /api/simulate?model=...&hardware=...&rate=...: as {@code strata simulate} (no trace: the server reads no
     * files); {@code format=csv} gives one row per request.
     */
    private static void simulate(Context ctx) {
        if (Query.text(ctx, "trace") != null)
            throw InvalidFieldException.withMessage(
                    "trace",
                    "trace: the server reads no files; use the command line's --trace, or POST /api/simulate with the"
                            + " requests in \"trace\"");
        ObjectNode root = SimulateReport.of(
                ResolvedModel.of(required(ctx, "model")),
                noFiles(name -> Query.text(ctx, name)),
                "",
                null,
                SimulateReport.HTTP_MAX_TOKENS);
        SimulateReport.keepFor(root, format(ctx));
        // the table, as the command line's, is of the summary: without the requests there are no rows to list
        respond(ctx, root, root.has("perRequest") ? "perRequest" : null);
    }

    /** The query parameters as typed inputs (names as the options without dashes; the form without any dash works too). */
    private static Inputs inputs(Context ctx) {
        return new Inputs(name -> Query.text(ctx, name));
    }

    /** A server-rendered page with its status (400 when an input was refused: the page shows why, next to the field). */
    private static void page(Context ctx, Page page) {
        ctx.status(page.status()).html(page.html());
    }

    /**
     * The fit form of the scaling page as posted (multipart with an optional file, or URL-encoded): the runs come from
     * the file when one was chosen, else from the text field. A body over {@link #MAX_BODY_BYTES} is refused unread.
     */
    private static ScalingPage.FitInput fitInput(Context ctx) {
        Map<String, String> values = new LinkedHashMap<>();
        if (ctx.contentLength() > MAX_BODY_BYTES) {
            drain(ctx);
            return new ScalingPage.FitInput(
                    values,
                    null,
                    "data: the upload is " + ctx.contentLength() + " bytes; at most " + MAX_BODY_BYTES
                            + " are accepted");
        }
        for (String f : ScalingPage.FIT_FIELDS) values.put(f, formParam(ctx, f));
        PostedForm form = form(ctx);
        String file = formParam(ctx, "file"), fileName = null;
        if (file != null && !file.isEmpty()) { // a form without a file chosen sends an empty file part
            // a spreadsheet's byte-order mark is not part of the header
            values.put("data", file.startsWith("\uFEFF") ? file.substring(1) : file);
            fileName = form.fileNames().get("file");
        }
        return new ScalingPage.FitInput(values, fileName, null);
    }

    /** A field of the posted form ({@link #form}), which must be given at most once; null when absent. */
    private static String formParam(Context ctx, String name) {
        List<String> all = form(ctx).values(name);
        if (all.size() > 1)
            throw InvalidFieldException.withMessage(
                    name, name + " is given " + all.size() + " times in the form: give each field once");
        return all.isEmpty() ? null : all.get(0);
    }

    /**
     * The posted form (URL-encoded or multipart), parsed once per request from the body ({@link PostedForm}); a body
     * that is not a readable form is a 400 naming {@code body}. Bodies over {@link #MAX_BODY_BYTES} never get here
     * ({@link EagerBodies}, {@link #fitInput}).
     */
    private static PostedForm form(Context ctx) {
        PostedForm form = ctx.attribute(PostedForm.class.getName());
        if (form == null) {
            form = PostedForm.parse(
                    ctx.contentType(), body(ctx), maxBody(ctx.method().name(), ctx.path()));
            ctx.attribute(PostedForm.class.getName(), form);
        }
        return form;
    }

    /** POST /scaling/residuals.csv with the fit form: the residual of every run, as CSV. */
    private static void residuals(Context ctx) {
        ScalingPage.FitInput fit = fitInput(ctx);
        if (fit.refused() != null) {
            error(ctx, 413, fit.refused(), "data");
            return;
        }
        ctx.contentType("text/csv; charset=utf-8")
                .header("Content-Disposition", "attachment; filename=\"residuals.csv\"");
        ctx.result(ScalingPage.residualsCsv(fit));
    }

    /**
     * The request body. A body that cannot be read because the client framed it wrongly (a chunk shorter than its
     * announced size, a broken chunk header) is bad input, 400 naming {@code body}; bodies over
     * {@link #MAX_BODY_BYTES} stay 413 (Javalin's own error).
     */
    /** Most bytes of a refused body read and thrown away before answering (see {@link #drain}). */
    private static final long DRAIN_LIMIT_BYTES = 16L << 20;

    /**
     * Reads and discards what is left of a body refused for its size (up to {@link #DRAIN_LIMIT_BYTES}), so that a client
     * still sending it reads the 413 instead of a reset connection.
     */
    private static void drain(Context ctx) {
        try {
            var in = ctx.req().getInputStream();
            byte[] buffer = new byte[64 * 1024];
            long read = 0;
            for (int n; read < DRAIN_LIMIT_BYTES && (n = in.read(buffer)) > 0; ) read += n;
        } catch (IOException | RuntimeException ignored) {
            // the connection is closed after the answer anyway
        }
    }

    private static byte[] body(Context ctx) {
        long max = maxBody(ctx.method().name(), ctx.path());
        if (ctx.contentLength() > max)
            throw new HttpResponseException(413, "request body is larger than " + max + " bytes");
        try {
            return ctx.bodyAsBytes();
        } catch (HttpResponseException e) {
            throw e;
        } catch (Exception e) { // Kotlin lets bodyAsBytes throw IOException undeclared
            if (!(e instanceof IOException || e instanceof UncheckedIOException)) throw e;
            String why = e.getMessage() == null
                    ? e.getClass().getSimpleName()
                    : e.getMessage().replaceAll("\\s+", " ");
            throw InvalidFieldException.withMessage("body", "request body could not be read: " + why);
        }
    }

    /** Responds with JSON, or CSV when {@code format=csv}; {@code rowsKey} names a list rendered as CSV rows. */
    /** The answer of {@code GET /api/version}: this build's version and the Java it runs on. */
    static ObjectNode versionReport() {
        ObjectNode v = Render.MAPPER.createObjectNode();
        v.put("name", "strata");
        v.put("version", dev.strata.web.Version.VERSION);
        v.put("java", Runtime.version().toString());
        return v;
    }

    private static void respond(Context ctx, ObjectNode result, String rowsKey) {
        respond(ctx, format(ctx), result, rowsKey);
    }

    /** The answer's format: the {@code format} parameter, JSON when it is absent. */
    private static Format format(Context ctx) {
        return format(ctx.queryParam("format"));
    }

    /** The format named by a {@code format} parameter's value {@code f}: JSON when it is absent. */
    static Format format(String f) {
        return Format.parse("format", f == null ? "json" : f);
    }

    private static void respond(Context ctx, Format format, ObjectNode result, String rowsKey) {
        Answer a = Answer.of(format, result, rowsKey);
        ctx.contentType(a.contentType()).result(a.body());
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** An answer's content type and bytes (text in UTF-8). */
    record Answer(String contentType, byte[] body) {
        /** {@code result} as {@code format}: JSON, CSV or the table; {@code rowsKey} names a list rendered as rows. */
        static Answer of(Format format, ObjectNode result, String rowsKey) {
            return switch (format) {
                case CSV ->
                    new Answer(
                            "text/csv; charset=utf-8",
                            utf8(
                                    rowsKey == null
                                            ? Render.csv(result)
                                            : Render.rows(result, result.get(rowsKey), Format.CSV)));
                case TABLE ->
                    new Answer(
                            "text/plain; charset=utf-8",
                            utf8(
                                    rowsKey == null
                                            ? Render.table(result)
                                            : Render.rows(result, result.get(rowsKey), Format.TABLE)));
                case JSON -> new Answer("application/json", Render.compactJson(result));
            };
        }
    }

    private static String required(Context ctx, String name) {
        return required(ctx::queryParam, name);
    }

    /** The preset id named by {@code name}, which must be present; a 400 naming it otherwise. */
    static String required(Function<String, String> values, String name) {
        String v = values.apply(name);
        if (v == null || v.isBlank())
            throw new InvalidFieldException(name, v, "present (a preset id; see /api/presets)");
        return ResolvedModel.catalogId(name, v);
    }

    /** The answer to an exception thrown by a route: {@link #errorStatus} and {@link #errorBody}. */
    private static void error(Exception e, Context ctx) {
        ctx.status(errorStatus(e)).contentType("application/json").result(errorBody(e));
    }

    private static void error(Context ctx, int status, String message, String field) {
        ctx.status(status).contentType("application/json").result(errorBody(message, field));
    }

    /**
     * The status of the answer to {@code e} thrown while answering: 400 for bad input ({@link IllegalArgumentException},
     * {@link InvalidFieldException} among them), an HTTP exception's own (413 for a body too large), {@value
     * #CLIENT_CLOSED} for work stopped because its client went away ({@link HeavyWork}; nobody reads it, the request
     * log shows it), 500 otherwise.
     */
    /** The status of an answer nobody waits for any more (nginx's "client closed request"), as the request log shows it. */
    static final int CLIENT_CLOSED = 499;

    static int errorStatus(Exception e) {
        if (e instanceof IllegalArgumentException) return 400;
        if (e instanceof java.util.concurrent.CancellationException) return CLIENT_CLOSED;
        if (e instanceof HttpResponseException h) return h.getStatus();
        return 500;
    }

    /** The JSON of the answer to {@code e}: its message, and the field for bad input; only the type for a 500. */
    static String errorBody(Exception e) {
        return switch (errorStatus(e)) {
            case 500 -> errorBody("internal error: " + e.getClass().getSimpleName(), null);
            case CLIENT_CLOSED -> errorBody("the client closed the connection: the work was stopped", null);
            default -> errorBody(e.getMessage(), e instanceof InvalidFieldException f ? f.field() : null);
        };
    }

    /** The JSON of an error answer: {@code {"error": message, "field": field}}, {@code field} only when known. */
    static String errorBody(String message, String field) {
        ObjectNode e = Render.NODES.objectNode();
        e.put("error", message == null || message.isBlank() ? "error" : message);
        if (field != null) e.put("field", field);
        return Render.json(e);
    }

    /** Headers every answer carries, pages and errors alike. */
    static final Map<String, String> SECURITY_HEADERS = Map.of(
            "Content-Security-Policy",
                    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'",
            "X-Content-Type-Options", "nosniff",
            "X-Frame-Options", "DENY",
            "Referrer-Policy", "no-referrer");
}
