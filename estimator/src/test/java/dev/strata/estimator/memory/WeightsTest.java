package dev.strata.estimator.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.estimator.TestModels;
import dev.strata.model.InvalidFieldException;
import dev.strata.model.NumericFormat;
import dev.strata.model.Optimizer;
import dev.strata.model.Parallelism;
import dev.strata.model.Precision;
import dev.strata.model.TransformerSpec;
import org.junit.jupiter.api.Test;

class WeightsTest {
    private static final TransformerSpec LLAMA = TestModels.llama3_8b();
    private static final Precision BF16 = Precision.MIXED_BF16;
    // Llama-3-8B: layer matrices 32 x 218,103,808 = 6,979,321,856; embedding and head 128,256 x 4096 = 525,336,576
    // each; norms 65 x 4096 = 266,240 (HF modeling_llama shapes)
    private static final long MATRICES = 6_979_321_856L;
    private static final long EMBEDDING = 525_336_576L;
    private static final long NORMS = 266_240L;

    @Test
    void bf16WeightsOfLlama3_8bAreTheCheckpointsSize() {
        // docs/architecture.md: safetensors total_size 16,060,522,496 bytes bf16; exact
        assertThat(Weights.bytes(LLAMA, BF16)).isEqualTo(16_060_522_496L);
        assertThat(Weights.bytes(LLAMA, Precision.of(NumericFormat.FP32, NumericFormat.FP32, Optimizer.ADAMW)))
                .isEqualTo(4 * 8_030_261_248L);
    }

    @Test
    void int4WeightsKeepEmbeddingsHeadAndNormsIn16Bits() {
        // matrices at 4 bits + one fp16 scale per 128 = 33/64 bytes per weight; the rest bf16; exact
        Precision int4 = Precision.of(NumericFormat.INT4_G128, NumericFormat.BF16, Optimizer.ADAMW);
        assertThat(Weights.bytes(LLAMA, int4)).isEqualTo(MATRICES / 64 * 33 + 2 * (2 * EMBEDDING + NORMS));
        assertThat(Weights.bytes(LLAMA, int4)).isEqualTo(5_700_591_616L);
        // QLoRA's NF4 with double quantisation: per matrix (n elements, all multiples of 16384 here)
        // n/2 + n/64 + 4n/16384 bytes
        Precision nf4 = Precision.of(NumericFormat.NF4_DQ, NumericFormat.BF16, Optimizer.ADAMW);
        assertThat(Weights.bytes(LLAMA, nf4))
                .isEqualTo(MATRICES / 2 + MATRICES / 64 + MATRICES / 4096 + 2 * (2 * EMBEDDING + NORMS));
    }

    @Test
    void tensorAndPipelineParallelismSplitTheWeights() {
        // tp = 2: matrices and vocabulary halved, norms replicated; exact
        assertThat(Weights.perDeviceBytes(LLAMA, BF16, new Parallelism(2, 1, 1, 1, 0, false)))
                .isEqualTo(MATRICES + 2 * EMBEDDING + 2 * NORMS);
        // pp = 2: 16 layers per stage; the last stage holds the head and the final norm (the larger stage); exact
        long layer = 2 * (218_103_808L + 2 * 4096);
        assertThat(Weights.perDeviceBytes(LLAMA, BF16, new Parallelism(1, 2, 1, 1, 0, false)))
                .isEqualTo(16 * layer + 2 * EMBEDDING + 2 * 4096);
        assertThat(Weights.parametersPerDevice(LLAMA, new Parallelism(1, 2, 1, 1, 0, false)))
                .isEqualTo(16 * layer / 2 + EMBEDDING + 4096);
    }

    @Test
    void expertParallelismSplitsTheRoutedExperts() {
        // Mixtral over 8 expert ranks (tp = 8 so that expert divides tensor x data): one whole expert per rank,
        // attention split 8 ways; the routed-expert bytes fall from 8 to 1 expert per layer
        TransformerSpec mixtral = TestModels.mixtral8x7b();
        long tp8 = Weights.perDeviceBytes(mixtral, BF16, new Parallelism(8, 1, 1, 1, 0, false));
        long ep8 = Weights.perDeviceBytes(mixtral, BF16, new Parallelism(8, 1, 1, 8, 0, false));
        assertThat(ep8).isEqualTo(tp8); // 8 experts / 8 tensor ranks == 1 expert per expert rank: same bytes; exact
        assertThatThrownBy(() -> Weights.perDeviceBytes(mixtral, BF16, new Parallelism(3, 1, 1, 3, 0, false)))
                .hasMessageContaining("parallelism.tensor = 3");
    }

    @Test
    void tensorParallelismThatDoesNotDivideTheHeadsIsRefused() {
        assertThatThrownBy(() -> Weights.perDeviceBytes(LLAMA, BF16, new Parallelism(3, 1, 1, 1, 0, false)))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessage(
                        "parallelism.tensor = 3 is not allowed: must be a divisor of the attention heads (attention.heads = 32)");
        // 32 heads but 8 KV heads: 32 ranks would replicate each KV head 4 times, which is allowed; 64 is not a divisor
        // of 32
        assertThatThrownBy(() -> Weights.perDeviceBytes(LLAMA, BF16, new Parallelism(64, 1, 1, 1, 0, false)))
                .hasMessageContaining("parallelism.tensor = 64");
        assertThatThrownBy(() -> Weights.perDeviceBytes(LLAMA, BF16, new Parallelism(1, 33, 1, 1, 0, false)))
                .hasMessageContaining("parallelism.pipeline = 33")
                .hasMessageContaining("number of layers, 32");
        assertThatThrownBy(() -> Weights.perDeviceBytes(LLAMA, BF16, new Parallelism(2, 1, 1, 2, 0, false)))
                .hasMessageContaining("parallelism.expert = 2")
                .hasMessageContaining("without experts");
    }
}
