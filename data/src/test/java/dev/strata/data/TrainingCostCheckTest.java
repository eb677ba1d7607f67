package dev.strata.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.data.Percentage.withPercentage;

import dev.strata.estimator.cost.ModelFlops;
import dev.strata.estimator.cost.TrainingCost;
import dev.strata.estimator.cost.TrainingFlopsPerToken;
import dev.strata.estimator.params.Parameters;
import dev.strata.model.TransformerSpec;
import org.junit.jupiter.api.Test;

/** Cost estimates on the catalog's real models and hardware. */
class TrainingCostCheckTest {
    @Test
    void deepSeekV3sReportedGpuHoursImplyAPlausibleMfuOnTheH800() {
        // DeepSeek-V3 model card / arXiv:2412.19437 Table 1: pre-training took 2.664M H800 GPU-hours on 14.8T tokens,
        // at
        // sequence length 4K (§4.2). Per token, the exact model FLOPs are the matrix products of 36.63B active
        // parameters, 6 x 36.63B = 2.198e11 (no biases), plus
        // attention 6 x 61 layers x 128 heads x (192 + 128) x 4096 = 6.14e10: 2.812e11 FLOPs, 4.161e24 in all.
        TransformerSpec v3 = PresetCatalog.get("deepseek-v3").spec();
        TrainingFlopsPerToken perToken = ModelFlops.perToken(v3, 4096);
        assertThat(perToken.attention()).isEqualTo(6.0 * 61 * 128 * (192 + 128) * 4096);
        double flops = perToken.total() * 14.8e12;
        double mfu = TrainingCost.impliedMfu(
                flops, 2.664e6, HardwareCatalog.get("h800").peakFlopsPerSecond("bf16"));
        // measured 0.4387 (0.343 with 6N alone); the bound: between 25 % and 45 % of the dense BF16 peak
        assertThat(mfu).isBetween(0.25, 0.45);
        assertThat(mfu).isCloseTo(0.4387, within(0.0005));
    }

    @Test
    void theExactCountIsSixNPlusPalmsAttentionTermForABiasFreeModel() {
        // Llama-3-8B (untied): 8,030,261,248 - embedding 128,256 x 4,096 = 7,504,924,672 matmul parameters; PaLM's
        // 12·L·H·Q·T = 12 x 32 x 32 x 128 x 4,096 = 6,442,450,944
        TrainingFlopsPerToken llama =
                ModelFlops.perToken(PresetCatalog.get("llama-3-8b").spec(), 4096);
        assertThat(llama.matmulParams()).isEqualTo(8_030_261_248.0 - 128_256.0 * 4096);
        // the exact count multiplies matrices only: the 32 x 2 + 1 RMSNorm weight vectors (266,240 parameters) are not
        // products
        assertThat(llama.dense()).isEqualTo(6 * (llama.matmulParams() - (32 * 2 + 1) * 4096.0));
        assertThat(llama.attention()).isEqualTo(12.0 * 32 * 32 * 128 * 4096);
        // GPT-2 (tied, learned positions): 124,439,808 - wte 50,257 x 768 - wpe 1,024 x 768 + the tied head 50,257 x
        // 768
        TransformerSpec gpt2 = PresetCatalog.get("gpt2").spec();
        TrainingFlopsPerToken g = ModelFlops.perToken(gpt2, 1024);
        assertThat(g.matmulParams()).isEqualTo(124_439_808.0 - 1024 * 768);
        assertThat(Parameters.count(gpt2).total()).isEqualTo(124_439_808L);
        // Kaplan et al. 2020 §2.1 forward 2N + 2·n_layer·n_ctx·d_attn per token: training is 3x, so the attention part
        // is
        // 6 x 12 x 1024 x 768 = 5.66e7; PaLM's full-T count is twice that (scores and values): 1.13e8
        assertThat(g.attention()).isCloseTo(2 * 6.0 * 12 * 1024 * 768, withPercentage(1e-12));
    }
}
