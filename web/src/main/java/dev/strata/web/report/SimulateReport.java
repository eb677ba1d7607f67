package dev.strata.web.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.estimator.latency.EngineProfile;
import dev.strata.estimator.latency.LatencyModel;
import dev.strata.estimator.serving.KvCapacity;
import dev.strata.estimator.serving.Lengths;
import dev.strata.estimator.serving.SchedulerDefaults;
import dev.strata.estimator.serving.ServingSimulation;
import dev.strata.estimator.serving.Traffic;
import dev.strata.model.Hardware;
import dev.strata.model.InvalidFieldException;
import dev.strata.model.Parallelism;
import dev.strata.model.TransformerSpec;
import dev.strata.model.internal.Checks;
import dev.strata.web.render.Render;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import org.apache.commons.math3.stat.descriptive.DescriptiveStatistics;

/**
 * {@code simulate}: a model on replicas of a device under traffic ({@link ServingSimulation}). The options of
 * {@code estimate} (model, hardware, devices, tp, pp, weights, kv, engine) and the traffic: {@code replicas},
 * {@code rate} (requests per second, or {@code inf}: all at once) or {@code concurrency} (a closed loop),
 * {@code burstiness} (gamma arrivals' coefficient of variation; 1 is Poisson, 0 evenly spaced), {@code requests}, {@code prompt} and
 * {@code generate} (a length, {@code lognormal:MEAN:SIGMA} or {@code uniform:A:B}), {@code seed}; the scheduler:
 * {@code max-seqs} and {@code max-batched-tokens} (the engine's own, {@link SchedulerDefaults}), {@code block-size} (16),
 * {@code gpu-memory-utilization} (0.9), {@code router}; shared prompt prefixes: {@code prefix-tokens} and
 * {@code prefix-groups} (each drawn prompt starts with one of the groups' prefixes; a trace gives them per request),
 * {@code prefix-caching} ({@code true}, as vLLM V1's automatic prefix caching, or {@code false}); the front end:
 * {@code client} ({@code offline}, requests handed to the engine, or {@code http}, through its HTTP server) or
 * {@code frontend-ms}; the service levels for goodput: {@code ttft-p90-ms}, {@code tpot-p90-ms}.
 */
public final class SimulateReport {
    private SimulateReport() {}

    /** vLLM's 16-token blocks and 90 % of memory; the sequence and token limits are the engine's ({@link SchedulerDefaults}). */
    public static final int DEFAULT_BLOCK_SIZE = 16;

    public static final double DEFAULT_MEMORY_UTILIZATION = 0.9;
    public static final int DEFAULT_REQUESTS = 1000;

    private static final Set<String> TRAFFIC = Set.of("prompt", "generate");

    /**
     * The report; {@code values} gives each option's text by name ({@code prefix} {@code "--"} on the command line),
     * {@code trace} the requests of a trace file, or null.
     */
    public static ObjectNode of(
            ResolvedModel model, Function<String, String> values, String prefix, List<Traffic.Request> trace) {
        return of(model, values, prefix, trace, Double.POSITIVE_INFINITY);
    }

    /** Most tokens (requests x mean prompt and output) a simulation over HTTP takes: a few seconds of work. */
    public static final double HTTP_MAX_TOKENS = 2e8;

    /**
     * {@link #of(ResolvedModel, Function, String, List)}, refusing traffic of more than {@code maxTokens} tokens in all
     * (requests times the mean prompt and output lengths) before simulating anything.
     */
    public static ObjectNode of(
            ResolvedModel model,
            Function<String, String> values,
            String prefix,
            List<Traffic.Request> trace,
            double maxTokens) {
        return of(model, values, prefix, trace, maxTokens, Map.of());
    }

