package dev.strata.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.data.GpuPerformance;
import dev.strata.web.render.Render;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code strata simulate}: the contract's names, a trace, CSV per request, and errors that name the option. */
class SimulateCliTest {

    static JsonNode json(String... args) throws Exception {
        Cli r = Cli.run(args);
        assertThat(r.exitCode()).as(r.err()).isZero();
        return Render.MAPPER.readTree(r.out());
    }

    @Test
    void theSummaryHasTheContractsNamesAndLittlesLawHolds() throws Exception {
        String[] args = {
            "simulate",
            "--model",
            "llama-3-8b",
            "--hardware",
            "h100-sxm",
            "--rate",
            "8",
            "--requests",
            "600",
            "--prompt",
            "lognormal:800:0.5",
            "--generate",
            "uniform:32:256",
            "--ttft-p90-ms",
            "300",
            "--tpot-p90-ms",
            "40",
            "--format",
            "json"
        };
        JsonNode j = json(args);
        for (String q : new String[] {"ttftSeconds", "tpotSeconds", "e2eSeconds", "itlSeconds"})
            for (String s : new String[] {"mean", "p50", "p90", "p99"})
                assertThat(j.at("/" + q + "/" + s).doubleValue())
                        .as(q + "." + s)
                        .isPositive()
                        .isFinite();
        // every gap between a request's consecutive tokens (ServingSimulationTest checks that they add up)
        assertThat(j.at("/itlSeconds/p50").doubleValue())
                .isLessThanOrEqualTo(j.at("/itlSeconds/p90").doubleValue());
        assertThat(j.at("/itlSeconds/p90").doubleValue())
                .isLessThanOrEqualTo(j.at("/itlSeconds/p99").doubleValue());
        assertThat(j.at("/requests/completed").intValue()).isEqualTo(600);
        assertThat(j.at("/throughput/outputTokensPerSecondPerDevice").doubleValue())
                .isPositive();
        assertThat(j.at("/goodput/requestsPerSecond").doubleValue())
                .isLessThanOrEqualTo(j.at("/throughput/requestsPerSecond").doubleValue());
        assertThat(j.at("/batch/max").intValue()).isGreaterThanOrEqualTo(1);
        assertThat(j.at("/kvCache/peakUtilization").doubleValue()).isBetween(0.0, 1.0);
        assertThat(j.has("perRequest")).isFalse();
        // Little's law, L = lambda W, within 2 % (the tolerance)
        double l = j.at("/littlesLaw/meanInSystem").doubleValue();
        assertThat(l).isCloseTo(j.at("/littlesLaw/arrivalRateTimesMeanLatency").doubleValue(), within(0.02 * l));
        // the same seed, the same run
        assertThat(json(args)).isEqualTo(j);
    }

    @Test
    void aTraceIsServedAsWrittenAndCsvGivesOneRowPerRequest(@TempDir Path dir) throws Exception {
        Path trace = dir.resolve("trace.csv");
        Files.writeString(
                trace, "arrival_seconds,prompt_tokens,output_tokens,group\n0,100,10,a\n0.5,2000,20,b\n1.0,300,5,a\n");
        Cli r = Cli.run(
                "simulate",
                "--model",
                "llama-3-8b",
                "--hardware",
                "h100-sxm",
                "--trace",
                trace.toString(),
                "--format",
                "csv");
        assertThat(r.exitCode()).as(r.err()).isZero();
        String[] lines = r.out().trim().split("\n");
        assertThat(lines).hasSize(4); // header and three requests
        assertThat(lines[0]).contains("ttftSeconds").contains("e2eSeconds");
        assertThat(lines[2]).startsWith("0.5,2000,20,");
        // the trace is the traffic: an option that would draw other traffic is refused, naming it
        for (String[] drawn : new String[][] {{"--rate", "4"}, {"--prompt", "512"}, {"--requests", "10"}}) {
            Cli beside = Cli.run(
                    "simulate",
                    "--model",
                    "llama-3-8b",
                    "--hardware",
                    "h100-sxm",
                    "--trace",
                    trace.toString(),
                    drawn[0],
                    drawn[1]);
            assertThat(beside.exitCode()).isEqualTo(2);
            assertThat(beside.err()).contains(drawn[0]).contains("a trace gives each request's arrival");
        }
        Files.writeString(trace, "arrival_seconds,prompt_tokens\n0,100\n");
        Cli bad = Cli.run("simulate", "--model", "llama-3-8b", "--hardware", "h100-sxm", "--trace", trace.toString());
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("--trace").contains("output_tokens");
    }

