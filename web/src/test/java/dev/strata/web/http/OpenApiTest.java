package dev.strata.web.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.strata.estimator.scaling.ChinchillaLaw;
import dev.strata.web.Version;
import dev.strata.web.render.Render;
import io.javalin.Javalin;
import io.javalin.router.ParsedEndpoint;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The OpenAPI description at {@code /openapi.json} against the real server on a free port: every {@code /api} route
 * Javalin registered is described and every described one exists; every parameter of a route that mirrors a command
 * is an option of that command; real answers of every operation validate against their schemas (JSON Schema 2020-12,
 * networknt's validator), refusals against the error schema; every documented type, range, enumeration, pattern,
 * requirement and default is the server's own (a value just outside is refused naming the parameter, the default
 * answers as its absence); and the validation can fail (a wrong answer does).
 */
class OpenApiTest {
    private static Javalin app;
    private static String base;
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** The document as served, and as a tree. */
    private static String docText;

    private static JsonNode doc;
    /** Where the validator finds the document: any absolute IRI, the document's {@code $ref}s are relative to it. */
    private static final String DOC_IRI = "https://strata.invalid/openapi.json";

    private static SchemaRegistry schemas;

    /** Methods a path item may hold operations for (OpenAPI 3.1, "Path Item Object"). */
    private static final List<String> METHODS =
            List.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