    /**
     * {@link #of(ResolvedModel, Function, String, List, double)} with {@code lengths}: the prompt or generate lengths
     * the command line read from a dataset ({@code empirical:FILE.csv:COLUMN}), by option name, in place of their text.
     */
    public static ObjectNode of(
            ResolvedModel model,
            Function<String, String> values,
            String prefix,
            List<Traffic.Request> trace,
            double maxTokens,
            Map<String, Lengths> lengths) {
        // prompt and generate are distributions here: the workload options take their defaults
        Function<String, String> workload = name -> TRAFFIC.contains(name) ? null : values.apply(name);
        EstimateOptions options = EstimateOptions.parse(workload, prefix, model);
        ServingOptions serving = ServingOptions.parse(workload, prefix, options);
        if (serving.hardware() == null)
            throw InvalidFieldException.withMessage(
                    prefix + "hardware", prefix + "hardware is missing: the device each replica runs on");
        Inputs in = new Inputs(values);
        TransformerSpec spec = model.spec();
        Parallelism par = serving.parallelism(spec, options.workload().parallelism(), prefix);
        String mode = in.text("mode") == null ? "aggregated" : in.text("mode");
        if (!mode.equals("aggregated") && !mode.equals("disaggregated"))
            throw new InvalidFieldException(prefix + "mode", mode, "aggregated or disaggregated");
        boolean split = mode.equals("disaggregated");
        for (String name : split
                ? new String[] {"replicas"}
                : new String[] {"prefill-replicas", "decode-replicas", "transfer-gbs"})
            if (in.text(name) != null)
                throw InvalidFieldException.withMessage(
                        prefix + name,
                        prefix
                                + name
                                + (split
                                        ? " is for aggregated serving: give " + prefix + "prefill-replicas and "
                                                + prefix + "decode-replicas"
                                        : " is for " + prefix + "mode disaggregated"));
        int replicas = bounded(in.integer("replicas"), 1, 1, 10_000, prefix + "replicas");
        int prefillReplicas = bounded(in.integer("prefill-replicas"), 1, 1, 10_000, prefix + "prefill-replicas");
        int decodeReplicas = bounded(in.integer("decode-replicas"), 1, 1, 10_000, prefix + "decode-replicas");
        int block = bounded(in.integer("block-size"), DEFAULT_BLOCK_SIZE, 1, 1 << 16, prefix + "block-size");
        Double util = in.number("gpu-memory-utilization");
        double utilization = util == null ? DEFAULT_MEMORY_UTILIZATION : util;
        if (!(utilization > 0 && utilization <= 1))
            throw new InvalidFieldException(prefix + "gpu-memory-utilization", utilization, "a fraction in (0, 1]");
        Integer givenSeqs = in.integer("max-seqs");
        Long givenBudget = in.whole("max-batched-tokens");
        if (givenSeqs != null) bounded(givenSeqs, 1, 1, 1 << 20, prefix + "max-seqs");
        if (givenBudget != null) Checks.range(prefix + "max-batched-tokens", givenBudget, 1, 1L << 24);
        // the KV blocks a replica holds for a sequence limit and a step's token budget
        java.util.function.LongBinaryOperator blocksFor = (seqs, tokens) -> KvCapacity.blocks(
                spec,
                options.precision(),
                par,
                serving.hardware(),
                options.runtimeOverheadBytes(),
                utilization,
                tokens,
                (int) seqs,
                block);
        SchedulerDefaults engineLimits = givenSeqs != null && givenBudget != null
                ? null
                : SchedulerDefaults.of(
                        serving.engine() == null ? null : serving.engine().id(),
                        serving.hardware(),
                        spec.contextLength(),
                        (seqs, tokens) -> block
                                * blocksFor.applyAsLong(
                                        givenSeqs != null ? givenSeqs : seqs,
                                        givenBudget != null ? givenBudget : tokens));
        int maxSeqs = givenSeqs != null ? givenSeqs : engineLimits.maxSeqs();
        long budget = givenBudget != null ? givenBudget : engineLimits.maxBatchedTokens();
        String router = in.text("router") == null ? "round-robin" : in.text("router");
        if (!ServingSimulation.ROUTERS.contains(router))
            throw new InvalidFieldException(prefix + "router", router, String.join(", ", ServingSimulation.ROUTERS));
        Traffic traffic = traffic(in, prefix, trace, lengths);
        double tokens = trace != null
                ? trace.stream().mapToDouble(x -> x.prompt() + x.output()).sum()
                : traffic.requests()
                        * (traffic.prompt().mean() + traffic.output().mean());
        if (tokens > maxTokens)
            throw new InvalidFieldException(
                    prefix + "requests",
                    traffic.requests(),
                    "traffic of at most " + String.format("%.0e", maxTokens) + " tokens in all here (requests x mean"
                            + " prompt and output lengths: " + String.format("%.2e", tokens)
                            + "); the command line takes more");

        long kvBlocks = blocksFor.applyAsLong(maxSeqs, budget);
        LatencyModel lm = LatencyModel.of(
                spec, options.precision(), par, serving.hardware(), serving.tuning(), serving.offload());
        String caching = in.text("prefix-caching") == null ? "true" : in.text("prefix-caching");
        if (!caching.equals("true") && !caching.equals("false"))
            throw new InvalidFieldException(prefix + "prefix-caching", caching, "true or false");
        FrontEnd front = frontEnd(in, serving.engine(), prefix);
        var scheduler = withPolicy(
                        new ServingSimulation.Scheduler(maxSeqs, budget, block, kvBlocks, caching.equals("true")),
                        capacityPolicy(in.text("capacity-policy"), serving.engine(), prefix))
                .withFrontend(front.seconds());
        ServingSimulation.Result r;
        double transferPerToken = 0;
        try {
            if (split) {
                Double gbs = in.number("transfer-gbs");
                if (gbs != null) Checks.positive(prefix + "transfer-gbs", gbs, 1e6);
                Hardware hw = serving.hardware();
                transferPerToken = transferSecondsPerToken(spec, options.precision(), hw, gbs);
                if (Double.isNaN(transferPerToken))
                    throw InvalidFieldException.withMessage(
                            prefix + "transfer-gbs",
                            prefix + "transfer-gbs is missing: " + hw.id()
                                    + " publishes no link bandwidth to carry the KV cache between the pools");
                r = ServingSimulation.runDisaggregated(
                        new ServingSimulation.Pool(lm, scheduler, prefillReplicas),
                        new ServingSimulation.Pool(lm, scheduler, decodeReplicas),
                        transferPerToken,
                        serving.tuning().collectiveLatencySeconds(),
                        router,
                        traffic);
            } else r = ServingSimulation.run(lm, scheduler, replicas, router, traffic);
        } catch (InvalidFieldException e) {
            throw e.field().equals("prompt") || e.field().equals("trace")
                    ? InvalidFieldException.withMessage(prefix + e.field(), prefix + e.getMessage())
                    : e;
        }

        ObjectNode root = Render.NODES.objectNode();
        root.put("model", spec.name());
        root.put("hardware", serving.hardware().id());
        root.put("devicesPerReplica", par.devices());
        root.put("tensorParallel", par.tensor());
        root.put("pipelineParallel", par.pipeline());
        root.put("mode", mode);
        if (split) {
            root.put("prefillReplicas", prefillReplicas);
            root.put("decodeReplicas", decodeReplicas);
            root.put("transferSecondsPerToken", transferPerToken);
        } else root.put("replicas", replicas);
        int allReplicas = split ? prefillReplicas + decodeReplicas : replicas;
        root.put("weights", options.precision().weights().id());
        root.put("kv", options.precision().kvCache().id());
        if (serving.engine() != null) root.put("engine", serving.engine().id());
        ObjectNode s = root.putObject("scheduler");
        s.put("maxSeqs", maxSeqs);
        s.put("maxBatchedTokens", budget);
        if (engineLimits != null) s.put("defaultsBasis", engineLimits.basis());
        s.put("blockSize", block);
        s.put("kvBlocks", kvBlocks);
        s.put("kvTokens", kvBlocks * block);
        s.put("gpuMemoryUtilization", utilization);
        s.put("router", router);
        s.put("prefixCaching", scheduler.prefixCaching());
        s.put("capacityPolicy", policyOf(scheduler));
        s.put("client", front.client());
        s.put("frontendSeconds", front.seconds());
        ObjectNode t = root.putObject("traffic");
        t.put("arrivals", traffic.arrivals());
        if (Traffic.atRate(traffic.arrivals())) t.put("ratePerSecond", traffic.rate());
        if (traffic.arrivals().equals("gamma")) t.put("burstiness", traffic.burstiness());
        if (traffic.arrivals().equals("closed")) t.put("concurrency", traffic.concurrency());
        t.put("requests", traffic.requests());
        if (trace == null) {
            t.put("prompt", traffic.prompt().text());
            t.put("generate", traffic.output().text());
            t.put("seed", traffic.seed());
            if (traffic.prefixGroups() > 0) {
                t.put("prefixTokens", traffic.prefixTokens());
                t.put("prefixGroups", traffic.prefixGroups());
            }
        }
        List<ServingSimulation.RequestResult> rs = r.requests();
        stats(root.putObject("ttftSeconds"), rs, ServingSimulation.RequestResult::ttft);
        stats(root.putObject("tpotSeconds"), rs, ServingSimulation.RequestResult::tpot);
        ObjectNode itl = root.putObject("itlSeconds"); // every gap between a request's consecutive tokens
        double[] gaps = r.interTokenSeconds().percentiles(50, 90, 99);
        itl.put("mean", r.interTokenSeconds().mean());
        itl.put("p50", gaps[0]);
        itl.put("p90", gaps[1]);
        itl.put("p99", gaps[2]);
        stats(root.putObject("e2eSeconds"), rs, ServingSimulation.RequestResult::e2e);
        stats(root.putObject("queueSeconds"), rs, ServingSimulation.RequestResult::queue);
        double span = r.makespanSeconds();
        long outputTokens =
                rs.stream().mapToLong(ServingSimulation.RequestResult::output).sum();
        ObjectNode th = root.putObject("throughput");
        th.put("requestsPerSecond", rs.size() / span);
        th.put("outputTokensPerSecond", outputTokens / span);
        th.put("outputTokensPerSecondPerDevice", outputTokens / span / ((double) allReplicas * par.devices()));
        Double ttftSlo = in.number("ttft-p90-ms"), tpotSlo = in.number("tpot-p90-ms");
        if (ttftSlo != null) Checks.positive(prefix + "ttft-p90-ms", ttftSlo, 1e9);
        if (tpotSlo != null) Checks.positive(prefix + "tpot-p90-ms", tpotSlo, 1e9);
        long good = rs.stream()
                .filter(x -> (ttftSlo == null || x.ttft() <= ttftSlo / 1e3)
                        && (tpotSlo == null || x.tpot() <= tpotSlo / 1e3))
                .count();
        ObjectNode g = root.putObject("goodput");
        g.put("requestsPerSecond", good / span);
        g.put("fractionWithinSlo", (double) good / rs.size());
        if (ttftSlo != null) g.put("ttftSloSeconds", ttftSlo / 1e3);
        if (tpotSlo != null) g.put("tpotSloSeconds", tpotSlo / 1e3);
        if (ttftSlo != null
                && tpotSlo != null
                && trace == null
                && !traffic.arrivals().equals("closed")
                && !split)
            g.put(
                    "maxRateRequestsPerSecond",
                    ServingSimulation.maxRate(
                            lm,
                            scheduler,
                            replicas,
                            router,
                            traffic,
                            traffic.arrivals().equals("all") ? 1 : traffic.rate(),
                            ttftSlo / 1e3,
                            tpotSlo / 1e3));
        ObjectNode b = root.putObject("batch");
        b.put("mean", r.meanBatch());
        b.put("max", r.maxBatch());
        ObjectNode kv = root.putObject("kvCache");
        kv.put("peakUtilization", r.peakKvUtilization());
        kv.put("preemptions", r.preemptions());
        kv.put("prefixHitRate", r.prefixHitRate());
        root.putObject("requests").put("completed", rs.size());
        root.put("simulatedSeconds", span);
        root.put("steps", r.steps());
        ObjectNode little = root.putObject("littlesLaw"); // a check anyone can make: L = lambda W
        little.put("meanInSystem", r.meanInSystem());
        little.put("arrivalRateTimesMeanLatency", rs.size() / span * mean(rs, ServingSimulation.RequestResult::e2e));
        ObjectNode tl = root.putObject("timeline"); // running sequences and KV use over the run, time-averaged
        tl.put("intervalSeconds", r.timeline().intervalSeconds());
        ArrayNode points = tl.putArray("points");
        for (dev.strata.estimator.serving.Timeline.Point p : r.timeline().points()) {
            ObjectNode o = points.addObject();
            o.put("startSeconds", p.startSeconds());
            o.put("sequences", p.sequences());
            o.put("kvUtilization", p.kvUtilization());
        }
        ArrayNode per = root.putArray("perRequest");
        for (ServingSimulation.RequestResult x : rs) {
            ObjectNode o = per.addObject();
            o.put("arrivalSeconds", x.arrival());
            o.put("promptTokens", x.prompt());
            o.put("outputTokens", x.output());
            o.put("queueSeconds", x.queue());
            o.put("ttftSeconds", x.ttft());
            o.put("tpotSeconds", x.tpot());
            o.put("e2eSeconds", x.e2e());
        }
        return root;
    }

