package dev.strata.estimator.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.strata.estimator.latency.Latency;
import dev.strata.estimator.latency.LatencyModel;
import dev.strata.estimator.latency.LatencyTuning;
import dev.strata.estimator.latency.Offload;
import dev.strata.model.Activation;
import dev.strata.model.GatedMlp;
import dev.strata.model.Hardware;
import dev.strata.model.LayerKind;
import dev.strata.model.MultiHeadAttention;
import dev.strata.model.NumericFormat;
import dev.strata.model.Optimizer;
import dev.strata.model.Parallelism;
import dev.strata.model.Precision;
import dev.strata.model.TransformerSpec;
import dev.strata.model.Workload;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The simulator against what must hold whatever the model: the one-request estimate, Little's law, M/D/1, bounds. */
class ServingSimulationTest {
    static final Precision BF16 = Precision.of(NumericFormat.BF16, NumericFormat.BF16, Optimizer.ADAMW);
    // an H100 SXM's datasheet figures (docs/architecture.md, accelerator table), the default efficiencies
    static final Hardware H100 = Hardware.builder("h100-sxm")
            .name("H100")
            .peakFlopsPerSecond(Map.of("bf16", 989e12))
            .memoryBytes(80_000_000_000L)
            .memoryBandwidthBytesPerSecond(3.35e12)
            .scaleUpBandwidthBytesPerSecond(900e9)
            .build();
    static final TransformerSpec LLAMA3_8B = TransformerSpec.builder()
            .vocabSize(128256)
            .hiddenSize(4096)
            .layers(
                    32,
                    LayerKind.global(MultiHeadAttention.of(32, 8, 128), new GatedMlp(14336, Activation.SILU, false)))
            .build();
    static final LatencyModel MODEL =
            LatencyModel.of(LLAMA3_8B, BF16, Parallelism.NONE, H100, LatencyTuning.GPU_DEFAULT, Offload.NONE);
    static final ServingSimulation.Scheduler SCHEDULER = new ServingSimulation.Scheduler(256, 8192, 16, 200_000);

    /** One sequence at a time: a request of 128 + 16 tokens alone takes {@link #ONE_SERVICE}. */
    static final ServingSimulation.Scheduler ONE = new ServingSimulation.Scheduler(1, 8192, 16, 200_000);

    /** The time one request of 128 prompt and 16 output tokens takes alone under {@link #ONE}. */
    static final double ONE_SERVICE = ServingSimulation.run(
                    MODEL, ONE, 1, "round-robin", Traffic.poisson(1e-3, 3, Lengths.fixed(128), Lengths.fixed(16), 1))
            .requests()
            .get(0)
            .e2e();

    static double mean(
            List<ServingSimulation.RequestResult> rs,
            java.util.function.ToDoubleFunction<ServingSimulation.RequestResult> f) {
        return rs.stream().mapToDouble(f).average().orElseThrow();
    }

    @Test
    void atALowRateEachRequestTakesTheOneRequestEstimate() {
        // a request every 20 s on average, each taking under a second: no queueing, no batching
        var r = ServingSimulation.run(
                MODEL,
                SCHEDULER,
                1,
                "round-robin",
                Traffic.poisson(0.05, 200, Lengths.fixed(512), Lengths.fixed(128), 1));
        var w = Workload.of(1, 512, 128);
        var one = Latency.estimate(LLAMA3_8B, BF16, w, H100, LatencyTuning.GPU_DEFAULT, Offload.NONE);
        // the tolerance: within 2 % of the prefill of one prompt and of the batch-1 decode step
        assertThat(mean(r.requests(), ServingSimulation.RequestResult::ttft))
                .isCloseTo(one.timeToFirstTokenSeconds(), within(0.02 * one.timeToFirstTokenSeconds()));
        assertThat(mean(r.requests(), ServingSimulation.RequestResult::tpot))
                .isCloseTo(
                        one.decode().calibratedSeconds(),
                        within(0.02 * one.decode().calibratedSeconds()));
        // Poisson gaps are sometimes short: a few requests overlap, the step average stays near one sequence
        assertThat(r.meanBatch()).isLessThan(1.05);
        assertThat(r.preemptions()).isZero();
    }

