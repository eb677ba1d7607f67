package dev.strata.web.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.data.GpuPerformance;
import dev.strata.data.HardwareCatalog;
import dev.strata.data.HardwareEntry;
import dev.strata.estimator.latency.EngineProfile;
import dev.strata.estimator.latency.LatencyModel;
import dev.strata.estimator.latency.LatencyTuning;
import dev.strata.estimator.latency.Offload;
import dev.strata.estimator.serving.KvCapacity;
import dev.strata.estimator.serving.Lengths;
import dev.strata.estimator.serving.ServingSimulation;
import dev.strata.estimator.serving.Traffic;
import dev.strata.estimator.solve.Solve;
import dev.strata.model.Hardware;
import dev.strata.model.InvalidFieldException;
import dev.strata.model.NumericFormat;
import dev.strata.model.Optimizer;
import dev.strata.model.Parallelism;
import dev.strata.model.Precision;
import dev.strata.model.TransformerSpec;
import dev.strata.model.internal.Checks;
import dev.strata.web.render.Render;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * {@code plan}: the cheapest deployments of a model that serve a request rate within service levels (time to first
 * token and time per output token at the 90th percentile). Candidates: every device (the catalog's priced devices
 * the fitted GPU performance model covers, or {@code hardware} as a list), devices per replica ({@code devices}: 1, 2, 4, 8), weight formats (bf16, and fp8 where
 * the device has an fp8 peak), token budgets ({@code max-batched-tokens}) and sequence limits ({@code max-seqs}).
 * Each is pruned by memory (a replica must hold the weights, a full step's activations and its requests' KV cache)
 * and by an analytic bound (the batch-1 decode step within the time-per-token target; the replicas the rate needs at
 * the best decode throughput the memory allows), then simulated, cheapest lower bound first, until no remaining
 * candidate can be cheaper than the cheapest found: the replicas are the fewest whose simulation at the rate (behind a
 * round-robin router, as {@code simulate} runs it) meets both service levels. The answer lists the deployments that meet them, cheapest first, and the Pareto frontier of
 * output tokens per second per device against per user over every simulated deployment ({@code pareto}, each point's
 * {@code meetsServiceLevels} saying whether it meets both levels). When none meets them, {@code closest} is the simulated
 * deployment nearest to both levels with the levels it misses, and {@code pruned} counts the candidates each bound
 * dropped before simulation (with the fastest first token and batch-1 decode step seen).
 *
 * <p>For a mixture-of-experts model each split is tried with expert parallelism too ({@code ep}: every degree that
 * divides the tensor-parallel ranks and the routed experts, or the list given). Each candidate is tried aggregated and
 * disaggregated ({@code mode}): a prefill pool and a decode pool of the same replica, the KV cache sent over the link
 * as {@code simulate --mode disaggregated} sends it; its pools' lower bounds are the replicas the rate's prefill work
 * and decode work need apart, and a pool grows by one replica while the service level it governs (the first token for
 * the prefill pool, the time per token for the decode pool) is missed.
 */
public final class PlanReport {
    private PlanReport() {}

    /** The deployments an answer lists. */
    public static final int MAX_LISTED = 20;

    private static final int MAX_REPLICAS = 4096;

    /** Deployments up to this factor above the cheapest are simulated too, to list alternatives. */
    public static final double LISTING_SLACK = 1.2;

    /** A deployment considered. */
    private record Candidate(
            Hardware hw,
            LatencyTuning tuning,
            Parallelism par,
            Precision precision,
            long budget,
            int maxSeqs,
            long kvBlocks,
            double lowerBoundCostPerHour,
            int minReplicas,
            boolean disaggregated,
            int minPrefill,
            int minDecode,
            double transferSecondsPerToken,
            String capacityPolicy,
            double frontendSeconds) {}

    /**
     * A deployment simulated at the rate: {@code replicas} in all; disaggregated, {@code prefill} of them compute the
     * prompts and the rest decode.
     */
    private record Outcome(
            Candidate c,
            int replicas,
            int prefill,
            double ttftP90,
            double tpotP90,
            double tokensPerSecond,
            double tpotP50,
            int concurrency) {
        double costPerHour() {
            return replicas * c.par().devices() * c.hw().pricePerHourUsd();
        }
    }

    /**
     * The list of the answer a CSV holds, a row each: {@code deployments} (the default) or {@code pareto}.
     *
     * @param rows the {@code rows} option's text, or null
     * @param prefix how options are written ({@code --} on the command line)
     * @return the answer's key of that list
     */
    public static String rows(String rows, String prefix) {
        if (rows == null || rows.equals("deployments")) return "deployments";
        if (rows.equals("pareto")) return "pareto";
        throw new InvalidFieldException(prefix + "rows", rows, "deployments or pareto");
    }