    @Test
    void lengthsDrawnFromADatasetKeepEachRowsPromptAndOutputTogether(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("lengths.csv");
        // a dataset's columns (any others beside them), as a benchmark's prompts and answers measure
        Files.writeString(
                data,
                "conversation,prompt_tokens,output_tokens\n" + "a,120,30\n" + "\"b, with a comma\",900,4\n"
                        + "c,45,260\n");
        Cli r = Cli.run(
                "simulate",
                "--model",
                "llama-3-8b",
                "--hardware",
                "h100-sxm",
                "--rate",
                "4",
                "--requests",
                "300",
                "--prompt",
                "empirical:" + data + ":prompt_tokens",
                "--generate",
                "empirical:" + data + ":output_tokens",
                "--format",
                "csv");
        assertThat(r.exitCode()).as(r.err()).isZero();
        String[] lines = r.out().trim().split("\n");
        assertThat(lines).hasSize(301);
        java.util.Set<String> pairs = new java.util.HashSet<>();
        for (int i = 1; i < lines.length; i++) {
            String[] c = lines[i].split(",");
            pairs.add(c[1] + "/" + c[2]); // arrival, prompt, output, ...
        }
        // every request is one of the rows, and all three rows turn up in 300 draws
        assertThat(pairs).containsExactlyInAnyOrder("120/30", "900/4", "45/260");
        // plan takes the same form
        JsonNode plan = json(
                "plan",
                "--model",
                "llama-3-8b",
                "--hardware",
                "h100-sxm",
                "--rate",
                "2",
                "--requests",
                "100",
                "--ttft-p90-ms",
                "2000",
                "--tpot-p90-ms",
                "100",
                "--prompt",
                "empirical:" + data + ":prompt_tokens",
                "--generate",
                "empirical:" + data + ":output_tokens",
                "--format",
                "json");
        assertThat(plan.get("deployments")).isNotEmpty();
        // errors name the option, the file or the cell, and what is allowed
        assertThat(refused("--prompt", "empirical:" + dir.resolve("none.csv") + ":prompt_tokens"))
                .contains("--prompt")
                .contains("none.csv")
                .contains("an existing CSV file");
        assertThat(refused("--generate", "empirical:" + data + ":answer_tokens"))
                .contains("--generate")
                .contains("answer_tokens")
                .contains("output_tokens");
        Files.writeString(data, "prompt_tokens\n120\nmany\n");
        assertThat(refused("--prompt", "empirical:" + data + ":prompt_tokens"))
                .contains("--prompt")
                .contains("row 2 prompt_tokens = many")
                .contains("whole number");
        assertThat(refused("--prompt", "empirical:" + data))
                .contains("--prompt")
                .contains("empirical:FILE.csv:COLUMN");
    }

    /** The error of a simulation with {@code option value} beside a model, a device and a rate: exit code 2. */
    private static String refused(String option, String value) {
        Cli r = Cli.run("simulate", "--model", "llama-3-8b", "--hardware", "h100-sxm", "--rate", "4", option, value);
        assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
        return r.err();
    }

    @Test
    void disaggregatedServingSendsTheCacheOverTheDeviceLink() throws Exception {
        JsonNode j = json(
                "simulate",
                "--model",
                "llama-3-8b",
                "--hardware",
                "h100-sxm",
                "--rate",
                "4",
                "--requests",
                "300",
                "--mode",
                "disaggregated",
                "--prefill-replicas",
                "1",
                "--decode-replicas",
                "2",
                "--format",
                "json");
        assertThat(j.at("/mode").asText()).isEqualTo("disaggregated");
        assertThat(j.at("/decodeReplicas").intValue()).isEqualTo(2);
        // Llama 3 8B's bf16 KV cache, 131,072 bytes a token, over NVLink 4's 900 GB/s at the communication
        // efficiency of the GPU model (0.70)
        assertThat(j.at("/transferSecondsPerToken").doubleValue()).isCloseTo(131_072 / (900e9 * 0.7), within(1e-15));
        assertThat(j.at("/requests/completed").intValue()).isEqualTo(300);
        Cli mixed = Cli.run(
                "simulate",
                "--model",
                "llama-3-8b",
                "--hardware",
                "h100-sxm",
                "--rate",
                "4",
                "--mode",
                "disaggregated",
                "--replicas",
                "2");
        assertThat(mixed.exitCode()).isEqualTo(2);
        assertThat(mixed.err()).contains("--replicas").contains("--prefill-replicas");
    }

