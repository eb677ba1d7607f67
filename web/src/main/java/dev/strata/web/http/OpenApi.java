package dev.strata.web.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.web.Version;
import dev.strata.web.cli.EstimateCommand;
import dev.strata.web.cli.FitCommand;
import dev.strata.web.cli.HardwareCommand;
import dev.strata.web.cli.OptimalCommand;
import dev.strata.web.cli.PlanCommand;
import dev.strata.web.cli.PresetsCommand;
import dev.strata.web.cli.SimulateCommand;
import dev.strata.web.cli.SweepCommand;
import dev.strata.web.cli.TrainCommand;
import dev.strata.web.cli.ValidateCommand;
import dev.strata.web.render.Render;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The OpenAPI 3.1 description of the JSON API, served at {@code GET /openapi.json}. What has no machine-readable source
 * (the routes, each parameter's type, range and default, the answers' schemas) is the resource {@code openapi.json}
 * next to the static files; what the server already holds is filled in here, so it cannot drift: each parameter's
 * description and whether it is required come from the picocli option of the same name (the query names are the
 * option names without dashes), the bodies of {@code POST /api/estimate}, {@code /api/simulate} and {@code /api/plan}
 * from the parameters of their GET, the version from the build. {@code OpenApiTest} holds the rest against the running
 * server: every route described, every range and default enforced, every answer valid against its schema.
 */
public final class OpenApi {
    private OpenApi() {}

    /** The resource with the hand-maintained part of the description. */
    static final String RESOURCE = "/dev/strata/web/openapi.json";

    /**
     * The command each operation (by {@code operationId}) mirrors: its options are the operation's query parameters,
     * and their descriptions are the parameters' descriptions.
     */
    static final Map<String, Supplier<Object>> COMMANDS = commands();

    private static Map<String, Supplier<Object>> commands() {
        Map<String, Supplier<Object>> m = new LinkedHashMap<>();
        m.put("presets", PresetsCommand::new);
        m.put("hardware", HardwareCommand::new);
        m.put("estimate", EstimateCommand::new);
        m.put("sweep", SweepCommand::new);
        m.put("simulate", SimulateCommand::new);
        m.put("plan", PlanCommand::new);
        m.put("optimal", OptimalCommand::new);
        m.put("fit", FitCommand::new);
        m.put("train", TrainCommand::new);
        m.put("validate", ValidateCommand::new);
        return m;
    }

    /** The command whose options describe the shared parameters ({@code components.parameters}): the workload options. */
    private static final String SHARED = "estimate";

    /** The document as the server answers it: compact JSON in UTF-8, built once. */
    public static byte[] json() {
        return Holder.JSON;
    }

    /** The document as a tree (a copy). */
    public static ObjectNode document() {
        return Holder.DOCUMENT.deepCopy();
    }

    private static final class Holder {
        static final ObjectNode DOCUMENT = build();
        static final byte[] JSON = Render.compactJson(DOCUMENT);
    }