    /** The plan; {@code values} as for {@link SimulateReport} plus {@code ttft-p90-ms} and {@code tpot-p90-ms}. */
    public static ObjectNode of(ResolvedModel model, Function<String, String> values, String prefix) {
        return of(model, values, prefix, Integer.MAX_VALUE);
    }

    /**
     * Most tokens (requests x mean prompt and output lengths) a plan over HTTP simulates per replica in each of its
     * simulations: a plan runs tens of them, so a tenth of what one {@code simulate} over HTTP takes.
     */
    public static final double HTTP_MAX_TRAFFIC_TOKENS = 1e7;

    /** Most output tokens (requests x mean output length) a plan over HTTP simulates per replica in each simulation. */
    public static final double HTTP_MAX_OUTPUT_TOKENS = 1e6;

    /**
     * The estimate's options that change a device's figures (memory, bandwidth, peak of the compute format, price): a
     * plan takes them with {@code hardware} a single catalog id, and plans for that device as changed.
     */
    public static final List<String> DEVICE_OVERRIDES =
            List.of("device-memory-gib", "bandwidth-gbs", "peak-tflops", "price");

    /** Most candidate deployments a plan over HTTP considers (each a handful of model evaluations, some simulated). */
    public static final int HTTP_MAX_CANDIDATES = 5_000;

    /**
     * {@link #of(ResolvedModel, Function, String)}, refusing a search over more than {@code maxCandidates} candidates
     * (devices x devices per replica x formats x token budgets x sequence limits) before any work.
     */
    public static ObjectNode of(
            ResolvedModel model, Function<String, String> values, String prefix, int maxCandidates) {
        return of(model, values, prefix, maxCandidates, java.util.Map.of());
    }