    /** Most request rates one latency chart simulates. */
    public static final int MAX_CHART_RATES = 12;

    /**
     * Latency against request rate ({@code /chart/serving.png}): the options of {@link #of} with {@code rates} a list
     * of request rates (default 1,2,4,8,16); at each, the simulation's p50 and p90 time to first token and time per
     * output token, on a logarithmic time axis. Each simulation is held to {@link #HTTP_MAX_TOKENS} tokens.
     */
    public static org.jfree.chart.JFreeChart latencyChart(ResolvedModel model, Function<String, String> values) {
        Inputs in = new Inputs(values);
        String list = in.text("rates") == null ? "1,2,4,8,16" : in.text("rates");
        String[] items = list.split(",");
        if (items.length > MAX_CHART_RATES)
            throw new InvalidFieldException("rates", list, "at most " + MAX_CHART_RATES + " request rates");
        double[] rates = new double[items.length];
        for (int i = 0; i < items.length; i++) {
            try {
                rates[i] = Inputs.parseNumber(items[i].trim());
            } catch (NumberFormatException e) {
                rates[i] = Double.NaN;
            }
            if (!(rates[i] > 0 && rates[i] <= 1e6))
                throw new InvalidFieldException("rates", list, "a list of request rates per second, each above 0");
        }
        java.util.Arrays.sort(rates);
        String[] names = {
            "time to first token p50",
            "time to first token p90",
            "time per output token p50",
            "time per output token p90"
        };
        String[] paths = {"/ttftSeconds/p50", "/ttftSeconds/p90", "/tpotSeconds/p50", "/tpotSeconds/p90"};
        double[][] ys = new double[4][rates.length];
        for (int i = 0; i < rates.length; i++) {
            String rate = Double.toString(rates[i]);
            Function<String, String> at = name -> name.equals("rate")
                    ? rate
                    : name.equals("requests") && values.apply("requests") == null ? "500" : values.apply(name);
            ObjectNode r = of(model, at, "", null, HTTP_MAX_TOKENS);
            for (int k = 0; k < 4; k++) ys[k][i] = Math.max(1e-6, r.at(paths[k]).doubleValue());
        }
        List<dev.strata.web.chart.Series> series = new java.util.ArrayList<>();
        for (int k = 0; k < 4; k++) series.add(new dev.strata.web.chart.Series(names[k], rates, ys[k]));
        return dev.strata.web.chart.Charts.lines(
                model.spec().name() + ": latency against request rate",
                "requests per second",
                "seconds",
                false,
                true,
                series);
    }