    @Test
    void littlesLawHoldsUnderLoad() {
        // L = lambda W (Little 1961): the time average in the system equals the arrival rate times the mean time in it
        var r = ServingSimulation.run(
                MODEL,
                SCHEDULER,
                2,
                "least-loaded",
                Traffic.poisson(
                        20,
                        4000,
                        Lengths.parse("prompt", "lognormal:800:0.6", 1),
                        Lengths.parse("generate", "uniform:32:256", 1),
                        7));
        double lambda = r.requests().size() / r.makespanSeconds();
        double w = mean(r.requests(), ServingSimulation.RequestResult::e2e);
        assertThat(r.meanInSystem()).isCloseTo(lambda * w, within(0.02 * lambda * w));
        assertThat(r.maxBatch()).isGreaterThan(1);
        // a request's gaps between consecutive tokens add up to its last token less its first: output - 1 gaps in
        // all, summing to the times per output token times output - 1 (exact but for rounding)
        long gaps = 0;
        double span = 0;
        for (var x : r.requests()) {
            gaps += x.output() - 1;
            span += x.tpot() * (x.output() - 1);
        }
        assertThat(r.interTokenSeconds().count()).isEqualTo(gaps);
        assertThat(r.interTokenSeconds().mean() * gaps).isCloseTo(span, within(1e-9 * span));
    }

    @Test
    void batchOneWithFixedLengthsQueuesAsMD1() {
        // one sequence at a time and fixed lengths: a deterministic service S; Poisson arrivals at rho = 0.5 wait
        // rho S / (2 (1 - rho)) on average (Pollaczek-Khinchine for M/D/1)
        double service = ONE_SERVICE;
        double rho = 0.5;
        var r = ServingSimulation.run(
                MODEL,
                ONE,
                1,
                "round-robin",
                Traffic.poisson(rho / service, 100_000, Lengths.fixed(128), Lengths.fixed(16), 3));
        double expected = rho * service / (2 * (1 - rho));
        assertThat(mean(r.requests(), ServingSimulation.RequestResult::queue))
                .isCloseTo(expected, within(0.05 * expected));
        assertThat(r.requests()).allSatisfy(x -> assertThat(x.e2e() - x.queue()).isCloseTo(service, within(1e-9)));
    }

    @Test
    void evenlySpacedArrivalsBelowCapacityNeverWait() {
        // D/D/1: one sequence at a time, a deterministic service S, a request every 2 S (rho = 0.5): each arrives after
        // the one before has left, so none waits (Poisson arrivals at the same rho wait rho S / (2 (1 - rho)), above);
        // the i-th arrives at i / rate exactly
        double service = ONE_SERVICE;
        double rate = 0.5 / service;
        var t = new Traffic("constant", rate, 0, 0, 500, Lengths.fixed(128), Lengths.fixed(16), 1, List.of());
        var r = ServingSimulation.run(MODEL, ONE, 1, "round-robin", t);
        for (int i = 0; i < 500; i++) {
            var x = r.requests().get(i);
            assertThat(x.arrival()).isCloseTo((i + 1) / rate, within(1e-9 * (i + 1) / rate));
            assertThat(x.queue()).isCloseTo(0, within(1e-9));
            assertThat(x.e2e()).isCloseTo(service, within(1e-9));
        }
    }

