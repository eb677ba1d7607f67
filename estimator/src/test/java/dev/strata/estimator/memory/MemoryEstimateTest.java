package dev.strata.estimator.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.estimator.TestModels;
import dev.strata.model.InvalidFieldException;
import dev.strata.model.LoraAdapter;
import dev.strata.model.NumericFormat;
import dev.strata.model.Optimizer;
import dev.strata.model.Parallelism;
import dev.strata.model.Precision;
import dev.strata.model.Projection;
import dev.strata.model.Recompute;
import dev.strata.model.TransformerSpec;
import dev.strata.model.Workload;
import org.junit.jupiter.api.Test;

class MemoryEstimateTest {
    private static final TransformerSpec LLAMA = TestModels.llama3_8b();
    private static final long GIB = 1L << 30;

    @Test
    void inferenceAddsWeightsCacheActivationsAndTheNamedOverhead() {
        // Llama-3-8B bf16, batch 4, 4000 + 96 tokens: weights 16,060,522,496 (safetensors), KV 4 x 4096 x 131,072;
        // activations: prefill of 4 x 4000 tokens (see ActivationsTest: residual plus the larger of the layer's working
        // set
        // and the head's), overhead 1 GiB; exact sums
        Workload w = Workload.of(4, 4000, 96);
        InferenceMemoryEstimate m = InferenceMemory.estimate(LLAMA, Precision.MIXED_BF16, w);
        assertThat(m.whole().weightsBytes()).isEqualTo(16_060_522_496L);
        assertThat(m.whole().kvCacheBytes()).isEqualTo(4L * 4096 * 131_072);
        assertThat(m.kvCacheBytesPerToken()).isEqualTo(131_072);
        // prefill: the layer's 47,104 per token outweighs the head's 4096 per token + 4 last-position logits of 6 bytes
        assertThat(m.prefillActivationsBytes()).isEqualTo(16_000L * 4096 * 2 + 16_000L * 47_104 * 2);
        // decode (4 tokens): the head's logits outweigh the layer (4 x 128,256 x 6 > 4 x (47,104 - 4096) x 2)
        assertThat(m.decodeActivationsBytes()).isEqualTo(4L * 4096 * 2 + 4L * 4096 * 2 + 4 * 128_256L * 6);
        assertThat(m.whole().activationsBytes()).isEqualTo(m.prefillActivationsBytes());
        assertThat(m.whole().runtimeOverheadBytes()).isEqualTo(GIB);
        assertThat(m.totalBytes()).isEqualTo(16_060_522_496L + 4L * 4096 * 131_072 + m.prefillActivationsBytes() + GIB);
        assertThat(m.perDeviceBytes()).isEqualTo(m.totalBytes()); // one device
        assertThat(m.whole().dominant()).isEqualTo("weightsBytes");
    }

    @Test
    void chunkedPrefillLowersThePeakActivations() {
        Workload whole = Workload.of(1, 8000, 0);
        Workload chunked =
                new Workload(1, 8000, 0, 512, Parallelism.NONE, Recompute.NONE, Optimizer.ADAMW, LoraAdapter.NONE);
        long a = InferenceMemory.estimate(LLAMA, Precision.MIXED_BF16, whole).prefillActivationsBytes();
        long b = InferenceMemory.estimate(LLAMA, Precision.MIXED_BF16, chunked).prefillActivationsBytes();
        assertThat(b).isEqualTo(512L * 4096 * 2 + 512L * 47_104 * 2); // the 512-token chunk's layer outweighs its head
        assertThat(a).isGreaterThan(15 * b);
    }