    /**
     * {@link #of(ResolvedModel, Function, String, int)} with {@code lengths}: the prompt or generate lengths the command
     * line read from a dataset ({@code empirical:FILE.csv:COLUMN}), by option name, in place of their text.
     */
    public static ObjectNode of(
            ResolvedModel model,
            Function<String, String> values,
            String prefix,
            int maxCandidates,
            java.util.Map<String, Lengths> lengths) {
        Inputs in = new Inputs(values);
        TransformerSpec spec = model.spec();
        Double ttftMs = in.number("ttft-p90-ms"), tpotMs = in.number("tpot-p90-ms");
        if (ttftMs == null || tpotMs == null)
            throw InvalidFieldException.withMessage(
                    prefix + (ttftMs == null ? "ttft-p90-ms" : "tpot-p90-ms"),
                    prefix + (ttftMs == null ? "ttft-p90-ms" : "tpot-p90-ms")
                            + " is missing: plan needs both service levels, in milliseconds");
        Checks.positive(prefix + "ttft-p90-ms", ttftMs, 1e9);
        Checks.positive(prefix + "tpot-p90-ms", tpotMs, 1e9);
        double ttft = ttftMs / 1e3, tpot = tpotMs / 1e3;
        Double rate = in.number("rate");
        if (rate == null)
            throw InvalidFieldException.withMessage(prefix + "rate", prefix + "rate is missing: requests per second");
        Checks.positive(prefix + "rate", rate, 1e6);
        int requests = in.integer("requests") == null ? 1000 : in.integer("requests");
        Checks.range(prefix + "requests", requests, 50, 100_000);
        Lengths prompt = SimulateReport.lengths(in, prefix, "prompt", EstimateOptions.DEFAULT_PROMPT, lengths);
        Lengths generate = SimulateReport.lengths(in, prefix, "generate", EstimateOptions.DEFAULT_GENERATE, lengths);
        long seed = in.whole("seed") == null ? 0 : in.whole("seed");
        EngineProfile engine = GpuPerformance.engine(prefix + "engine", in.text("engine"));
        String policy = SimulateReport.capacityPolicy(null, engine, prefix); // the engine's
        SimulateReport.FrontEnd front = SimulateReport.frontEnd(in, engine, prefix);
        double frontend = front.seconds();

        List<Hardware> devices = new ArrayList<>();
        List<String> overrides =
                DEVICE_OVERRIDES.stream().filter(n -> in.text(n) != null).toList();
        if (!overrides.isEmpty()) {
            // a custom device: one catalog device with the estimate's overrides, parsed as the estimate parses them
            String ids = in.text("hardware");
            if (ids == null || ids.contains(","))
                throw InvalidFieldException.withMessage(
                        prefix + "hardware",
                        prefix + overrides.get(0) + " changes one device: give " + prefix
                                + "hardware as a single catalog id");
            java.util.Set<String> names = new java.util.HashSet<>(DEVICE_OVERRIDES);
            names.add("hardware");
            Function<String, String> device = n -> names.contains(n) ? values.apply(n) : null;
            devices.add(ServingOptions.parse(device, prefix, EstimateOptions.parse(device, prefix, model))
                    .hardware());
        } else if (in.text("hardware") != null)
            for (String id : in.text("hardware").split(",")) devices.add(HardwareCatalog.get(id.trim()));
        else // by default the devices the fitted GPU model covers: the others' defaults carry no fixed costs
        for (HardwareEntry e : HardwareCatalog.all())
                if (e.hardware().pricePerHourUsd() > 0 && GpuPerformance.covers(e.id())) devices.add(e.hardware());
        List<Integer> counts = ints(in, "devices", List.of(1, 2, 4, 8), prefix);
        List<Integer> budgets = ints(in, "max-batched-tokens", List.of(2048, 8192), prefix);
        List<Integer> seqLimits = ints(in, "max-seqs", List.of(64, 256), prefix);
        List<String> weightIds =
                in.text("weights") == null ? null : List.of(in.text("weights").split(","));
        // KV-cache formats: given, each beside every weight format; else the weights' width (fp8 beside fp8 weights)
        List<NumericFormat> kvFormats = new ArrayList<>();
        if (in.text("kv") != null)
            for (String k : in.text("kv").split(",")) kvFormats.add(NumericFormat.parse(prefix + "kv", k.trim()));
        List<Integer> eps = in.text("ep") == null ? null : ints(in, "ep", List.of(1), prefix);
        List<Parallelism> splits = splits(spec, in, counts, prefix);
        if (eps != null && !spec.isMixtureOfExperts() && eps.stream().anyMatch(e -> e > 1))
            throw new InvalidFieldException(
                    prefix + "ep", in.text("ep"), "1 for a model without experts (" + spec.name() + ")");
        String modeText = in.text("mode") == null ? "aggregated,disaggregated" : in.text("mode");
        List<Boolean> modes = new ArrayList<>();
        for (String m : modeText.split(",")) {
            String t = m.trim();
            if (!t.equals("aggregated") && !t.equals("disaggregated"))
                throw new InvalidFieldException(
                        prefix + "mode",
                        modeText,
                        "a list of aggregated and disaggregated, e.g. aggregated,disaggregated");
            if (!modes.contains(t.equals("disaggregated"))) modes.add(t.equals("disaggregated"));
        }
        // expert-parallel degrees per split: at most the divisors of the largest tensor-parallel degree
        int maxTp =
                Math.min(8, counts.stream().mapToInt(Integer::intValue).max().orElse(1));
        int epChoices = eps != null
                ? eps.size()
                : spec.isMixtureOfExperts()
                        ? (int) java.util.stream.IntStream.rangeClosed(1, maxTp)
                                .filter(e -> maxTp % e == 0)
                                .count()
                        : 1;

        long grid = (long) devices.size()
                * counts.size()
                * (weightIds == null ? 2 : weightIds.size())
                * budgets.size()
                * seqLimits.size()
                * epChoices
                * modes.size();
        if (grid > maxCandidates)
            throw new InvalidFieldException(
                    prefix + "max-batched-tokens",
                    budgets.size() + " budgets",
                    "a search of at most " + maxCandidates
                            + " candidates here (devices x devices per replica x formats x"
                            + " budgets x sequence limits x expert-parallel degrees x modes = " + grid
                            + "); the command line takes more");
        if (requests > 2_000 && maxCandidates != Integer.MAX_VALUE)
            throw new InvalidFieldException(prefix + "requests", requests, "at most 2000 requests per simulation here");
        // each output token is a step of its sequence, prompts go a token budget at a time: the output bounds the work
        double outputTokens = requests * generate.mean();
        if (outputTokens > HTTP_MAX_OUTPUT_TOKENS && maxCandidates != Integer.MAX_VALUE)
            throw new InvalidFieldException(
                    prefix + "generate",
                    in.text("generate"),
                    "at most " + String.format(java.util.Locale.ROOT, "%.0e", HTTP_MAX_OUTPUT_TOKENS)
                            + " output tokens per replica's simulation here (requests x mean output length: "
                            + String.format(java.util.Locale.ROOT, "%.2e", outputTokens)
                            + "); the command line takes more");
        double trafficTokens = requests * (prompt.mean() + generate.mean());
        if (trafficTokens > HTTP_MAX_TRAFFIC_TOKENS && maxCandidates != Integer.MAX_VALUE) {
            String field = prompt.mean() >= generate.mean() ? "prompt" : "generate";
            throw new InvalidFieldException(
                    prefix + field,
                    in.text(field),
                    "traffic of at most " + String.format(java.util.Locale.ROOT, "%.0e", HTTP_MAX_TRAFFIC_TOKENS)
                            + " tokens per replica's simulation here (requests x mean prompt and output lengths: "
                            + String.format(java.util.Locale.ROOT, "%.2e", trafficTokens)
                            + "); the command line takes more");
        }
        long started = System.nanoTime();
        List<Candidate> candidates = new ArrayList<>();
        int considered = 0;
        // why candidates were dropped before simulation, for the answer when none meets the levels
        int slowFirstToken = 0, slowDecode = 0, noFit = 0, tooManyReplicas = 0;
        double fastestFirstToken = Double.POSITIVE_INFINITY, fastestDecode = Double.POSITIVE_INFINITY;
        for (Hardware raw : devices) {
            Hardware hw = GpuPerformance.hardware(raw);
            LatencyTuning tuning = GpuPerformance.tuning(hw.id(), engine);
            List<NumericFormat> formats = new ArrayList<>();
            if (weightIds != null)
                for (String w : weightIds) formats.add(NumericFormat.parseWeights(prefix + "weights", w.trim()));
            else {
                formats.add(NumericFormat.BF16);
                if (hw.hasPeak("fp8")) formats.add(NumericFormat.FP8);
            }
            for (Parallelism split : splits) {
                for (Parallelism par : expertSplits(spec, split, eps))
                    for (NumericFormat w : formats)
                        for (NumericFormat kv : kvFormats.isEmpty()
                                ? List.of(w.floatingPoint() && w.bits() == 8 ? NumericFormat.FP8 : NumericFormat.BF16)
                                : kvFormats) {
                            Precision p = Precision.of(w, kv, Optimizer.ADAMW);
                            LatencyModel lm = LatencyModel.of(spec, p, par, hw, tuning, Offload.NONE);
                            // the batch-1 decode step at the mean context bounds the time per token from below
                            long context = Math.max(1, Math.round(prompt.mean() + generate.mean() / 2));
                            double single = lm.decodeStep(1, Math.min(context, spec.contextLength()))
                                    .calibratedSeconds();
                            // a prompt's first token cannot come sooner than the front end and its prefill alone;
                            // over a full token budget, the prefill time a prompt token adds (what a replica's prefill
                            // work costs at best)
                            long p0 = Math.max(1, Math.min(Math.round(prompt.mean()), spec.contextLength() - 1));
                            long[] one = {p0}, none = {0};
                            double firstToken = frontend
                                    + lm.mixedStep(0, 0, one, none, 1, 1, new dev.strata.estimator.latency.StepTime())
                                            .calibratedSeconds();
                            fastestFirstToken = Math.min(fastestFirstToken, firstToken);
                            fastestDecode = Math.min(fastestDecode, single);
                            if (firstToken > ttft) {
                                considered += budgets.size() * seqLimits.size() * modes.size();
                                slowFirstToken += budgets.size() * seqLimits.size() * modes.size();
                                continue;
                            }
                            double transfer = SimulateReport.transferSecondsPerToken(spec, p, hw, null);
                            for (int budget : budgets)
                                for (int maxSeqs : seqLimits) {
                                    considered += modes.size();
                                    if (single > tpot) {
                                        slowDecode += modes.size();
                                        continue;
                                    }
                                    long blocks;
                                    try {
                                        blocks =
                                                KvCapacity.blocks(spec, p, par, hw, 1L << 30, 0.9, budget, maxSeqs, 16);
                                    } catch (InvalidFieldException e) {
                                        noFit += modes.size();
                                        continue; // does not fit
                                    }
                                    // the best decode throughput the memory allows: as many sequences as the KV cache
                                    // holds
                                    long fit = Math.max(1, Math.min(maxSeqs, blocks * 16 / Math.max(1, context)));
                                    double step = lm.decodeStep(fit, Math.min(context, spec.contextLength()))
                                            .calibratedSeconds();
                                    long[] full = {budget};
                                    double perPromptToken = lm.mixedStep(
                                                            0,
                                                            0,
                                                            full,
                                                            none,
                                                            1,
                                                            1,
                                                            new dev.strata.estimator.latency.StepTime())
                                                    .calibratedSeconds()
                                            / budget;
                                    double decodeWork = step / fit * generate.mean(),
                                            prefillWork = perPromptToken * prompt.mean();
                                    int minReplicas = (int) Math.max(1, Math.ceil(rate * (decodeWork + prefillWork)));
                                    for (boolean split2 : modes) {
                                        // apart, each pool needs the replicas its own work takes at the rate
                                        int minPrefill = (int) Math.max(1, Math.ceil(rate * prefillWork));
                                        int minDecode = (int) Math.max(1, Math.ceil(rate * decodeWork));
                                        int least = split2 ? minPrefill + minDecode : minReplicas;
                                        if (least > MAX_REPLICAS || (split2 && !(transfer >= 0))) {
                                            tooManyReplicas++;
                                            continue;
                                        }
                                        candidates.add(new Candidate(
                                                hw,
                                                tuning,
                                                par,
                                                p,
                                                budget,
                                                maxSeqs,
                                                blocks,
                                                least * par.devices() * hw.pricePerHourUsd(),
                                                least,
                                                split2,
                                                minPrefill,
                                                minDecode,
                                                transfer,
                                                policy,
                                                frontend));
                                    }
                                }
                        }
            }
        }
        candidates.sort(Comparator.comparingDouble(Candidate::lowerBoundCostPerHour));
        List<Outcome> met = new ArrayList<>();
        List<Outcome> simulated = new ArrayList<>();
        double best = Double.POSITIVE_INFINITY;
        int simulations = 0;
        java.util.Set<String> found = new java.util.HashSet<>(); // device, split and formats already met
        for (Candidate c : candidates) {
            // sorted: nothing after can cost less than the cheapest found times the listing's slack
            if (c.lowerBoundCostPerHour() >= best * LISTING_SLACK) break;
            String family =
                    c.hw().id() + "/" + c.par() + "/" + c.precision().weights().id() + "/"
                            + c.precision().kvCache().id() + "/" + c.disaggregated();
            if (found.contains(family)) continue; // only its token budget or sequence limit differs
            Traffic traffic = new Traffic("poisson", rate, 1, 0, requests, prompt, generate, seed, List.of());
            if (c.disaggregated()) {
                // from the pools' bounds up: the prefill pool grows while the first token misses, the decode pool
                // while the time per token does (a few tries at most)
                int pre = c.minPrefill(), dec = c.minDecode();
                for (int tries = 0; tries < 12 && pre + dec <= MAX_REPLICAS; tries++) {
                    if ((pre + dec) * c.par().devices() * c.hw().pricePerHourUsd() >= best * LISTING_SLACK) break;
                    simulations++;
                    Outcome o = simulate(spec, c, pre, dec, traffic);
                    simulated.add(o);
                    boolean ttftOk = o.ttftP90() <= ttft, tpotOk = o.tpotP90() <= tpot;
                    if (ttftOk && tpotOk) {
                        met.add(o);
                        found.add(family);
                        best = Math.min(best, o.costPerHour());
                        break;
                    }
                    if (!ttftOk) pre = next(pre);
                    if (!tpotOk) dec = next(dec);
                }
                continue;
            }
            // the fewest replicas from the bound up that meet both service levels (a few tries at most)
            for (int r = c.minReplicas(); r <= Math.min(MAX_REPLICAS, c.minReplicas() * 4 + 4); r = next(r)) {
                if (r * c.par().devices() * c.hw().pricePerHourUsd() >= best * LISTING_SLACK) break;
                simulations++;
                Outcome o = simulate(spec, c, r, 0, traffic);
                simulated.add(o);
                if (o.ttftP90() <= ttft && o.tpotP90() <= tpot) {
                    met.add(o);
                    found.add(family);
                    best = Math.min(best, o.costPerHour());
                    break;
                }
            }
        }
        met.sort(Comparator.comparingDouble(Outcome::costPerHour));
        List<Outcome> listed = met.subList(0, Math.min(MAX_LISTED, met.size()));
        // the headroom of each listed deployment: the largest rate it serves within both levels
        double[] maxRates = new double[listed.size()];
        for (int i = 0; i < listed.size(); i++) {
            Outcome o = listed.get(i);
            Candidate c = o.c();
            LatencyModel lm = LatencyModel.of(spec, c.precision(), c.par(), c.hw(), c.tuning(), Offload.NONE);
            var scheduler = SimulateReport.withPolicy(
                            new ServingSimulation.Scheduler(c.maxSeqs(), c.budget(), 16, c.kvBlocks()),
                            c.capacityPolicy())
                    .withFrontend(c.frontendSeconds());
            maxRates[i] = ServingSimulation.maxRate(
                    c.disaggregated()
                            ? t -> ServingSimulation.runDisaggregated(
                                    new ServingSimulation.Pool(lm, scheduler, o.prefill()),
                                    new ServingSimulation.Pool(lm, scheduler, o.replicas() - o.prefill()),
                                    c.transferSecondsPerToken(),
                                    c.tuning().collectiveLatencySeconds(),
                                    "round-robin",
                                    t)
                            : t -> ServingSimulation.run(lm, scheduler, o.replicas(), "round-robin", t),
                    new Traffic(
                            "poisson",
                            rate,
                            1,
                            0,
                            (int) Math.min(100_000L, (long) requests * o.replicas()),
                            prompt,
                            generate,
                            seed,
                            List.of()),
                    rate,
                    ttft,
                    tpot);
        }
        double seconds = (System.nanoTime() - started) / 1e9;

        ObjectNode root = Render.NODES.objectNode();
        root.put("model", spec.name());
        root.put("rateRequestsPerSecond", rate);
        root.put("ttftP90Seconds", ttft);
        root.put("tpotP90Seconds", tpot);
        root.put("prompt", prompt.text());
        root.put("generate", generate.text());
        root.put("engine", engine.id());
        root.put("client", front.client());
        root.put("frontendSeconds", frontend);
        root.put("candidates", considered);
        root.put("candidatesAfterPruning", candidates.size());
        root.put("simulations", simulations);
        root.put("searchSeconds", seconds);
        ArrayNode list = root.putArray("deployments");
        for (int i = 0; i < listed.size(); i++) {
            ObjectNode o = list.addObject();
            row(o, listed.get(i), rate);
            o.put("maxRateRequestsPerSecond", maxRates[i]);
        }
        // the frontier of every simulated deployment and operating point, as AIConfigurator draws it: tokens/s per
        // device against tokens/s per user, each point marked with whether it meets both levels. At one rate the
        // tokens/s per device are the rate's over the devices, so the trade-off is in the load a replica carries:
        // few requests in flight are fast per user, many fill the device; each simulated device and split is also
        // run at 1, 2, 4, ... requests in flight.
        ArrayNode pareto = root.putArray("pareto");
        List<Outcome> points = new ArrayList<>(simulated);
        int sweeps = sweepConcurrency(spec, simulated, prompt, generate, seed, points);
        root.put("frontierSimulations", sweeps);
        for (Outcome o : frontier(points)) {
            ObjectNode p = pareto.addObject();
            p.put("hardware", o.c().hw().id());
            p.put("devices", o.c().par().devices());
            p.put("replicas", o.replicas());
            p.put("weights", o.c().precision().weights().id());
            p.put("kv", o.c().precision().kvCache().id());
            p.put("outputTokensPerSecondPerDevice", perDevice(o));
            p.put("outputTokensPerSecondPerUser", 1 / o.tpotP50());
            p.put("meetsServiceLevels", o.ttftP90() <= ttft && o.tpotP90() <= tpot);
            p.put("mode", o.c().disaggregated() ? "disaggregated" : "aggregated");
            p.put("tp", o.c().par().tensor());
            p.put("pp", o.c().par().pipeline());
            p.put("ep", o.c().par().expert());
            p.put("costPerHourUsd", o.costPerHour());
            p.put("ttftSeconds", o.ttftP90());
            p.put("tpotSeconds", o.tpotP90());
            if (o.concurrency() > 0) p.put("concurrency", o.concurrency());
        }
        if (met.isEmpty()) {
            root.put("note", "no candidate meets both service levels at this rate: loosen them, or allow more devices");
            // why: the simulated candidate nearest to both levels and the levels it misses, else what pruned them all
            Outcome closest = null;
            for (Outcome o : simulated)
                if (closest == null || shortfall(o, ttft, tpot) < shortfall(closest, ttft, tpot)) closest = o;
            if (closest != null) {
                ObjectNode c = root.putObject("closest");
                row(c, closest, rate);
                ArrayNode misses = c.putArray("misses");
                if (closest.ttftP90() > ttft) misses.add("ttft-p90-ms");
                if (closest.tpotP90() > tpot) misses.add("tpot-p90-ms");
            }
            ObjectNode pruned = root.putObject("pruned");
            pruned.put("firstTokenOverTtft", slowFirstToken);
            pruned.put("decodeStepOverTpot", slowDecode);
            pruned.put("doesNotFitMemory", noFit);
            pruned.put("needsOverMaxReplicas", tooManyReplicas);
            if (Double.isFinite(fastestFirstToken)) pruned.put("fastestFirstTokenSeconds", fastestFirstToken);
            if (Double.isFinite(fastestDecode)) pruned.put("fastestDecodeStepSeconds", fastestDecode);
        }
        return root;
    }

