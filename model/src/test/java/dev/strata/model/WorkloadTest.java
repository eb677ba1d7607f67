package dev.strata.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.api.Test;

class WorkloadTest {

    @Test
    void aNegativeBatchIsRefusedNamingBatch() {
        assertThatThrownBy(() -> Workload.of(-1, 128, 0))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessage("batch = -1 is not allowed: must be an integer from 1 to 16777216");
    }

    @Test
    void zeroStageFourIsRefused() {
        assertThatThrownBy(() -> new Parallelism(1, 1, 8, 1, 4, false))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessage("parallelism.zeroStage = 4 is not allowed: must be an integer from 0 to 3");
    }

    @Test
    void expertParallelismMustDivideTensorTimesData() {
        assertThatThrownBy(() -> new Parallelism(2, 1, 1, 4, 0, false))
                .hasMessageContaining("parallelism.expert = 4")
                .hasMessageContaining("tensor x data = 2");
        assertThat(new Parallelism(2, 4, 8, 16, 3, true).devices()).isEqualTo(64);
    }

    @Test
    void derivedTokenCounts() {
        Workload w =
                new Workload(4, 1000, 24, 256, Parallelism.NONE, Recompute.NONE, Optimizer.ADAMW, LoraAdapter.NONE);
        assertThat(w.contextTokens()).isEqualTo(1024);
        assertThat(w.prefillPassTokens()).isEqualTo(256);
        assertThat(Workload.of(1, 100, 0).prefillPassTokens()).isEqualTo(100);
    }

    @Test
    void loraNeedsTargetsWhenItHasARank() {
        assertThatThrownBy(() -> new LoraAdapter(8, Set.of())).hasMessageContaining("lora.targets");
        assertThat(LoraAdapter.allLinear(16).targets())
                .doesNotContain(Projection.ROUTER)
                .contains(Projection.MLP_DOWN);
    }

    @Test
    void defaultPrecisionKeepsEmbeddingsInBf16WhenWeightsAreQuantised() {
        Precision p = Precision.of(NumericFormat.INT4_G128, NumericFormat.FP8, Optimizer.ADAMW);
        assertThat(p.embeddings()).isEqualTo(NumericFormat.BF16);
        assertThat(p.activations()).isEqualTo(NumericFormat.BF16);
        assertThat(p.kvCache()).isEqualTo(NumericFormat.FP8);
        Precision fp32 = Precision.of(NumericFormat.FP32, NumericFormat.FP32, Optimizer.SGD);
        assertThat(fp32.separateMasterWeights()).isFalse();
        assertThat(Precision.MIXED_BF16.separateMasterWeights()).isTrue();
        assertThat(Precision.of(NumericFormat.BF16, NumericFormat.BF16, Optimizer.ADAM_8BIT)
                        .optimizerStates())
                .isEqualTo(NumericFormat.INT8_BLOCK_2048);
    }

    @Test
    void parsesRecomputeAndOptimizerIds() {
        assertThat(Recompute.parse("--recompute", "selective")).isEqualTo(Recompute.SELECTIVE);
        assertThat(Optimizer.parse("--optimizer", "adam8bit")).isEqualTo(Optimizer.ADAM_8BIT);
        assertThatThrownBy(() -> Recompute.parse("--recompute", "some"))
                .hasMessage("--recompute = \"some\" is not allowed: must be one of none, selective, full");
        assertThatThrownBy(() -> Optimizer.parse("--optimizer", "lion")).hasMessageContaining("adamw, adam8bit, sgd");
    }
}