    /** Keeps what of {@code root} answers in {@code fmt}: the requests only as CSV rows, the timeline only in JSON. */
    public static void keepFor(ObjectNode root, dev.strata.web.render.Format fmt) {
        if (fmt != dev.strata.web.render.Format.CSV) root.remove("perRequest");
        if (fmt != dev.strata.web.render.Format.JSON) root.remove("timeline");
    }

    /**
     * The {@code /chart/simulate-timeline} image: running sequences per replica and the share of KV blocks in use over
     * one simulated run ({@link #of} with the same options), each averaged over the timeline's intervals.
     */
    public static org.jfree.chart.JFreeChart timelineChart(ResolvedModel model, Function<String, String> values) {
        ObjectNode r = of(model, values, "", null, HTTP_MAX_TOKENS);
        JsonNode points = r.path("timeline").path("points");
        int n = points.size();
        double[] t = new double[n], seqs = new double[n], kv = new double[n];
        for (int i = 0; i < n; i++) {
            JsonNode p = points.get(i);
            t[i] = p.get("startSeconds").doubleValue()
                    + r.path("timeline").path("intervalSeconds").doubleValue() / 2;
            seqs[i] = p.get("sequences").doubleValue();
            kv[i] = 100 * p.get("kvUtilization").doubleValue();
        }
        return dev.strata.web.chart.Charts.lines(
                model.spec().name() + ": running sequences and KV cache over the run",
                "seconds",
                "sequences per replica · % of KV blocks in use",
                false,
                false,
                List.of(
                        new dev.strata.web.chart.Series("running sequences per replica", t, seqs),
                        new dev.strata.web.chart.Series("KV blocks in use, %", t, kv)));
    }