    /** Most requests in flight a replica is run at for the frontier. */
    static final int FRONTIER_MAX_CONCURRENCY = 256;

    /**
     * Adds to {@code points} one replica of each device, split and weight format that {@code simulated} has
     * (aggregated) run in a closed loop at 1, 2, 4, ... requests in flight, up to its sequence limit, what its KV cache
     * holds at the mean context, and {@link #FRONTIER_MAX_CONCURRENCY}; returns how many runs that took.
     */
    private static int sweepConcurrency(
            TransformerSpec spec,
            List<Outcome> simulated,
            Lengths prompt,
            Lengths generate,
            long seed,
            List<Outcome> points) {
        java.util.Set<String> swept = new java.util.HashSet<>();
        long context = Math.max(1, Math.round(prompt.mean() + generate.mean() / 2));
        int runs = 0;
        for (Outcome o : simulated) {
            Candidate c = o.c();
            if (c.disaggregated()
                    || !swept.add(c.hw().id() + "/" + c.par() + "/"
                            + c.precision().weights().id() + "/"
                            + c.precision().kvCache().id())) continue;
            long most =
                    Math.min(FRONTIER_MAX_CONCURRENCY, Math.min(c.maxSeqs(), Math.max(1, c.kvBlocks() * 16 / context)));
            for (int k = 1; k <= most; k *= 2) {
                Traffic t = new Traffic("closed", 0, 1, k, Math.max(64, 4 * k), prompt, generate, seed, List.of());
                points.add(simulate(spec, c, 1, 0, t));
                runs++;
            }
        }
        return runs;
    }

