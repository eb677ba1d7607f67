package dev.strata.estimator.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.strata.estimator.TestModels;
import dev.strata.estimator.cost.ModelFlops;
import dev.strata.estimator.flops.Flops;
import dev.strata.estimator.flops.FlopsConvention;
import dev.strata.estimator.flops.TrainingFlops;
import dev.strata.estimator.latency.GpuEfficiency;
import dev.strata.model.InvalidFieldException;
import dev.strata.model.Recompute;
import dev.strata.model.TransformerSpec;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainingStepModelTest {
    /** Round efficiencies without size dependence or fixed costs, so that the expected values are simple sums. */
    static final GpuEfficiency GPU = new GpuEfficiency(0.9, Map.of("bf16", 0.8), Map.of("bf16", 0.0), 1, 0.7, 0);
    /** Unfused attention (full T x T, as strata's model FLOPs count it) and kernel efficiency 1. */
    static final TrainingStack UNFUSED = new TrainingStack(false, 8, 50e9, 4, 40e6, 1);

    static TrainingLayout layout(
            int tp, int pp, int dp, int v, int global, int micro, Recompute r, boolean sp, int zero) {
        return new TrainingLayout(tp, pp, dp, v, global, micro, 4096, r, sp, zero);
    }

    static TrainingStep step(TransformerSpec spec, TrainingLayout l, TrainingStack stack) {
        return TrainingStepModel.estimate(spec, TestModels.H100, GPU, "bf16", l, stack);
    }

    @Test
    void oneDeviceComputeIsThreeForwardsOfFlopsAndElementwiseBytes() {
        TransformerSpec spec = TestModels.llama3_8b();
        TrainingStep s = step(spec, layout(1, 1, 1, 1, 2, 1, Recompute.NONE, false, 0), UNFUSED);
        // expected, by hand from the class comment: 3 x (forward FLOPs / (peak x 0.8) + elementwise bytes / (bw x 0.9))
        double n = 4096;
        TrainingFlops f = Flops.trainingPerToken(spec, 4096, Recompute.NONE, FlopsConvention.FULL);
        double flopsSeconds = n * f.forward().total() / (989e12 * 0.8);
        double perLayerElems = 10 * 4096 + 2 * 14336 + 4 * 32 * 4096.0; // hidden, SwiGLU width, heads x keys
        double bytesSeconds = n * 2 * 32 * perLayerElems / (3.35e12 * 0.9);
        double perMicroBatch = 3 * (flopsSeconds + bytesSeconds);
        assertThat(s.computeSeconds()).isCloseTo(2 * perMicroBatch, within(1e-9 * perMicroBatch));
        assertThat(s.bubbleSeconds()).isZero();
        assertThat(s.communicationSeconds()).isZero();
        // optimizer: 30 bytes per parameter at the bandwidth x 0.9
        assertThat(s.optimizerSeconds()).isCloseTo(8_030_261_248.0 * 30 / (3.35e12 * 0.9), within(1e-6));
        assertThat(s.seconds())
                .isCloseTo(
                        s.computeSeconds() + s.communicationSeconds() + s.bubbleSeconds() + s.optimizerSeconds(),
                        within(1e-12));
    }

    @Test
    void withoutRecomputeAndWithFullScoresHfuEqualsMfu() {
        // the executed FLOPs are then the model FLOPs exactly (both: no recomputation, full T x T attention)
        TrainingStep s = step(TestModels.llama3_8b(), layout(2, 1, 4, 1, 64, 2, Recompute.NONE, false, 0), UNFUSED);
        assertThat(s.hfu()).isCloseTo(s.mfu(), within(1e-12));
        assertThat(s.modelFlopsPerToken())
                .isCloseTo(ModelFlops.perToken(TestModels.llama3_8b(), 4096).total(), within(1.0));
        assertThat(s.tokensPerSecond()).isCloseTo(64 * 4096 / s.seconds(), within(1e-6));
    }

    @Test
    void fullRecomputationAddsTheLayersForwardToTheHardwareFlops() {
        TransformerSpec spec = TestModels.llama3_8b();
        TrainingStep s = step(spec, layout(1, 1, 1, 1, 1, 1, Recompute.FULL, false, 0), UNFUSED);
        TrainingFlops f = Flops.trainingPerToken(spec, 4096, Recompute.NONE, FlopsConvention.FULL);
        assertThat(s.hardwareFlopsPerToken()).isCloseTo(f.total() + f.forward().layers(), within(1e-6 * f.total()));
        assertThat(s.hfu() / s.mfu()).isCloseTo(s.hardwareFlopsPerToken() / s.modelFlopsPerToken(), within(1e-12));
    }

    @Test
    void bubbleIsPMinusOneOverVMicroBatches() {
        // Narayanan et al. 2021 §2.2: bubble fraction (p - 1) / (V m) of the m micro-batches' time
        TransformerSpec spec = TestModels.llama3_8b();
        TrainingStep plain = step(spec, layout(1, 4, 1, 1, 16, 1, Recompute.NONE, false, 0), UNFUSED);
        assertThat(plain.bubbleSeconds()).isCloseTo(3 * plain.microBatchSeconds(), within(1e-12));
        TrainingStep interleaved = step(spec, layout(1, 4, 1, 2, 16, 1, Recompute.NONE, false, 0), UNFUSED);
        assertThat(interleaved.bubbleSeconds()).isCloseTo(1.5 * interleaved.microBatchSeconds(), within(1e-12));
        assertThat(interleaved.seconds()).isLessThan(plain.seconds());
    }

    @Test
    void tensorParallelismAddsCollectivesAndSequenceParallelismSplitsTheElementwiseWork() {
        TransformerSpec spec = TestModels.llama3_8b();
        TrainingStep tp = step(spec, layout(8, 1, 1, 1, 1, 1, Recompute.NONE, false, 0), UNFUSED);
        // 4 ring all-reduces per layer of 4096 tokens x 4096 x 2 bytes over 8 ranks on 900 GB/s x 0.7 (450 x 0.7 each
        // way)
        double oneAllReduce = 2.0 * 7 / 8 * 4096 * 4096 * 2 / (900e9 * 0.7 / 2);
        assertThat(tp.communicationSeconds()).isCloseTo(32 * 4 * oneAllReduce, within(1e-12));
        TrainingStep sp = step(spec, layout(8, 1, 1, 1, 1, 1, Recompute.NONE, true, 0), UNFUSED);
        assertThat(sp.computeSeconds()).isLessThan(tp.computeSeconds());
        // and the backward gathers each layer's inputs again: one all-reduce's bytes more per layer
        assertThat(sp.communicationSeconds()).isCloseTo(32 * 5 * oneAllReduce, within(1e-12));
    }

    @Test
    void dataParallelReductionIsHiddenButItsLastBucket() {
        TransformerSpec spec = TestModels.llama3_8b();
        TrainingStep dp = step(spec, layout(1, 1, 64, 1, 64, 1, Recompute.NONE, false, 0), UNFUSED);
        double gradientBytes = 8_030_261_248.0 * 4;
        assertThat(dp.dataParallelSeconds()).isCloseTo(2.0 * 63 / 64 * gradientBytes / (50e9 * 0.7 / 2), within(1e-9));
        // the all-reduce (about 1.8 s) outlasts one backward (about 0.3 s): the rest is exposed
        assertThat(dp.communicationSeconds()).isGreaterThan(40e6 / gradientBytes * dp.dataParallelSeconds());
        assertThat(dp.communicationSeconds()).isLessThan(dp.dataParallelSeconds());
        TrainingStep zero1 = step(spec, layout(1, 1, 64, 1, 64, 1, Recompute.NONE, false, 1), UNFUSED);
        assertThat(zero1.optimizerSeconds()).isCloseTo(dp.optimizerSeconds() / 64, within(1e-12));
    }

    @Test
    void badLayoutsNameTheirOption() {
        assertThatThrownBy(() -> layout(1, 1, 4, 1, 6, 1, Recompute.NONE, false, 0))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessageContaining("global-batch");
        assertThatThrownBy(() -> layout(1, 1, 1, 2, 8, 1, Recompute.NONE, false, 0))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessageContaining("interleave");
        assertThatThrownBy(
                        () -> step(TestModels.llama3_8b(), layout(1, 3, 1, 2, 6, 1, Recompute.NONE, false, 0), UNFUSED))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessageContaining("interleave");
        assertThatThrownBy(() -> TrainingStepModel.estimate(
                        TestModels.llama3_8b(),
                        TestModels.H100,
                        GPU,
                        "fp4",
                        layout(1, 1, 1, 1, 1, 1, Recompute.NONE, false, 0),
                        UNFUSED))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessageContaining("weights");
    }

    @Test
    void zeroThreeGathersTheWeightsAroundEveryMicroBatch() {
        TransformerSpec spec = TestModels.llama3_8b();
        TrainingStep zero2 = step(spec, layout(1, 1, 64, 1, 256, 1, Recompute.NONE, false, 2), UNFUSED);
        TrainingStep zero3 = step(spec, layout(1, 1, 64, 1, 256, 1, Recompute.NONE, false, 3), UNFUSED);
        // an all-gather of the 16 GB of bf16 weights over 64 ranks on 50 GB/s x 0.7: 63/64 x 16 GB / 17.5 GB/s, about
        // 0.9 s, against a forward of about 0.1 s and a backward of about 0.2 s: mostly exposed, 4 micro-batches
        double gather = 63.0 / 64 * 8_030_261_248.0 * 2 / (50e9 * 0.7 / 2);
        assertThat(zero3.communicationSeconds() - zero2.communicationSeconds())
                .isGreaterThan(4 * (2 * gather - 3 * zero3.microBatchSeconds()))
                .isLessThan(4 * 2 * gather);
        assertThat(zero3.optimizerSeconds()).isEqualTo(zero2.optimizerSeconds());
        assertThat(zero3.computeSeconds()).isEqualTo(zero2.computeSeconds());
    }

    @Test
    void expertParallelismAddsTheAllToAllsOfEveryMoeLayer() {
        // Mixtral 8x7B (32 MoE layers, hidden 4096, top-2): 8 expert ranks over the 8 replicas of one node
        TransformerSpec spec = TestModels.mixtral8x7b();
        TrainingStep ep1 = step(spec, new TrainingLayout(1, 1, 8, 1, 8, 1, 4096, Recompute.NONE, false, 1, 1), UNFUSED);
        TrainingStep ep8 = step(spec, new TrainingLayout(1, 1, 8, 1, 8, 1, 4096, Recompute.NONE, false, 1, 8), UNFUSED);
        // 4 all-to-alls per layer (dispatch and combine, forward and backward), each 4096 tokens x 4096 x 2 bytes x
        // top-2 x 7/8 leaving the rank over one direction of NVLink (900 GB/s x 0.7 / 2)
        double allToAll = 4096.0 * 4096 * 2 * 2 * 7 / 8 / (900e9 * 0.7 / 2);
        assertThat(ep8.microBatchSeconds() - ep1.microBatchSeconds()).isCloseTo(32 * 4 * allToAll, within(1e-12));
        // the experts' optimizer work is split 8 ways
        assertThat(ep8.optimizerSeconds()).isLessThan(ep1.optimizerSeconds());
        assertThatThrownBy(() -> new TrainingLayout(1, 1, 8, 1, 8, 1, 4096, Recompute.NONE, false, 1, 3))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessageContaining("ep");
    }
}
