package dev.strata.web.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.data.HardwareCatalog;
import dev.strata.data.HardwareEntry;
import dev.strata.data.PresetCatalog;
import dev.strata.data.SpecJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Generates random and malformed HTTP requests for every route of {@link StrataServer}. Request {@code i} of seed
 * {@code s} is always the same bytes ({@link #request(long, long)}), so a failure found by the fuzz test can be
 * replayed alone.
 *
 * <p>Mix: GET routes with random, extreme and malformed query values (half of them the values a real user would
 * send, so that the estimators are reached); POST /api/estimate with real config.json files (the ones in testdata/ and
 * every preset's) mutated key by key, with literal numbers JSON trees cannot hold (1e400, 2^63), wrong types,
 * corruptions of the text and strata spec JSON; POST /api/fit with broken CSV (never 10 good rows, so no fit runs);
 * raw requests a normal client would not send (path traversal, bad request lines, huge URIs and headers, odd methods,
 * binary garbage); bodies over the 1 MiB limit, with and without a Content-Length; sweeps over lists and ranges;
 * the pages' forms, URL-encoded and multipart, well formed and broken. Requests holding input made invalid on purpose
 * (an empty list item in a sweep, a body field of a type no option takes, a broken multipart body) must be refused:
 * these answered 200 or 500 before (issue 28).
 */
final class RequestFuzzer {
    /** One request: the bytes on the wire and a short printable description for failure messages. */
    record FuzzRequest(long index, String route, String description, byte[] raw, boolean head, boolean mustBeRefused) {
        FuzzRequest(long index, String route, String description, byte[] raw, boolean head) {
            this(index, route, description, raw, head, false);
        }

        /** Whether the request can share a pipelined connection: its framing is certain (GET or POST with a Content-Length). */
        boolean pipelinable() {
            return !route.equals("raw") && !head && raw.length < 64 * 1024;
        }

        /** The same request, which the server must refuse (4xx): it holds input made invalid on purpose. */
        FuzzRequest refused() {
            return new FuzzRequest(index, route, description + " [must be refused]", raw, head, true);
        }
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private static final List<String> PRESETS = PresetCatalog.ids();
    private static final List<String> HARDWARE =
            HardwareCatalog.all().stream().map(HardwareEntry::id).toList();
    private static final List<String> LAWS = List.of(
            "chinchilla",
            "chinchilla-unrounded",
            "epoch-2024",
            "kaplan-2020",
            "deepseek-2024",
            "chinchilla-approach-1");

    /** Values that have broken parsers before: number edge cases, encodings, traversal, injection. Already URL-encoded. */
    static final String[] SPECIAL = {
        "",
        "0",
        "1",
        "-1",
        "2",
        "3",
        "8",
        "64",
        "1024",
        "4096",
        "65536",
        "2147483647",
        "2147483648",
        "-2147483649",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775808",
        "-9223372036854775809",
        "99999999999999999999999999999999",
        "1e400",
        "-1e400",
        "1e-400",
        "1e308",
        "1.7976931348623157E309",
        "4.9e-324",
        "NaN",
        "-NaN",
        "Infinity",
        "-Infinity",
        "inf",
        "0x10",
        "010",
        "1_000",
        "%2B5",
        "4.0",
        "4.5",
        "-0",
        "-0.0",
        "1e3",
        "1E24",
        "%207%20",
        "%20",
        "%09",
        "true",
        "false",
        "yes",
        "null",
        "undefined",
        "[]",
        "%7B%7D",
        "bf16",
        "fp32",
        "fp16",
        "fp8",
        "int8",
        "int4",
        "int4-g0",
        "int4-g128",
        "int4-g128-s0",
        "int4-g99999999",
        "int4-g-1",
        "nf4",
        "nf4-dq",
        "BF16",
        "none",
        "selective",
        "full",
        "causal",
        "adamw",
        "adam8bit",
        "sgd",
        "all-linear",
        "q%2Ck%2Cv",
        "q_proj%2C%2C",
        "router",
        "json",
        "csv",
        "table",
        "xml",
        "JSON",
        "h100-sxm",
        "a100-80gb-sxm",
        "tpu-v5e",
        "host",
        "chinchilla",
        "E%3D1%2CA%3D2%2CB%3D3%2Calpha%3D0.3%2Cbeta%3D0.3",
        "E%3DNaN%2CA%3D1%2CB%3D1%2Calpha%3D1%2Cbeta%3D1",
        "E%3D1e400%2CA%3D1%2CB%3D1%2Calpha%3D1%2Cbeta%3D1",
        "E%3D-1%2CA%3D-1%2CB%3D0%2Calpha%3D0%2Cbeta%3D0",
        "E%3D",
        "llama-3-8b",
        "gpt2",
        "deepseek-v3",
        "mixtral-8x7b",
        "gemma-2-9b",
        "nope",
        "../../etc/passwd",
        "..%2F..%2Fetc%2Fpasswd",
        "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/etc/passwd",
        "C:%5Cwindows%5Cwin.ini",
        "config.json",
        "..%5C..%5C",
        "pom.xml",
        "%zz",
        "%",
        "%%",
        "%0",
        "%00",
        "%0a%0d",
        "%ff%fe",
        "%c0%af",
        "%e2%80%ae",
        "%F0%9F%98%80",
        "%ef%bf%bf",
        "%7f",
        "%1b%5B31m",
        "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "%27%20OR%201%3D1--",
        "%3Dcmd%7C%27%20%2FC%20calc%27!A0",
        "%24%7Bjndi%3Aldap%3A%2F%2Fx%7D",
        "%7B%7B7*7%7D%7D",
        "%C3%A9t%C3%A9",
        "a&b",
        "=",
        "==",
    };

    private static final String[] ESTIMATE = {
        "model",
        "batch",
        "prompt",
        "generate",
        "prefill-chunk",
        "weights",
        "kv",
        "tp",
        "pp",
        "dp",
        "ep",
        "zero",
        "sequence-parallel",
        "recompute",
        "optimizer",
        "lora-rank",
        "lora-targets",
        "attention-flops",
        "device-memory-gib",
        "device-memory-gb",
        "overhead-gib",
        "format",
        "hardware",
        "devices"
    };
    private static final String[] OPTIMAL = {"compute", "law", "loss", "params", "iso-flop", "isoflop", "span", "format"
    };
    private static final String[] TRAIN = {
        "model",
        "params",
        "flops-per-token",
        "tokens",
        "hardware",
        "devices",
        "mfu",
        "device-hours",
        "wall-hours",
        "price",
        "power",
        "pue",
        "seq-len",
        "seqlen",
        "compute-format",
        "format"
    };
    private static final String[] FIT = {
        "n-col", "d-col", "c-col", "loss-col", "exclude-highest-loss", "bootstrap", "seed", "format"
    };
    private static final String[] UNKNOWN = {
        "foo",
        "__proto__",
        "constructor",
        "a%5Bb%5D",
        "%00",
        "",
        "%3D",
        "x".repeat(300),
        "Batch",
        "BATCH",
        "batch%20",
        "%62atch",
        "model%00",
        "callback",
        "jsonp",
        "debug",
        "admin",
        "file",
        "path",
        "url"
    };

    private static final String[] TRAVERSAL = {
        "/static/../../etc/passwd",
        "/static/..%2f..%2fetc%2fpasswd",
        "/static/%2e%2e/%2e%2e/etc/passwd",
        "/static/....//....//etc/passwd",
        "/static/strata.css%00.json",
        "/..;/..;/etc/passwd",
        "/%2e%2e/",
        "//etc/passwd",
        "/static//etc/passwd",
        "/api/estimate/../../etc/passwd",
        "/chart/..%2f..%2fpom.xml",
        "/static/%5c..%5c..%5cetc%5cpasswd",
        "/static/..%252f..%252fetc%252fpasswd",
        "/static/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd",
        "/static/..\\..\\etc\\passwd",
        "/webjars/swagger-ui/../../../etc/passwd",
        "/webjars/swagger-ui/..%2f..%2f..%2fdev%2fstrata%2fweb%2fopenapi.json",
        "/webjars/swagger-ui/%2e%2e/%2e%2e/META-INF/MANIFEST.MF",
        "/webjars/swagger-ui/",
        "/webjars/",
        "/openapi.json/..",
        "/api-docs/",
        "/static/WEB-INF/web.xml",
        "/static/",
        "/static",
        "/static/.",
        "/static/..",
        "/./api/presets",
        "/api/./presets",
        "/api/presets/..",
        "/chart/",
        "/chart/.png",
        "/chart/params.",
        "/chart/params.png.svg",
        "/chart/%2e%2e%2fparams.png",
        "/models/../api/presets",
        "/api;/presets",
        "/api/presets;x=y",
        "/api/estimate;jsessionid=1?model=gpt2",
        "/API/ESTIMATE",
        "/api/estimate/",
        "/api",
        "/api/",
        "/favicon.ico",
        "/robots.txt",
        "/%F0%9F%98%80",
        "/%ff",
        "/%",
        "/%zz",
        "/" + "a/".repeat(500),
        "/api/estimate?" + "&".repeat(2000),
        "/api/estimate?model",
        "/api/estimate?model=",
        "/api/estimate?=gpt2",
        "/api/estimate?model=gpt2#frag",
        "/api/estimate?%zz=1",
        "/api/estimate?model=gpt2&%=",
        "*",
        "http://127.0.0.1/api/presets",
        "http://evil.example/api/presets"
    };

    private static final String[] METHODS = {
        "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT", "FOO", "get", "HEAD", "PROPFIND", "G%54"
    };

    private final List<ObjectNode> configs;
    private final List<String> specs;
    private final byte[] hugeJson;
    private final byte[] hugeCsv;

    RequestFuzzer() {
        configs = loadConfigs();
        specs = PRESETS.stream()
                .limit(6)
                .map(id -> SpecJson.write(PresetCatalog.get(id).spec()))
                .toList();
        String pad = "x".repeat((int) StrataServer.MAX_BODY_BYTES);
        hugeJson = ("{\"config\": {\"model_type\": \"llama\", \"pad\": \"" + pad + "\"}}")
                .getBytes(StandardCharsets.UTF_8);
        hugeCsv = ("N,D,loss\n" + "1,1,1\n".repeat((int) StrataServer.MAX_BODY_BYTES / 6 + 10))
                .getBytes(StandardCharsets.UTF_8);
    }

    /** The config.json files in testdata/ and every preset's config, as mutable trees. */
    private static List<ObjectNode> loadConfigs() {
        List<ObjectNode> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of("testdata/hf-configs"))) {
            for (Path p :
                    files.filter(f -> f.toString().endsWith(".json")).sorted().toList())
                out.add((ObjectNode) MAPPER.readTree(p.toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (InputStream in = PresetCatalog.class.getResourceAsStream("presets.json")) {
            for (JsonNode p : MAPPER.readTree(in).get("presets")) out.add((ObjectNode) p.get("config"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Request {@code index} of the run with {@code seed}. */
    FuzzRequest request(long seed, long index) {
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index);
        int k = r.nextInt(1000);
        if (k < 280) return get(index, "/api/estimate", query(r, ESTIMATE, true));
        if (k < 310) return sweep(index, r);
        if (k < 410) return get(index, "/api/optimal", join(required(r, "compute"), query(r, OPTIMAL, false)));
        if (k < 510)
            return get(
                    index,
                    "/api/train",
                    join(
                            required(r, "tokens", "hardware", r.nextBoolean() ? "model" : "params"),
                            query(r, TRAIN, false)));
        if (k < 540)
            return get(index, pick(r, "/api/presets", "/api/hardware"), query(r, new String[] {"format"}, false));
        if (k < 570) return get(index, "/models", query(r, new String[] {"model"}, false));
        if (k < 580)
            return get(index, chartPath(r), query(r, new String[] {"model", "width", "height", "format"}, false));
        if (k < 760) return postEstimate(index, r);
        if (k < 780) return postServing(index, r);
        if (k < 830) return postFit(index, r);
        if (k < 855) return postForm(index, r);
        if (k < 897) return raw(index, r);
        if (k < 900) return huge(index, r);
        String[] all = concat(ESTIMATE, OPTIMAL, TRAIN, FIT);
        return get(
                index,
                pick(
                        r,
                        "/api/estimate",
                        "/api/optimal",
                        "/api/train",
                        "/api/presets",
                        "/api/hardware",
                        "/models",
                        "/",
                        "/api/fit",
                        "/chart/params.svg",
                        "/openapi.json",
                        "/api-docs",
                        "/nope"),
                query(r, all, r.nextBoolean()));
    }

    // ---- GET ----

    private static FuzzRequest get(long index, String path, String query) {
        String target = query.isEmpty() ? path : path + "?" + query;
        return new FuzzRequest(
                index,
                path,
                "GET " + shorten(target),
                ("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1),
                false);
    }

    private static String chartPath(SplittableRandom r) {
        String name = r.nextInt(10) < 8 ? "params" : pick(r, "nope", "", "..", "params.png", "%00", "PARAMS");
        // a real PNG/SVG render takes milliseconds: keep valid charts rare (the model is then usually wrong too)
        String ext = r.nextInt(10) < 3
                ? pick(r, "png", "svg")
                : pick(r, "gif", "", "PNG", "png.svg", "svg%00", "html", "json");
        return "/chart/" + name + (ext.isEmpty() ? "" : "." + ext);
    }

    /** The parameters a route needs, each with a valid value 70 % of the time (else absent), so that answers get past them. */
    private static String required(SplittableRandom r, String... names) {
        List<String> parts = new ArrayList<>();
        for (String name : names) if (r.nextInt(10) < 7) parts.add(name + "=" + enc(valid(r, name)));
        return String.join("&", parts);
    }

    private static String join(String a, String b) {
        return a.isEmpty() ? b : b.isEmpty() ? a : a + "&" + b;
    }

    /** A query of 0 to 7 parameters from {@code names}, plus sometimes unknown ones and repeats. */
    private String query(SplittableRandom r, String[] names, boolean needsModel) {
        List<String> parts = new ArrayList<>();
        if (needsModel && r.nextInt(10) < 8)
            parts.add("model=" + (r.nextInt(10) < 8 ? pick(r, PRESETS) : value(r, "model")));
        int n = r.nextInt(8);
        for (int i = 0; i < n; i++) {
            String name = names[r.nextInt(names.length)];
            if (name.equals("model") && needsModel) continue;
            parts.add(name + "=" + value(r, name));
        }
        if (r.nextInt(10) == 0) parts.add(pick(r, UNKNOWN) + "=" + value(r, "unknown"));
        if (r.nextInt(20) == 0 && !parts.isEmpty()) parts.add(parts.get(r.nextInt(parts.size()))); // repeated parameter
        if (r.nextInt(50) == 0) parts.add(pick(r, UNKNOWN)); // a name without '='
        return String.join("&", parts);
    }

    /** A value for option {@code name}: a valid one half of the time, else something from {@link #SPECIAL} or random junk. */
    private String value(SplittableRandom r, String name) {
        int k = r.nextInt(100);
        if (k < 46) return enc(valid(r, name));
        if (k < 50) return enc(withEmptyItem(r, valid(r, name)));
        if (k < 80) return SPECIAL[r.nextInt(SPECIAL.length)];
        if (k < 88) return Long.toString(r.nextLong());
        if (k < 94)
            return enc(
                    Double.toString(Double.longBitsToDouble(r.nextLong()))); // any double, NaN and subnormals included
        if (k < 99 || r.nextInt(4) > 0) return enc(randomText(r, 1 + r.nextInt(40)));
        return enc(randomText(r, 500 + r.nextInt(2000))); // now and then over Jetty's 8 KiB request line: 414
    }

    /** A value a real user might send for {@code name}. */
    private static String valid(SplittableRandom r, String name) {
        return switch (name) {
            case "model" -> pick(r, PRESETS);
            case "batch" -> Long.toString(logUniform(r, 1, 1L << 24));
            case "prompt" -> Long.toString(logUniform(r, 1, 1L << 20));
            case "generate" -> Long.toString(r.nextInt(5) == 0 ? 0 : logUniform(r, 1, 8192));
            case "prefill-chunk" -> Long.toString(r.nextInt(3) == 0 ? 0 : logUniform(r, 1, 8192));
            case "weights" ->
                pick(r, "fp32", "bf16", "fp16", "fp8", "int8", "int4", "int4-g64", "int4-g128-s4", "nf4", "nf4-dq");
            case "kv" -> pick(r, "fp32", "bf16", "fp16", "fp8", "int8", "int4-g32", "nf4", "nf4-dq");
            case "tp", "ep" -> pick(r, "1", "2", "4", "8", "16", "3", "128");
            case "pp" -> Integer.toString(1 + r.nextInt(r.nextBoolean() ? 8 : 200));
            case "dp", "devices" -> Long.toString(logUniform(r, 1, 100_000));
            case "zero" -> Integer.toString(r.nextInt(4));
            case "sequence-parallel" -> pick(r, "true", "false", "1", "0", "yes", "no");
            case "recompute" -> pick(r, "none", "selective", "full");
            case "optimizer" -> pick(r, "adamw", "adam", "adam8bit", "sgd");
            case "lora-rank" -> Integer.toString(r.nextInt(3) == 0 ? 0 : (int) logUniform(r, 1, 1024));
            case "lora-targets" ->
                pick(
                        r,
                        "all-linear",
                        "all",
                        "q,v",
                        "q_proj,k_proj,v_proj,o_proj",
                        "gate,up,down",
                        "kv_a,kv_b",
                        "router");
            case "attention-flops" -> pick(r, "full", "causal");
            case "device-memory-gib", "device-memory-gb" -> pick(r, "16", "24", "40", "80", "141", "192", "0.5", "1e3");
            case "overhead-gib" -> pick(r, "0", "0.5", "1", "2", "4");
            case "format" -> pick(r, "json", "json", "csv", "table");
            case "hardware" -> pick(r, HARDWARE);
            case "compute" -> String.format(Locale.ROOT, "%.3g", Math.pow(10, 15 + 15 * r.nextDouble()));
            case "law" -> pick(r, LAWS);
            case "loss" -> String.format(Locale.ROOT, "%.3f", 1.5 + 3 * r.nextDouble());
            case "params" -> String.format(Locale.ROOT, "%.3g", Math.pow(10, 6 + 7 * r.nextDouble()));
            case "iso-flop", "isoflop" -> Integer.toString(r.nextInt(4) == 0 ? 0 : 2 + r.nextInt(60));
            case "span" -> String.format(Locale.ROOT, "%.2f", 1.5 + 100 * r.nextDouble());
            case "flops-per-token" -> String.format(Locale.ROOT, "%.3g", Math.pow(10, 8 + 5 * r.nextDouble()));
            case "tokens" -> String.format(Locale.ROOT, "%.3g", Math.pow(10, 9 + 5 * r.nextDouble()));
            case "mfu" -> String.format(Locale.ROOT, "%.2f", 0.05 + 0.9 * r.nextDouble());
            case "device-hours", "wall-hours" ->
                String.format(Locale.ROOT, "%.3g", Math.pow(10, 2 + 6 * r.nextDouble()));
            case "price" -> String.format(Locale.ROOT, "%.2f", 10 * r.nextDouble());
            case "power" -> Integer.toString(r.nextInt(2000));
            case "pue" -> String.format(Locale.ROOT, "%.2f", 1 + r.nextDouble());
            case "seq-len", "seqlen" -> Long.toString(logUniform(r, 1, 1 << 17));
            case "compute-format" -> pick(r, "bf16", "fp16", "fp8", "tf32", "fp32", "int8", "fp4");
            case "width", "height" -> Integer.toString(100 + r.nextInt(600));
            case "n-col", "d-col", "c-col", "loss-col" -> pick(r, "N", "D", "C", "loss", "params", "tokens");
            case "exclude-highest-loss" -> Integer.toString(r.nextInt(5));
            case "bootstrap" -> Integer.toString(r.nextInt(3));
            case "seed" -> Long.toString(r.nextLong());
            default -> randomText(r, 1 + r.nextInt(10));
        };
    }

    // ---- POST /api/estimate ----

    private FuzzRequest postEstimate(long index, SplittableRandom r) {
        String body;
        int k = r.nextInt(100);
        boolean wrongType = false;
        if (k < 70) {
            ObjectNode config = configs.get(r.nextInt(configs.size())).deepCopy();
            int mutations = r.nextInt(5);
            for (int i = 0; i < mutations; i++) mutate(r, config);
            ObjectNode root = F.objectNode();
            root.set("config", config);
            wrongType = addOptions(r, root);
            body = literals(root);
        } else if (k < 80) {
            ObjectNode root = F.objectNode();
            root.set("model", r.nextInt(4) == 0 ? randomJson(r, 0) : F.textNode(pick(r, PRESETS)));
            wrongType = addOptions(r, root);
            body = literals(root);
        } else if (k < 87) {
            try {
                ObjectNode spec = (ObjectNode) MAPPER.readTree(specs.get(r.nextInt(specs.size())));
                int mutations = 1 + r.nextInt(3);
                for (int i = 0; i < mutations; i++) mutateDeep(r, spec);
                ObjectNode root = F.objectNode();
                root.set("config", spec);
                wrongType = addOptions(r, root);
                body = literals(root);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        } else if (k < 93) {
            body = literals(randomJson(r, 0));
        } else {
            body = pick(
                    r,
                    "",
                    " ",
                    "null",
                    "{",
                    "}",
                    "[",
                    "{\"config\":",
                    "{\"config\": null}",
                    "{\"config\": []}",
                    "{\"config\": \"llama\"}",
                    "{\"model\": 5}",
                    "{'config': {}}",
                    "{config: {}}",
                    "{\"config\": {\"model_type\": \"llama\"}} trailing",
                    "{\"config\": {}, \"config\": {\"model_type\": \"gpt2\"}}",
                    "\uFEFF{\"model\": \"gpt2\"}",
                    "{\"model\": \"gpt2\" // c\n}",
                    "{\"model\": NaN}",
                    "{\"model\": \"gpt2\", \"batch\": NaN}",
                    "{\"model\": \"gpt2\", \"batch\": Infinity}",
                    "[".repeat(5000) + "]".repeat(5000),
                    "{\"a\":".repeat(3000) + "1" + "}".repeat(3000),
                    "{\"model\": \"gpt2\", \"batch\": " + "9".repeat(5000) + "}",
                    "\"" + "a".repeat(100) + "\"",
                    "12",
                    "true",
                    "{\"model\": \"gpt2\", \"batch\": 1e400}",
                    "{\"model\": \"gpt2\", \"prompt\": -0}",
                    "{\"model\": \"\\u0000\"}",
                    "{\"model\": \"\\ud800\"}");
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        boolean corrupted = r.nextInt(10) == 0;
        if (corrupted) bytes = corrupt(r, bytes);
        String contentType = r.nextInt(10) < 8
                ? "application/json"
                : pick(
                        r,
                        "text/plain",
                        "application/x-www-form-urlencoded",
                        "multipart/form-data; boundary=x",
                        "application/json; charset=utf-16",
                        "");
        String path = "/api/estimate" + (r.nextInt(5) == 0 ? "?" + query(r, ESTIMATE, false) : "");
        FuzzRequest req = post(index, path, contentType, bytes);
        return wrongType && !corrupted ? req.refused() : req;
    }

    // ---- POST /api/simulate and /api/plan ----

    /**
     * A posted simulation with a small trace whose requests' fields are sometimes wrong (type, sign, size, missing,
     * unknown), or a small plan (one device, 50 requests) with a field sometimes wrong: small, so that each answers in
     * milliseconds, and wrong in the ways a client gets a trace wrong.
     */
    private FuzzRequest postServing(long index, SplittableRandom r) {
        boolean plan = r.nextInt(4) == 0;
        ObjectNode root = F.objectNode();
        if (r.nextInt(5) == 0)
            root.set("config", configs.get(r.nextInt(configs.size())).deepCopy());
        else root.put("model", pick(r, "llama-3-8b", "qwen3-8b", "gpt2", "mixtral-8x7b", "qwen3-30b-a3b"));
        root.put("hardware", pick(r, "h100-sxm", "a100-80gb-sxm", "l40s", "h200-sxm"));
        if (plan) {
            root.put("rate", 1 + r.nextInt(8));
            root.put("ttft-p90-ms", 200 + r.nextInt(3000));
            root.put("tpot-p90-ms", 20 + r.nextInt(200));
            root.put("devices", "1");
            root.put("requests", 50);
        } else {
            ArrayNode trace = root.putArray("trace");
            int n = 1 + r.nextInt(8);
            for (int i = 0; i < n; i++) {
                ObjectNode q = trace.addObject();
                q.put("arrival_seconds", r.nextDouble() * 5);
                q.put("prompt_tokens", 1 + r.nextInt(4000));
                q.put("output_tokens", 1 + r.nextInt(300));
                if (r.nextInt(4) == 0) {
                    q.put("prefix_group", pick(r, "a", "b", ""));
                    q.put("prefix_tokens", r.nextInt(200));
                }
            }
            if (r.nextInt(3) == 0) {
                ObjectNode q = (ObjectNode) trace.get(r.nextInt(n));
                String field = pick(
                        r, "arrival_seconds", "prompt_tokens", "output_tokens", "prefix_group", "prefix_tokens", "x");
                q.set(field, r.nextBoolean() ? randomJson(r, 2) : number(r));
            }
            if (r.nextInt(8) == 0) root.set("trace", randomJson(r, 1));
        }
        if (r.nextInt(3) == 0)
            root.set(
                    pick(
                            r,
                            "rate",
                            "engine",
                            "seed",
                            "max-seqs",
                            "tp",
                            "weights",
                            "prompt",
                            "format",
                            "mode",
                            "trace2"),
                    r.nextBoolean() ? randomJson(r, 2) : number(r));
        byte[] bytes = literals(root).getBytes(StandardCharsets.UTF_8);
        if (r.nextInt(10) == 0) bytes = corrupt(r, bytes);
        return post(index, plan ? "/api/plan" : "/api/simulate", "application/json", bytes);
    }

    private static FuzzRequest post(long index, String path, String contentType, byte[] body) {
        byte[] head = ("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        + (contentType.isEmpty() ? "" : "Content-Type: " + contentType + "\r\n") + "Content-Length: "
                        + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = new byte[head.length + body.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return new FuzzRequest(
                index,
                path.contains("?") ? path.substring(0, path.indexOf('?')) : path,
                "POST " + shorten(path) + " " + shorten(new String(body, StandardCharsets.UTF_8)),
                all,
                false);
    }

    /** Sets, removes or retypes one key of a config. */
    private static void mutate(SplittableRandom r, ObjectNode config) {
        List<String> keys = new ArrayList<>();
        config.fieldNames().forEachRemaining(keys::add);
        String key = keys.isEmpty() || r.nextInt(8) == 0
                ? pick(
                        r,
                        "num_hidden_layers",
                        "hidden_size",
                        "vocab_size",
                        "model_type",
                        "sliding_window",
                        "head_dim",
                        "num_key_value_heads",
                        "n_routed_experts",
                        "first_k_dense_replace",
                        "moe_layer_freq",
                        "num_nextn_predict_layers",
                        "q_lora_rank",
                        "use_sliding_window",
                        "max_window_layers",
                        "n_inner",
                        "activation_function",
                        "hidden_act",
                        "tie_word_embeddings",
                        "_name_or_path",
                        "n_layer",
                        "n_embd",
                        "n_head",
                        "num_local_experts")
                : keys.get(r.nextInt(keys.size()));
        int k = r.nextInt(10);
        if (k < 2) config.remove(key);
        else if (k < 6) config.set(key, number(r));
        else config.set(key, randomJson(r, 1));
    }

    /** Mutates a random node anywhere in a tree (for spec JSON, whose fields are nested). */
    private static void mutateDeep(SplittableRandom r, JsonNode node) {
        JsonNode at = node;
        for (int depth = 0; depth < 6; depth++) {
            if (at instanceof ObjectNode o && o.size() > 0) {
                List<String> keys = new ArrayList<>();
                o.fieldNames().forEachRemaining(keys::add);
                String key = keys.get(r.nextInt(keys.size()));
                JsonNode child = o.get(key);
                if (child.isContainerNode() && r.nextInt(3) > 0) {
                    at = child;
                    continue;
                }
                if (r.nextInt(5) == 0) o.remove(key);
                else o.set(key, r.nextBoolean() ? number(r) : randomJson(r, 1));
                return;
            } else if (at instanceof ArrayNode a && a.size() > 0) {
                int i = r.nextInt(a.size());
                if (a.get(i).isContainerNode() && r.nextInt(3) > 0) {
                    at = a.get(i);
                    continue;
                }
                a.set(i, r.nextBoolean() ? number(r) : randomJson(r, 1));
                return;
            }
            return;
        }
    }

    /** Adds workload options as body fields (the POST form of the query parameters). */
    /**
     * Sets 0 to 4 options as body fields; returns whether one of them is an array or an object, a type no option takes,
     * which the server must refuse (issue 28: {@code "batch": [8]} answered 200 with batch 1).
     */
    private boolean addOptions(SplittableRandom r, ObjectNode root) {
        boolean wrongType = false;
        int n = r.nextInt(5);
        for (int i = 0; i < n; i++) {
            String name = ESTIMATE[r.nextInt(ESTIMATE.length)];
            if (name.equals("model")) continue;
            int k = r.nextInt(10);
            JsonNode v;
            if (k < 5) {
                String text = valid(r, name);
                v = text.matches("-?[0-9]+") ? F.numberNode(Long.parseLong(text)) : F.textNode(text);
            } else if (k < 7) v = number(r);
            else if (k < 8)
                v = r.nextBoolean()
                        ? F.arrayNode().add(valid(r, name))
                        : F.objectNode().put("v", valid(r, name));
            else v = randomJson(r, 1);
            root.set(name, v);
        }
        // a field drawn twice keeps its last value: what is wrong is what the body holds at the end
        var fields = root.fields();
        while (fields.hasNext()) {
            var f = fields.next();
            if (!f.getKey().equals("model")
                    && !f.getKey().equals("config")
                    && f.getValue().isContainerNode()) wrongType = true;
        }
        return wrongType;
    }

    /** {@code value} as a list with an empty item: {@code 8,} {@code ,8} {@code 8,,8} {@code ,}. */
    private static String withEmptyItem(SplittableRandom r, String value) {
        return switch (r.nextInt(5)) {
            case 0 -> value + ",";
            case 1 -> "," + value;
            case 2 -> value + ",," + value;
            case 3 -> " , ";
            default -> ",";
        };
    }

    // ---- GET /api/sweep ----

    /** Sweeps over lists and ranges, small enough to stream in milliseconds, and ones with an empty item. */
    private FuzzRequest sweep(long index, SplittableRandom r) {
        List<String> parts = new ArrayList<>();
        parts.add("model=" + (r.nextInt(10) < 8 ? pick(r, PRESETS) : value(r, "model")));
        boolean empty = false;
        String[] axes = {"batch", "prompt", "generate", "tp", "pp", "devices", "weights", "kv", "hardware"};
        int n = 1 + r.nextInt(3);
        for (int i = 0; i < n; i++) {
            String name = axes[r.nextInt(axes.length)];
            String v = switch (r.nextInt(6)) {
                case 0 ->
                    pick(r, "1..64x2", "1..16", "128..4096x4", "0..512+128", "1..9223372036854775807", "1..16777216");
                case 1 -> valid(r, name) + "," + valid(r, name);
                case 2 -> {
                    empty = true;
                    yield withEmptyItem(r, valid(r, name));
                }
                default -> valid(r, name);
            };
            parts.add(name + "=" + enc(v));
        }
        if (r.nextInt(4) == 0) parts.add("format=" + pick(r, "csv", "json", "table"));
        FuzzRequest req = get(index, "/api/sweep", String.join("&", parts));
        return empty ? req.refused() : req;
    }

    // ---- forms: the planner, the scaling page's fit, its chart and residuals ----

    /** URL-encoded and multipart forms, well formed and broken; a broken multipart body must be refused. */
    private FuzzRequest postForm(long index, SplittableRandom r) {
        String path = pick(r, "/", "/scaling/fit", "/chart/fit.png", "/scaling/residuals.csv");
        boolean planner = path.equals("/");
        List<String[]> fields = new ArrayList<>();
        if (planner) {
            fields.add(new String[] {"model", pick(r, PRESETS)});
            if (r.nextBoolean()) fields.add(new String[] {"config", literals(configs.get(r.nextInt(configs.size())))});
            if (r.nextBoolean()) fields.add(new String[] {"batch", value(r, "batch")});
        } else {
            // at most 9 rows: never a fit (a fit takes seconds), only its refusals
            StringBuilder csv = new StringBuilder("N,D,loss\n");
            for (int i = r.nextInt(10); i > 0; i--)
                csv.append(r.nextInt(1, 100)).append("e8,2e10,2.5\n");
            fields.add(new String[] {"data", csv.toString()});
            if (r.nextBoolean()) fields.add(new String[] {"bootstrap", value(r, "bootstrap")});
        }
        if (r.nextInt(10) == 0) fields.add(fields.get(0)); // a field given twice
        if (r.nextInt(3) == 0) {
            StringBuilder b = new StringBuilder();
            for (String[] f : fields)
                b.append(b.length() == 0 ? "" : "&").append(f[0]).append('=').append(enc(f[1]));
            return post(
                    index,
                    path,
                    "application/x-www-form-urlencoded",
                    b.toString().getBytes(StandardCharsets.UTF_8));
        }
        String boundary = "strata" + r.nextInt(1_000_000);
        StringBuilder b = new StringBuilder();
        for (String[] f : fields) {
            b.append("--")
                    .append(boundary)
                    .append("\r\nContent-Disposition: form-data; name=\"")
                    .append(f[0]);
            if (f[0].equals("data") && r.nextBoolean())
                b.append("\"; filename=\"runs.csv\"\r\nContent-Type: text/csv\r\n\r\n");
            else b.append("\"\r\n\r\n");
            b.append(f[1]).append("\r\n");
        }
        b.append("--").append(boundary).append("--\r\n");
        String contentType = "multipart/form-data; boundary=" + boundary;
        String body = b.toString();
        boolean broken = r.nextInt(3) == 0;
        if (broken)
            switch (r.nextInt(5)) {
                case 0 -> body = ""; // the probe's: a boundary and no body
                case 1 -> body = body.substring(0, body.lastIndexOf("--" + boundary)); // no closing boundary
                case 2 -> body = body.replace(boundary, "other");
                case 3 -> contentType = "multipart/form-data";
                default -> body = randomText(r, 1 + r.nextInt(100));
            }
        FuzzRequest req = post(index, path, contentType, body.getBytes(StandardCharsets.UTF_8));
        return broken ? req.refused() : req;
    }

    /**
     * A number node, or a placeholder text that {@link #literals} turns into a literal no double or long holds (1e400,
     * 2^63, a 400-digit integer).
     */
    private static JsonNode number(SplittableRandom r) {
        return switch (r.nextInt(14)) {
            case 0 -> F.numberNode(0);
            case 1 -> F.numberNode(-1 - r.nextInt(1000));
            case 2 -> F.numberNode(r.nextLong());
            case 3 -> F.numberNode(Integer.MAX_VALUE);
            case 4 -> F.numberNode(1L << r.nextInt(63));
            case 5 -> F.numberNode(r.nextDouble() * 1e6);
            case 6 -> F.numberNode(4096.0);
            case 7 -> F.numberNode(1e-300);
            case 8 -> F.numberNode(1.5);
            case 9 -> F.numberNode(r.nextInt(1, 5000));
            case 10 -> F.numberNode(1_000_000_000 + r.nextInt(1000));
            default ->
                F.textNode("@@"
                        + pick(
                                r,
                                "1e400",
                                "-1e400",
                                "9223372036854775808",
                                "-9223372036854775809",
                                "1e-400",
                                "-0",
                                "1" + "0".repeat(400),
                                "0.1e1",
                                "1E+2",
                                "2.0e0",
                                "18446744073709551616")
                        + "@@");
        };
    }

    /** Random JSON: text (unicode, control characters, long), numbers, booleans, null, arrays, objects. */
    private static JsonNode randomJson(SplittableRandom r, int depth) {
        int k = r.nextInt(depth > 3 ? 6 : 9);
        return switch (k) {
            case 0 -> F.nullNode();
            case 1 -> F.booleanNode(r.nextBoolean());
            case 2, 3 -> number(r);
            case 4 -> F.textNode(randomText(r, r.nextInt(30)));
            case 5 ->
                F.textNode(pick(
                        r,
                        "llama",
                        "gpt2",
                        "deepseek_v3",
                        "gemma2",
                        "bert",
                        "",
                        "32",
                        "silu",
                        "bf16",
                        "1e400",
                        "../../etc/passwd",
                        "=cmd|' /C calc'!A0",
                        "evil, \"quoted\"\nname"));
            case 6 -> {
                ArrayNode a = F.arrayNode();
                int n = r.nextInt(4);
                for (int i = 0; i < n; i++) a.add(randomJson(r, depth + 1));
                yield a;
            }
            default -> {
                ObjectNode o = F.objectNode();
                int n = r.nextInt(4);
                for (int i = 0; i < n; i++)
                    o.set(
                            pick(r, "model_type", "hidden_size", "type", "layers", "count", "kind", randomText(r, 5)),
                            randomJson(r, depth + 1));
                yield o;
            }
        };
    }

    /** The JSON text of a tree with the number placeholders of {@link #number} written as literals. */
    private static String literals(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node).replaceAll("\"@@([^@\"]*)@@\"", "$1");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Truncates, cuts, or splices bytes (invalid UTF-8 included) into a body. */
    private static byte[] corrupt(SplittableRandom r, byte[] b) {
        if (b.length == 0) return new byte[] {(byte) 0xff};
        int at = r.nextInt(b.length);
        return switch (r.nextInt(4)) {
            case 0 -> java.util.Arrays.copyOf(b, at);
            case 1 -> {
                byte[] c = b.clone();
                c[at] = (byte) r.nextInt(256);
                yield c;
            }
            case 2 -> {
                byte[] c = b.clone();
                int[] bad = {0xff, 0xc0, 0x80, 0xed, 0x00, '"', '\\', '{', ']'};
                c[at] = (byte) bad[r.nextInt(bad.length)];
                yield c;
            }
            default -> {
                byte[] c = new byte[b.length + 4];
                System.arraycopy(b, 0, c, 0, at);
                c[at] = (byte) 0xf0;
                c[at + 1] = (byte) 0x9f;
                c[at + 2] = (byte) 0x98;
                c[at + 3] = (byte) 0x80;
                System.arraycopy(b, at, c, at + 4, b.length - at);
                yield c;
            }
        };
    }

    // ---- POST /api/fit ----

    /** Runs as CSV that never has 10 good rows, so the server refuses before fitting (a real fit takes about a second). */
    private FuzzRequest postFit(long index, SplittableRandom r) {
        StringBuilder csv = new StringBuilder();
        csv.append(pick(
                        r,
                        "N,D,loss",
                        "N,C,loss",
                        "params,tokens,loss",
                        "N,D",
                        "",
                        "\"N\",\"D\",\"loss\"",
                        "N;D;loss",
                        "N,D,loss,N",
                        "\"a\"\"b\",c\n",
                        "N,D,loss\r",
                        "\uFEFFN,D,loss",
                        "=cmd|' /C calc'!A0,D,loss",
                        randomText(r, 10)))
                .append('\n');
        int rows = r.nextInt(10);
        for (int i = 0; i < rows; i++) {
            int cols = r.nextInt(10) == 0 ? r.nextInt(6) : 3;
            for (int c = 0; c < cols; c++) {
                if (c > 0) csv.append(',');
                csv.append(pick(
                        r,
                        "1e9",
                        "2e10",
                        "2.5",
                        "0",
                        "-1",
                        "NaN",
                        "Infinity",
                        "1e400",
                        "",
                        "abc",
                        "\"1e9\"",
                        "\"x\ny\"",
                        "\"unterminated",
                        "9223372036854775808",
                        "4.9e-324",
                        " 3 ",
                        Double.toString(r.nextDouble() * 1e10)));
            }
            csv.append(pick(r, "\n", "\r\n", "\r", ""));
        }
        if (r.nextInt(10) == 0) csv.append(randomText(r, 20));
        String path = "/api/fit" + (r.nextInt(2) == 0 ? "?" + query(r, FIT, false) : "");
        return post(
                index,
                path,
                pick(r, "text/csv", "text/csv", "application/json", ""),
                csv.toString().getBytes(StandardCharsets.UTF_8));
    }

    // ---- raw ----

    /** Requests a normal client would not send. */
    private FuzzRequest raw(long index, SplittableRandom r) {
        String text;
        String what;
        switch (r.nextInt(12)) {
            case 0, 1, 2 -> {
                what = "traversal";
                text = "GET " + pick(r, TRAVERSAL) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
            }
            case 3 -> {
                String m = pick(r, METHODS);
                what = "method " + m;
                String path = pick(
                        r,
                        "/api/estimate?model=gpt2",
                        "/api/presets",
                        "/models",
                        "/",
                        "/api/fit",
                        "/static/strata.css",
                        "/nope");
                if (m.equals("HEAD")) {
                    byte[] raw = ("HEAD " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1);
                    return new FuzzRequest(index, path, "HEAD " + path, raw, true);
                }
                text = m + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n";
            }
            case 4 -> {
                what = "request line";
                text = pick(
                        r,
                        "GET / HTTP/9.9\r\nHost: x\r\n\r\n",
                        "GET /api/presets HTTP/1.1\r\n\r\n",
                        "GET /api/presets HTTP/1.0\r\n\r\n",
                        "GET /api/presets\r\n\r\n",
                        "GET  /api/presets  HTTP/1.1\r\nHost: x\r\n\r\n",
                        "GET /api/es timate HTTP/1.1\r\nHost: x\r\n\r\n",
                        "GET /api/estimate?model=gp t2 HTTP/1.1\r\nHost: x\r\n\r\n",
                        "GET /api/estimate?model=gpt2\u0001 HTTP/1.1\r\nHost: x\r\n\r\n",
                        "GET /api/presets HTTP/1.1\nHost: x\n\n",
                        "GARBAGE\r\n\r\n",
                        "GET\r\n\r\n",
                        " GET / HTTP/1.1\r\nHost: x\r\n\r\n",
                        "GET /api/presets HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n",
                        "GET /api/presets HTTP/1.1\r\nHost x\r\n\r\n",
                        "GET /api/presets HTTP/1.1\r\nHost: x\r\n X-Folded: y\r\n\r\n",
                        "GET /api/presets HTTP/1.1\r\nHost: x\r\nX: \u0000\r\n\r\n");
            }
            case 5 -> {
                what = "long URI";
                text = "GET /api/estimate?model=gpt2&x=" + "a".repeat(8000 + r.nextInt(30_000))
                        + " HTTP/1.1\r\nHost: x\r\n\r\n";
            }
            case 6 -> {
                what = "long headers";
                text = r.nextBoolean()
                        ? "GET /api/presets HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(8000 + r.nextInt(30_000))
                                + "\r\n\r\n"
                        : "GET /api/presets HTTP/1.1\r\nHost: x\r\n" + "X-H: 1\r\n".repeat(500 + r.nextInt(3000))
                                + "\r\n";
            }
            case 7 -> {
                what = "body framing";
                text = pick(
                        r,
                        "POST /api/estimate HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}",
                        "POST /api/estimate HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n{}",
                        "POST /api/estimate HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
                        "POST /api/estimate HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n{}",
                        "POST /api/estimate HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
                        "POST /api/estimate HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
                        "POST /api/estimate HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
                        "POST /api/estimate HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n11\r\n{\"model\":\"gpt2\"}\r\n0\r\n\r\n",
                        "POST /api/estimate HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 16\r\n\r\n{\"model\":\"gpt2\"}",
                        "POST /api/estimate HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\nContent-Length: 2\r\n\r\n{}",
                        "POST /api/fit HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
                        "POST /api/estimate HTTP/1.1\r\nHost: x\r\n\r\n");
            }
            case 8 -> {
                what = "binary";
                // random bytes that start with something other than white space (Jetty waits for a request line after
                // blank lines) and end with an empty line (else it waits for the rest of the headers)
                byte[] b = new byte[5 + r.nextInt(200)];
                for (int i = 0; i < b.length; i++) b[i] = (byte) r.nextInt(256);
                b[0] = (byte) r.nextInt(0x21, 0x100);
                b[b.length - 4] = '\r';
                b[b.length - 3] = '\n';
                b[b.length - 2] = '\r';
                b[b.length - 1] = '\n';
                return new FuzzRequest(index, "raw", what + " (" + b.length + " random bytes)", b, false);
            }
            case 9 -> {
                what = "unicode path";
                text = "GET /" + enc(randomText(r, 1 + r.nextInt(30))) + " HTTP/1.1\r\nHost: x\r\n\r\n";
            }
            default -> {
                what = "headers";
                text = "GET /api/estimate?model=" + pick(r, PRESETS) + " HTTP/1.1\r\nHost: x\r\n"
                        + pick(
                                r,
                                "Accept: text/html\r\n",
                                "Accept: application/xml\r\n",
                                "Accept-Charset: utf-32\r\n",
                                "Accept-Encoding: gzip\r\n",
                                "Cookie: a=b; c\r\n",
                                "Range: bytes=0-10\r\n",
                                "If-None-Match: *\r\n",
                                "X-Forwarded-For: ::1\r\n",
                                "Authorization: Basic !!!\r\n",
                                "Content-Type: \u00ff\r\n",
                                "Origin: http://evil.example\r\n")
                        + "\r\n";
            }
        }
        byte[] raw = text.getBytes(StandardCharsets.UTF_8);
        String first = text.lines().findFirst().orElse("");
        return new FuzzRequest(index, "raw", what + ": " + shorten(first), raw, false);
    }

    /** Bodies over the limit: with a Content-Length, and chunked without one. */
    private FuzzRequest huge(long index, SplittableRandom r) {
        boolean fit = r.nextBoolean();
        byte[] body = fit ? hugeCsv : hugeJson;
        String path = fit ? "/api/fit" : "/api/estimate";
        if (r.nextBoolean()) return post(index, path, fit ? "text/csv" : "application/json", body);
        StringBuilder head = new StringBuilder(
                "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n");
        byte[] h = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] size = (Integer.toHexString(body.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[] end = "\r\n0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = new byte[h.length + size.length + body.length + end.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(size, 0, all, h.length, size.length);
        System.arraycopy(body, 0, all, h.length + size.length, body.length);
        System.arraycopy(end, 0, all, h.length + size.length + body.length, end.length);
        return new FuzzRequest(index, path, "POST " + path + " chunked, " + body.length + " bytes", all, false);
    }

    // ---- helpers ----

    /** Random text over code points that break things: controls, quotes, separators, RTL marks, emoji, unpaired surrogates. */
    static String randomText(SplittableRandom r, int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            int k = r.nextInt(10);
            if (k < 4) sb.append((char) ('a' + r.nextInt(26)));
            else if (k < 6)
                sb.append(pick(
                        r, "\u0000", "\n", "\r", "\t", "\u001b", "\u007f", "\"", "'", ",", ";", "&", "=", "%", "+", "#",
                        "?", "/", "\\", "<", ">", "{", "}", "[", "]", " ", "-", "@"));
            else if (k < 8) sb.appendCodePoint(r.nextInt(0x20, 0x3000));
            else if (k < 9)
                sb.append(pick(
                        r,
                        "\u202e",
                        "\u200b",
                        "\ufeff",
                        "\uffff",
                        "\ud800",
                        "\udc00",
                        "\ud83d\ude00",
                        "\u0301",
                        "\u00e9"));
            else sb.appendCodePoint(r.nextInt(0x10000, 0x10FFFF));
        }
        return sb.toString();
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static long logUniform(SplittableRandom r, long lo, long hi) {
        double x = Math.exp(Math.log(lo) + r.nextDouble() * (Math.log(hi) - Math.log(lo)));
        return Math.max(lo, Math.min(hi, Math.round(x)));
    }

    @SafeVarargs
    private static <T> T pick(SplittableRandom r, T... options) {
        return options[r.nextInt(options.length)];
    }

    private static String pick(SplittableRandom r, List<String> options) {
        return options.get(r.nextInt(options.size()));
    }

    private static String[] concat(String[]... arrays) {
        return Stream.of(arrays).flatMap(Stream::of).distinct().toArray(String[]::new);
    }

    static String shorten(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && sb.length() < 240; i++) {
            char c = s.charAt(i);
            sb.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
        }
        return s.length() > 240 ? sb + "...(" + s.length() + " chars)" : sb.toString();
    }
}