    /**
     * The deployments of {@code outcomes} that no other beats on both output tokens/s per device and per user (p50),
     * by tokens/s per device; of two with the same deployment and the same point, the first simulated.
     */
    private static List<Outcome> frontier(List<Outcome> outcomes) {
        List<Outcome> front = new ArrayList<>();
        for (Outcome o : outcomes) {
            double device = perDevice(o), user = 1 / o.tpotP50();
            if (!(device > 0) || !(user > 0) || !Double.isFinite(device) || !Double.isFinite(user)) continue;
            boolean dominated = false;
            for (Outcome x : outcomes) {
                double xd = perDevice(x), xu = 1 / x.tpotP50();
                if (x != o && xd >= device && xu >= user && (xd > device || xu > user)) {
                    dominated = true;
                    break;
                }
            }
            if (!dominated
                    && front.stream()
                            .noneMatch(f -> perDevice(f) == device
                                    && 1 / f.tpotP50() == user
                                    && f.c().hw().id().equals(o.c().hw().id())
                                    && f.c().par().equals(o.c().par())
                                    && f.replicas() == o.replicas()
                                    && f.c().precision().equals(o.c().precision()))) front.add(o);
        }
        front.sort(Comparator.comparingDouble(PlanReport::perDevice));
        return front;
    }

