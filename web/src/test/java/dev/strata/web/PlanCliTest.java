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
}
