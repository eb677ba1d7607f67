package dev.strata.estimator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.strata.estimator.latency.LatencyModel;
import dev.strata.estimator.latency.LatencyTuning;
import dev.strata.estimator.latency.Offload;
import dev.strata.estimator.memory.MemoryModel;
import dev.strata.estimator.solve.Solve;
import dev.strata.estimator.sweep.Sweep;
import dev.strata.estimator.sweep.SweepRow;
import dev.strata.model.Activation;
import dev.strata.model.GatedMlp;
import dev.strata.model.Hardware;
import dev.strata.model.InvalidFieldException;
import dev.strata.model.LayerKind;
import dev.strata.model.LoraAdapter;
import dev.strata.model.MultiHeadAttention;
import dev.strata.model.NumericFormat;
import dev.strata.model.Optimizer;
import dev.strata.model.Parallelism;
import dev.strata.model.Precision;
import dev.strata.model.Recompute;
import dev.strata.model.TransformerSpec;
import dev.strata.model.Workload;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A prefill token budget (vLLM's {@code max_num_batched_tokens}) splits a batch's prefill into passes of at most that
 * many tokens: each pass's activations are those of the sequences it holds, and the batch's prefill time is the sum of
 * its passes. Expected values are the same models asked for the passes one at a time, so they hold to rounding.
 */
class PrefillTokenBudgetTest {
    private static final Precision BF16 = Precision.of(NumericFormat.BF16, NumericFormat.BF16, Optimizer.ADAMW);

    /** Llama 3 8B's shape (Meta's config.json): 32 layers of d 4096, GQA 32/8 heads, SwiGLU 14336. */
    private static final TransformerSpec SPEC = TransformerSpec.builder()
            .vocabSize(128256)
            .hiddenSize(4096)
            .contextLength(131072)
            .layers(
                    32,
                    LayerKind.global(MultiHeadAttention.of(32, 8, 128), new GatedMlp(14336, Activation.SILU, false)))
            .build();

    /** An H100 SXM from its datasheet (bf16 dense 989 TFLOP/s, 3.35 TB/s, 80 GB, NVLink 900 GB/s). */
    private static final Hardware H100 = Hardware.builder("h100-sxm")
            .name("H100")
            .peakFlopsPerSecond(Map.of("bf16", 989e12))
            .memoryBytes(80_000_000_000L)
            .memoryBandwidthBytesPerSecond(3.35e12)
            .scaleUpBandwidthBytesPerSecond(900e9)
            .hostLinkBytesPerSecond(64e9)
            .powerWatts(700)
            .pricePerHourUsd(2)
            .build();

    private static Workload workload(long batch, long prompt, long chunk, long budget) {
        return new Workload(
                batch, prompt, 128, chunk, budget, Parallelism.NONE, Recompute.NONE, Optimizer.ADAMW, LoraAdapter.NONE);
    }

    @Test
    void theBudgetSetsTheTokensAndSequencesOfAPass() {
        // 32 prompts of 8,192 under 8,192 tokens a pass: one whole prompt per pass
        assertThat(workload(32, 8192, 0, 8192).prefillPassTokens()).isEqualTo(8192);
        assertThat(workload(32, 8192, 0, 8192).prefillPassSequences()).isEqualTo(1);
        // 32 prompts of 1,024: 8,192 / 1,024 = 8 prompts a pass
        assertThat(workload(32, 1024, 0, 8192).prefillPassSequences()).isEqualTo(8);
        // a budget below the prompt chunks it: 4,096 tokens of one prompt a pass
        assertThat(workload(32, 8192, 0, 4096).prefillPassTokens()).isEqualTo(4096);
        assertThat(workload(32, 8192, 0, 4096).prefillPassSequences()).isEqualTo(1);
        // a chunk of 512 under 8,192: 16 sequences' chunks a pass, never more than the batch
        assertThat(workload(32, 8192, 512, 8192).prefillPassSequences()).isEqualTo(16);
        assertThat(workload(4, 8192, 512, 8192).prefillPassSequences()).isEqualTo(4);
        // no budget: the whole batch in one pass, as before budgets existed
        assertThat(workload(32, 8192, 0, 0).prefillPassSequences()).isEqualTo(32);
        assertThat(Workload.of(32, 8192, 0).prefillTokenBudget()).isZero();
    }

    @Test
    void aBudgetOutOfRangeIsRefusedByName() {
        assertThatThrownBy(() -> workload(1, 8, 0, -1))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessageContaining("prefillTokenBudget");
        assertThatThrownBy(() -> workload(1, 8, 0, Workload.MAX_TOKEN_BUDGET + 1))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessageContaining("prefillTokenBudget");
    }

    @Test
    void activationsAreThoseOfOnePassNotOfTheWholeBatch() {
        MemoryModel memory = MemoryModel.of(SPEC, BF16, Parallelism.NONE, 0);
        // the budgeted batch's prefill activations equal those of one sequence prefilled alone (same pass shape)
        long budgeted = memory.estimate(workload(32, 8192, 0, 8192)).prefillActivationsBytes();
        long alone = memory.estimate(workload(1, 8192, 0, 0)).prefillActivationsBytes();
        assertThat(budgeted).isEqualTo(alone);
        // and 32 times fewer than the whole batch at once (activations scale with the pass's tokens, to 1 %)
        long whole = memory.estimate(workload(32, 8192, 0, 0)).prefillActivationsBytes();
        assertThat((double) whole / budgeted).isCloseTo(32, within(0.32));
        // the numeric path the solver and sweeps use agrees with the estimate
        Workload w = workload(32, 1024, 0, 8192);
        assertThat(memory.perDeviceBytes(32, w.prefillPassSequences(), w.prefillPassTokens(), w.contextTokens()))
                .isEqualTo(memory.estimate(w).perDeviceBytes());
    }

    @Test
    void theBatchPrefillIsItsPassesOneAfterAnother() {
        LatencyModel model =
                LatencyModel.of(SPEC, BF16, Parallelism.NONE, H100, LatencyTuning.GPU_DEFAULT, Offload.NONE);
        // 10 prompts of 1,024 under 8,192: a pass of 8 then a pass of 2
        double budgeted = model.prefill(workload(10, 1024, 0, 8192), false).calibratedSeconds();
        double passes = model.prefill(workload(8, 1024, 0, 0), false).calibratedSeconds()
                + model.prefill(workload(2, 1024, 0, 0), false).calibratedSeconds();
        assertThat(budgeted).isCloseTo(passes, within(1e-9 * passes));
        // 32 prompts of 8,192: 32 passes of one prompt each
        double one = model.prefill(workload(1, 8192, 0, 0), false).calibratedSeconds();
        assertThat(model.prefill(workload(32, 8192, 0, 8192), false).calibratedSeconds())
                .isCloseTo(32 * one, within(1e-9 * 32 * one));
    }

    @Test
    void aSweepPointIsTheEstimateOfTheSameBudgetedWorkload() {
        Workload w = workload(32, 2048, 0, 8192);
        SweepRow row = Sweep.evaluate(
                SPEC,
                H100,
                NumericFormat.BF16,
                NumericFormat.BF16,
                32,
                2048,
                128,
                1,
                1,
                0,
                LatencyTuning.GPU_DEFAULT,
                8_030_261_248L,
                0,
                8192);
        LatencyModel model =
                LatencyModel.of(SPEC, BF16, Parallelism.NONE, H100, LatencyTuning.GPU_DEFAULT, Offload.NONE);
        assertThat(row.perDeviceBytes())
                .isEqualTo(MemoryModel.of(SPEC, BF16, Parallelism.NONE, 0)
                        .estimate(w)
                        .perDeviceBytes());
        double prefill = model.prefill(w, false).calibratedSeconds();
        assertThat(row.prefillSeconds()).isCloseTo(prefill, within(1e-9 * prefill));
    }

    @Test
    void theBudgetRaisesTheLargestBatchThatFits() {
        // whole-batch prefill activations bound the batch of 8k prompts; passes of 8,192 tokens leave the KV cache
        // as the bound, so the budgeted batch is larger
        long whole = Solve.maxBatch(SPEC, BF16, workload(1, 8192, 0, 0), 80_000_000_000L, 1L << 30);
        long budgeted = Solve.maxBatch(SPEC, BF16, workload(1, 8192, 0, 8192), 80_000_000_000L, 1L << 30);
        assertThat(budgeted).isGreaterThan(whole);
        // and it is the largest batch whose budgeted workload fits (checked by the memory model at it and one above)
        MemoryModel memory = MemoryModel.of(SPEC, BF16, Parallelism.NONE, 1L << 30);
        assertThat(memory.estimate(workload(budgeted, 8192, 0, 8192)).perDeviceBytes())
                .isLessThanOrEqualTo(80_000_000_000L);
        assertThat(memory.estimate(workload(budgeted + 1, 8192, 0, 8192)).perDeviceBytes())
                .isGreaterThan(80_000_000_000L);
    }
}
