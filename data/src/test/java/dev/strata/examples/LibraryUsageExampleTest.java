package dev.strata.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.data.GpuPerformance;
import dev.strata.data.HardwareCatalog;
import dev.strata.data.HfConfigImporter;
import dev.strata.data.PresetCatalog;
import dev.strata.estimator.latency.Latency;
import dev.strata.estimator.latency.LatencyModel;
import dev.strata.estimator.latency.LatencyTuning;
import dev.strata.estimator.latency.Offload;
import dev.strata.estimator.latency.StepTime;
import dev.strata.estimator.memory.InferenceMemory;
import dev.strata.estimator.memory.MemoryModel;
import dev.strata.estimator.params.ParamComponent;
import dev.strata.estimator.params.ParameterCount;
import dev.strata.estimator.params.Parameters;
import dev.strata.model.Activation;
import dev.strata.model.GatedMlp;
import dev.strata.model.Hardware;
import dev.strata.model.InvalidFieldException;
import dev.strata.model.LayerKind;
import dev.strata.model.MixtureOfExperts;
import dev.strata.model.MultiHeadAttention;
import dev.strata.model.NumericFormat;
import dev.strata.model.Optimizer;
import dev.strata.model.Parallelism;
import dev.strata.model.Precision;
import dev.strata.model.TransformerSpec;
import dev.strata.model.Workload;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Using strata as a library: the examples of docs/library.md with the figures their comments state, checked.
 * {@link LibraryDocsTest} compiles and runs the examples as the document prints them, and checks the output the fit
 * example states (the refit that ChinchillaFitTest holds against Besiroglu et al. 2024); this test holds the others'
 * answers.
 * It lives in a package of its own, so it reaches only what the library makes public, and in the data module, the
 * one library module that sees the other two: a library user needs nothing of the application.
 */
class LibraryUsageExampleTest {

    @Test
    void sizeAModelBuiltInCode() {
        // A Mixtral-shaped model built in code: 32 layers, GQA 32/8 heads of 128, 8 experts of width 14336, top-2.
        TransformerSpec spec = TransformerSpec.builder()
                .name("my-moe")
                .vocabSize(32_000)
                .hiddenSize(4096)
                .layers(
                        32,
                        LayerKind.global(
                                MultiHeadAttention.of(32, 8, 128),
                                new MixtureOfExperts(new GatedMlp(14_336, Activation.SILU, false), 8, 0, 2, false)))
                .build();
        ParameterCount count = Parameters.count(spec);
        // Same shapes as Mixtral-8x7B: docs/architecture.md gives 46,702,792,704 total and 12,879,925,248 active.
        // Exact.
        assertThat(count.total()).isEqualTo(46_702_792_704L);
        assertThat(count.active()).isEqualTo(12_879_925_248L);
        assertThat(count.total(ParamComponent.ROUTED_EXPERTS)).isEqualTo(45_097_156_608L);
    }

    @Test
    void sizeAPresetAndAConfigFile() {
        long preset = Parameters.count(PresetCatalog.get("llama-3-8b").spec()).total();
        long imported = Parameters.count(HfConfigImporter.fromFile(Path.of("testdata/hf-configs/llama-3-8b.json")))
                .total();
        assertThat(preset).isEqualTo(imported).isEqualTo(8_030_261_248L); // docs/architecture.md, exact
    }

    @Test
    void prepareOnceAskMany() {
        TransformerSpec llama = PresetCatalog.get("llama-3-8b").spec();
        Precision precision = Precision.of(NumericFormat.BF16, NumericFormat.BF16, Optimizer.ADAMW);
        Hardware h100 = HardwareCatalog.get("h100-sxm");
        LatencyModel latency =
                LatencyModel.of(llama, precision, Parallelism.NONE, h100, LatencyTuning.GPU_DEFAULT, Offload.NONE);
        double previous = 0;
        for (long batch = 1; batch <= 256; batch *= 2) {
            double seconds = latency.decodeStep(batch, 1152).calibratedSeconds();
            // the prepared model answers exactly what the one-shot call does (same terms, same order of sums)
            assertThat(seconds)
                    .isEqualTo(Latency.decodeStep(
                                    llama,
                                    precision,
                                    Parallelism.NONE,
                                    batch,
                                    1152,
                                    h100,
                                    LatencyTuning.GPU_DEFAULT,
                                    Offload.NONE)
                            .calibratedSeconds());
            assertThat(seconds).isGreaterThanOrEqualTo(previous); // a larger batch reads more KV cache: never faster
            previous = seconds;
        }
        MemoryModel memory =
                MemoryModel.of(llama, precision, Parallelism.NONE, InferenceMemory.DEFAULT_RUNTIME_OVERHEAD_BYTES);
        Workload w = Workload.of(64, 1024, 128);
        assertThat(memory.estimate(w).perDeviceBytes())
                .isEqualTo(InferenceMemory.estimate(llama, precision, w).perDeviceBytes());
        // in a hot loop, the same answers as numbers, into one reused step: no object per question
        StepTime step = new StepTime();
        for (long batch = 1; batch <= 256; batch *= 2) {
            double seconds = latency.decodeStep(batch, 1152, step).calibratedSeconds();
            long perDevice = memory.perDeviceBytes(batch, 1024, 1152);
            assertThat(seconds).isEqualTo(latency.decodeStep(batch, 1152).calibratedSeconds());
            assertThat(perDevice)
                    .isEqualTo(memory.estimate(Workload.of(batch, 1024, 128)).perDeviceBytes());
        }
    }

    @Test
    void theFittedGpuModelOfTheCommandLine() {
        Hardware datasheet = HardwareCatalog.get("h100-sxm");
        Hardware h100 = GpuPerformance.hardware(datasheet);
        LatencyTuning trtllm = GpuPerformance.tuning("h100-sxm", GpuPerformance.engine("engine", "trtllm"));
        LatencyModel fitted = LatencyModel.of(
                PresetCatalog.get("llama-3-8b").spec(),
                Precision.of(NumericFormat.BF16, NumericFormat.BF16, Optimizer.ADAMW),
                Parallelism.NONE,
                h100,
                trtllm,
                Offload.NONE);
        StepTime step = fitted.decodeStep(32, 1152);
        // the floor is the datasheet's whatever the tuning; the calibrated time is above it (efficiencies below 1 and
        // fixed costs)
        assertThat(h100.memoryBandwidthBytesPerSecond()).isEqualTo(datasheet.memoryBandwidthBytesPerSecond());
        assertThat(step.calibratedSeconds()).isGreaterThan(step.floorSeconds());
    }

    @Test
    void invalidInputNamesItsField() {
        assertThatThrownBy(() -> MultiHeadAttention.of(32, 5, 128))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessage("attention.kvHeads = 5 is not allowed: must be a divisor of attention.heads = 32")
                .satisfies(e -> assertThat(((InvalidFieldException) e).field()).isEqualTo("attention.kvHeads"));
    }
}
