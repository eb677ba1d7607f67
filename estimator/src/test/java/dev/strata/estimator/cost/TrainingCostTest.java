package dev.strata.estimator.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.data.Percentage.withPercentage;

import dev.strata.estimator.scaling.TrainingCompute;
import dev.strata.model.InvalidFieldException;
import org.junit.jupiter.api.Test;

class TrainingCostTest {
    @Test
    void aRunOfKnownSizeTakesTheTimeMoneyAndEnergyOfItsDefinition() {
        // 1e24 FLOPs on 1,000 devices of 1e15 FLOP/s at 50 % MFU: 1e24 / (1e3 x 1e15 x 0.5) = 2e6 s (23.1 days);
        // device-hours 1e3 x 2e6 / 3600 = 555,555.6; at USD 2: 1,111,111.1; at 700 W and PUE 1.2: 466,666.7 kWh
        TrainingCostEstimate e = TrainingCost.estimate(new TrainingRun(1e24, 1e15, 1000, 0.5, 2, 700, 1.2));
        assertThat(e.wallSeconds()).isCloseTo(2e6, withPercentage(1e-12));
        assertThat(e.deviceHours()).isCloseTo(2e9 / 3600, withPercentage(1e-12));
        assertThat(e.costUsd()).isCloseTo(4e9 / 3600, withPercentage(1e-12));
        assertThat(e.energyKwh().orElseThrow()).isCloseTo(2e9 / 3600 * 700 * 1.2 / 1000, withPercentage(1e-12));
        assertThat(e.achievedFlopsPerSecondPerDevice()).isEqualTo(5e14);
    }

    @Test
    void theImpliedMfuInvertsTheEstimate() {
        TrainingCostEstimate e = TrainingCost.estimate(new TrainingRun(3.14e23, 312e12, 64, 0.37, 1.2, 400, 1.1));
        assertThat(TrainingCost.impliedMfu(3.14e23, e.deviceHours(), 312e12)).isCloseTo(0.37, within(1e-12));
    }

    @Test
    void withoutPowerThereIsNoEnergyEstimate() {
        assertThat(TrainingCost.estimate(new TrainingRun(1e20, 197e12, 8, 0.4, 1.2, 0, 1.2))
                        .energyKwh())
                .isEmpty();
    }

    @Test
    void gpt3TrainingComputeFollowsSixND() {
        // Brown et al. 2020 (GPT-3), Table D.1: 175B parameters on 300B tokens, 3.14e23 FLOPs; 6ND = 3.15e23
        assertThat(TrainingCompute.flops(175e9, 300e9)).isCloseTo(3.14e23, withPercentage(0.5));
    }

    @Test
    void badInputIsRefusedNamingTheField() {
        assertThatThrownBy(() -> new TrainingRun(1e24, 1e15, 0, 0.5, 2, 700, 1.2))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessageStartingWith("devices = 0 is not allowed");
        assertThatThrownBy(() -> new TrainingRun(1e24, 1e15, 8, 1.5, 2, 700, 1.2))
                .hasMessageStartingWith("mfu = 1.5 is not allowed");
        assertThatThrownBy(() -> new TrainingRun(1e24, 1e15, 8, 0.4, 2, 700, 0.9))
                .hasMessageStartingWith("pue = 0.9 is not allowed");
        assertThatThrownBy(() -> TrainingCost.impliedMfu(1e24, 0, 1e15))
                .hasMessageStartingWith("device-hours = 0.0 is not allowed");
    }
}
