package dev.strata.estimator.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.estimator.latency.LatencyModel;
import dev.strata.estimator.latency.LatencyTuning;
import dev.strata.estimator.latency.Offload;
import dev.strata.estimator.latency.StepTime;
import dev.strata.estimator.memory.InferenceMemory;
import dev.strata.estimator.memory.MemoryModel;
import dev.strata.model.LoraAdapter;
import dev.strata.model.NumericFormat;
import dev.strata.model.Optimizer;
import dev.strata.model.Parallelism;
import dev.strata.model.Precision;
import dev.strata.model.Recompute;
import dev.strata.model.Workload;
import org.junit.jupiter.api.Test;

/** What {@link SweepMemo} hands back is what a fresh computation gives, whatever the order of the questions. */
class SweepMemoTest {
    private static final long OVERHEAD = InferenceMemory.DEFAULT_RUNTIME_OVERHEAD_BYTES;

    private static StepTime freshPrefill(Parallelism par, long batch, long prompt) {
        Precision p = Precision.of(NumericFormat.BF16, NumericFormat.BF16, Optimizer.ADAMW);
        LatencyModel m =
                LatencyModel.of(SweepTest.LLAMA_8B, p, par, SweepTest.H100, LatencyTuning.GPU_DEFAULT, Offload.NONE);
        return m.prefill(
                new Workload(batch, prompt, 0, 0, par, Recompute.NONE, Optimizer.ADAMW, LoraAdapter.NONE), false);
    }

    @Test
    void prefillsThatShareASlotAreEachComputedForTheirOwnBatchAndPrompt() {
        // slot = (31 batch + prompt) mod 4096: (1, 1) and (1, 4097) share slot 32, (2, 1) has its own (63)
        SweepMemo memo = new SweepMemo();
        Precision p = memo.precision(NumericFormat.BF16, NumericFormat.BF16);
        Parallelism par = memo.parallelism(1, 1);
        LatencyModel m = memo.model(SweepTest.LLAMA_8B, p, par, SweepTest.H100, LatencyTuning.GPU_DEFAULT);
        long[][] asked = {{1, 1}, {1, 4097}, {1, 1}, {2, 1}, {1, 4097}, {2, 1}};
        for (long[] q : asked) {
            StepTime got = memo.prefill(m, par, q[0], q[1], 0, 0);
            StepTime want = freshPrefill(par, q[0], q[1]);
            // the same estimator on the same inputs: the same doubles, exactly
            assertThat(got.calibratedSeconds())
                    .as("batch %d prompt %d", q[0], q[1])
                    .isEqualTo(want.calibratedSeconds());
            assertThat(got.floorSeconds()).as("batch %d prompt %d", q[0], q[1]).isEqualTo(want.floorSeconds());
        }
        assertThat(freshPrefill(par, 1, 4097).calibratedSeconds())
                .isGreaterThan(freshPrefill(par, 1, 1).calibratedSeconds());
    }

    @Test
    void aChangedInputGivesANewModelAndForgetsTheOldPrefills() {
        SweepMemo memo = new SweepMemo();
        Precision p = memo.precision(NumericFormat.BF16, NumericFormat.BF16);
        Parallelism one = memo.parallelism(1, 1);
        LatencyModel m1 = memo.model(SweepTest.LLAMA_8B, p, one, SweepTest.H100, LatencyTuning.GPU_DEFAULT);
        MemoryModel mem1 = memo.memory(SweepTest.LLAMA_8B, p, one, OVERHEAD);
        StepTime onOne = memo.prefill(m1, one, 8, 512, 0, 0);
        // unchanged inputs: the same objects
        assertThat(memo.model(SweepTest.LLAMA_8B, p, memo.parallelism(1, 1), SweepTest.H100, LatencyTuning.GPU_DEFAULT))
                .isSameAs(m1);
        assertThat(memo.memory(SweepTest.LLAMA_8B, p, memo.parallelism(1, 1), OVERHEAD))
                .isSameAs(mem1);
        assertThat(memo.precision(NumericFormat.BF16, NumericFormat.BF16)).isSameAs(p);
        // tensor parallel 2: new parallelism, memory and latency models, and the prefill of the new model
        Parallelism two = memo.parallelism(2, 1);
        assertThat(two.tensor()).isEqualTo(2);
        LatencyModel m2 = memo.model(SweepTest.LLAMA_8B, p, two, SweepTest.H100, LatencyTuning.GPU_DEFAULT);
        assertThat(m2).isNotSameAs(m1);
        assertThat(memo.memory(SweepTest.LLAMA_8B, p, two, OVERHEAD)).isNotSameAs(mem1);
        StepTime onTwo = memo.prefill(m2, two, 8, 512, 0, 0);
        assertThat(onTwo.calibratedSeconds())
                .isEqualTo(freshPrefill(two, 8, 512).calibratedSeconds())
                .isNotEqualTo(onOne.calibratedSeconds());
        // a changed format: a new precision
        assertThat(memo.precision(NumericFormat.BF16, NumericFormat.FP8).kvCache())
                .isEqualTo(NumericFormat.FP8);
    }
}
