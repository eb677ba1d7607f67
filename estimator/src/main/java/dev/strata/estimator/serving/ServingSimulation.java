package dev.strata.estimator.serving;

import dev.strata.estimator.latency.LatencyModel;
import dev.strata.estimator.latency.StepTime;
import dev.strata.model.InvalidFieldException;
import dev.strata.model.internal.Checks;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CancellationException;

/**
 * A discrete-event simulation of engine replicas that batch continuously, as vLLM's scheduler does (Kwon et al. 2023,
 * "Efficient Memory Management for Large Language Model Serving with PagedAttention", arXiv:2309.06180; chunked
 * prefill as in Agrawal et al. 2024, Sarathi-Serve, arXiv:2403.02310):
 *
 * <ul>
 *   <li>Each step first serves the running sequences in admission order, each its next prefill chunk or one decode
 *   token, within a token budget ({@code maxBatchedTokens}); then admits waiting requests first come, first served,
 *   while the budget, the sequence limit ({@code maxSeqs}) and the free KV blocks allow.</li>
 *   <li>The KV cache is paged in blocks of {@code blockSize} tokens; when a running sequence needs a block and none is
 *   free, the most recently admitted sequences are preempted: their blocks freed, they go back to the head of the
 *   queue and recompute their prompt and the tokens they had generated (vLLM's recompute preemption). With the
 *   no-evict policy (TensorRT-LLM's default {@code GUARANTEED_NO_EVICT}) a request is admitted only when the blocks
 *   of its whole prompt and output fit beside the blocks the running ones will still take, so none is preempted.</li>
 *   <li>SGLang's scheduler ({@code prefillFirst}; its {@code Scheduler.get_next_batch_to_run} and
 *   {@code PrefillAdder}, v0.4): a step is a prefill batch (the prompt being chunked, then waiting requests, within the
 *   token budget) whenever a request can be admitted, else a decode step of every running sequence, never both. A
 *   request is admitted while the free tokens exceed what the running requests keep in reserve ({@code
 *   new_token_ratio} of their remaining output: 0.7, less 0.001 each decode step down to 0.1, raised after a
 *   retraction) and the batch's whole outputs, and while, the requests finishing in order of their remaining output,
 *   the free tokens stay ahead of their growth (its check for requests of known length). When admission finds no room
 *   no prefill is tried until a request leaves.</li>
 *   <li>With prefix caching (vLLM's automatic prefix caching), the full blocks of a request's shared prefix are
 *   kept in a replica's cache by content once computed; a request admitted later whose prefix blocks are still
 *   resident takes them (the longest run from the first block, at most its prompt less one token) and prefills only
 *   the rest, at the full context offset. A block no running sequence holds stays cached while free, and the least
 *   recently released is evicted first when a block is needed. vLLM V1 hashes every full block, so a preempted
 *   request's own computed blocks stay cached the same way and its recomputation takes those not evicted since (not
 *   with SGLang's scheduler).</li>
 *   <li>A step's time is the latency model's for its mix ({@link LatencyModel#mixedStep}): the weights read once for
 *   every token of the step, each sequence's cache read at its own length.</li>
 *   <li>Replicas sit behind a router that sends each arrival to the next replica in turn ({@code round-robin}), to
 *   the one with the fewest requests in flight ({@code least-loaded}), or by its prompt's shared prefix
 *   ({@code cache-aware}, SGLang router's default policy with its defaults: while the loads are balanced, to the
 *   replica whose routed prompts match more than 30 % of this one, else to the one that has taken the fewest prefixes;
 *   when the busiest has more than 64 requests and 1.5 times those of the idlest in flight, to the least loaded).</li>
 *   <li>A front end ({@code frontendSeconds}: an HTTP server's parsing, chat template and tokenisation, the
 *   hand-over to the engine) delays each request's arrival at the engine by a fixed time that its time to first token
 *   and end-to-end latency include; it is a delay, not a queue (the front end's own throughput limit is not
 *   modelled), as BLIS's per-request queueing time is.</li>
 * </ul>
 *
 * The first token of a request comes with the step that ends its prompt; its time per output token is the time from
 * the first token to the last over the tokens after the first.
 */
public final class ServingSimulation {
    private ServingSimulation() {}

