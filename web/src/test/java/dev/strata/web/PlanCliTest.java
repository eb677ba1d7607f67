package dev.strata.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.web.render.Render;
import org.junit.jupiter.api.Test;

/** {@code strata plan}: its best deployment, simulated again, meets the service levels; one replica fewer does not. */
class PlanCliTest {

    static JsonNode json(String... args) throws Exception {
        Cli r = Cli.run(args);
        assertThat(r.exitCode()).as(r.err()).isZero();
        return Render.MAPPER.readTree(r.out());
    }

    static JsonNode simulate(JsonNode d, int replicas) throws Exception {
        return json(
                "simulate",
                "--model",
                "llama-3-8b",
                "--hardware",
                d.get("hardware").asText(),
                "--devices",
                d.get("devices").asText(),
                "--weights",
                d.get("weights").asText(),
                "--kv",
                d.get("kv").asText(),
                "--replicas",
                Integer.toString(replicas),
                "--rate",
                "40",
                "--requests",
                Integer.toString(400 * replicas),
                "--prompt",
                "lognormal:1000:0.6",
                "--generate",
                "uniform:32:256",
                "--max-seqs",
                d.get("maxSeqs").asText(),
                "--max-batched-tokens",
                d.get("maxBatchedTokens").asText(),
                "--format",
                "json");
    }

    @Test
    void theBestDeploymentMeetsItsServiceLevelsAndOneReplicaFewerDoesNot() throws Exception {
        JsonNode plan = Render.MAPPER.readTree(Cli.run(
                        "plan",
                        "--model",
                        "llama-3-8b",
                        "--rate",
                        "40",
                        "--ttft-p90-ms",
                        "400",
                        "--tpot-p90-ms",
                        "30",
                        "--prompt",
                        "lognormal:1000:0.6",
                        "--generate",
                        "uniform:32:256",
                        "--hardware",
                        "h100-sxm,a100-80gb-sxm",
                        "--requests",
                        "400",
                        "--format",
                        "json")
                .out());
        assertThat(plan.get("candidates").intValue())
                .isGreaterThan(plan.get("simulations").intValue());
        JsonNode best = plan.get("deployments").get(0);
        int replicas = best.get("replicas").intValue();
        assertThat(replicas).isGreaterThan(1); // 40 requests/s is more than one device serves within 30 ms a token
        double cost = best.get("costPerHourUsd").doubleValue();
        for (JsonNode d : plan.get("deployments"))
            assertThat(d.get("costPerHourUsd").doubleValue()).isGreaterThanOrEqualTo(cost);
        JsonNode again = simulate(best, replicas);
        assertThat(again.at("/ttftSeconds/p90").doubleValue()).isLessThanOrEqualTo(0.400);
        assertThat(again.at("/tpotSeconds/p90").doubleValue()).isLessThanOrEqualTo(0.030);
        JsonNode fewer = simulate(best, replicas - 1);
        assertThat(fewer.at("/ttftSeconds/p90").doubleValue() > 0.400
                        || fewer.at("/tpotSeconds/p90").doubleValue() > 0.030)
                .as("one replica fewer misses a service level")
                .isTrue();
        assertThat(plan.get("pareto")).isNotEmpty();
    }

    @Test
    void aPlanWithoutItsServiceLevelsIsRefused() {
        Cli r = Cli.run("plan", "--model", "llama-3-8b", "--rate", "4", "--ttft-p90-ms", "400", "--tpot-p90-ms", "0");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--tpot-p90-ms");
    }