    /** How far a simulated deployment is from both levels: the larger of its p90 times over the targets (1: on them). */
    private static double shortfall(Outcome o, double ttft, double tpot) {
        return Math.max(o.ttftP90() / ttft, o.tpotP90() / tpot);
    }

    private static int next(int r) {
        return r < 8 ? r + 1 : (int) Math.ceil(r * 1.25);
    }

    private static double perDevice(Outcome o) {
        return o.tokensPerSecond() / (o.replicas() * o.c().par().devices());
    }

    /**
     * The candidate's splits with each expert-parallel degree: {@code eps} where given, else for a mixture of experts
     * every degree that divides the tensor-parallel ranks (and, as {@code Sharding} checks, the routed experts).
     */
    private static List<Parallelism> expertSplits(TransformerSpec spec, Parallelism base, List<Integer> eps) {
        List<Integer> degrees = new ArrayList<>();
        if (eps != null) degrees.addAll(eps);
        else if (spec.isMixtureOfExperts()) {
            for (int e = 1; e <= base.tensor(); e++) if (base.tensor() % e == 0) degrees.add(e);
        } else degrees.add(1);
        List<Parallelism> out = new ArrayList<>();
        for (int e : degrees) {
            if (e == 1) {
                out.add(base);
                continue;
            }
            if ((long) base.tensor() * base.data() % e != 0) continue;
            Parallelism par = new Parallelism(
                    base.tensor(), base.pipeline(), base.data(), e, base.zeroStage(), base.sequenceParallel());
            try {
                dev.strata.estimator.memory.Sharding.check(spec, par);
                out.add(par);
            } catch (InvalidFieldException x) {
                // the degree does not divide the routed experts
            }
        }
        return out;
    }