    /**
     * How a replica schedules.
     *
     * @param maxSeqs          most sequences running at once
     * @param maxBatchedTokens most tokens in one step (decode tokens and prefill chunks)
     * @param blockSize        tokens per KV block
     * @param kvBlocks         KV blocks of one replica (what its memory holds beside the weights and activations)
     * @param prefixCaching    whether computed blocks of shared prefixes are reused by later requests
     * @param noEvict          TensorRT-LLM's {@code GUARANTEED_NO_EVICT} capacity policy (its default): a request is
     *                         admitted only when the blocks of its whole prompt and output fit beside what the running
     *                         ones will still need, so none is ever preempted; false: vLLM's, admitted when its next
     *                         tokens fit, preempted by recomputation when blocks run out
     * @param prefillFirst     SGLang's scheduler (its default, without {@code --enable-mixed-chunk}): a step is either
     *                         a prefill batch, formed whenever a waiting request can be admitted, or a decode step of
     *                         every running sequence, never both; admission as SGLang's {@code PrefillAdder} decides it
     *                         (see {@link ServingSimulation}); {@code noEvict} is then not used
     * @param frontendSeconds  the fixed time between a client and the engine that each request spends in the serving
     *                         front end (an HTTP server's parsing, chat template and tokenisation, the hand-over to
     *                         the engine process, the first chunk's way back): the request reaches the engine that
     *                         much after it was sent, and its time to first token and end-to-end latency include it;
     *                         0 for requests handed to the engine directly (an engine's offline benchmark)
     */
    public record Scheduler(
            int maxSeqs,
            long maxBatchedTokens,
            int blockSize,
            long kvBlocks,
            boolean prefixCaching,
            boolean noEvict,
            boolean prefillFirst,
            double frontendSeconds) {
        /**
         * Checks the fields; an invalid one throws an {@code InvalidFieldException} naming it.
         *
         * @param maxSeqs most sequences running at once
         * @param maxBatchedTokens most tokens in one step (decode tokens and prefill chunks)
         * @param blockSize tokens per KV block
         * @param kvBlocks KV blocks of one replica (what its memory holds beside the weights and activations)
         * @param prefixCaching whether computed blocks of shared prefixes are reused by later requests
         * @param noEvict whether a request is admitted only when its whole prompt and output fit (never preempted)
         * @param prefillFirst whether steps are SGLang's: prefill batches first, never mixed with decoding
         * @param frontendSeconds the fixed time each request spends between the client and the engine
         */
        public Scheduler {
            Checks.range("maxSeqs", maxSeqs, 1, 1 << 20);
            Checks.range("maxBatchedTokens", maxBatchedTokens, 1, 1L << 24);
            Checks.range("blockSize", blockSize, 1, 1 << 16);
            Checks.range("kvBlocks", kvBlocks, 1, Long.MAX_VALUE / 2);
            Checks.range("frontendSeconds", frontendSeconds, 0, 60);
        }

        /**
         * A scheduler that mixes prefill chunks with decoding (vLLM's and TensorRT-LLM's way).
         *
         * @param maxSeqs most sequences running at once
         * @param maxBatchedTokens most tokens in one step (decode tokens and prefill chunks)
         * @param blockSize tokens per KV block
         * @param kvBlocks KV blocks of one replica
         * @param prefixCaching whether computed blocks of shared prefixes are reused by later requests
         * @param noEvict whether a request is admitted only when its whole prompt and output fit (never preempted)
         */
        public Scheduler(
                int maxSeqs,
                long maxBatchedTokens,
                int blockSize,
                long kvBlocks,
                boolean prefixCaching,
                boolean noEvict) {
            this(maxSeqs, maxBatchedTokens, blockSize, kvBlocks, prefixCaching, noEvict, false, 0);
        }

        /**
         * A scheduler without prefix caching.
         *
         * @param maxSeqs most sequences running at once
         * @param maxBatchedTokens most tokens in one step (decode tokens and prefill chunks)
         * @param blockSize tokens per KV block
         * @param kvBlocks KV blocks of one replica
         */
        public Scheduler(int maxSeqs, long maxBatchedTokens, int blockSize, long kvBlocks) {
            this(maxSeqs, maxBatchedTokens, blockSize, kvBlocks, false, false);
        }

        /**
         * A scheduler that preempts when blocks run out (vLLM's policy).
         *
         * @param maxSeqs most sequences running at once
         * @param maxBatchedTokens most tokens in one step (decode tokens and prefill chunks)
         * @param blockSize tokens per KV block
         * @param kvBlocks KV blocks of one replica
         * @param prefixCaching whether computed blocks of shared prefixes are reused by later requests
         */
        public Scheduler(int maxSeqs, long maxBatchedTokens, int blockSize, long kvBlocks, boolean prefixCaching) {
            this(maxSeqs, maxBatchedTokens, blockSize, kvBlocks, prefixCaching, false);
        }

        /**
         * This scheduler with prefix caching on or off.
         *
         * @param on whether computed blocks of shared prefixes are reused
         * @return the scheduler
         */
        public Scheduler withPrefixCaching(boolean on) {
            return new Scheduler(
                    maxSeqs, maxBatchedTokens, blockSize, kvBlocks, on, noEvict, prefillFirst, frontendSeconds);
        }

        /**
         * This scheduler with the no-evict capacity policy on or off.
         *
         * @param on whether a request is admitted only when its whole prompt and output fit
         * @return the scheduler
         */
        public Scheduler withNoEvict(boolean on) {
            return new Scheduler(
                    maxSeqs, maxBatchedTokens, blockSize, kvBlocks, prefixCaching, on, prefillFirst, frontendSeconds);
        }

        /**
         * This scheduler with SGLang's prefill-first steps on or off.
         *
         * @param on whether a step is a prefill batch whenever one can be formed, else a decode step, never both
         * @return the scheduler
         */
        public Scheduler withPrefillFirst(boolean on) {
            return new Scheduler(
                    maxSeqs, maxBatchedTokens, blockSize, kvBlocks, prefixCaching, noEvict, on, frontendSeconds);
        }

        /**
         * This scheduler with requests spending {@code seconds} between the client and the engine.
         *
         * @param seconds the fixed time of the front end per request
         * @return the scheduler
         */
        public Scheduler withFrontend(double seconds) {
            return new Scheduler(
                    maxSeqs, maxBatchedTokens, blockSize, kvBlocks, prefixCaching, noEvict, prefillFirst, seconds);
        }
    }

    /**
     * The per-request outcome: the client's sending, the wait in the engine's queue (after the front end), time to
     * first token, time per output token and end to end (both from the sending, the front end's time included).
     */
    public record RequestResult(
            double arrival, long prompt, long output, double queue, double ttft, double tpot, double e2e) {}

    /**
     * What a run gives.
     *
     * @param requests          every request's outcome, in arrival order
     * @param makespanSeconds   from the first arrival to the last completion
     * @param meanInSystem      the time average of requests arrived and not finished (for Little's law)
     * @param meanBatch         the time average of sequences in a step
     * @param maxBatch          the most sequences in one step
     * @param peakKvUtilization the most KV blocks in use over the blocks there are
     * @param preemptions       sequences preempted
     * @param steps             steps run, over every replica
     * @param prefixHitRate     the share of the prompt tokens to prefill (recomputations after a preemption
     *                          included) that came from the prefix cache instead
     * @param timeline          running sequences and KV use over the run
     * @param interTokenSeconds the gaps between consecutive output tokens of a request, over every token after each
     *                          request's first (what serving benchmarks report as inter-token latency): a step that
     *                          carries a long prompt chunk or that a sequence waits out shows as one long gap, where
     *                          the time per output token spreads it over the request
     */
    public record Result(
            List<RequestResult> requests,
            double makespanSeconds,
            double meanInSystem,
            double meanBatch,
            int maxBatch,
            double peakKvUtilization,
            long preemptions,
            long steps,
            double prefixHitRate,
            Timeline timeline,
            Gaps interTokenSeconds) {}

    /**
     * A distribution of gaps, kept as distinct values with how many gaps took each (the sequences that decode in the
     * same steps share their gaps): mean and percentiles by weight.
     */
    public static final class Gaps {
        private double[] value = new double[64];
        private long[] count = new long[64];
        private int n;
        private long total;
        private double sum;

