package dev.strata.data.validation;

import dev.strata.data.GpuPerformance;
import dev.strata.data.HardwareCatalog;
import dev.strata.data.HfConfigImporter;
import dev.strata.estimator.training.TrainingLayout;
import dev.strata.estimator.training.TrainingStack;
import dev.strata.estimator.training.TrainingStep;
import dev.strata.estimator.training.TrainingStepModel;
import dev.strata.model.Hardware;
import dev.strata.model.Recompute;
import dev.strata.model.TransformerSpec;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVRecord;

/**
 * Published Megatron-LM training step times shipped with strata ({@code published/megatron-training.tsv}, whose header
 * says where they come from) and strata's training step-time model's prediction of each, on the stack those runs used
 * ({@link TrainingStack#MEGATRON_2022_SELENE}) with the GPU performance model's efficiencies. One figure is fitted to
 * them, the training kernel efficiency ({@link TrainingStack#FITTED_KERNEL_EFFICIENCY}); the rest is counted. The
 * weak-scaling throughputs of Narayanan et al. 2021 ({@code published/megatron-weak-scaling.tsv}) are held against the
 * same model out of sample ({@link #weakScaling}).
 */
public final class PublishedTraining {
    private PublishedTraining() {}

    /** The shipped set's file name. */
    public static final String SET = "megatron-training.tsv";

    /** The shipped weak-scaling set's file name (Narayanan et al. 2021 Table 1). */
    public static final String WEAK_SCALING_SET = "megatron-weak-scaling.tsv";

    /** The shipped set's rows, read once. */
    private static final List<CSVRecord> RECORDS = PublishedFiles.records(SET);

    /** The weak-scaling set's rows, read once. */
    private static final List<CSVRecord> WEAK_SCALING = PublishedFiles.records(WEAK_SCALING_SET);

    /**
     * One published run and strata's prediction of it.
     *
     * @param id the row's id
     * @param hardware the device's catalog id
     * @param layout the run's layout and batch
     * @param measuredSeconds the published step time, or the one a published throughput implies
     * @param predicted strata's step
     * @param eq3FlopsPerStep the step's FLOPs as Narayanan et al. 2021 eq. (3) counts them (every layer's forward
     *     recomputed), the count behind their achieved teraFLOP/s
     */
    public record Row(
            String id,
            String hardware,
            TrainingLayout layout,
            double measuredSeconds,
            TrainingStep predicted,
            double eq3FlopsPerStep) {
        /**
         * predicted / measured - 1.
         *
         * @return the relative error
         */
        public double error() {
            return predicted.seconds() / measuredSeconds - 1;
        }

        /**
         * The achieved teraFLOP/s per device the measured step implies, counted by eq. (3).
         *
         * @return eq. (3) FLOPs / (devices x measured seconds) / 1e12
         */
        public double measuredTflopsPerDevice() {
            return eq3FlopsPerStep / (layout.devices() * measuredSeconds) / 1e12;
        }

        /**
         * The achieved teraFLOP/s per device the predicted step implies, counted by eq. (3).
         *
         * @return eq. (3) FLOPs / (devices x predicted seconds) / 1e12
         */
        public double predictedTflopsPerDevice() {
            return eq3FlopsPerStep / (layout.devices() * predicted.seconds()) / 1e12;
        }
    }

    /**
     * Every shipped run with its prediction.
     *
     * @return the rows, in file order
     */
    public static List<Row> rows() {
        return rows(TrainingStack.MEGATRON_2022_SELENE);
    }

    /**
     * Every shipped run with its prediction on {@code stack}.
     *
     * @param stack the training stack to predict with
     * @return the rows, in file order
     */
    public static List<Row> rows(TrainingStack stack) {
        List<Row> out = new ArrayList<>();
        for (CSVRecord row : RECORDS) out.add(row(row, stack));
        return List.copyOf(out);
    }

    /**
     * The weak-scaling runs of Narayanan et al. 2021 Table 1 ({@code published/megatron-weak-scaling.tsv}) with their
     * predictions on that year's stack ({@link TrainingStack#MEGATRON_2021_SELENE}); each measured step time is the one
     * the published teraFLOP/s per GPU implies by eq. (3). Nothing is fitted to them.
     *
     * @return the rows, in file order
     */
    public static List<Row> weakScaling() {
        return weakScaling(TrainingStack.MEGATRON_2021_SELENE);
    }

    /**
     * The weak-scaling runs with their predictions on {@code stack}.
     *
     * @param stack the training stack to predict with
     * @return the rows, in file order
     */
    public static List<Row> weakScaling(TrainingStack stack) {
        List<Row> out = new ArrayList<>();
        for (CSVRecord row : WEAK_SCALING) out.add(row(row, stack));
        return List.copyOf(out);
    }

