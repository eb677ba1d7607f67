package dev.strata.estimator.latency;

import static dev.strata.estimator.TestModels.H100;
import static dev.strata.estimator.TestModels.mixtral8x7b;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.strata.model.NumericFormat;
import dev.strata.model.Optimizer;
import dev.strata.model.Parallelism;
import dev.strata.model.Precision;
import org.junit.jupiter.api.Test;

/** Expert parallelism in the latency model: the busiest rank sets the step, and ranks beyond tp exchange tokens. */
class ExpertParallelLatencyTest {
    private static final Precision BF16 = Precision.of(NumericFormat.BF16, NumericFormat.BF16, Optimizer.ADAMW);

    private static StepTime prefill(Parallelism par, long tokens) {
        LatencyModel m = LatencyModel.of(mixtral8x7b(), BF16, par, H100, LatencyTuning.GPU_DEFAULT, Offload.NONE);
        return m.mixedStep(0, 0, new long[] {tokens}, new long[] {0}, 1, 1, new StepTime());
    }

    @Test
    void theBusiestRankIsExpectedAtBlomsOrderStatistic() {
        // 8 ranks: z = Phi^-1((8 - 0.375) / (8 + 0.25)) = Phi^-1(0.92424) = 1.43420 (Python statistics.NormalDist);
        // the exact expected maximum of 8 standard normals is 1.4236 (Blom's approximation is within 1 %)
        assertThat(ExpectedExperts.busiestRankDeviations(8)).isCloseTo(1.43420, within(1e-4));
        assertThat(ExpectedExperts.busiestRankDeviations(1)).isZero();
        // 64 rows a rank on average: sd sqrt(64 x 7/8) = 7.4833; 1 + 1.43420 x 7.4833 / 64 = 1.16770
        assertThat(ExpectedExperts.busiestRankFactor(64, 8, ExpectedExperts.busiestRankDeviations(8)))
                .isCloseTo(1.16770, within(1e-4));
        // more rows even out: 64,000 rows, 1 + 1.43420 x sqrt(56000) / 64000 = 1.005303
        assertThat(ExpectedExperts.busiestRankFactor(64_000, 8, ExpectedExperts.busiestRankDeviations(8)))
                .isCloseTo(1.005303, within(1e-6));
        assertThat(ExpectedExperts.busiestRankFactor(64, 1, 0)).isEqualTo(1);
    }

    @Test
    void expertParallelRanksWaitForTheBusiestOneInACompoundBoundPrefill() {
        // Mixtral 8x7B on 8 H100s, a 4,096-token prefill. With tensor parallelism alone each rank holds an eighth of
        // every
        // expert; with ep 8 one whole expert. Either way a rank computes 4,096 x 2 / 8 = 1,024 expert rows a layer on
        // average at the same shape (1,024 rows an expert touched), so the calibrated expert time differs by the
        // busiest rank's factor alone: 1 + 1.43420 x sqrt(1024 x 7/8) / 1024 = 1.04194
        StepTime tp = prefill(new Parallelism(8, 1, 1, 1, 0, false), 4096);
        StepTime ep = prefill(new Parallelism(8, 1, 1, 8, 0, false), 4096);
        assertThat(ep.flops(LatencyComponent.EXPERTS)).isCloseTo(tp.flops(LatencyComponent.EXPERTS), within(1.0));
        assertThat(ep.calibratedSeconds(LatencyComponent.EXPERTS) / tp.calibratedSeconds(LatencyComponent.EXPERTS))
                .isCloseTo(1.04194, within(1e-4));
        // the floor stays the balanced lower bound
        assertThat(ep.floorSeconds(LatencyComponent.EXPERTS))
                .isCloseTo(tp.floorSeconds(LatencyComponent.EXPERTS), within(1e-12));
    }

    @Test
    void expertRanksBeyondTheTensorGroupTakeOtherReplicasTokensByAnAllToAll() {
        // one device per replica, 8 replicas, ep 8: each device's single expert serves all 8 replicas' tokens, so a
        // device computes as many expert rows as one device holding every expert does for its own tokens
        // (512 x 2 rows a layer), and sends 7/8 of its tokens' top-2 hidden vectors away and back: per MoE layer
        // 2 x 512 x 2 x 4096 x 2 B x 7/8 = 14,680,064 B, over 32 layers 469,762,048 B
        StepTime alone = prefill(Parallelism.NONE, 512);
        StepTime spread = prefill(new Parallelism(1, 1, 8, 8, 0, false), 512);
        assertThat(spread.flops(LatencyComponent.EXPERTS))
                .isCloseTo(
                        alone.flops(LatencyComponent.EXPERTS), within(alone.flops(LatencyComponent.EXPERTS) * 1e-12));
        assertThat(spread.bytes(LatencyComponent.COMMUNICATION)).isCloseTo(469_762_048.0, within(1.0));
        assertThat(spread.floorSeconds(LatencyComponent.COMMUNICATION)).isPositive();
        assertThat(alone.bytes(LatencyComponent.COMMUNICATION)).isZero();
    }
}