    @Test
    void atAnInfiniteRateTheBatchStopsAtTheSequenceLimitOrTheKvCache() {
        var all = new Traffic("all", 0, 1, 0, 2000, Lengths.fixed(256), Lengths.fixed(64), 1, List.of());
        var bySeqs = ServingSimulation.run(
                MODEL, new ServingSimulation.Scheduler(64, 8192, 16, 200_000), 1, "round-robin", all);
        assertThat(bySeqs.maxBatch()).isEqualTo(64);
        assertThat(bySeqs.preemptions()).isZero();
        // 100 blocks of 16 tokens = 1,600 tokens: five sequences of 320 tokens at their longest
        var byKv =
                ServingSimulation.run(MODEL, new ServingSimulation.Scheduler(64, 8192, 16, 100), 1, "round-robin", all);
        assertThat(byKv.maxBatch()).isBetween(5, 6);
        assertThat(byKv.peakKvUtilization()).isGreaterThan(0.9);
        assertThat(byKv.requests())
                .hasSize(2000)
                .allSatisfy(x -> assertThat(x.e2e()).isPositive());
        // throughput saturates: the KV-bound run is slower per request than the sequence-bound one
        assertThat(byKv.makespanSeconds()).isGreaterThan(bySeqs.makespanSeconds());
    }

    @Test
    void theNoEvictPolicyAdmitsOnlyWhatItsCacheHoldsToTheEndAndNeverPreempts() {
        // 2,000 requests of 256 + 64 tokens at once on 100 blocks of 16 tokens (1,600 tokens): a whole request takes
        // ceil(320 / 16) = 20 blocks, so no-evict (TensorRT-LLM's GUARANTEED_NO_EVICT) runs exactly 100 / 20 = 5 at
        // a time and preempts none; admitting by the next tokens (vLLM's) starts more and preempts
        var all = new Traffic("all", 0, 1, 0, 2000, Lengths.fixed(256), Lengths.fixed(64), 1, List.of());
        var small = new ServingSimulation.Scheduler(64, 8192, 16, 100);
        var noEvict = ServingSimulation.run(MODEL, small.withNoEvict(true), 1, "round-robin", all);
        assertThat(noEvict.maxBatch()).isEqualTo(5);
        assertThat(noEvict.preemptions()).isZero();
        assertThat(noEvict.requests())
                .hasSize(2000)
                .allSatisfy(x -> assertThat(x.e2e()).isPositive());
        var preempting = ServingSimulation.run(MODEL, small, 1, "round-robin", all);
        assertThat(preempting.preemptions()).isPositive();
        // with room for every request the two policies run the same steps
        var roomy = new ServingSimulation.Scheduler(64, 8192, 16, 200_000);
        assertThat(ServingSimulation.run(MODEL, roomy.withNoEvict(true), 1, "round-robin", all)
                        .makespanSeconds())
                .isEqualTo(ServingSimulation.run(MODEL, roomy, 1, "round-robin", all)
                        .makespanSeconds());
    }

    @Test
    void withPrefixCachingAPreemptedRequestRecomputesOnlyWhatWasEvictedSince() {
        // two requests of 8 + 3 tokens at once on 5 blocks of 4 tokens, worked by hand: both prefill (2 blocks each);
        // in the next step the first takes the last free block for its second token and the second, finding none, is
        // preempted with 8 tokens computed and 1 generated (its prompt to recompute: 9). With prefix caching its two
        // full blocks stay cached (free, evictable) and nothing evicts them: when the first finishes it is admitted
        // again holding them and prefills 1 token; without, it prefills all 9. Prompt tokens to prefill: 8 + 8 + 9,
        // of which 8 from the cache.
        var all = new Traffic("all", 0, 1, 0, 2, Lengths.fixed(8), Lengths.fixed(3), 1, List.of());
        var tiny = new ServingSimulation.Scheduler(64, 8192, 4, 5);
        var cached = ServingSimulation.run(MODEL, tiny.withPrefixCaching(true), 1, "round-robin", all);
        var recomputed = ServingSimulation.run(MODEL, tiny, 1, "round-robin", all);
        assertThat(cached.preemptions()).isEqualTo(1);
        assertThat(recomputed.preemptions()).isEqualTo(1);
        assertThat(cached.prefixHitRate()).isCloseTo(8.0 / 25, within(1e-12));
        assertThat(recomputed.prefixHitRate()).isZero();
        // the same steps but the fourth: one token at a context of 8 instead of a 9-token prompt
        assertThat(cached.makespanSeconds())
                .isCloseTo(recomputed.makespanSeconds() - step(0, 0, 9, 0) + step(0, 0, 1, 8), within(1e-12));
    }

