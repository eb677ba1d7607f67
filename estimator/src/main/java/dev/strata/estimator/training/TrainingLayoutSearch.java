package dev.strata.estimator.training;

import dev.strata.estimator.latency.GpuEfficiency;
import dev.strata.estimator.memory.Sharding;
import dev.strata.estimator.memory.TrainingMemory;
import dev.strata.model.Hardware;
import dev.strata.model.InvalidFieldException;
import dev.strata.model.LayerGroup;
import dev.strata.model.LoraAdapter;
import dev.strata.model.NumericFormat;
import dev.strata.model.Optimizer;
import dev.strata.model.Parallelism;
import dev.strata.model.Precision;
import dev.strata.model.Recompute;
import dev.strata.model.TransformerSpec;
import dev.strata.model.Workload;
import dev.strata.model.internal.Checks;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Every training layout of a device count that fits the devices' memory, fastest first: tensor ranks (powers of two up
 * to a node), pipeline stages (divisors), interleaving (1 to {@link #MAX_INTERLEAVE} chunks that divide the layers),
 * micro-batch ({@link #MICRO_BATCHES}), recomputation, sequence parallelism (with t &gt; 1), ZeRO stage (with
 * d &gt; 1) and, for a mixture of experts, expert-parallel ranks (powers of two dividing d), at a fixed global batch and sequence length. Memory per device is the training-memory estimator's
 * ({@link TrainingMemory}, AdamW with fp32 master weights and states), held against the device's memory; time is the
 * step-time model's ({@link TrainingStepModel}).
 */
public final class TrainingLayoutSearch {
    /** Micro-batch sizes tried. */
    public static final List<Integer> MICRO_BATCHES = List.of(1, 2, 4, 8);
    /** Most model chunks per stage tried. */
    public static final int MAX_INTERLEAVE = 8;
    /**
     * Tokens per step of the default global batch ({@link #defaultGlobalBatch}): 4 Mi, about the 4M-token batches of
     * GPT-3 175B (3.2M, Brown et al. 2020 Table 2.1) and Llama 3 405B's first stage (4M, arXiv:2407.21783 §3.4.1).
     */
    public static final long DEFAULT_BATCH_TOKENS = 1L << 22;

    private TrainingLayoutSearch() {}

    /**
     * One layout that fits, with its step and memory.
     *
     * @param layout the layout
     * @param step its step as the step-time model predicts it
     * @param bytesPerDevice memory per device (worst pipeline stage), bytes
     */
    public record Candidate(TrainingLayout layout, TrainingStep step, long bytesPerDevice) {}

    /**
     * The layouts of {@code devices} devices that fit, fastest first.
     *
     * @param spec the model
     * @param hw the device (its memory bounds each layout)
     * @param gpu the GPU performance model's efficiencies
     * @param format the format of the matrix products: {@code fp16}, {@code bf16} or {@code fp8}
     * @param devices devices in all
     * @param globalBatch sequences per step
     * @param sequenceLength tokens per sequence
     * @param stack the attention kernel and the network
     * @return every layout that fits, fastest first; empty when none does
     */
    public static List<Candidate> search(
            TransformerSpec spec,
            Hardware hw,
            GpuEfficiency gpu,
            String format,
            long devices,
            int globalBatch,
            int sequenceLength,
            TrainingStack stack) {
        return search(spec, hw, gpu, format, layouts(spec, hw, devices, globalBatch, sequenceLength, stack), stack);
    }

    /**
     * The layouts of {@code tried} that fit, fastest first: {@link #search} over layouts already listed (by
     * {@link #layouts}, so that a caller can bound the work first).
     *
     * @param spec the model
     * @param hw the device (its memory bounds each layout)
     * @param gpu the GPU performance model's efficiencies
     * @param format the format of the matrix products: {@code fp16}, {@code bf16} or {@code fp8}
     * @param tried the layouts to try
     * @param stack the attention kernel and the network
     * @return every layout of {@code tried} that fits, fastest first; empty when none does
     */
    public static List<Candidate> search(
            TransformerSpec spec,
            Hardware hw,
            GpuEfficiency gpu,
            String format,
            List<TrainingLayout> tried,
            TrainingStack stack) {
        Checks.present("spec", spec);
        Checks.present("hardware", hw);
        Checks.present("layouts", tried);
        Precision precision = Precision.of(NumericFormat.parse("weights", format), NumericFormat.BF16, Optimizer.ADAMW);
        List<Candidate> out = new ArrayList<>();
        for (TrainingLayout l : tried) add(out, spec, hw, gpu, format, precision, stack, l);
        out.sort(Comparator.comparingDouble(c -> c.step().seconds()));
        return out;
    }

    /**
     * Every layout {@link #search} tries, before the memory check: its cost grows with their number.
     *
     * @param spec the model
     * @param hw the device (without a known scale-up link only tp 1 and pp 1 are tried)
     * @param devices devices in all
     * @param globalBatch sequences per step
     * @param sequenceLength tokens per sequence
     * @param stack the attention kernel and the network (its node size bounds tp)
     * @return the layouts, in search order
     */
    public static List<TrainingLayout> layouts(
            TransformerSpec spec, Hardware hw, long devices, int globalBatch, int sequenceLength, TrainingStack stack) {
        Checks.present("spec", spec);
        Checks.present("hardware", hw);
        Checks.present("stack", stack);
        Checks.range("devices", devices, 1, Parallelism.MAX_DEGREE);
        Checks.range("global-batch", globalBatch, 1, TrainingLayout.MAX_GLOBAL_BATCH);
        long layers = 0;
        boolean moe = false;
        for (LayerGroup g : spec.layers()) {
            layers += g.count();
            moe |= g.kind().feedForward() instanceof dev.strata.model.MixtureOfExperts;
        }
        // tensor and pipeline ranks talk over the scale-up link; without one only data parallelism is laid out
        boolean link = hw.scaleUpBandwidthBytesPerSecond() > 0;
        int maxTp = link ? (int) Math.min(devices, stack.nodeSize()) : 1;
        long maxPp = link ? Math.min(layers, devices) : 1;
        List<TrainingLayout> out = new ArrayList<>();
        for (int tp = 1; tp <= maxTp; tp *= 2) {
            if (devices % tp != 0) continue;
            for (int pp = 1; pp <= Math.min(maxPp, devices / tp); pp++) {
                if ((devices / tp) % pp != 0) continue;
                int dp = (int) (devices / ((long) tp * pp));
                for (int v = 1; v <= (pp == 1 ? 1 : MAX_INTERLEAVE); v++) {
                    if (v > 1 && layers % ((long) pp * v) != 0) continue;
                    for (int b : MICRO_BATCHES) {
                        if (globalBatch % ((long) b * dp) != 0) continue;
                        if (v > 1 && (globalBatch / (b * dp)) % pp != 0) continue;
                        for (Recompute r : Recompute.values())
                            for (boolean sp : tp > 1 ? new boolean[] {false, true} : new boolean[] {false})
                                for (int zero = 0; zero <= (dp > 1 ? 3 : 0); zero++)
                                    for (int ep = 1; ep <= (moe ? dp : 1); ep *= 2)
                                        if (dp % ep == 0)
                                            out.add(new TrainingLayout(
                                                    tp, pp, dp, v, globalBatch, b, sequenceLength, r, sp, zero, ep));
                    }
                }
            }
        }
        return out;
    }

    /**
     * The global batch a run takes when none is given: the smallest multiple of the device count holding at least
     * {@link #DEFAULT_BATCH_TOKENS} tokens (so that every data-parallel split of the devices runs whole micro-batches
     * of one sequence).
     *
     * @param devices devices in all
     * @param sequenceLength tokens per sequence
     * @return sequences per step
     */
    public static int defaultGlobalBatch(long devices, int sequenceLength) {
        Checks.range("devices", devices, 1, Parallelism.MAX_DEGREE);
        Checks.range("seq-len", sequenceLength, 1, Integer.MAX_VALUE);
        long sequences = Math.max(1, (DEFAULT_BATCH_TOKENS + sequenceLength - 1) / sequenceLength);
        long batch = (sequences + devices - 1) / devices * devices;
        return (int) Math.min(batch, TrainingLayout.MAX_GLOBAL_BATCH / devices * devices);
    }

    /**
     * Training memory per device of a layout (the worst pipeline stage): the training-memory estimator's, with AdamW
     * and the usual formats around {@code format} ({@link Precision#of}).
     *
     * @param spec the model
     * @param format the format of the matrix products: {@code fp16}, {@code bf16} or {@code fp8}
     * @param l the layout
     * @return bytes per device
     */
    public static long memoryBytesPerDevice(TransformerSpec spec, String format, TrainingLayout l) {
        return memoryBytesPerDevice(
                spec, Precision.of(NumericFormat.parse("weights", format), NumericFormat.BF16, Optimizer.ADAMW), l);
    }

    private static long memoryBytesPerDevice(TransformerSpec spec, Precision precision, TrainingLayout l) {
        Workload w = new Workload(
                l.microBatch(),
                l.sequenceLength(),
                0,
                0,
                l.parallelism(),
                l.recompute(),
                Optimizer.ADAMW,
                LoraAdapter.NONE);
        return TrainingMemory.estimate(spec, precision, w).perDeviceBytes();
    }

    private static void add(
            List<Candidate> out,
            TransformerSpec spec,
            Hardware hw,
            GpuEfficiency gpu,
            String format,
            Precision precision,
            TrainingStack stack,
            TrainingLayout l) {
        Parallelism par = l.parallelism();
        try {
            Sharding.check(spec, par);
        } catch (InvalidFieldException e) {
            return; // a split the model does not allow (heads, experts)
        }
        long bytes = memoryBytesPerDevice(spec, precision, l);
        if (bytes > hw.memoryBytes()) return;
        out.add(new Candidate(l, TrainingStepModel.estimate(spec, hw, gpu, format, l, stack), bytes));
    }
}