        void add(double gap) {
            total++;
            sum += gap;
            if (n > 0 && value[n - 1] == gap) {
                count[n - 1]++;
                return;
            }
            if (n == value.length) {
                value = java.util.Arrays.copyOf(value, 2 * n);
                count = java.util.Arrays.copyOf(count, 2 * n);
            }
            value[n] = gap;
            count[n++] = 1;
        }

        /**
         * How many gaps.
         *
         * @return the number of gaps
         */
        public long count() {
            return total;
        }

        /**
         * The mean gap.
         *
         * @return seconds; 0 without gaps
         */
        public double mean() {
            return total == 0 ? 0 : sum / total;
        }

        /**
         * The {@code ps}th percentiles by weight: for each, the smallest gap at or below which at least that share of
         * the gaps lie (nearest rank).
         *
         * @param ps percentiles, each in (0, 100]
         * @return seconds, one per percentile; 0 without gaps
         */
        public double[] percentiles(double... ps) {
            for (double p : ps) Checks.range("percentile", p, 1e-9, 100);
            double[] out = new double[ps.length];
            if (total == 0) return out;
            // the distinct values in order: each gap (non-negative, so its bits order as it does) in the top 40 bits,
            // its index in the low 24 (relative precision 2^-28 in the ordering, exact values returned)
            int[] order = new int[n];
            if (n < 1 << 24) {
                long[] keys = new long[n];
                for (int i = 0; i < n; i++) keys[i] = (Double.doubleToRawLongBits(value[i]) & ~0xFF_FFFFL) | i;
                java.util.Arrays.sort(keys);
                for (int i = 0; i < n; i++) order[i] = (int) (keys[i] & 0xFF_FFFFL);
            } else {
                Integer[] boxed = new Integer[n];
                for (int i = 0; i < n; i++) boxed[i] = i;
                java.util.Arrays.sort(boxed, (a, b) -> Double.compare(value[a], value[b]));
                for (int i = 0; i < n; i++) order[i] = boxed[i];
            }
            for (int k = 0; k < ps.length; k++) {
                double rank = Math.ceil(ps[k] / 100 * total);
                long seen = 0;
                out[k] = value[order[n - 1]];
                for (int i : order) {
                    seen += count[i];
                    if (seen >= rank) {
                        out[k] = value[i];
                        break;
                    }
                }
            }
            return out;
        }
    }

    /** A request in flight on a replica. */
    private static final class Seq {
        final int id;
        final Traffic.Request r;
        long prefillTarget, prefilled, cached, generated, blocks;
        /** Whether it was preempted with prefix caching on: its computed blocks stay cached under its own keys. */
        boolean resumable;
        /** The cached blocks it holds, by key, from the prompt's first block on: its shared prefix's, then its own. */
        final ArrayList<Long> shared = new ArrayList<>();

        double admitted = -1, firstToken = -1;
        /** When its latest token was handed out. */
        double lastToken = -1;

        /** The time between the client and the engine (the front end's, {@link Scheduler#frontendSeconds}). */
        final double frontend;

        Seq(int id, Traffic.Request r, double frontend) {
            this.id = id;
            this.r = r;
            this.frontend = frontend;
            this.prefillTarget = r.prompt();
        }
    }

    private static final class Replica {
        final LatencyModel model;
        final Scheduler scheduler;
        /** A replica of a prefill pool: a sequence leaves it when its prompt is done, its KV cache sent on. */
        final boolean prefillOnly;

        final ArrayList<Seq> running = new ArrayList<>();
        final ArrayDeque<Seq> waiting = new ArrayDeque<>();
        /** Blocks no sequence holds: empty ones and the evictable cached ones. */
        long freeBlocks;
        /** The cached prefix blocks by key, and how many running sequences hold each. */
        final java.util.HashMap<Long, int[]> cache = new java.util.HashMap<>();
        /** The cached blocks no sequence holds, least recently released first: evicted in this order. */
        final java.util.LinkedHashSet<Long> evictable = new java.util.LinkedHashSet<>();

        long hitTokens, prefillTokens;
        /** The prefix groups the router has sent here (the cache-aware router's view of this replica's tree). */
        final java.util.HashSet<Integer> routedGroups = new java.util.HashSet<>();

        double busyUntil, stepStart;
        boolean busy;
        int inFlight;
        // the step being run
        final ArrayList<Seq> stepDecodes = new ArrayList<>(), stepChunks = new ArrayList<>();
        long[] chunkTokens = new long[16], chunkCached = new long[16];
        long budget, preempted, decodeCached, logits;
        int chunks;
        /** SGLang's {@code new_token_ratio}: what share of their remaining output running requests keep reserved. */
        double newTokenRatio = SGLANG_INIT_RATIO;
        /** SGLang's {@code batch_is_full}: admission found no room; no prefill batch is tried until a request leaves. */
        boolean full;

        Replica(LatencyModel model, Scheduler scheduler, boolean prefillOnly) {
            this.model = model;
            this.scheduler = scheduler;
            this.prefillOnly = prefillOnly;
            this.freeBlocks = scheduler.kvBlocks();
        }
    }

    /**
     * A pool of identical replicas: the latency model of one, its scheduler, and how many.
     *
     * @param model the latency model of one replica
     * @param scheduler how each replica schedules
     * @param replicas how many replicas
     */
    public record Pool(LatencyModel model, Scheduler scheduler, int replicas) {
        /**
         * Checks the fields; an invalid one throws an {@code InvalidFieldException} naming it.
         *
         * @param model the latency model of one replica
         * @param scheduler how each replica schedules
         * @param replicas how many replicas
         */
        public Pool {
            Checks.present("model", model);
            Checks.present("scheduler", scheduler);
            Checks.range("replicas", replicas, 1, 100_000);
        }
    }

    /** A sequence's KV cache on its way from a prefill replica to the decode pool. */
    private record Transfer(double at, Seq seq) {}

    /**
     * Runs {@code traffic} on {@code replicas} replicas of {@code model} scheduled by {@code scheduler}, routed by
     * {@code router} ({@code round-robin}, {@code least-loaded} or {@code cache-aware}).
     *
     * @param model the latency model of one replica
     * @param scheduler how each replica schedules
     * @param replicas how many replicas
     * @param router {@code round-robin}, {@code least-loaded} or {@code cache-aware}
     * @param traffic the requests
     * @return every request's times, and the run's summary
     */
    public static Result run(LatencyModel model, Scheduler scheduler, int replicas, String router, Traffic traffic) {
        return run(new Pool(model, scheduler, replicas), null, 0, 0, router, traffic);
    }