    /**
     * Seconds to send one token's KV cache from a prefill pool to a decode pool: its bytes on every layer over the
     * link, {@code gbs} GB/s where given, else the device's scale-up link times its communication efficiency, else its
     * host link; NaN when the device publishes no link.
     */
    public static double transferSecondsPerToken(
            TransformerSpec spec, dev.strata.model.Precision precision, Hardware hw, Double gbs) {
        double link = gbs != null
                ? gbs * 1e9
                : hw.scaleUpBandwidthBytesPerSecond() > 0
                        ? hw.scaleUpBandwidthBytesPerSecond() * hw.efficiency().communication()
                        : hw.hostLinkBytesPerSecond();
        if (!(link > 0)) return Double.NaN;
        return dev.strata.estimator.memory.KvCache.bytesPerToken(spec, precision.kvCache()) / link;
    }

    private static Traffic traffic(
            Inputs in, String prefix, List<Traffic.Request> trace, Map<String, Lengths> lengths) {
        int requests = bounded(in.integer("requests"), DEFAULT_REQUESTS, 1, Traffic.MAX_REQUESTS, prefix + "requests");
        long seed = in.whole("seed") == null ? 0 : in.whole("seed");
        Long prefixTokens = in.whole("prefix-tokens");
        Integer prefixGroups = in.integer("prefix-groups");
        if (trace != null) {
            for (String name : new String[] {"prefix-tokens", "prefix-groups"})
                if (in.text(name) != null)
                    throw InvalidFieldException.withMessage(
                            prefix + name,
                            prefix + name + " is for drawn traffic: a trace gives each request's prefix in its"
                                    + " prefix_group and prefix_tokens columns");
            // the trace is the traffic: an option that would draw other traffic is refused, not ignored
            for (String name : new String[] {"rate", "concurrency", "burstiness", "requests", "prompt", "generate"})
                if (in.text(name) != null || lengths.containsKey(name))
                    throw InvalidFieldException.withMessage(
                            prefix + name,
                            prefix + name + " is for drawn traffic: a trace gives each request's arrival, prompt and"
                                    + " output");
            return new Traffic("trace", 0, 1, 0, trace.size(), null, null, seed, trace);
        }
        if (prefixTokens != null) Checks.range(prefix + "prefix-tokens", prefixTokens, 1, 1L << 24);
        if (prefixGroups != null) Checks.range(prefix + "prefix-groups", prefixGroups, 1, 1_000_000);
        if (prefixGroups != null && prefixTokens == null)
            throw InvalidFieldException.withMessage(
                    prefix + "prefix-tokens",
                    prefix + "prefix-tokens is missing: the tokens of the shared prefix each of the " + prefixGroups
                            + " groups has");
        Traffic drawn = drawn(in, prefix, requests, seed, lengths);
        return prefixTokens == null ? drawn : drawn.withPrefix(prefixTokens, prefixGroups == null ? 1 : prefixGroups);
    }