    /** A step of {@link #MODEL}: {@code decodes} sequences with {@code cached} tokens in all, and one chunk. */
    static double step(long decodes, long cached, long chunk, long chunkCached) {
        return MODEL.mixedStep(
                        decodes,
                        cached,
                        new long[] {chunk},
                        new long[] {chunkCached},
                        chunk > 0 ? 1 : 0,
                        decodes + (chunk > 0 ? 1 : 0),
                        new dev.strata.estimator.latency.StepTime())
                .calibratedSeconds();
    }

    @Test
    void prefillFirstRunsAPromptInAStepOfItsOwnAndItsStallShowsInTheInterTokenGaps() {
        // A (512 + 4 tokens) at 0, B (512 + 4) at 1 ms, during A's prefill. SGLang's scheduler: B's prefill is a step
        // of its own (A does not decode in it), then both decode three steps. Every time below is a sum of the latency
        // model's steps, worked out here step by step.
        var t = trace(new Traffic.Request(0, 512, 4, -1, 0), new Traffic.Request(0.001, 512, 4, -1, 0));
        var sglang = SCHEDULER.withPrefillFirst(true);
        var r = ServingSimulation.run(MODEL, sglang, 1, "round-robin", t);
        double p = step(0, 0, 512, 0); // a prompt of 512, nothing cached
        double d1 = step(2, 1024, 0, 0), d2 = step(2, 1026, 0, 0), d3 = step(2, 1028, 0, 0);
        var a = r.requests().get(0);
        var b = r.requests().get(1);
        assertThat(a.ttft()).isCloseTo(p, within(1e-12));
        assertThat(b.ttft()).isCloseTo(p + p - 0.001, within(1e-12));
        assertThat(a.e2e()).isCloseTo(p + p + d1 + d2 + d3, within(1e-12));
        assertThat(b.e2e()).isCloseTo(p + p + d1 + d2 + d3 - 0.001, within(1e-12));
        assertThat(r.steps()).isEqualTo(5);
        // the gaps between consecutive tokens: A waits out B's prefill (p + d1), then d2, d3; B: d1, d2, d3. Their
        // median (nearest rank, 3rd of 6) is d2 and their 90th percentile A's stall, which A's time per output token,
        // (p + d1 + d2 + d3) / 3, spreads over its tokens
        var gaps = r.interTokenSeconds();
        assertThat(gaps.count()).isEqualTo(6);
        assertThat(gaps.mean()).isCloseTo((p + 2 * d1 + 2 * d2 + 2 * d3) / 6, within(1e-12));
        double[] q = gaps.percentiles(50, 90);
        assertThat(q[0]).isCloseTo(d2, within(1e-12));
        assertThat(q[1]).isCloseTo(p + d1, within(1e-12));
        assertThat(a.tpot()).isCloseTo((p + d1 + d2 + d3) / 3, within(1e-12));
        // vLLM's way mixes B's prompt into A's first decode step (A is then a token ahead: B needs a fifth step alone)
        var mixed = ServingSimulation.run(MODEL, SCHEDULER, 1, "round-robin", t);
        assertThat(mixed.steps()).isEqualTo(5);
        assertThat(mixed.requests().get(0).ttft()).isCloseTo(p, within(1e-12));
        assertThat(mixed.requests().get(1).ttft()).isCloseTo(p + step(1, 512, 512, 0) - 0.001, within(1e-12));
    }