    /**
     * Disaggregated serving (Zhong et al. 2024, DistServe, arXiv:2401.09670; Patel et al. 2024, Splitwise,
     * arXiv:2311.18677): arrivals go to the {@code prefill} pool ({@code router}); when a prompt is done its first
     * token is out, and its KV cache travels to the least loaded replica of the {@code decode} pool in
     * {@code transferLatencySeconds + prompt tokens x transferSecondsPerToken}, where it decodes.
     *
     * @param prefill the pool that computes the prompts
     * @param decode the pool that generates the tokens
     * @param transferSecondsPerToken seconds to send one token's KV cache
     * @param transferLatencySeconds fixed time of one transfer
     * @param router {@code round-robin}, {@code least-loaded} or {@code cache-aware}, for the prefill pool
     * @param traffic the requests
     * @return every request's times, and the run's summary
     */
    public static Result runDisaggregated(
            Pool prefill,
            Pool decode,
            double transferSecondsPerToken,
            double transferLatencySeconds,
            String router,
            Traffic traffic) {
        Checks.present("decode", decode);
        Checks.range("transferSecondsPerToken", transferSecondsPerToken, 0, 1);
        Checks.range("transferLatencySeconds", transferLatencySeconds, 0, 10);
        return run(prefill, decode, transferSecondsPerToken, transferLatencySeconds, router, traffic);
    }

    /** The routers {@code run} takes. */
    public static final java.util.List<String> ROUTERS =
            java.util.List.of("round-robin", "least-loaded", "cache-aware");

    /** SGLang router's defaults for its cache-aware policy: prefix match, and the load gaps that switch it off. */
    static final double CACHE_THRESHOLD = 0.3;

    static final int BALANCE_ABS_THRESHOLD = 64;
    static final double BALANCE_REL_THRESHOLD = 1.5;

    private static Replica leastLoaded(Replica[] reps) {
        Replica to = reps[0];
        for (Replica x : reps) if (x.inFlight < to.inFlight) to = x;
        return to;
    }

    /**
     * SGLang router's cache-aware choice: the least loaded when the loads are out of balance; else the replica whose
     * routed prompts share this one's prefix, when that prefix is more than {@link #CACHE_THRESHOLD} of the prompt
     * (the least loaded of several); else the one that has taken the fewest distinct prefixes (its radix tree is the
     * smallest), the least loaded among those.
     */
    private static Replica cacheAware(Replica[] reps, Traffic.Request q) {
        int min = Integer.MAX_VALUE, max = 0;
        for (Replica x : reps) {
            min = Math.min(min, x.inFlight);
            max = Math.max(max, x.inFlight);
        }
        Replica to;
        if (max - min > BALANCE_ABS_THRESHOLD && max > min * BALANCE_REL_THRESHOLD) to = leastLoaded(reps);
        else {
            to = null;
            if (q.prefixGroup() >= 0 && q.prefixTokens() > CACHE_THRESHOLD * q.prompt())
                for (Replica x : reps)
                    if (x.routedGroups.contains(q.prefixGroup()) && (to == null || x.inFlight < to.inFlight)) to = x;
            if (to == null)
                for (Replica x : reps)
                    if (to == null
                            || x.routedGroups.size() < to.routedGroups.size()
                            || x.routedGroups.size() == to.routedGroups.size() && x.inFlight < to.inFlight) to = x;
        }
        if (q.prefixGroup() >= 0) to.routedGroups.add(q.prefixGroup());
        return to;
    }