    @BeforeAll
    static void start() throws Exception {
        app = StrataServer.create().start("127.0.0.1", 0);
        base = "http://127.0.0.1:" + app.port();
        Answer a = send("GET", "/openapi.json", null, null);
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.mediaType()).isEqualTo("application/json");
        docText = a.body();
        doc = Render.MAPPER.readTree(docText);
        schemas = SchemaRegistry.withDefaultDialect(
                SpecificationVersion.DRAFT_2020_12, b -> b.schemas(Map.of(DOC_IRI, docText)));
    }

    @AfterAll
    static void stop() {
        if (app != null) app.stop();
    }

    // ---- (a) routes ----

    @Test
    void everyApiRouteIsDescribedAndEveryDescribedRouteExists() {
        Set<String> registered = new TreeSet<>();
        for (ParsedEndpoint e : app.unsafe.internalRouter.allHttpHandlers())
            if (e.endpoint.path.startsWith("/api/")) registered.add(e.endpoint.method.name() + " " + e.endpoint.path);
        Set<String> described = new TreeSet<>();
        operations().forEach(op -> described.add(op.method().toUpperCase(Locale.ROOT) + " " + op.path()));
        assertThat(described).isEqualTo(registered);
        System.out.println("OpenApiTest: " + described.size() + " operations described, each a route Javalin holds");
        // the routes docs/http-api.md lists: both methods of /api/estimate, and the POST of /api/fit
        assertThat(registered).contains("GET /api/estimate", "POST /api/estimate", "POST /api/fit", "GET /api/plan");
    }

    @Test
    void everyParameterOfARouteThatMirrorsACommandIsAnOptionOfIt() {
        // options of a command that its route does not take, and why (as the route's handler in StrataServer says)
        Map<String, Set<String>> notOverHttp = Map.of(
                "sweep",
                Set.of("max-points"), // the server's cap is StrataServer.MAX_SWEEP_POINTS
                "simulate",
                Set.of("trace"), // the server reads no files
                "fit",
                Set.of("data"), // the runs are the body
                // the route is validate --report on a shipped run; the rest runs the harness or writes files
                "validate",
                Set.of(
                        "report",
                        "published",
                        "training",
                        "serving",
                        "data",
                        "full",
                        "out",
                        "python",
                        "chart",
                        "chart-quantity"));
        int checked = 0;
        for (Operation op : operations()) {
            if (!OpenApi.COMMANDS.containsKey(op.id())) continue;
            Map<String, OptionSpec> options = OpenApi.options(op.id());
            Set<String> expected = new TreeSet<>(options.keySet());
            expected.removeAll(notOverHttp.getOrDefault(op.id(), Set.of()));
            Set<String> names = new TreeSet<>();
            for (JsonNode p : op.parameters()) names.add(p.get("name").asText());
            assertThat(names).as(op.id()).isEqualTo(expected);
            // where picocli types an option, the schema has that type
            for (JsonNode p : op.parameters()) {
                OptionSpec o = options.get(p.get("name").asText());
                String type = jsonType(o.type());
                if (type != null)
                    assertThat(p.at("/schema/type").asText())
                            .as(op.id() + " " + o.longestName())
                            .isEqualTo(type);
            }
            checked++;
        }
        // the ten commands OpenApi.COMMANDS names
        assertThat(checked).isEqualTo(OpenApi.COMMANDS.size());
        // the body of POST /api/estimate: every option the server's parsers read (StrataServer.ESTIMATE_OPTIONS),
        // config, model and format (StrataServer.ESTIMATE_BODY_FIELDS)
        Set<String> body = new TreeSet<>();
        doc.at("/components/schemas/EstimateBody/properties").fieldNames().forEachRemaining(body::add);
        Set<String> expected = new TreeSet<>(StrataServer.ESTIMATE_OPTIONS);
        expected.addAll(Set.of("config", "model", "format"));
        assertThat(body).isEqualTo(expected);
    }

    // ---- (b) real answers ----

    /** Runs for POST /api/fit: 4 x 4 of the Chinchilla form with Besiroglu et al. 2024's constants (as the tests' Runs). */
    private static final String RUNS = runs();

    private static String runs() {
        ChinchillaLaw truth = new ChinchillaLaw("truth", null, null, 1.82, 482, 2085, 0.348, 0.366);
        StringBuilder sb = new StringBuilder("N,D,loss\n");
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++) {
                double n = 1e8 * Math.pow(10, i * 2 / 3.0), d = 1e9 * Math.pow(10, j * 2 / 3.0);
                sb.append(n)
                        .append(',')
                        .append(d)
                        .append(',')
                        .append(truth.loss(n, d))
                        .append('\n');
            }
        return sb.toString();
    }

    /** A request: method, path with query, and a body (null for none) with its type. */
    record Sample(String method, String target, String contentType, String body) {
        static Sample get(String target) {
            return new Sample("GET", target, null, null);
        }
    }

    /** Requests for every operation: the docs' examples (docs/http-api.md), and one per optional section of an answer. */
    private static List<Sample> samples() throws IOException {
        String config = Files.readString(Path.of("testdata/hf-configs/llama-3-8b.json"));
        List<Sample> s = new ArrayList<>();
        for (String q : List.of(
                "/api/presets",
                "/api/version",
                "/api/hardware",
                "/api/estimate?model=llama-3-8b",
                "/api/estimate?model=deepseek-v3",
                "/api/estimate?model=llama-3-8b&weights=int4",
                "/api/estimate?model=llama-3-8b&weights=nf4-dq&lora-rank=16",
                // every optional section: latency, throughput, capacity, cost, calibration, cheapest, fits
                "/api/estimate?model=llama-3.1-70b&hardware=h100-sxm&devices=8&batch=32&target-ms-per-token=30"
                        + "&measured-ms-per-token=20",
                "/api/estimate?model=llama-3-8b&device-memory-gib=80",
                "/api/estimate?model=gpt2&hardware=host",
                "/api/sweep?model=gpt2&batch=1,2&format=json",
                "/api/sweep?model=gpt2,llama-3-8b&hardware=h100-sxm&batch=1..8x2&format=json",
                "/api/simulate?model=llama-3-8b&hardware=h100-sxm&rate=4&requests=100&ttft-p90-ms=500&tpot-p90-ms=50",
                "/api/simulate?model=llama-3-8b&hardware=h100-sxm&rate=4&requests=100&mode=disaggregated",
                "/api/simulate?model=llama-3-8b&hardware=h100-sxm&concurrency=8&requests=100&burstiness=2",
                "/api/simulate?model=llama-3-8b&hardware=h100-sxm&rate=inf&requests=50&prompt=lognormal:512:0.5",
                "/api/plan?model=llama-3-8b&rate=4&ttft-p90-ms=1000&tpot-p90-ms=100&hardware=h100-sxm&devices=1,2"
                        + "&requests=50",
                "/api/optimal?compute=5.76e23&law=chinchilla-unrounded",
                "/api/optimal?compute=1e24&params=1e10&iso-flop=5",
                "/api/optimal?loss=2.5",
                "/api/optimal?compute=1e24&law=kaplan-2020",
                "/api/train?model=llama-3-8b&tokens=15e12&hardware=h100-sxm&devices=1024",
                "/api/train?params=8e9&tokens=15e12&hardware=h100-sxm&devices=1024&wall-hours=1000",
                "/api/train?params=1e9&tokens=1e12&hardware=tpu-v5e",
                "/api/training-memory?model=llama-3-8b&hardware=h100-sxm&devices=8",
                "/api/training-memory?model=llama-3-8b&hardware=h100-sxm&lora-rank=8&weights=nf4-dq",
                "/api/laws",
                "/api/laws?compute=1e24",
                "/api/validate",
                "/api/validate?device=cuda")) s.add(Sample.get(q));
        s.add(new Sample("POST", "/api/estimate", "application/json", "{\"model\": \"llama-3-8b\", \"batch\": 4}"));
        s.add(new Sample(
                "POST",
                "/api/estimate?hardware=h100-sxm",
                "application/json",
                "{\"config\": " + config + ", \"batch\": 3, \"devices\": 2}"));
        s.add(new Sample(
                "POST",
                "/api/simulate",
                "application/json",
                "{\"config\": " + config + ", \"hardware\": \"h100-sxm\", \"trace\": [{\"arrival_seconds\": 0,"
                        + " \"prompt_tokens\": 300, \"output_tokens\": 20}, {\"arrival_seconds\": 0.5, \"prompt_tokens\": 900,"
                        + " \"output_tokens\": 8, \"prefix_group\": \"a\", \"prefix_tokens\": 100}]}"));
        s.add(new Sample(
                "POST",
                "/api/plan",
                "application/json",
                "{\"model\": \"llama-3-8b\", \"rate\": 4, \"ttft-p90-ms\": 1000, \"tpot-p90-ms\": 100, \"hardware\":"
                        + " \"h100-sxm\", \"devices\": \"1,2\", \"requests\": 50}"));
        s.add(new Sample("POST", "/api/fit?bootstrap=20&seed=5", "text/csv", RUNS));
        s.add(new Sample("POST", "/api/fit?bootstrap=0&exclude-highest-loss=2", "text/csv", RUNS));
        return s;
    }

    @Test
    void realAnswersOfEveryOperationValidateAgainstTheirSchemas() throws Exception {
        Set<String> validated = new TreeSet<>(); // operations with an answer validated
        int answers = 0, rows = 0, formats = 0;
        for (Sample sample : samples()) {
            Answer a = send(sample.method(), sample.target(), sample.contentType(), sample.body());
            Operation op = operation(sample.method(), sample.target());
            assertThat(a.status()).as(sample.target() + ": " + a.body()).isEqualTo(200);
            if ("application/json".equals(sample.contentType())) // the body, against the request's schema
            assertValid(op.pointer() + "/requestBody/content/application~1json/schema", sample.body(), sample.target());
            String pointer = mediaPointer(op, "200", a.mediaType());
            if (a.mediaType().equals("application/x-ndjson")) { // one JSON object per line
                for (String line : a.body().split("\n")) {
                    assertValid(pointer, line, sample.target());
                    rows++;
                }
            } else assertValid(pointer, a.body(), sample.target());
            validated.add(op.id());
            answers++;
        }
        // every operation of the document, the answers of each format too (format=csv and table are text)
        Set<String> all = new TreeSet<>();
        operations().forEach(op -> all.add(op.id()));
        assertThat(validated).isEqualTo(all);
        for (Operation op : operations()) {
            JsonNode format = op.parameter("format");
            if (format == null) continue;
            for (JsonNode f : format.at("/schema/enum")) {
                Sample sample = sample(op);
                String target = sample.target().replaceAll("[?&]format=[^&]*", "");
                Answer a = send(
                        sample.method(),
                        target + (target.contains("?") ? "&" : "?") + "format=" + f.asText(),
                        sample.contentType(),
                        sample.body());
                assertThat(a.status()).as(op.id() + " " + f).isEqualTo(200);
                String pointer = mediaPointer(op, "200", a.mediaType());
                if (a.mediaType().equals("application/json")) assertValid(pointer, a.body(), op.id());
                else assertThat(a.body()).as(op.id() + " " + f).isNotEmpty();
                formats++;
            }
        }
        System.out.printf(
                "OpenApiTest: %d answers validated against their schemas (%d sweep lines), %d operations, %d format"
                        + " variants answered in their documented media type%n",
                answers, rows, validated.size(), formats);
        // 36 samples above; the sweeps' lines: 2 (gpt2 at batch 1, 2) + 2 models x 4 batches (1, 2, 4, 8)
        assertThat(answers).isEqualTo(36);
        assertThat(rows).isEqualTo(2 + 8);
    }

    /** The first sample of {@code op}. */
    private static Sample sample(Operation op) throws IOException {
        for (Sample s : samples()) if (operation(s.method(), s.target()).id().equals(op.id())) return s;
        throw new AssertionError("no sample for " + op.id());
    }

    // ---- (c) refusals ----

    @Test
    void refusalsValidateAgainstTheErrorSchemaOfTheirOperation() throws Exception {
        List<Sample> refused = List.of(
                Sample.get("/api/presets?format=xml"),
                Sample.get("/api/version?format=xml"),
                Sample.get("/api/hardware?format=xml"),
                Sample.get("/api/estimate?model=llama-3-8b&batch=-1"),
                new Sample("POST", "/api/estimate", "application/json", "{\"model\": \"llama-3-8b\", \"bacth\": 4}"),
                new Sample(
                        "POST",
                        "/api/simulate",
                        "application/json",
                        "{\"model\": \"llama-3-8b\", \"hardware\": \"h100-sxm\", \"trace\": [{\"arrival_seconds\": 0}]}"),
                new Sample("POST", "/api/plan", "application/json", "{\"model\": \"llama-3-8b\", \"rate\": -4}"),
                Sample.get("/api/sweep?model=gpt2&batch=1..1000000"),
                Sample.get("/api/simulate?model=llama-3-8b"),
                Sample.get("/api/plan?model=llama-3-8b&rate=4"),
                Sample.get("/api/optimal?compute=abc"),
                new Sample("POST", "/api/fit", "text/csv", ""),
                Sample.get("/api/train?model=llama-3-8b&tokens=1e12"),
                Sample.get("/api/training-memory?model=llama-3-8b"),
                Sample.get("/api/laws?compute=-1"),
                Sample.get("/api/validate?device=tpu"));
        Set<String> covered = new TreeSet<>();
        for (Sample s : refused) {
            Answer a = send(s.method(), s.target(), s.contentType(), s.body());
            assertThat(a.status()).as(s.target()).isEqualTo(400);
            Operation op = operation(s.method(), s.target());
            assertValid(mediaPointer(op, "400", a.mediaType()), a.body(), s.target());
            assertThat(Render.MAPPER.readTree(a.body()).has("field"))
                    .as(s.target())
                    .isTrue();
            covered.add(op.id());
        }
        assertThat(covered).hasSize(operations().size());
        // a body over 1 MiB (StrataServer.MAX_BODY_BYTES) is 413 on every POST route, as their description says
        String huge = "x".repeat((int) StrataServer.MAX_BODY_BYTES + 1);
        for (String target : List.of("/api/estimate", "/api/simulate", "/api/plan", "/api/fit")) {
            Answer a = send("POST", target, "text/plain", huge);
            assertThat(a.status()).as(target).isEqualTo(413);
            assertValid(mediaPointer(operation("POST", target), "413", a.mediaType()), a.body(), target);
        }
    }

    // ---- (d) the document ----

    @Test
    void theDocumentIsWellFormed() {
        assertThat(doc.get("openapi").asText()).isEqualTo("3.1.0");
        assertThat(doc.at("/info/version").asText()).isEqualTo(Version.VERSION);
        assertThat(doc.at("/info/title").asText()).isNotBlank();
        Set<String> ids = new HashSet<>();
        int parameters = 0;
        for (Operation op : operations()) {
            assertThat(ids.add(op.id()))
                    .as("operationId " + op.id() + " is unique")
                    .isTrue();
            assertThat(op.node().path("summary").asText()).as(op.id()).isNotBlank();
            JsonNode responses = op.node().get("responses");
            assertThat(responses).as(op.id()).isNotNull();
            assertThat(responses.has("200") && responses.has("400")).as(op.id()).isTrue();
            for (JsonNode r : responses) {
                JsonNode response = OpenApi.resolve(doc, r);
                assertThat(response.path("description").asText()).as(op.id()).isNotBlank();
                assertThat(response.path("content").size()).as(op.id()).isPositive();
            }
            Set<String> names = new HashSet<>();
            for (JsonNode p : op.parameters()) {
                String name = p.path("name").asText();
                assertThat(names.add(name)).as(op.id() + " " + name + " once").isTrue();
                assertThat(p.path("in").asText()).as(op.id() + " " + name).isEqualTo("query");
                assertThat(p.path("description").asText())
                        .as(op.id() + " " + name)
                        .isNotBlank();
                JsonNode schema = p.get("schema");
                assertThat(schema).as(op.id() + " " + name).isNotNull();
                List<JsonNode> branches = new ArrayList<>();
                if (schema.has("anyOf")) schema.get("anyOf").forEach(branches::add);
                else branches.add(schema);
                for (JsonNode b : branches)
                    assertThat(b.path("type").asText())
                            .as(op.id() + " " + name)
                            .isIn("integer", "number", "string", "boolean");
                // a default is a value of the schema
                if (schema.has("default"))
                    assertThat(errors(schema, Render.json(schema.get("default"))))
                            .as(op.id() + " " + name + " default")
                            .isEmpty();
                parameters++;
            }
        }
        assertThat(parameters).isPositive();
        // every $ref points into the document, and every schema of the components compiles
        List<String> refs = new ArrayList<>();
        collectRefs(doc, refs);
        for (String ref : refs)
            assertThat(doc.at(ref.substring(1)).isMissingNode()).as(ref).isFalse();
        doc.at("/components/schemas")
                .fieldNames()
                .forEachRemaining(name -> schema("/components/schemas/" + name).initializeValidators());
    }

    // ---- (e) the validation can fail ----

    @Test
    void aWrongAnswerFailsItsSchema() throws Exception {
        Operation estimate = operation("GET", "/api/estimate");
        String pointer = mediaPointer(estimate, "200", "application/json");
        ObjectNode good = (ObjectNode) Render.MAPPER.readTree(
                send("GET", "/api/estimate?model=llama-3-8b", null, null).body());
        assertThat(errors(pointer, Render.json(good))).isEmpty();
        ObjectNode noMemory = good.deepCopy();
        noMemory.remove("memory"); // a required section
        assertThat(errors(pointer, Render.json(noMemory))).isNotEmpty();
        ObjectNode textCount = good.deepCopy();
        ((ObjectNode) textCount.get("params")).put("total", "8030261248"); // a count as text
        assertThat(errors(pointer, Render.json(textCount))).isNotEmpty();
        ObjectNode extra = good.deepCopy();
        extra.put("surprise", 1); // a section the description does not know
        assertThat(errors(pointer, Render.json(extra))).isNotEmpty();
        // a body the server refuses fails the request's schema too: a field that is no option, config and model both
        String body = operation("POST", "/api/estimate").pointer() + "/requestBody/content/application~1json/schema";
        assertThat(errors(body, "{\"model\": \"llama-3-8b\", \"batch\": 4}")).isEmpty();
        assertThat(errors(body, "{\"model\": \"llama-3-8b\", \"bacth\": 4}")).isNotEmpty();
        assertThat(errors(body, "{\"model\": \"llama-3-8b\", \"config\": {}}")).isNotEmpty();
        assertThat(errors(body, "{\"model\": \"llama-3-8b\", \"batch\": 0}")).isNotEmpty();
        String error = mediaPointer(estimate, "400", "application/json");
        assertThat(errors(error, "{\"error\": \"batch = -1 is not allowed\", \"field\": \"batch\"}"))
                .isEmpty();
        assertThat(errors(error, "{\"message\": \"batch = -1 is not allowed\"}"))
                .isNotEmpty();
        assertThat(errors(error, "{\"error\": 400}")).isNotEmpty();
    }

    // ---- (f) every documented constraint is the server's ----

    /**
     * A valid request of every operation, from docs/http-api.md's examples, made cheap: the probes below change one
     * parameter at a time. Hardware is given where options need it (price, engine, ...).
     */
    private static final Map<String, String> BASE = Map.ofEntries(
            Map.entry("presets", ""),
            Map.entry("version", ""),
            Map.entry("hardware", ""),
            Map.entry("estimate", "model=llama-3-8b&hardware=h100-sxm"),
            Map.entry("sweep", "model=gpt2&hardware=h100-sxm&batch=1,2"),
            Map.entry("simulate", "model=llama-3-8b&hardware=h100-sxm&rate=4&requests=50"),
            Map.entry(
                    "plan",
                    "model=llama-3-8b&rate=4&ttft-p90-ms=1000&tpot-p90-ms=100&hardware=h100-sxm&devices=1"
                            + "&max-batched-tokens=2048&max-seqs=64&weights=bf16&requests=50"),
            Map.entry("optimal", "compute=1e24"),
            Map.entry("fit", "bootstrap=10"),
            Map.entry("train", "model=llama-3-8b&tokens=15e12&hardware=h100-sxm"),
            Map.entry("trainingMemory", "model=llama-3-8b&hardware=h100-sxm"),
            Map.entry("laws", ""),
            Map.entry("validate", ""));

    /**
     * Changes to the base request for a parameter that is read only with another (the code that reads it says so:
     * SimulateReport, OptimalReport, TrainReport): {@code -name} leaves a parameter out, {@code name=value} adds it.
     */
    private static final Map<String, String> CONTEXT = Map.ofEntries(
            Map.entry("simulate concurrency", "-rate"), // rate and concurrency exclude each other
            Map.entry("simulate prefill-replicas", "mode=disaggregated"),
            Map.entry("simulate decode-replicas", "mode=disaggregated"),
            Map.entry("simulate transfer-gbs", "mode=disaggregated"),
            Map.entry("optimal loss", "-compute"), // exactly one of compute and loss
            Map.entry("optimal span", "iso-flop=5"), // the span of the iso-FLOP curve
            Map.entry("train params", "-model")); // model or params, not both

    /**
     * Keys of an answer that differ between two identical requests or by whether a value was given rather than
     * defaulted: the plan's search time (measured), the train's {@code mfuSource} (says "given").
     */
    private static final Map<String, Set<String>> VARYING =
            Map.of("plan", Set.of("searchSeconds"), "train", Set.of("mfuSource"));

    @Test
    void everyDocumentedTypeRangeEnumPatternRequirementAndDefaultIsTheServers() throws Exception {
        Map<String, Integer> probes = new LinkedHashMap<>();
        for (Operation op : operations()) {
            // a posted body's fields are its GET's parameters
            if (Set.of("estimatePosted", "simulatePosted", "planPosted").contains(op.id())) continue;
            for (JsonNode p : op.parameters()) {
                String name = p.get("name").asText();
                JsonNode schema = p.get("schema");
                Map<String, String> base = query(BASE.get(op.id()));
                String context = CONTEXT.get(op.id() + " " + name);
                if (context != null) {
                    if (context.startsWith("-")) base.remove(context.substring(1));
                    else base.putAll(query(context));
                }
                base.remove(name);
                String type = schema.path("type").asText();
                if (p.path("required").asBoolean()) {
                    refused(op, base, name, null);
                    count(probes, "required");
                }
                String wrongType = switch (type) {
                    case "integer" -> "1.5";
                    case "number" -> "abc";
                    case "boolean" -> "maybe";
                    default -> null;
                };
                if (wrongType != null) {
                    refused(op, base, name, wrongType);
                    count(probes, "type");
                }
                if (schema.has("minimum")) {
                    refused(
                            op,
                            base,
                            name,
                            number(schema.get("minimum").decimalValue().subtract(BigDecimal.ONE)));
                    count(probes, "minimum");
                }
                if (schema.has("exclusiveMinimum")) {
                    refused(
                            op,
                            base,
                            name,
                            number(schema.get("exclusiveMinimum").decimalValue()));
                    count(probes, "exclusiveMinimum");
                }
                if (schema.has("maximum")) {
                    BigDecimal max = schema.get("maximum").decimalValue();
                    refused(
                            op,
                            base,
                            name,
                            number(
                                    type.equals("integer")
                                            ? max.add(BigDecimal.ONE)
                                            : max.multiply(BigDecimal.valueOf(2))));
                    count(probes, "maximum");
                }
                if (schema.has("enum")) {
                    refused(op, base, name, "nope");
                    for (JsonNode v : schema.get("enum")) {
                        Map<String, String> q = new LinkedHashMap<>(base);
                        q.put(name, v.asText());
                        Answer a = request(op, q);
                        assertThat(a.status())
                                .as(op.id() + " " + name + "=" + v.asText() + ": " + shorten(a.body()))
                                .isEqualTo(200);
                    }
                    count(probes, "enum");
                }
                if (schema.has("pattern")) {
                    assertThat("~").doesNotMatch(schema.get("pattern").asText());
                    refused(op, base, name, "~");
                    count(probes, "pattern");
                }
                if (schema.has("default")) {
                    Answer absent = request(op, base);
                    Map<String, String> q = new LinkedHashMap<>(base);
                    q.put(name, schema.get("default").asText());
                    Answer given = request(op, q);
                    assertThat(absent.status())
                            .as(op.id() + " without " + name + ": " + absent.body())
                            .isEqualTo(200);
                    assertThat(comparable(op, given))
                            .as(op.id() + " " + name + "="
                                    + schema.get("default").asText() + " is the default")
                            .isEqualTo(comparable(op, absent));
                    count(probes, "default");
                }
            }
        }
        System.out.println("OpenApiTest probes: " + probes);
        // every kind of constraint the document uses was probed at least once
        assertThat(probes.keySet())
                .contains("required", "type", "minimum", "exclusiveMinimum", "maximum", "enum", "pattern", "default");
    }

    /** {@code name=value} added to {@code base} (left out when null) is a 400 naming {@code name}. */
    private static void refused(Operation op, Map<String, String> base, String name, String value) throws Exception {
        Map<String, String> q = new LinkedHashMap<>(base);
        if (value != null) q.put(name, value);
        Answer a = request(op, q);
        String what = op.id() + " " + name + (value == null ? " left out" : "=" + value) + ": " + shorten(a.body());
        assertThat(a.status()).as(what).isEqualTo(400);
        assertThat(Render.MAPPER.readTree(a.body()).path("field").asText())
                .as(what)
                .isEqualTo(name);
        assertValid(mediaPointer(op, "400", a.mediaType()), a.body(), what);
    }

    /** The request of {@code op} with {@code query}; POST /api/fit with the runs as its body. */
    private static Answer request(Operation op, Map<String, String> query) throws Exception {
        StringBuilder target = new StringBuilder(op.path());
        String sep = "?";
        for (var e : query.entrySet()) {
            target.append(sep)
                    .append(e.getKey())
                    .append('=')
                    .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
            sep = "&";
        }
        return op.method().equals("post")
                ? send("POST", target.toString(), "text/csv", RUNS)
                : send("GET", target.toString(), null, null);
    }

    /** An answer to compare with another: JSON without the keys that vary ({@link #VARYING}), else the text. */
    private static Object comparable(Operation op, Answer a) throws IOException {
        if (!a.mediaType().equals("application/json")) return a.body();
        JsonNode tree = Render.MAPPER.readTree(a.body());
        if (tree instanceof ObjectNode o) o.remove(VARYING.getOrDefault(op.id(), Set.of()));
        return tree;
    }

    /** The start of an answer, for a failure's message. */
    private static String shorten(String body) {
        return body.length() <= 300 ? body : body.substring(0, 300) + "...";
    }

    private static void count(Map<String, Integer> probes, String kind) {
        probes.merge(kind, 1, Integer::sum);
    }

    private static String number(BigDecimal d) {
        return d.stripTrailingZeros().toPlainString();
    }

    private static Map<String, String> query(String q) {
        Map<String, String> m = new LinkedHashMap<>();
        if (q.isEmpty()) return m;
        for (String part : q.split("&")) {
            int eq = part.indexOf('=');
            m.put(part.substring(0, eq), part.substring(eq + 1));
        }
        return m;
    }

    // ---- the docs page ----

    @Test
    void theDocsPageLoadsSwaggerUiFromThisServerWithoutAnInlineScript() throws Exception {
        Answer page = send("GET", "/api-docs", null, null);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.mediaType()).isEqualTo("text/html");
        // the content security policy (StrataServer.SECURITY_HEADERS) allows scripts from this server only
        assertThat(page.body()).doesNotContainPattern("<script(?![^>]*\\bsrc=)");
        Matcher m = Pattern.compile("(?:src|href)=\"([^\"]+)\"").matcher(page.body());
        Map<String, String> assets = new LinkedHashMap<>();
        while (m.find()) {
            String url = m.group(1);
            assertThat(url).as("loaded from this server").startsWith("/");
            Answer a = send("GET", url, null, null);
            assertThat(a.status()).as(url).isEqualTo(200);
            assets.put(url, a.mediaType());
        }
        // Swagger UI's icon, stylesheet and bundle, from its WebJar, the script that starts it and the stylesheet
        // that gives its labels readable contrast
        assertThat(assets.values())
                .containsExactlyInAnyOrder("image/png", "text/css", "text/css", "text/javascript", "text/javascript");
        assertThat(assets.keySet()).contains("/static/api-docs.css");
        assertThat(assets.keySet()).anyMatch(u -> u.endsWith("/swagger-ui-bundle.js"));
        assertThat(send("GET", "/static/api-docs.js", null, null).body()).contains("\"/openapi.json\"");
    }

    // ---- helpers ----

    /** An operation of the document: its path, method, node and parameters (references resolved). */
    record Operation(String path, String method, JsonNode node) {
        String id() {
            return node.path("operationId").asText();
        }

        List<JsonNode> parameters() {
            List<JsonNode> out = new ArrayList<>();
            for (JsonNode p : node.path("parameters")) out.add(OpenApi.resolve(doc, p));
            return out;
        }

        JsonNode parameter(String name) {
            for (JsonNode p : parameters()) if (p.path("name").asText().equals(name)) return p;
            return null;
        }

        /** The JSON pointer of this operation in the document. */
        String pointer() {
            return "/paths/" + path.replace("~", "~0").replace("/", "~1") + "/" + method;
        }
    }

    private static List<Operation> operations() {
        List<Operation> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = doc.get("paths").fields(); it.hasNext(); ) {
            var e = it.next();
            for (String method : METHODS)
                if (e.getValue().has(method))
                    out.add(new Operation(e.getKey(), method, e.getValue().get(method)));
        }
        return out;
    }

    /** The operation that answers {@code method} on the path of {@code target}. */
    private static Operation operation(String method, String target) {
        String path = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
        for (Operation op : operations())
            if (op.path().equals(path) && op.method().equalsIgnoreCase(method)) return op;
        throw new AssertionError("not described: " + method + " " + path);
    }

    /** The pointer of the schema of {@code op}'s answer {@code status} in {@code mediaType}, which must be described. */
    private static String mediaPointer(Operation op, String status, String mediaType) {
        JsonNode response = op.node().at("/responses/" + status);
        assertThat(response.isMissingNode())
                .as(op.id() + " describes " + status)
                .isFalse();
        String pointer = response.has("$ref")
                ? response.get("$ref").asText().substring(1)
                : op.pointer() + "/responses/" + status;
        JsonNode content = doc.at(pointer + "/content");
        assertThat(content.has(mediaType))
                .as(op.id() + " " + status + " describes " + mediaType)
                .isTrue();
        return pointer + "/content/" + mediaType.replace("~", "~0").replace("/", "~1") + "/schema";
    }

    private static void assertValid(String pointer, String json, String what) {
        assertThat(errors(pointer, json)).as(what + " against " + pointer).isEmpty();
    }

    private static List<Error> errors(String pointer, String json) {
        return schema(pointer).validate(json, InputFormat.JSON);
    }

    /** Errors of {@code json} against a schema given inline (no references). */
    private static List<Error> errors(JsonNode schema, String json) {
        return schemas.getSchema(Render.json(schema), InputFormat.JSON).validate(json, InputFormat.JSON);
    }

    private static final Map<String, Schema> COMPILED = new HashMap<>();

    private static Schema schema(String pointer) {
        return COMPILED.computeIfAbsent(pointer, p -> schemas.getSchema(SchemaLocation.of(DOC_IRI + "#" + p)));
    }

    private static void collectRefs(JsonNode node, List<String> refs) {
        if (node.isObject()) {
            JsonNode ref = node.get("$ref");
            if (ref != null && ref.isTextual()) refs.add(ref.asText());
            node.forEach(child -> collectRefs(child, refs));
        } else if (node.isArray()) node.forEach(child -> collectRefs(child, refs));
    }

    /** The JSON Schema type of a picocli option's Java type; null for text, which the schema may refine. */
    private static String jsonType(Class<?> type) {
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) return "integer";
        if (type == Double.class || type == double.class) return "number";
        if (type == Boolean.class || type == boolean.class) return "boolean";
        return null;
    }

    /** An answer: status, media type (without parameters) and body. */
    record Answer(int status, String mediaType, String body) {}

    private static Answer send(String method, String target, String contentType, String body) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + target));
        if (body == null) b.method(method, HttpRequest.BodyPublishers.noBody());
        else b.method(method, HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", contentType);
        try {
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            String type = r.headers().firstValue("Content-Type").orElse("");
            int semicolon = type.indexOf(';');
            return new Answer(r.statusCode(), (semicolon < 0 ? type : type.substring(0, semicolon)).trim(), r.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