    @Test
    void theVerdictComparesTheMostLoadedDeviceWithItsCapacity() {
        Workload w = Workload.of(1, 2048, 0);
        InferenceMemoryEstimate m = InferenceMemory.estimate(LLAMA, Precision.MIXED_BF16, w);
        Fit on80 = m.fit(80_000_000_000L);
        assertThat(on80.fits()).isTrue();
        assertThat(on80.headroomBytes()).isEqualTo(80_000_000_000L - m.perDeviceBytes());
        assertThat(on80.dominant()).isEqualTo("weightsBytes");
        assertThat(m.fit(16 * GIB).fits()).isFalse();
        assertThat(m.fit(16 * GIB).headroomBytes()).isNegative();
        // two tensor-parallel ranks: each holds about half; the verdict counts 2 devices
        InferenceMemoryEstimate tp2 = InferenceMemory.estimate(
                LLAMA, Precision.MIXED_BF16, w.withParallelism(new Parallelism(2, 1, 1, 1, 0, false)));
        assertThat(tp2.devices()).isEqualTo(2);
        assertThat(tp2.perDevice().weightsBytes()).isEqualTo(8_030_527_488L); // see WeightsTest
        assertThat(tp2.fit(16 * GIB).fits()).isTrue();
    }

    @Test
    void fullTrainingModelStatesAre16BytesPerParameterWithoutZero() {
        // ZeRO §3.1 accounting for Llama-3-8B: 16 x 8,030,261,248 bytes of model states; exact
        Workload w = Workload.of(1, 4096, 0);
        TrainingMemoryEstimate t = TrainingMemory.estimate(LLAMA, Precision.MIXED_BF16, w);
        TrainingMemoryTerms d = t.perDevice();
        assertThat(d.weightsBytes() + d.gradientsBytes() + d.masterWeightsBytes() + d.optimizerStatesBytes())
                .isEqualTo(16 * 8_030_261_248L);
        assertThat(t.trainableParams()).isEqualTo(8_030_261_248L);
        assertThat(t.lora()).isFalse();
        // activations: 32 layers x 831,488 x 4096 (ActivationsTest) + output layer (2 x 4096 x 2 + 128,256 x 4 per
        // token)
        assertThat(d.activationsBytes()).isEqualTo(32 * 831_488L * 4096 + 4096L * (2 * 4096 * 2 + 128_256L * 4));
        // ZeRO-3 over 8 ranks divides the model states by 8; exact
        TrainingMemoryEstimate z3 = TrainingMemory.estimate(
                LLAMA, Precision.MIXED_BF16, w.withParallelism(new Parallelism(1, 1, 8, 1, 3, false)));
        TrainingMemoryTerms e = z3.perDevice();
        assertThat(e.weightsBytes() + e.gradientsBytes() + e.masterWeightsBytes() + e.optimizerStatesBytes())
                .isEqualTo(2 * 8_030_261_248L);
        assertThat(z3.devices()).isEqualTo(8);
    }

    @Test
    void recomputationTradesStoredActivationsForAWorkingSet() {
        Workload w = Workload.of(1, 4096, 0);
        long none = TrainingMemory.estimate(LLAMA, Precision.MIXED_BF16, w)
                .perDevice()
                .activationsBytes();
        long full = TrainingMemory.estimate(LLAMA, Precision.MIXED_BF16, w.withRecompute(Recompute.FULL))
                .perDevice()
                .activationsBytes();
        long selective = TrainingMemory.estimate(LLAMA, Precision.MIXED_BF16, w.withRecompute(Recompute.SELECTIVE))
                .perDevice()
                .activationsBytes();
        long output = 4096L * (2 * 4096 * 2 + 128_256L * 4);
        // full: 32 layer inputs (2sbh each) + output layer + one layer recomputed at a time; exact
        assertThat(full).isEqualTo(32 * 2L * 4096 * 4096 + output + (831_488L * 4096 - 2L * 4096 * 4096));
        // selective: the scores (32 x 4096 x 5 bytes per token) are dropped and recomputed one layer at a time; exact
        long scores = 655_360L * 4096;
        assertThat(selective).isEqualTo(none - 32 * scores + scores);
    }