    private static Result run(
            Pool pool,
            Pool decodePool,
            double transferPerToken,
            double transferLatency,
            String router,
            Traffic traffic) {
        Checks.present("pool", pool);
        if (!ROUTERS.contains(router)) throw new InvalidFieldException("router", router, String.join(", ", ROUTERS));
        LatencyModel model = pool.model();
        Scheduler scheduler = pool.scheduler();
        int replicas = pool.replicas();
        List<Traffic.Request> reqs = traffic.draw(model.contextLength());
        int n = reqs.size();
        long smallest = decodePool == null
                ? scheduler.kvBlocks() * scheduler.blockSize()
                : Math.min(
                        scheduler.kvBlocks() * scheduler.blockSize(),
                        decodePool.scheduler().kvBlocks()
                                * decodePool.scheduler().blockSize());
        for (Traffic.Request r : reqs)
            if (r.prompt() + r.output() > smallest)
                throw new InvalidFieldException(
                        "prompt",
                        r.prompt() + " + " + r.output() + " tokens",
                        "a request whose tokens fit one replica's KV cache, " + smallest + " tokens");
        Replica[] reps = new Replica[replicas];
        for (int i = 0; i < replicas; i++) reps[i] = new Replica(model, scheduler, decodePool != null);
        Replica[] decoders = new Replica[decodePool == null ? 0 : decodePool.replicas()];
        for (int i = 0; i < decoders.length; i++)
            decoders[i] = new Replica(decodePool.model(), decodePool.scheduler(), false);
        PriorityQueue<Transfer> transfers = new PriorityQueue<>((a, b) -> Double.compare(a.at(), b.at()));
        PriorityQueue<Replica> busy = new PriorityQueue<>((a, b) -> Double.compare(a.busyUntil, b.busyUntil));
        RequestResult[] results = new RequestResult[n];
        boolean closed = traffic.arrivals().equals("closed");
        double frontend = scheduler.frontendSeconds();
        double[] arrival = new double[n];
        int released = closed ? Math.min(traffic.concurrency(), n) : n;
        for (int i = 0; i < n; i++)
            arrival[i] = closed
                    ? (i < released ? 0 : Double.POSITIVE_INFINITY)
                    : reqs.get(i).arrival();
        int next = 0, done = 0, rr = 0;
        double now = 0, lastT = 0, area = 0, batchArea = 0, busyTime = 0, peakKv = 0;
        Timeline timeline = new Timeline(reps.length + decoders.length);
        long inSystem = 0, preemptions = 0, steps = 0;
        int maxBatch = 0;
        StepTime step = new StepTime();
        Gaps gaps = new Gaps();
        Thread self = Thread.currentThread();
        for (long events = 0; done < n; events++) {
            // a server whose client went away interrupts its work: checked every few thousand events (microseconds)
            if ((events & 4095) == 0 && self.isInterrupted())
                throw new CancellationException("the simulation was stopped: its thread was interrupted");
            double nextArrival = next < n ? arrival[next] + frontend : Double.POSITIVE_INFINITY;
            Replica r = busy.peek();
            double nextStepEnd = r == null ? Double.POSITIVE_INFINITY : r.busyUntil;
            double nextTransfer = transfers.isEmpty()
                    ? Double.POSITIVE_INFINITY
                    : transfers.peek().at();
            if (nextArrival == Double.POSITIVE_INFINITY
                    && nextStepEnd == Double.POSITIVE_INFINITY
                    && nextTransfer == Double.POSITIVE_INFINITY)
                throw new IllegalStateException("simulation stalled with " + (n - done) + " requests left");
            double t = Math.min(nextArrival, Math.min(nextStepEnd, nextTransfer));
            area += inSystem * (t - lastT);
            lastT = now = t;
            if (nextTransfer <= nextArrival && nextTransfer <= nextStepEnd) { // a KV cache reaches the decode pool
                Seq s = transfers.poll().seq();
                Replica to = leastLoaded(decoders);
                to.waiting.addLast(s);
                to.inFlight++;
                if (!to.busy) {
                    preemptions += startStep(to, to.model, to.scheduler, now, step);
                    if (to.busy) {
                        busy.add(to);
                        steps++;
                    }
                }
                continue;
            }
            if (nextArrival <= nextStepEnd) { // an arrival, routed
                int id = next++;
                Replica to;
                Traffic.Request q = reqs.get(id);
                if (router.equals("round-robin")) to = reps[rr++ % replicas];
                else if (router.equals("cache-aware")) to = cacheAware(reps, q);
                else to = leastLoaded(reps);
                Seq s = new Seq( // the client's time of sending: its latencies count from there
                        id,
                        new Traffic.Request(arrival[id], q.prompt(), q.output(), q.prefixGroup(), q.prefixTokens()),
                        frontend);
                to.waiting.addLast(s);
                to.inFlight++;
                inSystem++;
                if (!to.busy) {
                    preemptions += startStep(to, to.model, to.scheduler, now, step);
                    if (to.busy) {
                        busy.add(to);
                        steps++;
                    }
                }
                continue;
            }
            // a step ends on replica r
            busy.poll();
            int batch = r.stepDecodes.size() + r.stepChunks.size();
            double dt = r.busyUntil - r.stepStart;
            batchArea += batch * dt;
            busyTime += dt;
            maxBatch = Math.max(maxBatch, batch);
            double kvUse = 1 - (double) r.freeBlocks / r.scheduler.kvBlocks();
            peakKv = Math.max(peakKv, kvUse);
            timeline.add(r.stepStart, r.busyUntil, batch, kvUse);
            for (Seq s : r.stepDecodes) {
                s.cached++;
                s.generated++;
                gaps.add(now - s.lastToken);
                s.lastToken = now;
                if (s.generated >= s.r.output()) {
                    finish(r, s, now, results);
                    done++;
                    inSystem--;
                    if (closed && released < n) arrival[released++] = now;
                }
            }
            for (int i = 0; i < r.stepChunks.size(); i++) {
                Seq s = r.stepChunks.get(i);
                s.prefilled += r.chunkTokens[i];
                s.cached += r.chunkTokens[i];
                if (r.scheduler.prefixCaching()) register(r, s);
                if (s.prefilled >= s.prefillTarget) { // the prompt (or its recomputation) ends: a token comes out
                    s.generated++;
                    if (s.firstToken < 0) s.firstToken = now;
                    else gaps.add(now - s.lastToken); // a recomputed prompt's next token
                    s.lastToken = now;
                    if (s.generated >= s.r.output()) {
                        finish(r, s, now, results);
                        done++;
                        inSystem--;
                        if (closed && released < n) arrival[released++] = now;
                    } else if (r.prefillOnly) { // its cache leaves for the decode pool
                        r.running.remove(s);
                        r.full = false;
                        release(r, s);
                        r.inFlight--;
                        transfers.add(new Transfer(now + transferLatency + s.cached * transferPerToken, s));
                    }
                }
            }
            r.busy = false;
            preemptions += startStep(r, r.model, r.scheduler, now, step);
            if (r.busy) {
                busy.add(r);
                steps++;
            }
        }
        double first = Double.POSITIVE_INFINITY;
        for (RequestResult x : results) first = Math.min(first, x.arrival());
        long hits = 0, prefills = 0;
        for (Replica x : reps) {
            hits += x.hitTokens;
            prefills += x.prefillTokens;
        }
        return new Result(
                List.of(results),
                now - first,
                area / Math.max(now - first, 1e-300),
                busyTime > 0 ? batchArea / busyTime : 0,
                maxBatch,
                peakKv,
                preemptions,
                steps,
                prefills > 0 ? (double) hits / prefills : 0,
                timeline,
                gaps);
    }

    /**
     * The largest Poisson rate (requests per second) at which {@code replicas} replicas meet both service levels at
     * the 90th percentile ({@code ttftP90} and {@code tpotP90} seconds), within 2 %: the rate is doubled from
     * {@code start} until a run misses, then bisected; {@code template} gives the requests' number, lengths and seed.
     * 0 when even a request alone misses them.
     *
     * @param model the latency model of one replica
     * @param scheduler how each replica schedules
     * @param replicas how many replicas
     * @param router {@code round-robin}, {@code least-loaded} or {@code cache-aware}
     * @param template the requests' number, lengths and seed
     * @param start the first rate tried, requests per second
     * @param ttftP90 the time-to-first-token level, seconds
     * @param tpotP90 the time-per-output-token level, seconds
     * @return requests per second
     */
    public static double maxRate(
            LatencyModel model,
            Scheduler scheduler,
            int replicas,
            String router,
            Traffic template,
            double start,
            double ttftP90,
            double tpotP90) {
        return maxRate(t -> run(model, scheduler, replicas, router, t), template, start, ttftP90, tpotP90);
    }