    @Test
    void prefillFirstAdmitsWhileTheRunningRequestsStillFitAsTheyFinishAndNeverPreempts() {
        // 2,000 requests of 256 + 64 tokens at once on 100 blocks of 16 (1,600 tokens). SGLang's PrefillAdder, by hand:
        // the k-th request of a batch passes while the tokens left (1,600 - 256 (k - 1)) exceed the outputs reserved
        // (64 (k - 1)), and while, after its prompt (256 more), they exceed the growth of the k requests to their
        // next finish (64 k): 1,600 - 256 k - 64 k > 0 holds for k <= 4 and not for k = 5. So 4 run at a time, all
        // finishing together; until one leaves no prefill is tried, and none is preempted.
        var all = new Traffic("all", 0, 1, 0, 2000, Lengths.fixed(256), Lengths.fixed(64), 1, List.of());
        var small = new ServingSimulation.Scheduler(64, 8192, 16, 100).withPrefillFirst(true);
        var r = ServingSimulation.run(MODEL, small, 1, "round-robin", all);
        assertThat(r.maxBatch()).isEqualTo(4);
        assertThat(r.preemptions()).isZero();
        assertThat(r.requests())
                .hasSize(2000)
                .allSatisfy(x -> assertThat(x.e2e()).isPositive());
        // 500 rounds of one prefill step and 63 decode steps of 4 sequences, and one prefill more: the first arrival
        // starts a step of its own before the others are queued (its three companions follow in the next)
        assertThat(r.steps()).isEqualTo(500 * 64 + 1);
        // with room for all, the first batch takes what the token budget holds: 8,192 / 256 = 32 prompts
        var roomy = ServingSimulation.run(
                MODEL,
                new ServingSimulation.Scheduler(64, 8192, 16, 200_000).withPrefillFirst(true),
                1,
                "round-robin",
                all);
        assertThat(roomy.maxBatch()).isEqualTo(64);
        assertThat(roomy.preemptions()).isZero();
    }

    @Test
    void theFrontEndDelaysEachRequestAndCountsInItsLatencyButNotInTheGpusWork() {
        // Poisson arrivals: a front end of L seconds shifts every arrival at the engine by L, so the engine's steps are
        // those of the run without it; each request's time to first token and end to end grow by exactly L, its
        // queueing and time per output token do not change (1e-9: sums of the same doubles in another order)
        double l = 0.04;
        var t = Traffic.poisson(4, 400, Lengths.parse("prompt", "lognormal:500:1", 1), Lengths.fixed(64), 3);
        var plain = ServingSimulation.run(MODEL, SCHEDULER, 1, "round-robin", t).requests();
        var front = ServingSimulation.run(MODEL, SCHEDULER.withFrontend(l), 1, "round-robin", t)
                .requests();
        for (int i = 0; i < plain.size(); i++) {
            assertThat(front.get(i).arrival()).isEqualTo(plain.get(i).arrival());
            assertThat(front.get(i).ttft()).isCloseTo(plain.get(i).ttft() + l, within(1e-9));
            assertThat(front.get(i).e2e()).isCloseTo(plain.get(i).e2e() + l, within(1e-9));
            assertThat(front.get(i).queue()).isCloseTo(plain.get(i).queue(), within(1e-9));
            assertThat(front.get(i).tpot()).isCloseTo(plain.get(i).tpot(), within(1e-9));
        }
    }

    @Test
    void aClosedLoopSendsItsNextRequestWhenOneEndsAndTheFrontEndIdlesTheGpuMeanwhile() {
        // one request in flight: each cycle is the front end, one prompt's prefill and 63 decode steps; the next is
        // sent when one ends and reaches the engine L later, so n requests take n (L + one request's engine time)
        double l = 0.05;
        var t = new Traffic("closed", 0, 1, 1, 20, Lengths.fixed(512), Lengths.fixed(64), 1, List.of());
        var plain = ServingSimulation.run(MODEL, SCHEDULER, 1, "round-robin", t);
        var front = ServingSimulation.run(MODEL, SCHEDULER.withFrontend(l), 1, "round-robin", t);
        double engine = plain.requests().get(0).e2e();
        assertThat(plain.makespanSeconds()).isCloseTo(20 * engine, within(1e-9));
        assertThat(front.makespanSeconds()).isCloseTo(20 * (l + engine), within(1e-9));
        assertThat(front.requests().get(19).ttft())
                .isCloseTo(l + plain.requests().get(19).ttft(), within(1e-9));
    }

