package dev.strata.estimator.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Percentage.withPercentage;

import dev.strata.model.InvalidFieldException;
import org.junit.jupiter.api.Test;

class ServingCostTest {
    @Test
    void costPerMillionTokensFollowsFromThroughputAndPrice() {
        // 8 devices at USD 2.5/h = USD 20/h = 1/180 USD/s; at 2,000 tokens/s: 1e6 tokens take 500 s = USD 2.777...
        assertThat(ServingCost.perMillionOutputTokensUsd(2000, 8, 2.5)).isCloseTo(500.0 / 180, withPercentage(1e-12));
    }

    @Test
    void aRequestPaysItsShareOfTheBatchAndItsPrefill() {
        // step 20 ms at batch 16: 800 tokens/s; 1 device at USD 3.6/h = 0.001 USD/s; 200 output tokens take 4 s, shared
        // by 16 sequences (0.25 s of the device), plus 0.1 s prefill in full: 0.35 s = USD 0.00035
        ServingCostEstimate e = ServingCost.at(b -> 0.020, 16, 1, 3.6, 200, 0.1);
        assertThat(e.outputTokensPerSecond()).isCloseTo(800, withPercentage(1e-12));
        assertThat(e.secondsPerRequest()).isCloseTo(4.1, withPercentage(1e-12));
        assertThat(e.costPerRequestUsd()).isCloseTo(0.00035, withPercentage(1e-9));
        assertThat(e.costPerMillionOutputTokensUsd()).isCloseTo(1e6 / 800 * 0.001, withPercentage(1e-9));
    }

    @Test
    void theCheapestBatchIsTheLargestThatMeetsTheTimePerTokenTarget() {
        // t(b) = 10 ms + b x 0.1 ms: cost per token (t(b)/b) falls with b, so the cheapest batch meeting 30 ms per
        // token
        // is the largest with 10 + 0.1 b <= 30: b = 200
        StepTimeModel model = StepTimeModel.linear(0.010, 0.0001);
        ServingCostEstimate best = ServingCost.cheapestBatch(model, 4096, 0.030, 1, 2, 100, 0);
        assertThat(best.batch()).isEqualTo(200);
        assertThat(best.decodeStepSeconds()).isCloseTo(0.030, withPercentage(1e-9));
        // a memory limit below that wins
        assertThat(ServingCost.cheapestBatch(model, 64, 0.030, 1, 2, 100, 0).batch())
                .isEqualTo(64);
        assertThatThrownBy(() -> ServingCost.cheapestBatch(model, 64, 0.005, 1, 2, 100, 0))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessageStartingWith(
                        "max-seconds-per-token = 0.005 is not allowed: must be at least the step time at batch 1");
    }

    @Test
    void aMeasuredThroughputAnswersOnlyItsOwnBatch() {
        StepTimeModel measured = StepTimeModel.measured(32, 1600);
        assertThat(ServingCost.at(measured, 32, 1, 2, 10, 0).decodeStepSeconds())
                .isCloseTo(0.02, withPercentage(1e-12));
        assertThatThrownBy(() -> measured.decodeStepSeconds(8)).hasMessageStartingWith("batch = 8 is not allowed");
    }
}
