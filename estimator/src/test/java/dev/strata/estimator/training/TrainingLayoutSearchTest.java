package dev.strata.estimator.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.estimator.TestModels;
import dev.strata.estimator.memory.TrainingMemory;
import dev.strata.model.LoraAdapter;
import dev.strata.model.NumericFormat;
import dev.strata.model.Optimizer;
import dev.strata.model.Precision;
import dev.strata.model.Workload;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainingLayoutSearchTest {
    @Test
    void everyLayoutFitsUsesTheDevicesAndIsListedFastestFirst() {
        List<TrainingLayoutSearch.Candidate> all = TrainingLayoutSearch.search(
                TestModels.llama3_8b(),
                TestModels.H100,
                TrainingStepModelTest.GPU,
                "bf16",
                16,
                64,
                4096,
                TrainingStepModelTest.UNFUSED);
        assertThat(all).isNotEmpty();
        Precision p = Precision.of(NumericFormat.BF16, NumericFormat.BF16, Optimizer.ADAMW);
        double previous = 0;
        for (TrainingLayoutSearch.Candidate c : all) {
            TrainingLayout l = c.layout();
            assertThat(l.devices()).isEqualTo(16);
            assertThat(c.step().seconds()).isGreaterThanOrEqualTo(previous);
            previous = c.step().seconds();
            // the memory is the training-memory estimator's, within the H100's 80 GB
            long bytes = TrainingMemory.estimate(
                            TestModels.llama3_8b(),
                            p,
                            new Workload(
                                    l.microBatch(),
                                    4096,
                                    0,
                                    0,
                                    l.parallelism(),
                                    l.recompute(),
                                    Optimizer.ADAMW,
                                    LoraAdapter.NONE))
                    .perDeviceBytes();
            assertThat(c.bytesPerDevice()).isEqualTo(bytes).isLessThanOrEqualTo(80_000_000_000L);
        }
        // 8B with AdamW (16 bytes a parameter, about 128 GB of states) does not fit one H100 unsharded: the fitting
        // layouts shard the states (ZeRO >= 1) or the model (tp x pp > 1)
        assertThat(all)
                .allMatch(c -> c.layout().zeroStage() >= 1
                        || c.layout().tensor() * c.layout().pipeline() > 1);
    }

    @Test
    void noLayoutWhenNothingFits() {
        // one H100 cannot hold 8B parameters' 16 bytes of training state each (about 128 GB)
        assertThat(TrainingLayoutSearch.search(
                        TestModels.llama3_8b(),
                        TestModels.H100,
                        TrainingStepModelTest.GPU,
                        "bf16",
                        1,
                        8,
                        4096,
                        TrainingStepModelTest.UNFUSED))
                .isEmpty();
    }

    @Test
    void theDefaultGlobalBatchHoldsFourMiTokensInAMultipleOfTheDevices() {
        // 4 Mi tokens of 4,096 are 1,024 sequences, a multiple of 1,024 and of 8 devices
        assertThat(TrainingLayoutSearch.defaultGlobalBatch(1024, 4096)).isEqualTo(1024);
        assertThat(TrainingLayoutSearch.defaultGlobalBatch(8, 4096)).isEqualTo(1024);
        // 1,000 devices: the smallest multiple of 1,000 at or above 1,024
        assertThat(TrainingLayoutSearch.defaultGlobalBatch(1000, 4096)).isEqualTo(2000);
        // 4 Mi tokens of 8,192 are 512 sequences; 3,072 devices need at least one each
        assertThat(TrainingLayoutSearch.defaultGlobalBatch(3072, 8192)).isEqualTo(3072);
    }

    @Test
    void aSearchOverTheListedLayoutsIsTheSearch() {
        List<TrainingLayout> tried = TrainingLayoutSearch.layouts(
                TestModels.llama3_8b(), TestModels.H100, 16, 64, 4096, TrainingStepModelTest.UNFUSED);
        List<TrainingLayoutSearch.Candidate> listed = TrainingLayoutSearch.search(
                TestModels.llama3_8b(),
                TestModels.H100,
                TrainingStepModelTest.GPU,
                "bf16",
                tried,
                TrainingStepModelTest.UNFUSED);
        List<TrainingLayoutSearch.Candidate> all = TrainingLayoutSearch.search(
                TestModels.llama3_8b(),
                TestModels.H100,
                TrainingStepModelTest.GPU,
                "bf16",
                16,
                64,
                4096,
                TrainingStepModelTest.UNFUSED);
        assertThat(listed).isEqualTo(all);
        // every layout tried uses the 16 devices; those that fit are among them
        assertThat(tried).allMatch(l -> l.devices() == 16);
        assertThat(tried.size()).isGreaterThanOrEqualTo(all.size());
        assertThat(tried).contains(all.get(0).layout());
    }
}