    @Test
    void aRunRepeatsExactlyFromItsSeed() {
        var t = Traffic.poisson(10, 500, Lengths.parse("prompt", "lognormal:500:1", 1), Lengths.fixed(64), 42);
        assertThat(ServingSimulation.run(MODEL, SCHEDULER, 1, "round-robin", t).requests())
                .isEqualTo(ServingSimulation.run(MODEL, SCHEDULER, 1, "round-robin", t)
                        .requests());
    }

    @Test
    void theLargestRateWithinTheServiceLevelsMeetsThemAndAFifthMoreDoesNot() {
        var template = Traffic.poisson(1, 600, Lengths.fixed(800), Lengths.fixed(128), 5);
        double ttft = 0.3, tpot = 0.02;
        double max = ServingSimulation.maxRate(MODEL, SCHEDULER, 1, "round-robin", template, 1, ttft, tpot);
        assertThat(max).isPositive();
        var at = ServingSimulation.run(
                MODEL,
                SCHEDULER,
                1,
                "round-robin",
                Traffic.poisson(max, 600, Lengths.fixed(800), Lengths.fixed(128), 5));
        assertThat(ServingSimulation.p90(at, ServingSimulation.RequestResult::ttft))
                .isLessThanOrEqualTo(ttft);
        assertThat(ServingSimulation.p90(at, ServingSimulation.RequestResult::tpot))
                .isLessThanOrEqualTo(tpot);
        var above = ServingSimulation.run(
                MODEL,
                SCHEDULER,
                1,
                "round-robin",
                Traffic.poisson(1.2 * max, 600, Lengths.fixed(800), Lengths.fixed(128), 5));
        assertThat(ServingSimulation.p90(above, ServingSimulation.RequestResult::ttft) > ttft
                        || ServingSimulation.p90(above, ServingSimulation.RequestResult::tpot) > tpot)
                .isTrue();
    }

    @Test
    void disaggregatedServingSendsEachCacheToTheDecodePoolAndTheTransferShowsInTheLatency() {
        var pool = new ServingSimulation.Pool(MODEL, SCHEDULER, 1);
        var t = Traffic.poisson(0.05, 100, Lengths.fixed(512), Lengths.fixed(128), 1);
        var aggregated = ServingSimulation.run(MODEL, SCHEDULER, 1, "round-robin", t);
        var instant = ServingSimulation.runDisaggregated(pool, pool, 0, 0, "round-robin", t);
        var slow = ServingSimulation.runDisaggregated(pool, pool, 0, 0.1, "round-robin", t);
        for (int i = 0; i < 100; i++) {
            var a = aggregated.requests().get(i);
            var d = instant.requests().get(i);
            var s = slow.requests().get(i);
            // alone, a request's first token is its prefill either way, and a free transfer changes nothing after it
            assertThat(d.ttft()).isCloseTo(a.ttft(), within(1e-12));
            assertThat(d.e2e()).isCloseTo(a.e2e(), within(1e-9));
            // a 100 ms transfer delays everything after the first token by 100 ms
            assertThat(s.ttft()).isCloseTo(a.ttft(), within(1e-12));
            assertThat(s.e2e()).isCloseTo(a.e2e() + 0.1, within(1e-9));
        }
    }

    static Traffic trace(Traffic.Request... rs) {
        return new Traffic("trace", 0, 1, 0, rs.length, null, null, 0, List.of(rs));
    }