    /**
     * {@link #maxRate(LatencyModel, Scheduler, int, String, Traffic, double, double, double)} for any deployment:
     * {@code run} serves a traffic (aggregated or disaggregated).
     *
     * @param run what serves a traffic
     * @param template the requests' number, lengths and seed
     * @param start the first rate tried, requests per second
     * @param ttftP90 the time-to-first-token level, seconds
     * @param tpotP90 the time-per-output-token level, seconds
     * @return requests per second
     */
    public static double maxRate(
            java.util.function.Function<Traffic, Result> run,
            Traffic template,
            double start,
            double ttftP90,
            double tpotP90) {
        Checks.positive("start", start, 1e6);
        java.util.function.DoublePredicate meets = rate -> {
            Traffic t = new Traffic(
                    "poisson",
                    rate,
                    1,
                    0,
                    template.requests(),
                    template.prompt(),
                    template.output(),
                    template.seed(),
                    List.of(),
                    template.prefixTokens(),
                    template.prefixGroups());
            Result r = run.apply(t);
            return p90(r, RequestResult::ttft) <= ttftP90 && p90(r, RequestResult::tpot) <= tpotP90;
        };
        double lo = 0, hi = start;
        while (meets.test(hi)) {
            lo = hi;
            hi *= 2;
            if (hi > 1e6) return lo;
        }
        if (lo == 0) { // find a rate that meets them from below
            double r = hi;
            for (int i = 0; i < 20 && lo == 0; i++) {
                r /= 2;
                if (meets.test(r)) lo = r;
                else hi = r;
            }
            if (lo == 0) return 0;
        }
        while (hi - lo > 0.02 * lo) {
            double mid = (lo + hi) / 2;
            if (meets.test(mid)) lo = mid;
            else hi = mid;
        }
        return lo;
    }

    /**
     * The 90th percentile of {@code f} over a run's requests.
     *
     * @param r the run
     * @param f what to take of each request
     * @return the 90th percentile
     */
    public static double p90(Result r, java.util.function.ToDoubleFunction<RequestResult> f) {
        return percentile(r, f, 90);
    }

    /**
     * The {@code p}th percentile of {@code f} over a run's requests (commons-math3's default estimate).
     *
     * @param r the run
     * @param f what to take of each request
     * @param p the percentile, in (0, 100]
     * @return the percentile
     */
    public static double percentile(Result r, java.util.function.ToDoubleFunction<RequestResult> f, double p) {
        double[] v = r.requests().stream().mapToDouble(f).toArray();
        return new org.apache.commons.math3.stat.descriptive.rank.Percentile().evaluate(v, p);
    }

    private static long blocks(long tokens, int blockSize) {
        return (tokens + blockSize - 1) / blockSize;
    }

    private static void finish(Replica r, Seq s, double now, RequestResult[] out) {
        r.running.remove(s);
        r.full = false;
        release(r, s);
        r.inFlight--;
        double ttft = s.firstToken - s.r.arrival();
        double tpot = s.r.output() > 1 ? (now - s.firstToken) / (s.r.output() - 1) : 0;
        out[s.id] = new RequestResult(
                s.r.arrival(),
                s.r.prompt(),
                s.r.output(),
                s.admitted - s.r.arrival() - s.frontend,
                ttft,
                tpot,
                now - s.r.arrival());
    }

    /** Preempts the last running sequence after index {@code keep} (or {@code keep} itself); returns whether one was. */
    private static boolean preemptAfter(Replica r, int keep) {
        int last = r.running.size() - 1;
        if (last < keep) return false;
        Seq v = r.running.remove(last);
        r.full = false;
        if (r.scheduler.prefixCaching() && !r.scheduler.prefillFirst()) keepComputed(r, v);
        release(r, v);
        v.cached = 0;
        v.prefilled = 0;
        v.prefillTarget = v.r.prompt() + v.generated; // recompute the prompt and what it had generated
        r.waiting.addFirst(v);
        return true;
    }

    /** Assembles and starts the next step of {@code r} at {@code now}, if it has work; returns the preemptions. */
    private static long startStep(Replica r, LatencyModel model, Scheduler sch, double now, StepTime step) {
        r.stepDecodes.clear();
        r.stepChunks.clear();
        r.budget = sch.maxBatchedTokens();
        r.preempted = 0;
        r.decodeCached = 0;
        r.logits = 0;
        r.chunks = 0;
        if (!sch.prefillFirst()) {
            serve(r, sch, Serve.ALL);
            admit(r, sch, now);
        } else { // SGLang: the prompt being chunked and new requests first; a decode step when there are none
            serve(r, sch, Serve.PREFILLS);
            admit(r, sch, now);
            if (r.chunks == 0) {
                serve(r, sch, Serve.DECODES);
                if (!r.stepDecodes.isEmpty())
                    r.newTokenRatio = r.preempted > 0
                            ? retractRatio(r)
                            : Math.max(r.newTokenRatio - SGLANG_RATIO_DECAY, SGLANG_MIN_RATIO);
            }
        }
        if (r.stepDecodes.isEmpty() && r.chunks == 0) {
            if (r.running.isEmpty()) r.newTokenRatio = SGLANG_INIT_RATIO; // SGLang resets it when idle
            return r.preempted;
        }
        model.mixedStep(r.stepDecodes.size(), r.decodeCached, r.chunkTokens, r.chunkCached, r.chunks, r.logits, step);
        r.stepStart = now;
        r.busyUntil = now + step.calibratedSeconds();
        r.busy = true;
        return r.preempted;
    }

    /** Which running sequences a step serves: all (mixed), only those prefilling, or only those decoding. */
    private enum Serve {
        ALL,
        PREFILLS,
        DECODES
    }