    @Test
    void aCsvHoldsTheDeploymentsOrTheFrontierARowEach() throws Exception {
        String[] args = {
            "--model",
            "qwen3-8b",
            "--rate",
            "4",
            "--ttft-p90-ms",
            "500",
            "--tpot-p90-ms",
            "50",
            "--hardware",
            "h100-sxm,a100-80gb-sxm",
            "--requests",
            "200"
        };
        JsonNode j = plan(args);
        for (String rows : new String[] {"deployments", "pareto"}) {
            Cli r = Cli.run(concat(concat(new String[] {"plan"}, args), "--format", "csv", "--rows", rows));
            assertThat(r.exitCode()).as(r.err()).isZero();
            // read as a spreadsheet reads it: a header, then one record per element of the JSON answer's list
            var records = org.apache.commons.csv.CSVFormat.RFC4180
                    .builder()
                    .setHeader()
                    .setSkipHeaderRecord(true)
                    .build()
                    .parse(new java.io.StringReader(r.out()))
                    .getRecords();
            assertThat(records).hasSize(j.get(rows).size());
            JsonNode first = j.get(rows).get(0);
            assertThat(records.get(0).get("hardware"))
                    .isEqualTo(first.get("hardware").asText());
            String perDevice = rows.equals("pareto") ? "outputTokensPerSecondPerDevice" : "outputTokensPerSecond";
            assertThat(Double.parseDouble(records.get(0).get(perDevice)))
                    .isEqualTo(first.get(perDevice).doubleValue());
        }
        assertThat(refused(concat(args, "--rows", "frontier")))
                .contains("--rows")
                .contains("frontier")
                .contains("deployments or pareto");
    }

    /** Llama 3.1 70B at 4 requests/s within 2 s to the first token and 100 ms a token, 100 requests a simulation. */
    private static final String[] SEVENTY_B = {
        "--model", "llama-3.1-70b", "--rate", "4", "--ttft-p90-ms", "2000", "--tpot-p90-ms", "100", "--requests", "100"
    };

    @Test
    void kvFormatsAreSearchedBesideEveryWeightFormat() throws Exception {
        String[] base = concat(SEVENTY_B, "--hardware", "h100-sxm,a100-80gb-sxm", "--weights", "bf16");
        JsonNode one = plan(base);
        JsonNode two = plan(concat(base, "--kv", "bf16,fp8"));
        // each candidate of the first search twice, once a KV format
        assertThat(two.get("candidates").intValue())
                .isEqualTo(2 * one.get("candidates").intValue());
        java.util.Set<String> kvs = new java.util.TreeSet<>();
        for (JsonNode d : two.get("deployments")) {
            assertThat(d.get("weights").asText()).isEqualTo("bf16");
            kvs.add(d.get("kv").asText());
        }
        for (JsonNode p : two.get("pareto")) assertThat(p.get("kv").asText()).isIn("bf16", "fp8");
        // both formats make the list
        assertThat(kvs).containsExactly("bf16", "fp8");
        assertThat(refused(concat(base, "--kv", "bf16,fp9"))).contains("--kv").contains("fp9");
    }

    @Test
    void tensorAndPipelineDegreesNarrowTheSearch() throws Exception {
        String[] base = concat(SEVENTY_B, "--hardware", "h100-sxm");
        JsonNode two = plan(concat(base, "--tp", "2", "--pp", "1,2"));
        assertThat(two.get("deployments")).isNotEmpty();
        for (JsonNode d : two.get("deployments")) {
            assertThat(d.get("tp").intValue()).isEqualTo(2);
            assertThat(d.get("devices").intValue()).isEqualTo(2 * d.get("pp").intValue());
        }
        // with --devices, the pairs whose product is among them
        for (JsonNode d : plan(concat(base, "--tp", "1,2,4", "--devices", "4")).get("deployments"))
            assertThat(d.get("tp").intValue()).isEqualTo(4);
        // a degree that does not divide the 64 heads, and more stages than layers, are refused naming the option
        assertThat(refused(concat(base, "--tp", "3")))
                .contains("--tp")
                .contains("3")
                .contains("attention heads");
        assertThat(refused(concat(base, "--tp", "1", "--pp", "81")))
                .contains("--pp")
                .contains("80 layers");
    }

    /** The error of {@code plan} with {@code args}: exit code 2. */
    private static String refused(String... args) {
        Cli r = Cli.run(concat(new String[] {"plan"}, args));
        assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
        return r.err();
    }

    private static String[] concat(String[] a, String... b) {
        return java.util.stream.Stream.concat(java.util.Arrays.stream(a), java.util.Arrays.stream(b))
                .toArray(String[]::new);
    }