    @Test
    void aCachedPrefixIsNotPrefilledAgainButItsContextStillCounts() {
        // two requests with the same 1,024-token prefix 100 s apart: the first has finished long before the second
        var t = trace(new Traffic.Request(0, 1536, 4, 7, 1024), new Traffic.Request(100, 1536, 4, 7, 1024));
        var on = ServingSimulation.run(MODEL, SCHEDULER.withPrefixCaching(true), 1, "round-robin", t);
        var off = ServingSimulation.run(MODEL, SCHEDULER, 1, "round-robin", t);
        // the second prefills the 512 tokens after the prefix (64 cached blocks of 16) at a context offset of 1,024
        double rest = MODEL.mixedStep(
                        0, 0, new long[] {512}, new long[] {1024}, 1, 1, new dev.strata.estimator.latency.StepTime())
                .calibratedSeconds();
        assertThat(on.requests().get(1).ttft()).isCloseTo(rest, within(0.02 * rest));
        // the first computes its whole prompt either way, and without caching so does the second
        double whole = MODEL.mixedStep(
                        0, 0, new long[] {1536}, new long[] {0}, 1, 1, new dev.strata.estimator.latency.StepTime())
                .calibratedSeconds();
        assertThat(on.requests().get(0).ttft()).isCloseTo(whole, within(0.02 * whole));
        assertThat(off.requests().get(1).ttft()).isCloseTo(whole, within(0.02 * whole));
        // 1,024 of the 3,072 prompt tokens came from the cache (exact: whole blocks)
        assertThat(on.prefixHitRate()).isCloseTo(1024.0 / 3072, within(1e-12));
        assertThat(off.prefixHitRate()).isZero();
        // decoding attends to the full context: the time per token is the same with and without the hit
        assertThat(on.requests().get(1).tpot()).isCloseTo(off.requests().get(1).tpot(), within(1e-12));
    }

    @Test
    void aPrefixOfAPartialBlockOrOfAnotherGroupIsNotHit() {
        // the prefix's last 8 tokens fill no whole block: only the first 64 blocks (1,024 tokens) are reused
        var partial = trace(new Traffic.Request(0, 1536, 4, 0, 1032), new Traffic.Request(100, 1536, 4, 0, 1032));
        assertThat(ServingSimulation.run(MODEL, SCHEDULER.withPrefixCaching(true), 1, "round-robin", partial)
                        .prefixHitRate())
                .isCloseTo(1024.0 / 3072, within(1e-12));
        var other = trace(new Traffic.Request(0, 1536, 4, 0, 1024), new Traffic.Request(100, 1536, 4, 1, 1024));
        assertThat(ServingSimulation.run(MODEL, SCHEDULER.withPrefixCaching(true), 1, "round-robin", other)
                        .prefixHitRate())
                .isZero();
    }

    @Test
    void evictionUnderMemoryPressureLowersTheHitRateAndARunRepeats() {
        // 8 groups of a 2,048-token prefix among 400 requests of 2,304 prompt tokens, at a steady rate
        var traffic = Traffic.poisson(4, 400, Lengths.fixed(2304), Lengths.fixed(64), 3)
                .withPrefix(2048, 8);
        var roomy = ServingSimulation.run(MODEL, SCHEDULER.withPrefixCaching(true), 1, "round-robin", traffic);
        // 400 blocks (6,400 tokens) hold a few requests at once and at most two prefixes besides them
        var tight = ServingSimulation.run(
                MODEL, new ServingSimulation.Scheduler(256, 8192, 16, 400, true), 1, "round-robin", traffic);
        // with room for every prefix, all but each group's first request hit 2,048 of 2,304 tokens: at most 8/9 of
        // the prompt tokens; with 8 groups and room for two the hits fall well below
        assertThat(roomy.prefixHitRate()).isGreaterThan(0.8).isLessThanOrEqualTo(2048.0 / 2304);
        assertThat(tight.prefixHitRate()).isLessThan(roomy.prefixHitRate() - 0.2);
        var again = ServingSimulation.run(MODEL, SCHEDULER.withPrefixCaching(true), 1, "round-robin", traffic);
        assertThat(again.requests()).isEqualTo(roomy.requests());
        assertThat(again.prefixHitRate()).isEqualTo(roomy.prefixHitRate());
    }
    /** 420 requests 2 s apart, each 2,304 prompt tokens of which the first 2,048 are group i mod 7's prefix. */
    private static Traffic sevenGroups() {
        Traffic.Request[] rs = new Traffic.Request[420];
        for (int i = 0; i < rs.length; i++) rs[i] = new Traffic.Request(2.0 * i, 2304, 64, i % 7, 2048);
        return trace(rs);
    }