    /**
     * Gives the running sequences of {@code r}, in admission order, their next prefill chunk or decode token, within
     * the step's token budget (a decode step of SGLang's is bound only by the sequence limit); a sequence that needs a
     * block when none is free preempts the most recently admitted ones, or itself.
     */
    private static void serve(Replica r, Scheduler sch, Serve which) {
        for (int i = 0; i < r.running.size() && (which == Serve.DECODES || r.budget > 0); i++) {
            Seq s = r.running.get(i);
            boolean prefilling = s.prefilled < s.prefillTarget;
            if (which == Serve.PREFILLS && !prefilling || which == Serve.DECODES && prefilling) continue;
            long tokens = prefilling ? Math.min(s.prefillTarget - s.prefilled, r.budget) : 1;
            long need = blocks(s.cached + tokens, sch.blockSize()) - s.blocks - s.shared.size();
            while (need > r.freeBlocks) {
                if (!preemptAfter(r, i + 1)) break;
                r.preempted++;
            }
            if (need > r.freeBlocks) { // nothing after it to free: it waits for its own turn again
                preemptAfter(r, i);
                r.preempted++;
                break;
            }
            take(r, need);
            s.blocks += need;
            if (which != Serve.DECODES) r.budget -= tokens;
            if (prefilling) {
                r.chunks = addChunk(r, s, tokens, r.chunks);
                if (s.prefilled + tokens >= s.prefillTarget) r.logits++;
            } else {
                r.stepDecodes.add(s);
                r.decodeCached += s.cached;
                r.logits++;
            }
        }
    }

    /** Admits waiting requests of {@code r}, first come first served, while the budget, the limit and the cache allow. */
    private static void admit(Replica r, Scheduler sch, double now) {
        // no-evict: the blocks the running sequences will still take before they finish are spoken for
        long spoken = 0;
        if (sch.noEvict() && !sch.prefillFirst())
            for (Seq x : r.running) spoken += Math.max(0, lifetimeBlocks(x, sch) - x.blocks - x.shared.size());
        if (sch.prefillFirst() && r.full) return; // SGLang tries no prefill batch until a request leaves
        Reservation sglang = null; // built when a request is first held to it
        while (r.budget > 0 && !r.waiting.isEmpty()) {
            if (r.running.size() >= sch.maxSeqs()) {
                r.full = true;
                break;
            }
            Seq s = r.waiting.peekFirst();
            boolean prefilled = s.prefilled >= s.prefillTarget; // a cache sent from a prefill pool: it decodes
            // the resident blocks of its shared prefix, from the first on; at least one prompt token is computed
            int hit = 0, hitFree = 0;
            long prefixBlocks =
                    s.r.prefixGroup() >= 0 ? Math.min(s.r.prefixTokens(), s.prefillTarget - 1) / sch.blockSize() : 0;
            if (!prefilled && sch.prefixCaching() && s.cached == 0) {
                // a preempted sequence's own computed blocks follow its prefix's
                long most = s.resumable ? (s.prefillTarget - 1) / sch.blockSize() : prefixBlocks;
                for (; hit < most; hit++) {
                    int[] refs = r.cache.get(blockKey(s, hit, prefixBlocks));
                    if (refs == null) break;
                    if (refs[0] == 0) hitFree++;
                }
            }
            long start = (long) hit * sch.blockSize();
            long tokens = prefilled ? 1 : Math.min(s.prefillTarget - start, r.budget);
            long need = blocks(start + tokens, sch.blockSize()) - hit - s.blocks;
            if (need + hitFree > r.freeBlocks) { // first come, first served: the head waits for blocks
                r.full = true;
                break;
            }
            long whole = sch.noEvict() && !sch.prefillFirst()
                    ? Math.max(need, lifetimeBlocks(s, sch) - hit - s.blocks)
                    : need;
            if (whole + hitFree + spoken > r.freeBlocks) break; // no-evict: its whole request must fit
            if (sch.prefillFirst() && sglang == null) sglang = new Reservation(r, sch);
            if (sglang != null && !sglang.admits(s, start, tokens == s.prefillTarget - start)) {
                r.full = true;
                break;
            }
            spoken += whole - need;
            r.waiting.pollFirst();
            for (int b = 0; b < hit; b++) { // the cached blocks become its own, held
                long k = blockKey(s, b, prefixBlocks);
                if (r.cache.get(k)[0]++ == 0) {
                    r.evictable.remove(k);
                    r.freeBlocks--;
                }
                s.shared.add(k);
            }
            if (!prefilled) {
                r.hitTokens += start;
                r.prefillTokens += s.prefillTarget;
            }
            s.cached = s.prefilled = Math.max(s.prefilled, start);
            take(r, need);
            s.blocks += need;
            if (s.admitted < 0) s.admitted = now;
            r.running.add(s);
            r.budget -= tokens;
            if (prefilled) {
                r.stepDecodes.add(s);
                r.decodeCached += s.cached;
            } else r.chunks = addChunk(r, s, tokens, r.chunks);
            if (prefilled || s.prefilled + tokens >= s.prefillTarget) r.logits++;
        }
    }

    /** SGLang's {@code global_config}: the share of their remaining output the running requests hold in reserve. */
    static final double SGLANG_INIT_RATIO = 0.7, SGLANG_MIN_RATIO = 0.1, SGLANG_RATIO_DECAY = 0.001;
    /** SGLang: decode steps a retraction leaves room for, and the most output tokens one request reserves. */
    static final int SGLANG_RETRACT_DECODE_STEPS = 20, SGLANG_CLIP_MAX_NEW_TOKENS = 4096;

    /**
     * The reserve ratio SGLang sets after a retraction ({@code retract_decode}): the running requests' decoded tokens,
     * plus {@link #SGLANG_RETRACT_DECODE_STEPS} each, over their whole outputs, at most 1.
     */
    private static double retractRatio(Replica r) {
        double decoded = 0, outputs = 0;
        for (Seq x : r.running) {
            decoded += x.generated + SGLANG_RETRACT_DECODE_STEPS;
            outputs += x.r.output();
        }
        return outputs > 0 ? Math.min(1, decoded / outputs) : SGLANG_INIT_RATIO;
    }

    /**
     * SGLang's admission of a prefill batch ({@code PrefillAdder}, requests of known length as its benchmarks send
     * them: {@code ignore_eos}). Two checks, both in tokens of the cache: the free tokens less what the running
     * requests keep in reserve ({@code new_token_ratio} of their remaining output) and what the batch's requests
     * take (prompt and whole output, at most 4,096) must stay positive; and, the requests finishing in the order of
     * their remaining output, the free tokens plus those the finished ones return must at each finish exceed the
     * remaining requests' growth to the next finish ({@code add_one_req_ignore_eos}, as SGLang writes it).
     */
    private static final class Reservation {
        final Replica r;
        final int blockSize;
        /**
         * Every running request and those admitted in this batch, by remaining output (high 32 bits) and tokens held
         * (low 32 bits), sorted.
         */
        long[] states;