    @Test
    void qloraKeepsFrozenNf4BaseWeightsAndTrainsOnlyTheAdapters() {
        // QLoRA (arXiv:2305.14314): NF4 double-quantised base, LoRA r = 16 on all linear layers (41,943,040 params),
        // adapters in mixed precision: bf16 copy + bf16 gradient + fp32 master + 2 fp32 Adam states = 16 bytes each
        Precision p = Precision.of(NumericFormat.NF4_DQ, NumericFormat.BF16, Optimizer.ADAMW);
        Workload w = Workload.of(1, 512, 0).withLora(LoraAdapter.allLinear(16));
        TrainingMemoryEstimate t = TrainingMemory.estimate(LLAMA, p, w);
        TrainingMemoryTerms d = t.perDevice();
        assertThat(t.lora()).isTrue();
        assertThat(t.trainableParams()).isEqualTo(41_943_040L);
        assertThat(t.frozenParams()).isEqualTo(8_030_261_248L);
        assertThat(d.weightsBytes()).isEqualTo(Weights.bytes(LLAMA, p) + 2 * 41_943_040L);
        assertThat(d.gradientsBytes()).isEqualTo(2 * 41_943_040L);
        assertThat(d.masterWeightsBytes()).isEqualTo(4 * 41_943_040L);
        assertThat(d.optimizerStatesBytes()).isEqualTo(8 * 41_943_040L);
        // the NF4 base: 3,489,660,928 + 109,051,904 + 1,703,936 bytes of matrices (WeightsTest) + 2,101,878,784 of bf16
        // embedding, head and norms = 5,702,295,552 against 16,060,522,496 in bf16; exact
        assertThat(Weights.bytes(LLAMA, p)).isEqualTo(5_702_295_552L);
    }

    @Test
    void tensorParallelismThatDoesNotDivideTheHeadsIsRefusedByBothEstimates() {
        Workload w = Workload.of(1, 512, 0).withParallelism(new Parallelism(3, 1, 1, 1, 0, false));
        String message =
                "parallelism.tensor = 3 is not allowed: must be a divisor of the attention heads (attention.heads = 32)";
        assertThatThrownBy(() -> InferenceMemory.estimate(LLAMA, Precision.MIXED_BF16, w))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessage(message);
        assertThatThrownBy(() -> TrainingMemory.estimate(LLAMA, Precision.MIXED_BF16, w))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessage(message);
    }

    @Test
    void loraThatAdaptsNoMatrixOfTheModelIsRefusedNamingWhatItHas() {
        // Found running the command line: --lora-targets router on a dense model trained 0 parameters without a word.
        Workload w = Workload.of(1, 512, 0)
                .withLora(new LoraAdapter(16, java.util.Set.of(Projection.ROUTER, Projection.QUERY_DOWN)));
        assertThatThrownBy(() -> TrainingMemory.estimate(TestModels.llama3_8b(), Precision.MIXED_BF16, w))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessage(
                        "lora.targets = \"q_a,router\" is not allowed: must be at least one projection llama-3-8b has, of [down, gate, k, o, q, up, v]");
    }

    @Test
    void fullTrainingOfQuantisedWeightsIsRefused() {
        Precision int4 = Precision.of(NumericFormat.INT4_G128, NumericFormat.BF16, Optimizer.ADAMW);
        assertThatThrownBy(() -> TrainingMemory.estimate(LLAMA, int4, Workload.of(1, 512, 0)))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessageStartingWith("precision.weights = \"int4-g128\"");
    }

    @Test
    void pipelineParallelTrainingKeepsTheFirstStagesMicroBatchesInFlight() {
        // 1F1B: stage 0 of p holds p micro-batches of its L/p layers = L layers' worth (Korthikanti §4.2.3)
        Workload w = Workload.of(1, 2048, 0);
        long one = TrainingMemory.estimate(LLAMA, Precision.MIXED_BF16, w)
                .perDevice()
                .activationsBytes();
        long pp4 = TrainingMemory.estimate(
                        LLAMA, Precision.MIXED_BF16, w.withParallelism(new Parallelism(1, 4, 1, 1, 0, false)))
                .perDevice()
                .activationsBytes();
        long output = 2048L * (2 * 4096 * 2 + 128_256L * 4);
        assertThat(pp4).isEqualTo(one - output);
    }
}