    static JsonNode plan(String... args) throws Exception {
        String[] all = new String[args.length + 3];
        all[0] = "plan";
        System.arraycopy(args, 0, all, 1, args.length);
        all[args.length + 1] = "--format";
        all[args.length + 2] = "json";
        return json(all);
    }

    /** {@code simulate} of a listed deployment as it stands (split, pools, scheduler) with the plan's traffic. */
    static JsonNode simulateAgain(String model, JsonNode d, String rate, String prompt, String generate)
            throws Exception {
        java.util.List<String> a = new java.util.ArrayList<>(java.util.List.of(
                "simulate",
                "--model",
                model,
                "--hardware",
                d.get("hardware").asText(),
                "--tp",
                d.get("tp").asText(),
                "--pp",
                d.get("pp").asText(),
                "--ep",
                d.get("ep").asText(),
                "--weights",
                d.get("weights").asText(),
                "--kv",
                d.get("kv").asText(),
                "--rate",
                rate,
                "--prompt",
                prompt,
                "--generate",
                generate,
                "--requests",
                Integer.toString(200 * d.get("replicas").intValue()),
                "--max-seqs",
                d.get("maxSeqs").asText(),
                "--max-batched-tokens",
                d.get("maxBatchedTokens").asText(),
                "--format",
                "json"));
        if (d.get("mode").asText().equals("disaggregated"))
            a.addAll(java.util.List.of(
                    "--mode", "disaggregated",
                    "--prefill-replicas", d.get("prefillReplicas").asText(),
                    "--decode-replicas", d.get("decodeReplicas").asText()));
        else a.addAll(java.util.List.of("--replicas", d.get("replicas").asText()));
        return json(a.toArray(String[]::new));
    }

    @Test
    void overHttpTheFirstTokenLevelIncludesTheFrontEnd() throws Exception {
        // a 40 ms first-token level: Llama 3 8B's 256-token prefill on an H100 is a few ms, so offline deployments
        // meet it; over HTTP each request also spends vllm's front end (fitted, about 45 ms), so none can, and every
        // candidate is pruned by its first token (front end + lone prefill) before any simulation
        String[] args = {
            "--model", "llama-3-8b", "--rate", "2", "--ttft-p90-ms", "40", "--tpot-p90-ms", "50", "--prompt", "256",
            "--generate", "64", "--hardware", "h100-sxm", "--weights", "bf16", "--devices", "1", "--requests", "100",
            "--engine", "vllm"
        };
        JsonNode offline = plan(args);
        assertThat(offline.get("client").asText()).isEqualTo("offline");
        assertThat(offline.get("deployments")).isNotEmpty();
        double front = dev.strata.data.GpuPerformance.engine("engine", "vllm").httpFrontendSeconds();
        assertThat(front).isGreaterThan(0.04);
        String[] http = java.util.Arrays.copyOf(args, args.length + 2);
        http[args.length] = "--client";
        http[args.length + 1] = "http";
        JsonNode over = plan(http);
        assertThat(over.get("frontendSeconds").asDouble()).isEqualTo(front);
        assertThat(over.get("deployments")).isEmpty();
        assertThat(over.get("simulations").asInt()).isZero();
        assertThat(over.at("/pruned/fastestFirstTokenSeconds").asDouble()).isGreaterThan(front);
    }

    @Test
    void aMixtureOfExpertsIsPlannedWithExpertParallelismTooAndItsDeploymentMeetsTheLevels() throws Exception {
        // Mixtral 8x7B in bf16 (93 GB) needs two H100s: tensor parallel 2, with the experts split (ep 1) or whole
        // on each rank (ep 2); both are candidates
        JsonNode p = plan(
                "--model",
                "mixtral-8x7b",
                "--rate",
                "10",
                "--ttft-p90-ms",
                "1000",
                "--tpot-p90-ms",
                "60",
                "--hardware",
                "h100-sxm",
                "--weights",
                "bf16",
                "--devices",
                "2",
                "--mode",
                "aggregated",
                "--requests",
                "200");
        JsonNode withEp = null;
        for (JsonNode d : p.get("deployments")) if (d.get("ep").intValue() > 1) withEp = d;
        assertThat(withEp).as("a deployment with expert parallelism").isNotNull();
        assertThat(withEp.get("ep").intValue()).isEqualTo(2);
        assertThat(withEp.get("mode").asText()).isEqualTo("aggregated");
        JsonNode again = simulateAgain("mixtral-8x7b", withEp, "10", "512", "128");
        assertThat(again.at("/ttftSeconds/p90").doubleValue()).isLessThanOrEqualTo(1.0);
        assertThat(again.at("/tpotSeconds/p90").doubleValue()).isLessThanOrEqualTo(0.060);
    }