        int n, added;
        /** Tokens spoken for beyond the blocks taken: the running requests' reserve and the batch's outputs. */
        double reserved;

        Reservation(Replica r, Scheduler sch) {
            this.r = r;
            this.blockSize = sch.blockSize();
            states = new long[r.running.size() + 16];
            for (Seq x : r.running) {
                long tokensLeft = x.r.output() - x.generated;
                if (tokensLeft > 0) states[n++] = state(tokensLeft, x.r.prompt() + x.generated);
                reserved += Math.min(tokensLeft, SGLANG_CLIP_MAX_NEW_TOKENS) * r.newTokenRatio;
            }
            java.util.Arrays.sort(states, 0, n);
        }

        /** A request's state as one sortable number: its remaining output first (lengths are below 2^31). */
        private static long state(long tokensLeft, long occupied) {
            return tokensLeft << 32 | occupied;
        }

        private void insert(long tokensLeft, long occupied) {
            if (tokensLeft <= 0) return;
            if (n == states.length) states = java.util.Arrays.copyOf(states, 2 * n);
            long v = state(tokensLeft, occupied);
            int i = n;
            while (i > 0 && states[i - 1] > v) {
                states[i] = states[i - 1];
                i--;
            }
            states[i] = v;
            n++;
        }

        /**
         * Whether {@code s}, its prompt from token {@code start} on (whole, or a first chunk when not {@code whole}),
         * may join the batch; the first request of a batch is held to the finish-order check alone.
         */
        boolean admits(Seq s, long start, boolean whole) {
            long free = r.freeBlocks * (long) blockSize;
            if (added > 0 && free - reserved <= 0) return false;
            long outputLeft = s.r.output() - s.generated;
            insert(outputLeft, s.r.prompt() + s.generated);
            long rem = free - s.r.prompt(), freed = 0;
            for (int i = 0; i < n; i++) {
                long steps = (i + 1 < n ? states[i + 1] : states[i]) >>> 32;
                if (rem + freed - steps * (n - i) <= 0) return false;
                freed += states[i] & 0xFFFF_FFFFL;
            }
            if (whole) reserved += Math.min(outputLeft, SGLANG_CLIP_MAX_NEW_TOKENS); // its prompt's blocks are taken
            added++;
            return true;
        }
    }

    /** Blocks a sequence holds when it finishes: its prompt and its whole output. */
    private static long lifetimeBlocks(Seq s, Scheduler sch) {
        return blocks(s.r.prompt() + s.r.output(), sch.blockSize());
    }

    /** The key of block {@code index} of shared prefix {@code group}: its content, as vLLM's block hash chain. */
    private static long key(int group, long index) {
        return ((long) group << 32) | index;
    }

    /**
     * The cache key of block {@code index} of {@code s}'s prompt: its shared prefix's ({@code prefixBlocks} of them),
     * else its own (cached when it was preempted).
     */
    private static long blockKey(Seq s, long index, long prefixBlocks) {
        return index < prefixBlocks ? key(s.r.prefixGroup(), index) : ownKey(s, index);
    }

    /** The cache key of block {@code index} of {@code s}'s own tokens: a group of its own, below the shared ones. */
    private static long ownKey(Seq s, long index) {
        return key(-1 - s.id, index);
    }

    /**
     * Keeps the full blocks {@code s} has computed beyond its shared prefix in the cache under its own keys as it is
     * preempted (vLLM V1 with prefix caching hashes every full block, so a preempted request's blocks stay cached
     * while free and its recomputation takes those not yet evicted); {@link #release} then makes them evictable, its
     * last block first.
     */
    private static void keepComputed(Replica r, Seq s) {
        long full = s.cached / r.scheduler.blockSize();
        while (s.shared.size() < full && s.blocks > 0) {
            long k = ownKey(s, s.shared.size());
            if (r.cache.containsKey(k)) break;
            r.cache.put(k, new int[] {1});
            s.shared.add(k);
            s.blocks--;
        }
        s.resumable = true;
    }

    /** Takes {@code n} free blocks, evicting the least recently released cached ones when no empty block is left. */
    private static void take(Replica r, long n) {
        r.freeBlocks -= n;
        var it = r.evictable.iterator();
        while (r.evictable.size() > r.freeBlocks) {
            r.cache.remove(it.next());
            it.remove();
        }
    }

    /**
     * Frees the blocks of {@code s}: its own go back empty; of its cached prefix blocks, those no other sequence
     * holds become evictable, the last block first (as vLLM frees a sequence's blocks in reverse).
     */
    private static void release(Replica r, Seq s) {
        r.freeBlocks += s.blocks;
        s.blocks = 0;
        for (int i = s.shared.size() - 1; i >= 0; i--) {
            long k = s.shared.get(i);
            if (--r.cache.get(k)[0] == 0) {
                r.evictable.add(k);
                r.freeBlocks++;
            }
        }
        s.shared.clear();
    }

    /**
     * Caches the blocks of {@code s}'s shared prefix that its prefill has just filled, from its first uncached one
     * on; a block another sequence cached first stays its own (and so do the ones after it).
     */
    private static void register(Replica r, Seq s) {
        if (s.r.prefixGroup() < 0) return;
        int bs = r.scheduler.blockSize();
        long full = Math.min(s.r.prefixTokens(), s.cached) / bs;
        while (s.shared.size() < full && s.blocks > 0) {
            long k = key(s.r.prefixGroup(), s.shared.size());
            if (r.cache.containsKey(k)) return;
            r.cache.put(k, new int[] {1});
            s.shared.add(k);
            s.blocks--;
        }
    }

    private static int addChunk(Replica r, Seq s, long tokens, int chunks) {
        if (chunks == r.chunkTokens.length) {
            r.chunkTokens = java.util.Arrays.copyOf(r.chunkTokens, 2 * chunks);
            r.chunkCached = java.util.Arrays.copyOf(r.chunkCached, 2 * chunks);
        }
        r.chunkTokens[chunks] = tokens;
        r.chunkCached[chunks] = s.cached;
        r.stepChunks.add(s);
        return chunks + 1;
    }
}