    @Test
    void badTrafficIsRefusedNamingTheOption() {
        Cli noRate = Cli.run("simulate", "--model", "llama-3-8b", "--hardware", "h100-sxm");
        assertThat(noRate.exitCode()).isEqualTo(2);
        assertThat(noRate.err()).contains("--rate is missing");
        Cli badLength = Cli.run(
                "simulate",
                "--model",
                "llama-3-8b",
                "--hardware",
                "h100-sxm",
                "--rate",
                "1",
                "--prompt",
                "lognormal:x:1");
        assertThat(badLength.exitCode()).isEqualTo(2);
        assertThat(badLength.err()).contains("--prompt").contains("lognormal:MEAN:SIGMA");
        Cli both = Cli.run(
                "simulate", "--model", "llama-3-8b", "--hardware", "h100-sxm", "--rate", "1", "--concurrency", "4");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).contains("--concurrency");
        Cli noHardware = Cli.run("simulate", "--model", "llama-3-8b", "--rate", "1");
        assertThat(noHardware.exitCode()).isEqualTo(2);
        assertThat(noHardware.err()).contains("--hardware");
        Cli tooLong = Cli.run(
                "simulate",
                "--model",
                "gpt2",
                "--hardware",
                "l40s",
                "--rate",
                "1",
                "--prompt",
                "1000000",
                "--requests",
                "1");
        assertThat(tooLong.exitCode()).isEqualTo(2);
    }

    @Test
    void aTracesSharedPrefixesAreServedFromTheCacheUnlessCachingIsOff(@TempDir Path dir) throws Exception {
        Path trace = dir.resolve("prefix.csv");
        // a system prompt of 1,024 tokens shared by group "sys"; the third request has no prefix
        Files.writeString(
                trace,
                "arrival_seconds,prompt_tokens,output_tokens,prefix_group,prefix_tokens\n"
                        + "0,1536,8,sys,1024\n30,1536,8,sys,1024\n60,512,8,,\n");
        String[] args = {
            "simulate",
            "--model",
            "llama-3-8b",
            "--hardware",
            "h100-sxm",
            "--trace",
            trace.toString(),
            "--format",
            "json"
        };
        JsonNode on = json(args);
        // the second request's 64 full blocks of 16 come from the cache: 1,024 of 1,536 + 1,536 + 512 prompt tokens
        assertThat(on.at("/kvCache/prefixHitRate").doubleValue()).isCloseTo(1024.0 / 3584, within(1e-12));
        assertThat(on.at("/scheduler/prefixCaching").booleanValue()).isTrue();
        String[] offArgs = java.util.Arrays.copyOf(args, args.length + 2);
        offArgs[args.length] = "--prefix-caching";
        offArgs[args.length + 1] = "false";
        JsonNode off = json(offArgs);
        assertThat(off.at("/kvCache/prefixHitRate").doubleValue()).isZero();
        Files.writeString(trace, "arrival_seconds,prompt_tokens,output_tokens,prefix_group\n0,100,8,a\n");
        Cli noTokens =
                Cli.run("simulate", "--model", "llama-3-8b", "--hardware", "h100-sxm", "--trace", trace.toString());
        assertThat(noTokens.exitCode()).isEqualTo(2);
        assertThat(noTokens.err()).contains("--trace").contains("prefix_tokens");
        Files.writeString(
                trace, "arrival_seconds,prompt_tokens,output_tokens,prefix_group,prefix_tokens\n0,100,8,a,200\n");
        Cli tooLong =
                Cli.run("simulate", "--model", "llama-3-8b", "--hardware", "h100-sxm", "--trace", trace.toString());
        assertThat(tooLong.exitCode()).isEqualTo(2);
        assertThat(tooLong.err()).contains("--trace").contains("prefix_tokens = 200");
        // the hit shortens the mean time to first token (the first and third requests are the same either way)
        assertThat(on.at("/ttftSeconds/mean").doubleValue())
                .isLessThan(off.at("/ttftSeconds/mean").doubleValue());
    }

    @Test
    void drawnTrafficTakesASharedPrefixAndBadPrefixOptionsAreRefused() throws Exception {
        String[] args = {
            "simulate",
            "--model",
            "llama-3-8b",
            "--hardware",
            "h100-sxm",
            "--rate",
            "2",
            "--requests",
            "200",
            "--prompt",
            "1024",
            "--prefix-tokens",
            "768",
            "--prefix-groups",
            "4",
            "--format",
            "json"
        };
        JsonNode j = json(args);
        // 4 groups, 200 requests far below the KV capacity: every request after its group's first hits 768 of 1,024
        // tokens (48 whole blocks), so the rate is (200 - 4) x 768 / (200 x 1,024) = 0.735, exact
        assertThat(j.at("/kvCache/prefixHitRate").doubleValue()).isCloseTo(196 * 768.0 / (200 * 1024), within(1e-12));
        assertThat(j.at("/traffic/prefixGroups").intValue()).isEqualTo(4);
        assertThat(json(args)).isEqualTo(j); // the same seed, the same run
        Cli bad = Cli.run(
                "simulate",
                "--model",
                "llama-3-8b",
                "--hardware",
                "h100-sxm",
                "--rate",
                "2",
                "--prefix-caching",
                "yes");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("--prefix-caching").contains("yes").contains("true or false");
        Cli groupsOnly = Cli.run(
                "simulate", "--model", "llama-3-8b", "--hardware", "h100-sxm", "--rate", "2", "--prefix-groups", "3");
        assertThat(groupsOnly.exitCode()).isEqualTo(2);
        assertThat(groupsOnly.err()).contains("--prefix-tokens is missing");
        Cli negative = Cli.run(
                "simulate", "--model", "llama-3-8b", "--hardware", "h100-sxm", "--rate", "2", "--prefix-tokens", "-5");
        assertThat(negative.exitCode()).isEqualTo(2);
        assertThat(negative.err()).contains("--prefix-tokens");
    }

    /** Llama 3 8B on an H100, 20 requests at 2 per second: what a test of the scheduler's settings simulates. */
    private static final String[] LIGHT_LOAD = {
        "simulate",
        "--model",
        "llama-3-8b",
        "--hardware",
        "h100-sxm",
        "--requests",
        "20",
        "--rate",
        "2",
        "--format",
        "json"
    };

    @Test
    void theSchedulerLimitsDefaultToTheEnginesOwn() throws Exception {
        String[] base = LIGHT_LOAD;
        // TensorRT-LLM's BuildConfig: 2048 sequences, 8192 tokens a step (SchedulerDefaults)
        JsonNode trt = json(concat(base, "--engine", "trtllm"));
        assertThat(trt.at("/scheduler/maxSeqs").intValue()).isEqualTo(2048);
        assertThat(trt.at("/scheduler/maxBatchedTokens").longValue()).isEqualTo(8192);
        assertThat(trt.at("/scheduler/defaultsBasis").asText()).contains("TensorRT-LLM");
        // vLLM V1's server on a GPU of 70 GiB or more that is not an A100: 1024 and 8192; on an A100: 256 and 2048
        JsonNode vllm = json(concat(base, "--engine", "vllm"));
        assertThat(vllm.at("/scheduler/maxSeqs").intValue()).isEqualTo(1024);
        assertThat(vllm.at("/scheduler/defaultsBasis").asText()).contains("vLLM");
        JsonNode a100 = json(
                "simulate",
                "--model",
                "llama-3-8b",
                "--hardware",
                "a100-80gb-sxm",
                "--engine",
                "vllm",
                "--requests",
                "20",
                "--rate",
                "2",
                "--format",
                "json");
        assertThat(a100.at("/scheduler/maxSeqs").intValue()).isEqualTo(256);
        assertThat(a100.at("/scheduler/maxBatchedTokens").longValue()).isEqualTo(2048);
        // a limit given is kept, the other one is the engine's; both given: no defaults to name
        JsonNode one = json(concat(base, "--engine", "vllm", "--max-seqs", "64"));
        assertThat(one.at("/scheduler/maxSeqs").intValue()).isEqualTo(64);
        assertThat(one.at("/scheduler/maxBatchedTokens").longValue()).isEqualTo(8192);
        JsonNode both = json(concat(base, "--max-seqs", "64", "--max-batched-tokens", "4096"));
        assertThat(both.at("/scheduler/maxBatchedTokens").longValue()).isEqualTo(4096);
        assertThat(both.at("/scheduler").has("defaultsBasis")).isFalse();
    }

    @Test
    void theCapacityPolicyDefaultsToTheEnginesOwnAndABadOneIsNamed() throws Exception {
        String[] base = LIGHT_LOAD;
        // TensorRT-LLM's GUARANTEED_NO_EVICT, SGLang's prefill-first scheduler, vLLM's preemption
        assertThat(json(concat(base, "--engine", "trtllm"))
                        .at("/scheduler/capacityPolicy")
                        .asText())
                .isEqualTo("guaranteed-no-evict");
        assertThat(json(concat(base, "--engine", "sglang"))
                        .at("/scheduler/capacityPolicy")
                        .asText())
                .isEqualTo("prefill-first");
        assertThat(json(concat(base, "--engine", "vllm"))
                        .at("/scheduler/capacityPolicy")
                        .asText())
                .isEqualTo("max-utilization");
        JsonNode chosen = json(concat(base, "--engine", "vllm", "--capacity-policy", "prefill-first"));
        assertThat(chosen.at("/scheduler/capacityPolicy").asText()).isEqualTo("prefill-first");
        assertThat(chosen.at("/requests/completed").intValue()).isEqualTo(20);
        Cli bad = Cli.run(concat(base, "--capacity-policy", "greedy"));
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("--capacity-policy").contains("greedy").contains("prefill-first");
    }

    @Test
    void anHttpClientAddsTheEnginesFrontEndToEachRequestsTimeToFirstToken() throws Exception {
        // Poisson arrivals: the front end delays every arrival at the engine by the same time, so the engine's steps
        // are unchanged and each request's time to first token grows by exactly that time (the mean too; 1e-9 s)
        String[] base = concat(LIGHT_LOAD, "--engine", "vllm");
        JsonNode offline = json(base);
        assertThat(offline.at("/scheduler/client").asText()).isEqualTo("offline");
        assertThat(offline.at("/scheduler/frontendSeconds").doubleValue()).isZero();
        JsonNode http = json(concat(base, "--client", "http"));
        double front = GpuPerformance.engine("engine", "vllm").httpFrontendSeconds();
        assertThat(http.at("/scheduler/frontendSeconds").doubleValue())
                .isEqualTo(front)
                .isPositive();
        assertThat(http.at("/ttftSeconds/mean").doubleValue())
                .isCloseTo(offline.at("/ttftSeconds/mean").doubleValue() + front, within(1e-9));
        assertThat(http.at("/tpotSeconds/mean").doubleValue())
                .isCloseTo(offline.at("/tpotSeconds/mean").doubleValue(), within(1e-12));
        JsonNode given = json(concat(base, "--client", "http", "--frontend-ms", "5"));
        assertThat(given.at("/scheduler/frontendSeconds").doubleValue()).isEqualTo(0.005);
        Cli bad = Cli.run(concat(base, "--client", "grpc"));
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("--client").contains("grpc").contains("offline or http");
        // an engine without a measured front end, or a device without an engine profile: the time must be given
        Cli none = Cli.run(concat(LIGHT_LOAD, "--engine", "llamacpp", "--client", "http"));
        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.err()).contains("--client http").contains("llamacpp").contains("--frontend-ms");
        Cli negative = Cli.run(concat(base, "--frontend-ms", "-1"));
        assertThat(negative.exitCode()).isEqualTo(2);
        assertThat(negative.err()).contains("--frontend-ms");
    }

    @Test
    void burstinessZeroSendsRequestsEvenlySpaced() throws Exception {
        JsonNode even = json(concat(LIGHT_LOAD, "--burstiness", "0"));
        assertThat(even.at("/traffic/arrivals").asText()).isEqualTo("constant");
        assertThat(even.at("/traffic/ratePerSecond").doubleValue()).isEqualTo(2.0);
        assertThat(even.at("/requests/completed").intValue()).isEqualTo(20);
        Cli negative = Cli.run(concat(LIGHT_LOAD, "--burstiness", "-1"));
        assertThat(negative.exitCode()).isEqualTo(2);
        assertThat(negative.err()).contains("--burstiness").contains("0 (evenly spaced) to 100");
    }

    @Test
    void theCacheAwareRouterRaisesTheHitRateOfSharedPrefixesOverRoundRobin() throws Exception {
        // four replicas, 16 system prompts of 2,048 tokens in prompts of 2,304: round-robin spreads every prefix over
        // every replica, cache-aware keeps each on one, so fewer first-time misses (ServingSimulationTest has exact
        // cases)
        String[] base = {
            "simulate", "--model", "llama-3-8b", "--hardware", "h100-sxm", "--replicas", "4", "--rate", "8",
            "--requests", "400", "--prompt", "2304", "--generate", "64", "--prefix-tokens", "2048", "--prefix-groups",
            "16", "--format", "json"
        };
        double rr = json(concat(base, "--router", "round-robin"))
                .at("/kvCache/prefixHitRate")
                .doubleValue();
        JsonNode ca = json(concat(base, "--router", "cache-aware"));
        assertThat(ca.at("/scheduler/router").asText()).isEqualTo("cache-aware");
        assertThat(ca.at("/kvCache/prefixHitRate").doubleValue()).isGreaterThan(rr);
        Cli bad = Cli.run(concat(base, "--router", "sticky"));
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("--router").contains("sticky").contains("cache-aware");
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
