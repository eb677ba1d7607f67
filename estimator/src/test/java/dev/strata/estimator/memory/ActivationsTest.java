package dev.strata.estimator.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.estimator.TestModels;
import dev.strata.model.LayerKind;
import dev.strata.model.Norms;
import dev.strata.model.NumericFormat;
import dev.strata.model.Recompute;
import org.junit.jupiter.api.Test;

class ActivationsTest {
    // GPT-3 175B layer (Korthikanti et al. 2022 §3 uses it): h = 12288, a = 96 heads, s = 2048, b = 1, t = 8
    private static final LayerKind GPT3 = TestModels.gpt3_175b().layers().get(0).kind();
    private static final Norms NORMS = Norms.gpt2();
    private static final long SBH = 2048L * 12288; // 25,165,824
    // 5as/h = 5 x 96 x 2048 / 12288 = 80

    private static long bytes(int t, boolean sp, Recompute r) {
        return Activations.trainingLayerBytes(GPT3, 12288, NORMS, 2048, 1, t, sp, r, NumericFormat.BF16, true);
    }

    @Test
    void reproducesKorthikantiTable2ForAGpt3Layer() {
        // Korthikanti et al. 2022 (arXiv:2205.05198) Table 2, evaluated by hand; exact (all divisions are whole)
        assertThat(bytes(1, false, Recompute.NONE)).isEqualTo(SBH * (34 + 80)); // sbh(34 + 5as/h) = 2,868,903,936
        assertThat(bytes(8, false, Recompute.NONE))
                .isEqualTo(SBH * (10 + 24 / 8 + 80 / 8)); // sbh(10 + 24/t + 5as/ht) = 578,813,952
        assertThat(bytes(8, true, Recompute.NONE)).isEqualTo(SBH / 8 * (34 + 80)); // sbh/t (34 + 5as/h) = 358,612,992
        assertThat(bytes(8, false, Recompute.SELECTIVE)).isEqualTo(SBH * (10 + 24 / 8)); // sbh(10 + 24/t) = 327,155,712
        assertThat(bytes(8, true, Recompute.SELECTIVE)).isEqualTo(34 * SBH / 8); // 34 sbh/t = 106,954,752
        assertThat(bytes(8, false, Recompute.FULL)).isEqualTo(2 * SBH); // 2sbh = 50,331,648
        assertThat(bytes(1, false, Recompute.NONE)).isEqualTo(2_868_903_936L);
        assertThat(bytes(8, false, Recompute.NONE)).isEqualTo(578_813_952L);
        assertThat(bytes(8, true, Recompute.NONE)).isEqualTo(358_612_992L);
        assertThat(bytes(8, false, Recompute.SELECTIVE)).isEqualTo(327_155_712L);
        assertThat(bytes(8, true, Recompute.SELECTIVE)).isEqualTo(106_954_752L);
        assertThat(bytes(8, false, Recompute.FULL)).isEqualTo(50_331_648L);
    }

    @Test
    void theSameAccountingFollowsAGatedGroupedQueryLayer() {
        // Llama-3-8B layer, s = 4096, b = 1, t = 1, bf16, dropout (by hand from the class comment):
        // replicated (2 norms + QKV in + MLP in) x 4096 x 2 + 2 x 4096 masks = 40,960
        // split: (q 4096 + k 1024 + v 1024 + o-in 4096 + 4 x 14336) x 2 = 135,168
        // scores: 32 heads x 4096 keys x (2 + 1 + 2) = 655,360;  per token 831,488, x 4096 tokens; exact
        LayerKind llama = TestModels.llama3_8b().layers().get(0).kind();
        assertThat(Activations.trainingLayerBytes(
                        llama, 4096, Norms.llama(), 4096, 1, 1, false, Recompute.NONE, NumericFormat.BF16, true))
                .isEqualTo(831_488L * 4096);
        // without dropout: no masks, scores 32 x 4096 x 2
        assertThat(Activations.trainingLayerBytes(
                        llama, 4096, Norms.llama(), 4096, 1, 1, false, Recompute.NONE, NumericFormat.BF16, false))
                .isEqualTo((32_768L + 135_168 + 262_144) * 4096);
    }

    @Test
    void inferencePeakIsTheResidualPlusTheLargerOfALayersWorkingSetAndTheHeads() {
        // Llama-3-8B, one pass of 1000 tokens of one sequence, bf16, t = 1 (by hand from the method comment):
        // attention set 4096 + (4096 + 2 x 1024 + 4096) = 14,336; MLP set 4096 + 3 x 14336 = 47,104 (larger);
        // residual 1000 x 4096 x 2; layer 1000 x 47,104 x 2 = 94.2 MB, larger than the head's final norm output
        // 1000 x 4096 x 2 plus logits 128,256 x (2 bf16 + 4 for the fp32 copy) = 8.9 MB; exact
        long bytes = Activations.inferencePeakBytes(TestModels.llama3_8b(), 1000, 1, 1, NumericFormat.BF16);
        assertThat(bytes).isEqualTo(1000L * 4096 * 2 + 1000L * 47_104 * 2);
        // the logits of every position (a prefill that returns them, 2 bytes each as a GPU writes them) outweigh the
        // layer: residual + final norm output + 1000 x 128,256 x 2
        assertThat(Activations.inferencePeakBytes(TestModels.llama3_8b(), 1000, 1000, 1, NumericFormat.BF16, 2))
                .isEqualTo(2 * 1000L * 4096 * 2 + 1000L * 128_256 * 2);
        // fp32 activations: the head's output is already fp32, no copy (4 bytes a logit); one position: the layer wins
        assertThat(Activations.inferencePeakBytes(TestModels.llama3_8b(), 1000, 1, 1, NumericFormat.FP32))
                .isEqualTo(1000L * 4096 * 4 + 1000L * 47_104 * 4);
    }
}