    @Test
    void theCacheAwareRouterKeepsEachPrefixOnOneReplica() {
        // two replicas: round-robin sends request i to replica i mod 2, so every group reaches both and each replica
        // misses each group once (14 misses); cache-aware keeps a group where it first went (7 misses). Requests never
        // overlap (each is done well within 2 s), so every other request hits its 2,048 prefix tokens exactly:
        // (420 - 14) x 2048 / (420 x 2304) = 0.859259 and (420 - 7) x 2048 / (420 x 2304) = 0.874074
        var caching = SCHEDULER.withPrefixCaching(true);
        assertThat(ServingSimulation.run(MODEL, caching, 2, "round-robin", sevenGroups())
                        .prefixHitRate())
                .isCloseTo(406.0 * 2048 / (420 * 2304), within(1e-12));
        assertThat(ServingSimulation.run(MODEL, caching, 2, "cache-aware", sevenGroups())
                        .prefixHitRate())
                .isCloseTo(413.0 * 2048 / (420 * 2304), within(1e-12));
    }

    @Test
    void underMemoryPressureTheCacheAwareRouterKeepsHittingWhereRoundRobinThrashes() {
        // 700 KV blocks a replica (11,200 tokens): a request takes 148 blocks, a prefix 128, so a replica keeps about
        // four prefixes besides the request it runs. Round-robin cycles all seven groups through each replica, and
        // least-recently-used eviction of a cycle longer than the cache misses every time: no hits. Cache-aware gives
        // one replica four groups and the other three, which stay cached: all but the first 7 requests hit, 0.874074
        var tight = new ServingSimulation.Scheduler(256, 8192, 16, 700, true);
        assertThat(ServingSimulation.run(MODEL, tight, 2, "round-robin", sevenGroups())
                        .prefixHitRate())
                .isZero();
        assertThat(ServingSimulation.run(MODEL, tight, 2, "cache-aware", sevenGroups())
                        .prefixHitRate())
                .isCloseTo(413.0 * 2048 / (420 * 2304), within(1e-12));
    }

    @Test
    void theCacheAwareRouterTurnsToTheLeastLoadedWhenLoadsDrift() {
        // every request shares one prefix: cache-aware sends them all to one replica until it has more than 64 in
        // flight and 1.5 times the other's, then balances; 1,000 requests at once end on both replicas
        Traffic.Request[] rs = new Traffic.Request[1000];
        for (int i = 0; i < rs.length; i++) rs[i] = new Traffic.Request(0, 512, 64, 0, 256);
        var r = ServingSimulation.run(MODEL, SCHEDULER.withPrefixCaching(true), 2, "cache-aware", trace(rs));
        assertThat(r.requests()).hasSize(1000);
        // what one replica alone would take, against two sharing the load: the balanced run is faster
        var one = ServingSimulation.run(MODEL, SCHEDULER.withPrefixCaching(true), 1, "cache-aware", trace(rs));
        assertThat(r.makespanSeconds()).isLessThan(0.75 * one.makespanSeconds());
        assertThatThrownBy(() -> ServingSimulation.run(MODEL, SCHEDULER, 2, "sticky", trace(rs)))
                .isInstanceOf(dev.strata.model.InvalidFieldException.class)
                .hasMessageContaining("cache-aware");
    }

    @Test
    void theTimelineHoldsEveryRunningSequenceSecond() {
        // one request alone: it runs from its arrival to its last token, one sequence all the while, so the timeline's
        // integral of running sequences is its end-to-end time (no queue), and its KV use never passes the peak
        var one = ServingSimulation.run(
                MODEL, SCHEDULER, 1, "round-robin", trace(new Traffic.Request(0, 1024, 128, -1, 0)));
        Timeline t = one.timeline();
        double integral = 0;
        for (Timeline.Point p : t.points()) {
            integral += p.sequences() * t.intervalSeconds();
            assertThat(p.kvUtilization()).isBetween(0.0, one.peakKvUtilization() + 1e-12);
        }
        assertThat(integral).isCloseTo(one.requests().get(0).e2e(), within(1e-9));
        assertThat(t.points().size()).isLessThanOrEqualTo(Timeline.BUCKETS);
    }
}