    /**
     * The candidate with {@code replicas} replicas behind a round-robin router at the traffic's rate, with as many
     * requests per replica as the traffic has (at most 100,000 in all), as {@code simulate} runs it; disaggregated,
     * {@code replicas} prefill replicas and {@code decode} decode replicas.
     */
    private static Outcome simulate(TransformerSpec spec, Candidate c, int replicas, int decode, Traffic traffic) {
        int all = replicas + decode;
        LatencyModel lm = LatencyModel.of(spec, c.precision(), c.par(), c.hw(), c.tuning(), Offload.NONE);
        var scheduler = SimulateReport.withPolicy(
                        new ServingSimulation.Scheduler(c.maxSeqs(), c.budget(), 16, c.kvBlocks()), c.capacityPolicy())
                .withFrontend(c.frontendSeconds());
        Traffic share = traffic.arrivals().equals("closed")
                ? traffic
                : new Traffic(
                        "poisson",
                        traffic.rate(),
                        1,
                        0,
                        (int) Math.min(100_000L, (long) traffic.requests() * all),
                        traffic.prompt(),
                        traffic.output(),
                        traffic.seed(),
                        List.of());
        ServingSimulation.Result r = c.disaggregated()
                ? ServingSimulation.runDisaggregated(
                        new ServingSimulation.Pool(lm, scheduler, replicas),
                        new ServingSimulation.Pool(lm, scheduler, decode),
                        c.transferSecondsPerToken(),
                        c.tuning().collectiveLatencySeconds(),
                        "round-robin",
                        share)
                : ServingSimulation.run(lm, scheduler, replicas, "round-robin", share);
        long tokens = r.requests().stream()
                .mapToLong(ServingSimulation.RequestResult::output)
                .sum();
        return new Outcome(
                c,
                all,
                c.disaggregated() ? replicas : 0,
                ServingSimulation.p90(r, ServingSimulation.RequestResult::ttft),
                ServingSimulation.p90(r, ServingSimulation.RequestResult::tpot),
                tokens / r.makespanSeconds(),
                ServingSimulation.percentile(r, ServingSimulation.RequestResult::tpot, 50),
                traffic.arrivals().equals("closed") ? traffic.concurrency() : 0);
    }

