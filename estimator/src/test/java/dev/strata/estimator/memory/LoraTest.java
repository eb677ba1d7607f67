package dev.strata.estimator.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.estimator.TestModels;
import dev.strata.model.LoraAdapter;
import dev.strata.model.Projection;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LoraTest {

    @Test
    void adapterParametersAreRankTimesInPlusOutPerTargetedMatrix() {
        // Hu et al. 2021 §4.1: r (in + out) per matrix. Llama-2-7B, r = 8 on q and v: 32 x 2 x 8 x (4096 + 4096); exact
        assertThat(Lora.adapterParameters(
                        TestModels.llama2_7b(), new LoraAdapter(8, Set.of(Projection.QUERY, Projection.VALUE))))
                .isEqualTo(4_194_304L);
        // Llama-3-8B, r = 16 on all seven linear layers: 32 x 16 x (8192 + 5120 + 5120 + 8192 + 3 x 18432) =
        // 41,943,040;
        // exact (secondary: PEFT's print_trainable_parameters shows this figure)
        assertThat(Lora.adapterParameters(TestModels.llama3_8b(), LoraAdapter.allLinear(16)))
                .isEqualTo(41_943_040L);
        assertThat(Lora.adapterParameters(TestModels.llama3_8b(), LoraAdapter.NONE))
                .isZero();
    }

    @Test
    void everyExpertCopyGetsItsOwnAdapter() {
        // Mixtral: r = 8 on down_proj of 8 experts x 32 layers: 8 x (14336 + 4096) x 8 x 32; exact
        assertThat(Lora.adapterParameters(TestModels.mixtral8x7b(), new LoraAdapter(8, Set.of(Projection.MLP_DOWN))))
                .isEqualTo(8L * (14336 + 4096) * 8 * 32);
    }
}
