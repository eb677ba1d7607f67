package dev.strata.estimator.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.model.InvalidFieldException;
import dev.strata.model.NumericFormat;
import dev.strata.model.Optimizer;
import dev.strata.model.Precision;
import org.junit.jupiter.api.Test;

class ModelStatesTest {
    private static final long PSI = 7_500_000_000L;

    @Test
    void reproducesTheZeroPapersExampleFor7_5BParametersOn64Ranks() {
        // ZeRO (arXiv:1910.02054) Figure 1 / §5: Ψ = 7.5B, N_d = 64, K = 12: 120 GB, 31.4 GB, 16.6 GB, 1.9 GB.
        // The formula values are exact: 16Ψ = 120e9, 4Ψ + 12Ψ/64 = 31.40625e9, 2Ψ + 14Ψ/64 = 16.640625e9,
        // 16Ψ/64 = 1.875e9; rounded to 0.1 GB they are the printed figures.
        assertThat(zero(0)).isEqualTo(120_000_000_000L);
        assertThat(zero(1)).isEqualTo(31_406_250_000L);
        assertThat(zero(2)).isEqualTo(16_640_625_000L);
        assertThat(zero(3)).isEqualTo(1_875_000_000L);
        assertThat(Math.round(zero(1) / 1e8) / 10.0).isEqualTo(31.4);
        assertThat(Math.round(zero(2) / 1e8) / 10.0).isEqualTo(16.6);
        assertThat(Math.round(zero(3) / 1e8) / 10.0).isEqualTo(1.9);
    }

    private static long zero(int stage) {
        return ModelStates.perDevice(PSI, Precision.MIXED_BF16, Optimizer.ADAMW, stage, 64)
                .total();
    }

    @Test
    void namesTheTermsOfMixedPrecisionAdam() {
        // ZeRO §3.1: 2Ψ weights + 2Ψ gradients + (4 + 4 + 4)Ψ master, momentum, variance; exact
        ModelStateBytes b = ModelStates.perDevice(1000, Precision.MIXED_BF16, Optimizer.ADAMW, 0, 1);
        assertThat(b).isEqualTo(new ModelStateBytes(2000, 2000, 4000, 8000));
        // stage 2 over 4 ranks: weights whole, gradients, master and states quartered
        assertThat(ModelStates.perDevice(1000, Precision.MIXED_BF16, Optimizer.ADAMW, 2, 4))
                .isEqualTo(new ModelStateBytes(2000, 500, 1000, 2000));
    }

    @Test
    void eightBitAdamAndSgdFollowFromTheirStateFormats() {
        // 8-bit Adam (arXiv:2110.02861 §2): 2 states x (1 byte + 4-byte absmax per 2048); 2048 params -> 2 x 2052;
        // exact
        Precision adam8 = Precision.of(NumericFormat.BF16, NumericFormat.BF16, Optimizer.ADAM_8BIT);
        assertThat(ModelStates.perDevice(2048, adam8, Optimizer.ADAM_8BIT, 0, 1).optimizerStates())
                .isEqualTo(2 * 2052);
        // SGD with momentum: one fp32 state; 2 + 2 + 4 + 4 = 12 bytes per parameter; exact
        Precision sgd = Precision.of(NumericFormat.BF16, NumericFormat.BF16, Optimizer.SGD);
        assertThat(ModelStates.perDevice(1000, sgd, Optimizer.SGD, 0, 1).total())
                .isEqualTo(12_000);
        // fp32 training keeps no separate master copy: 4 + 4 + 8 = 16; exact
        Precision fp32 = Precision.of(NumericFormat.FP32, NumericFormat.FP32, Optimizer.ADAMW);
        assertThat(ModelStates.perDevice(1000, fp32, Optimizer.ADAMW, 0, 1))
                .isEqualTo(new ModelStateBytes(4000, 4000, 0, 8000));
    }

    @Test
    void zeroStageFourIsRefused() {
        assertThatThrownBy(() -> ModelStates.perDevice(PSI, Precision.MIXED_BF16, Optimizer.ADAMW, 4, 64))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessage("parallelism.zeroStage = 4 is not allowed: must be an integer from 0 to 3");
    }
}