    /**
     * The lengths of option {@code name}: read from a dataset by the command line ({@code read}), else parsed from its
     * text, else fixed at {@code fallback}.
     */
    static Lengths lengths(Inputs in, String prefix, String name, long fallback, Map<String, Lengths> read) {
        if (read.containsKey(name)) return read.get(name);
        return in.text(name) == null ? Lengths.fixed(fallback) : Lengths.parse(prefix + name, in.text(name), 1);
    }

    private static Traffic drawn(Inputs in, String prefix, int requests, long seed, Map<String, Lengths> lengths) {
        Lengths prompt = lengths(in, prefix, "prompt", EstimateOptions.DEFAULT_PROMPT, lengths);
        Lengths generate = lengths(in, prefix, "generate", EstimateOptions.DEFAULT_GENERATE, lengths);
        String rate = in.text("rate");
        Integer concurrency = in.integer("concurrency");
        if (rate != null && concurrency != null)
            throw InvalidFieldException.withMessage(
                    prefix + "concurrency",
                    prefix + "rate and " + prefix
                            + "concurrency are both given: an open arrival rate or a closed loop");
        if (concurrency != null) {
            Checks.range(prefix + "concurrency", concurrency, 1, 1_000_000);
            return new Traffic("closed", 0, 1, concurrency, requests, prompt, generate, seed, List.of());
        }
        if (rate == null)
            throw InvalidFieldException.withMessage(
                    prefix + "rate",
                    prefix + "rate is missing: requests per second (or inf, all at once), or give " + prefix
                            + "concurrency for a closed loop");
        if (rate.equalsIgnoreCase("inf"))
            return new Traffic("all", 0, 1, 0, requests, prompt, generate, seed, List.of());
        double lambda;
        try {
            lambda = Inputs.parseNumber(rate);
        } catch (NumberFormatException e) {
            throw new InvalidFieldException(prefix + "rate", rate, "requests per second (a number > 0) or inf");
        }
        if (!(lambda > 0 && lambda <= 1e6))
            throw new InvalidFieldException(
                    prefix + "rate", rate, "requests per second from 0 (excluded) to 1e6, or inf");
        Double cv = in.number("burstiness");
        if (cv == null || cv == 1)
            return new Traffic("poisson", lambda, 1, 0, requests, prompt, generate, seed, List.of());
        if (!(cv >= 0 && cv <= 100))
            throw new InvalidFieldException(
                    prefix + "burstiness", cv, "a coefficient of variation from 0 (evenly spaced) to 100");
        if (cv == 0) return new Traffic("constant", lambda, 0, 0, requests, prompt, generate, seed, List.of());
        return new Traffic("gamma", lambda, cv, 0, requests, prompt, generate, seed, List.of());
    }