    private static void row(ObjectNode o, Outcome x, double rate) {
        Candidate c = x.c();
        o.put("hardware", c.hw().id());
        o.put("devices", c.par().devices());
        o.put("tp", c.par().tensor());
        o.put("pp", c.par().pipeline());
        o.put("ep", c.par().expert());
        o.put("replicas", x.replicas());
        if (c.disaggregated()) {
            o.put("prefillReplicas", x.prefill());
            o.put("decodeReplicas", x.replicas() - x.prefill());
        }
        o.put("weights", c.precision().weights().id());
        o.put("kv", c.precision().kvCache().id());
        o.put("mode", c.disaggregated() ? "disaggregated" : "aggregated");
        o.put("maxBatchedTokens", c.budget());
        o.put("maxSeqs", c.maxSeqs());
        o.put("costPerHourUsd", x.costPerHour());
        o.put("costPerMillionOutputTokensUsd", x.costPerHour() / 3600 / x.tokensPerSecond() * 1e6);
        o.put("ttftSeconds", x.ttftP90());
        o.put("tpotSeconds", x.tpotP90());
        o.put("outputTokensPerSecond", x.tokensPerSecond());
    }

    /**
     * The tensor x pipeline splits to consider: with {@code tp} or {@code pp} lists, each pair of them (pipeline 1 and
     * every tensor degree up to 8 by default) whose devices are among {@code devices} when those are given, each a
     * valid split of the model (else a 400 naming the degree); without, each device count split as {@link Solve#split}
     * splits it (tensor parallel up to 8, then pipeline stages).
     */
    private static List<Parallelism> splits(TransformerSpec spec, Inputs in, List<Integer> counts, String prefix) {
        List<Parallelism> out = new ArrayList<>();
        if (in.text("tp") == null && in.text("pp") == null) {
            for (int n : counts) Solve.split(spec, n, Parallelism.NONE).ifPresent(out::add);
            return out;
        }
        for (int tp : ints(in, "tp", List.of(1, 2, 4, 8), prefix))
            for (int pp : ints(in, "pp", List.of(1), prefix)) {
                long n = (long) tp * pp;
                if (in.text("devices") != null && !counts.contains((int) Math.min(n, Integer.MAX_VALUE))) continue;
                if (pp > spec.layerCount())
                    throw new InvalidFieldException(
                            prefix + "pp",
                            Integer.toString(pp),
                            "at most the model's " + spec.layerCount() + " layers");
                try {
                    Parallelism par = new Parallelism(tp, pp, 1, 1, 0, false);
                    dev.strata.estimator.memory.Sharding.check(spec, par);
                    out.add(par);
                } catch (InvalidFieldException e) {
                    if (in.text("tp") == null) continue; // a default degree the model does not split into
                    throw new InvalidFieldException(
                            prefix + "tp",
                            Integer.toString(tp),
                            "a degree that splits " + spec.name() + " (" + e.getMessage() + ")");
                }
            }
        if (out.isEmpty())
            throw InvalidFieldException.withMessage(
                    prefix + "tp",
                    prefix + "tp x " + prefix + "pp gives no device count among " + prefix + "devices " + counts);
        return out;
    }

    private static List<Integer> ints(Inputs in, String name, List<Integer> dflt, String prefix) {
        String t = in.text(name);
        if (t == null) return dflt;
        List<Integer> out = new ArrayList<>();
        for (String s : t.split(",")) {
            try {
                int v = Integer.parseInt(s.trim());
                if (v < 1 || v > 1 << 24) throw new NumberFormatException();
                out.add(v);
            } catch (NumberFormatException e) {
                throw new InvalidFieldException(prefix + name, t, "a list of positive integers, e.g. 1,2,4,8");
            }
        }
        return out;
    }
}