    @Test
    void longPromptsAndATightTimePerTokenAreServedCheapestByDisaggregatedPools() throws Exception {
        // 4,000-token prompts mixed into decode steps stretch their time per token past 12 ms unless the replicas
        // are many and lightly loaded; a prefill pool and a decode pool keep decode steps free of prefill chunks
        String[] args = {
            "--model",
            "llama-3-8b",
            "--rate",
            "10",
            "--ttft-p90-ms",
            "2000",
            "--tpot-p90-ms",
            "12",
            "--prompt",
            "4000",
            "--generate",
            "256",
            "--hardware",
            "h100-sxm",
            "--devices",
            "1",
            "--weights",
            "bf16",
            "--requests",
            "200"
        };
        JsonNode p = plan(args);
        JsonNode best = p.get("deployments").get(0);
        assertThat(best.get("mode").asText()).isEqualTo("disaggregated");
        int pre = best.get("prefillReplicas").intValue(),
                dec = best.get("decodeReplicas").intValue();
        assertThat(pre + dec).isEqualTo(best.get("replicas").intValue());
        // the cost counts both pools: replicas x devices x the device's hourly price
        JsonNode aggregated = null;
        for (JsonNode d : p.get("deployments")) if (d.get("mode").asText().equals("aggregated")) aggregated = d;
        assertThat(aggregated).isNotNull();
        assertThat(best.get("costPerHourUsd").doubleValue())
                .isLessThan(aggregated.get("costPerHourUsd").doubleValue());
        JsonNode again = simulateAgain("llama-3-8b", best, "10", "4000", "256");
        assertThat(again.at("/mode").asText()).isEqualTo("disaggregated");
        assertThat(again.at("/ttftSeconds/p90").doubleValue()).isLessThanOrEqualTo(2.0);
        assertThat(again.at("/tpotSeconds/p90").doubleValue()).isLessThanOrEqualTo(0.012);
        // restricted to one mode, the plan lists only that mode
        String[] onlyAggregated = java.util.Arrays.copyOf(args, args.length + 2);
        onlyAggregated[args.length] = "--mode";
        onlyAggregated[args.length + 1] = "aggregated";
        for (JsonNode d : plan(onlyAggregated).get("deployments"))
            assertThat(d.get("mode").asText()).isEqualTo("aggregated");
    }

    @Test
    void badModesAndExpertDegreesAreRefusedNamingTheOption() {
        Cli mode = Cli.run(
                "plan",
                "--model",
                "llama-3-8b",
                "--rate",
                "4",
                "--ttft-p90-ms",
                "400",
                "--tpot-p90-ms",
                "30",
                "--mode",
                "split");
        assertThat(mode.exitCode()).isEqualTo(2);
        assertThat(mode.err()).contains("--mode").contains("split").contains("aggregated");
        Cli dense = Cli.run(
                "plan",
                "--model",
                "llama-3-8b",
                "--rate",
                "4",
                "--ttft-p90-ms",
                "400",
                "--tpot-p90-ms",
                "30",
                "--ep",
                "2");
        assertThat(dense.exitCode()).isEqualTo(2);
        assertThat(dense.err()).contains("--ep").contains("without experts");
        Cli zero = Cli.run(
                "plan",
                "--model",
                "mixtral-8x7b",
                "--rate",
                "4",
                "--ttft-p90-ms",
                "400",
                "--tpot-p90-ms",
                "30",
                "--ep",
                "0");
        assertThat(zero.exitCode()).isEqualTo(2);
        assertThat(zero.err()).contains("--ep");
    }
}