    private static int bounded(Integer v, int dflt, int min, int max, String field) {
        if (v == null) return dflt;
        Checks.range(field, v, min, max);
        return v;
    }

    private static double mean(
            List<ServingSimulation.RequestResult> rs, ToDoubleFunction<ServingSimulation.RequestResult> f) {
        return rs.stream().mapToDouble(f).average().orElse(0);
    }

    private static void stats(
            ObjectNode o,
            List<ServingSimulation.RequestResult> rs,
            ToDoubleFunction<ServingSimulation.RequestResult> f) {
        DescriptiveStatistics d = new DescriptiveStatistics();
        for (ServingSimulation.RequestResult x : rs) d.addValue(f.applyAsDouble(x));
        o.put("mean", d.getMean());
        o.put("p50", d.getPercentile(50));
        o.put("p90", d.getPercentile(90));
        o.put("p99", d.getPercentile(99));
    }

    /** The clients {@code client} takes. */
    public static final List<String> CLIENTS = List.of("offline", "http");

    /** How requests reach the engine ({@code client}) and the fixed time each spends between the two. */
    record FrontEnd(String client, double seconds) {}

    /**
     * The front end of {@code in}: {@code client} ({@code offline} by default) and the fixed time each request spends
     * between the client and the engine: {@code frontend-ms} when given; else, over HTTP ({@code client http}), the
     * engine profile's {@link EngineProfile#httpFrontendSeconds()}; else 0 (requests handed to the engine directly, as
     * an engine's offline benchmark and the one-request estimate do).
     */
    static FrontEnd frontEnd(Inputs in, EngineProfile engine, String prefix) {
        String client = in.text("client") == null ? "offline" : in.text("client");
        return new FrontEnd(client, frontendSeconds(client, in.number("frontend-ms"), engine, prefix));
    }