    /**
     * Training FLOPs of one step of a GPT by Narayanan et al. 2021 eq. (3): {@code 96 B s l h^2 (1 + s / (6 h) + V / (16
     * l h))}, which counts the forward pass of every layer twice (full recomputation) and the logits once.
     *
     * @param globalBatch sequences per step {@code B}
     * @param seqLen tokens per sequence {@code s}
     * @param layers layers {@code l}
     * @param hidden hidden size {@code h}
     * @param vocab vocabulary {@code V}
     * @return FLOPs per step
     */
    public static double eq3FlopsPerStep(int globalBatch, int seqLen, int layers, int hidden, int vocab) {
        double h = hidden, l = layers, s = seqLen;
        return 96 * (double) globalBatch * s * l * h * h * (1 + s / (6 * h) + vocab / (16 * l * h));
    }

    /**
     * The median of |error| over {@code rows}.
     *
     * @param rows the rows
     * @return the median absolute relative error
     */
    public static double medianAbsError(List<Row> rows) {
        double[] e =
                rows.stream().mapToDouble(x -> Math.abs(x.error())).sorted().toArray();
        int n = e.length;
        return n % 2 == 1 ? e[n / 2] : (e[n / 2 - 1] + e[n / 2]) / 2;
    }

    /**
     * The largest |error| over {@code rows}.
     *
     * @param rows the rows
     * @return the worst absolute relative error
     */
    public static double worstAbsError(List<Row> rows) {
        return rows.stream().mapToDouble(x -> Math.abs(x.error())).max().orElse(0);
    }

    /**
     * The kernel efficiency ({@link TrainingStack#kernelEfficiency}) that minimises the sum of squared log errors over
     * the shipped runs whose id does not start with {@code leftOut} (none left out when empty): a golden-section search
     * over [0.5, 1.5].
     *
     * @param leftOut a prefix of the ids to leave out, or the empty string
     * @return the fitted kernel efficiency
     */
    public static double fitKernelEfficiency(String leftOut) {
        double lo = 0.5, hi = 1.5, g = (Math.sqrt(5) - 1) / 2;
        for (int i = 0; i < 40; i++) {
            double a = hi - g * (hi - lo), b = lo + g * (hi - lo);
            if (logLoss(a, leftOut) < logLoss(b, leftOut)) hi = b;
            else lo = a;
        }
        return (lo + hi) / 2;
    }

    private static double logLoss(double k, String leftOut) {
        double sum = 0;
        for (Row r : rows(TrainingStack.MEGATRON_2022_SELENE.withKernelEfficiency(k)))
            if (leftOut.isEmpty() || !r.id().startsWith(leftOut)) {
                double e = Math.log(r.predicted().seconds() / r.measuredSeconds());
                sum += e * e;
            }
        return sum;
    }

    private static Row row(CSVRecord r, TrainingStack stack) {
        String id = r.get("id");
        TransformerSpec spec = gpt(
                id,
                Integer.parseInt(r.get("hidden")),
                Integer.parseInt(r.get("heads")),
                Integer.parseInt(r.get("layers")),
                Integer.parseInt(r.get("vocab")),
                Integer.parseInt(r.get("seq_len")));
        TrainingLayout layout = new TrainingLayout(
                Integer.parseInt(r.get("tp")),
                Integer.parseInt(r.get("pp")),
                Integer.parseInt(r.get("dp")),
                Integer.parseInt(r.get("interleave")),
                Integer.parseInt(r.get("global_batch")),
                Integer.parseInt(r.get("micro_batch")),
                Integer.parseInt(r.get("seq_len")),
                Recompute.parse("recompute", r.get("recompute")),
                Boolean.parseBoolean(r.get("sequence_parallel")),
                0);
        Hardware hw = GpuPerformance.hardware(HardwareCatalog.get(r.get("hardware")));
        TrainingStep step = TrainingStepModel.estimate(spec, hw, GpuPerformance.gpu(), "fp16", layout, stack);
        double eq3 = eq3FlopsPerStep(
                layout.globalBatch(),
                layout.sequenceLength(),
                Integer.parseInt(r.get("layers")),
                Integer.parseInt(r.get("hidden")),
                Integer.parseInt(r.get("vocab")));
        // a step time as published, or the one a published eq. (3) throughput per GPU implies
        double measured = r.isMapped("measured_seconds")
                ? Double.parseDouble(r.get("measured_seconds"))
                : eq3 / (layout.devices() * Double.parseDouble(r.get("measured_tflops_per_gpu")) * 1e12);
        return new Row(id, r.get("hardware"), layout, measured, step, eq3);
    }

    /** A GPT of Megatron-LM's shape: learned positions, LayerNorm, GeLU MLP of 4 x hidden, tied embeddings. */
    static TransformerSpec gpt(String name, int hidden, int heads, int layers, int vocab, int seqLen) {
        String json =
                "{\"model_type\":\"gpt2\",\"n_embd\":" + hidden + ",\"n_head\":" + heads + ",\"n_layer\":" + layers
                        + ",\"vocab_size\":" + vocab + ",\"n_positions\":" + seqLen
                        + ",\"activation_function\":\"gelu\",\"tie_word_embeddings\":true}";
        return HfConfigImporter.fromJson(json, name);
    }
}