    /** Reads the resource and fills in what the server holds. */
    static ObjectNode build() {
        ObjectNode doc;
        try (InputStream in = OpenApi.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException(RESOURCE + " is missing from the build");
            doc = (ObjectNode) Render.MAPPER.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ((ObjectNode) doc.get("info")).put("version", Version.VERSION);
        ObjectNode shared = (ObjectNode) doc.at("/components/parameters");
        Map<String, OptionSpec> sharedOptions = options(SHARED);
        shared.forEach(p -> describe((ObjectNode) p, sharedOptions));
        doc.get("paths")
                .forEach(item -> item.forEach(operation -> {
                    Map<String, OptionSpec> options =
                            options(operation.path("operationId").asText());
                    for (JsonNode p : operation.path("parameters"))
                        if (!p.has("$ref")) describe((ObjectNode) p, options);
                }));
        postedBody(doc, "estimate", "EstimateBody");
        postedBody(doc, "simulate", "SimulateBody");
        postedBody(doc, "plan", "PlanBody");
        trace((ObjectNode) doc.at("/components/schemas/SimulateBody/properties"));
        return doc;
    }

    /** The options of the command behind {@code operationId} by name without dashes; empty for an operation without one. */
    static Map<String, OptionSpec> options(String operationId) {
        Map<String, OptionSpec> byName = new LinkedHashMap<>();
        Supplier<Object> command = COMMANDS.get(operationId);
        if (command == null) return byName;
        for (OptionSpec o : CommandSpec.forAnnotatedObject(command.get()).options())
            if (!o.usageHelp() && !o.versionHelp()) byName.put(name(o), o);
        return byName;
    }

    /** An option's name as a query parameter: its longest name without the leading dashes. */
    static String name(OptionSpec o) {
        return o.longestName().replaceFirst("^--", "");
    }

    /**
     * Fills in a parameter's description and required flag from the option of its name, unless the resource gives its
     * own (where the HTTP API differs from the command line: a preset id only, no file).
     */
    private static void describe(ObjectNode parameter, Map<String, OptionSpec> options) {
        OptionSpec o = options.get(parameter.path("name").asText());
        if (o == null) return;
        if (!parameter.has("description")) parameter.put("description", text(o));
        if (!parameter.has("required") && o.required()) parameter.put("required", true);
    }

    /** An option's description as the API's: the options it names written as parameters, without their dashes. */
    static String text(OptionSpec o) {
        return String.join(" ", o.description()).replaceAll("(?<![\\w-])--(?=[a-z])", "");
    }

    /**
     * The body of {@code POST /api/<route>} (schema {@code schema}): {@code config} or {@code model}, and each query
     * parameter of {@code GET /api/<route>} but {@code model} as a field of the same name and schema.
     */
    private static void postedBody(ObjectNode doc, String route, String schema) {
        ObjectNode body = (ObjectNode) doc.at("/components/schemas/" + schema);
        ObjectNode properties = body.putObject("properties");
        ObjectNode config = properties.putObject("config");
        config.put("type", "object");
        config.put("description", "A Hugging Face config.json, inline.");
        ObjectNode model = properties.putObject("model");
        model.put("type", "string");
        model.put("description", "A preset id (see /api/presets), instead of config.");
        for (JsonNode p : doc.at("/paths/~1api~1" + route + "/get/parameters")) {
            JsonNode resolved = resolve(doc, p);
            String name = resolved.path("name").asText();
            if (name.equals("model")) continue;
            ObjectNode field = resolved.get("schema").deepCopy();
            if (resolved.has("description"))
                field.put("description", resolved.get("description").asText());
            properties.set(name, field);
        }
        body.put("additionalProperties", false);
        ArrayNode oneOf = body.putArray("oneOf");
        oneOf.addObject().putArray("required").add("config");
        oneOf.addObject().putArray("required").add("model");
    }

    /**
     * The {@code trace} of a posted simulation: the requests, each with the columns of the command line's trace file.
     */
    private static void trace(ObjectNode properties) {
        ObjectNode trace = properties.putObject("trace");
        trace.put("type", "array");
        trace.put("minItems", 1);
        trace.put(
                "description",
                "The requests, in place of drawn traffic (rate, concurrency, prompt and generate): the columns of the"
                        + " command line's trace file.");
        ObjectNode request = trace.putObject("items");
        request.put("type", "object");
        ObjectNode fields = request.putObject("properties");
        fields.putObject("arrival_seconds").put("type", "number").put("minimum", 0);
        fields.putObject("prompt_tokens").put("type", "integer").put("minimum", 1);
        fields.putObject("output_tokens").put("type", "integer").put("minimum", 1);
        fields.putObject("prefix_group")
                .put("type", "string")
                .put("description", "Requests of one group share their first prefix_tokens prompt tokens.");
        fields.putObject("prefix_tokens").put("type", "integer").put("minimum", 0);
        request.putArray("required").add("arrival_seconds").add("prompt_tokens").add("output_tokens");
        request.put("additionalProperties", false);
    }

    /** A parameter, or the component a {@code $ref} names. */
    static JsonNode resolve(JsonNode doc, JsonNode node) {
        JsonNode ref = node.get("$ref");
        if (ref == null) return node;
        String pointer = ref.asText();
        if (!pointer.startsWith("#/")) throw new IllegalStateException("not a local reference: " + pointer);
        JsonNode target = doc.at(pointer.substring(1));
        if (target.isMissingNode()) throw new IllegalStateException("no such component: " + pointer);
        return target;
    }
}