    private static double frontendSeconds(String client, Double frontendMs, EngineProfile engine, String prefix) {
        if (!CLIENTS.contains(client))
            throw new InvalidFieldException(prefix + "client", client, String.join(" or ", CLIENTS));
        if (frontendMs != null) return Checks.range(prefix + "frontend-ms", frontendMs, 0, 60_000) / 1e3;
        if (client.equals("offline")) return 0;
        if (engine == null || Double.isNaN(engine.httpFrontendSeconds()))
            throw InvalidFieldException.withMessage(
                    prefix + "client",
                    prefix + "client http takes the engine profile's HTTP front-end time, and "
                            + (engine == null
                                    ? "this device has no engine profile"
                                    : "the " + engine.id() + " profile has none (no server of its own, or not"
                                            + " measured)")
                            + ": give " + prefix + "frontend-ms");
        return engine.httpFrontendSeconds();
    }

    /** The capacity policies {@code capacity-policy} takes. */
    static final List<String> CAPACITY_POLICIES = List.of("max-utilization", "guaranteed-no-evict", "prefill-first");

    /**
     * The capacity policy ({@code capacity-policy}): {@code max-utilization}, vLLM's (admitted when its next tokens
     * fit, preempted when blocks run out), {@code guaranteed-no-evict}, TensorRT-LLM's default (admitted only when its
     * whole prompt and output fit), or {@code prefill-first}, SGLang's (prefill batches first and never mixed with
     * decoding, admitted as SGLang's {@code PrefillAdder} decides); without the option, the engine's.
     */
    static String capacityPolicy(String policy, EngineProfile engine, String prefix) {
        if (policy == null) {
            String id = engine == null ? "" : engine.id();
            return id.equals("trtllm")
                    ? "guaranteed-no-evict"
                    : id.equals("sglang") ? "prefill-first" : "max-utilization";
        }
        if (!CAPACITY_POLICIES.contains(policy))
            throw new InvalidFieldException(prefix + "capacity-policy", policy, String.join(", ", CAPACITY_POLICIES));
        return policy;
    }

    /** {@code scheduler} under capacity policy {@code policy} (one of {@link #CAPACITY_POLICIES}). */
    static ServingSimulation.Scheduler withPolicy(ServingSimulation.Scheduler scheduler, String policy) {
        return scheduler
                .withNoEvict(policy.equals("guaranteed-no-evict"))
                .withPrefillFirst(policy.equals("prefill-first"));
    }

    /** The capacity policy {@code scheduler} follows. */
    static String policyOf(ServingSimulation.Scheduler scheduler) {
        return scheduler.prefillFirst()
                ? "prefill-first"
                : scheduler.noEvict() ? "guaranteed-no-evict" : "max-utilization";
    }
}
