package dev.strata.web.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.data.HardwareCatalog;
import dev.strata.estimator.cost.ModelFlops;
import dev.strata.estimator.cost.TrainingRun;
import dev.strata.model.Hardware;
import dev.strata.model.InvalidFieldException;
import dev.strata.model.Parallelism;
import dev.strata.model.Recompute;
import dev.strata.model.internal.Checks;
import dev.strata.web.render.Render;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Training memory per device for every ZeRO stage (0-3) and activation recompute mode (none, selective, full) of one
 * run, against the memory of one device from the hardware catalog: the grid the training page draws. Each cell is
 * {@code memory.training} of {@link EstimateReport} for the run's workload with that stage and mode, so the numbers
 * are those of {@code strata estimate}.
 *
 * <p>Inputs (query names as the options of {@code estimate} and {@code train}): {@code model}, {@code hardware},
 * {@code devices}, {@code tp}, {@code pp}, {@code dp} (default devices ÷ (tp × pp)), {@code batch} (micro-batch per
 * data-parallel rank), {@code seq-len} (training sequence length, default min(4096, the model's context) as in
 * {@code train}), {@code zero} and {@code recompute} (the chosen cell), and the other workload options of
 * {@code estimate} ({@code optimizer}, {@code lora-rank}, {@code lora-targets}, {@code weights}, {@code ep},
 * {@code sequence-parallel}, {@code overhead-gib}).
 */
public final class TrainingMemoryReport {
    /** The ZeRO stages of the grid (Rajbhandari et al. 2020, arXiv:1910.02054 §5). */
    public static final List<Integer> ZERO_STAGES = List.of(0, 1, 2, 3);

    private TrainingMemoryReport() {}

    public static ObjectNode of(Inputs in) {
        String modelId = Checks.present("model", in.presetId("model"));
        ResolvedModel model = ResolvedModel.of(modelId);
        Hardware hw = HardwareCatalog.get(Checks.present("hardware", in.text("hardware")));
        int tp = degree(in, "tp"), pp = degree(in, "pp");
        Long devicesGiven = in.whole("devices");
        if (devicesGiven != null) Checks.range("devices", devicesGiven, 1, TrainingRun.MAX_DEVICES);
        Integer dpGiven = in.integer("dp");
        int dp;
        if (dpGiven != null) {
            dp = Checks.range("dp", dpGiven, 1, Parallelism.MAX_DEGREE);
            if (devicesGiven != null && (long) dp * tp * pp != devicesGiven)
                throw new InvalidFieldException(
                        "dp",
                        dp,
                        "devices ÷ (tp × pp) = " + devicesGiven + " ÷ " + (long) tp * pp
                                + " (or leave dp empty to derive it)");
        } else if (devicesGiven == null) {
            dp = 1;
        } else {
            if (devicesGiven % ((long) tp * pp) != 0)
                throw new InvalidFieldException("devices", devicesGiven, "a multiple of tp × pp = " + (long) tp * pp);
            long d = devicesGiven / ((long) tp * pp);
            if (d > Parallelism.MAX_DEGREE)
                throw new InvalidFieldException(
                        "devices", devicesGiven, "at most " + Parallelism.MAX_DEGREE + " × tp × pp");
            dp = (int) d;
        }
        Integer seqGiven = in.integer("seq-len");
        int seqLen = seqGiven != null
                ? seqGiven
                : Math.min(ModelFlops.DEFAULT_SEQUENCE_LENGTH, model.spec().contextLength());

        Map<String, String> fixed = new HashMap<>();
        fixed.put("prompt", Integer.toString(seqLen));
        fixed.put("generate", "0");
        fixed.put("dp", Integer.toString(dp));
        fixed.put("tp", Integer.toString(tp));
        fixed.put("pp", Integer.toString(pp));
        fixed.put("device-memory-gb", Double.toString(hw.memoryBytes() / 1e9));
        fixed.put("device-memory-gib", null);

        // The chosen cell first: it validates every option as the user gave it.
        ObjectNode chosen = estimate(model, in, fixed, null, null);
        int chosenZero = chosen.at("/workload/zeroStage").intValue();
        String chosenRecompute = chosen.at("/workload/recompute").textValue();
        JsonNode chosenTraining = chosen.at("/memory/training");
        if (chosenTraining.isMissingNode())
            throw new InvalidFieldException(
                    "weights",
                    chosen.at("/precision/weights").asText(),
                    "a 16- or 32-bit format for full training (or give lora-rank for QLoRA)");

        ObjectNode root = Render.NODES.objectNode();
        root.set("model", chosen.get("model"));
        ObjectNode h = root.putObject("hardware");
        h.put("id", hw.id());
        h.put("name", hw.name());
        root.put("deviceMemoryBytes", hw.memoryBytes());
        root.put("devices", (long) dp * tp * pp);
        root.put("dataParallel", dp);
        root.put("tensorParallel", tp);
        root.put("pipelineParallel", pp);
        root.put("sequenceLength", seqLen);
        root.put("microBatch", chosen.at("/workload/batch").longValue());
        root.put("optimizer", chosen.at("/workload/optimizer").textValue());
        root.put("method", chosenTraining.get("method").textValue());
        root.put("trainableParams", chosenTraining.get("trainableParams").longValue());
        root.put("frozenParams", chosenTraining.get("frozenParams").longValue());
        ObjectNode sel = root.putObject("chosen");
        sel.put("zeroStage", chosenZero);
        sel.put("recompute", chosenRecompute);
        ArrayNode rows = root.putArray("rows");
        for (int zero : ZERO_STAGES) {
            for (Recompute r : Recompute.values()) {
                boolean isChosen = zero == chosenZero && r.id().equals(chosenRecompute);
                JsonNode t = isChosen
                        ? chosenTraining
                        : estimate(model, in, fixed, zero, r).at("/memory/training");
                ObjectNode row = rows.addObject();
                row.put("zeroStage", zero);
                row.put("recompute", r.id());
                row.put("chosen", isChosen);
                for (String term : List.of(
                        "weightsBytes",
                        "gradientsBytes",
                        "masterWeightsBytes",
                        "optimizerStatesBytes",
                        "activationsBytes",
                        "runtimeOverheadBytes"))
                    row.put(term, t.at("/perDevice/" + term).longValue());
                row.put("perDeviceBytes", t.get("perDeviceBytes").longValue());
                row.put("fits", t.get("fits").booleanValue());
                row.put("headroomBytes", t.get("headroomBytes").longValue());
            }
        }
        return root;
    }

    /** {@code estimate} for the run with one ZeRO stage and recompute mode (null: as the user gave them). */
    private static ObjectNode estimate(
            ResolvedModel model, Inputs in, Map<String, String> fixed, Integer zero, Recompute recompute) {
        try {
            EstimateOptions options = EstimateOptions.parse(
                    name -> {
                        if (name.equals("zero") && zero != null) return zero.toString();
                        if (name.equals("recompute") && recompute != null) return recompute.id();
                        return fixed.containsKey(name) ? fixed.get(name) : in.text(name);
                    },
                    "");
            return EstimateReport.of(model, options);
        } catch (InvalidFieldException e) {
            throw seqLen(e);
        }
    }

    /** The estimate calls the sequence length {@code prompt}; here it is {@code seq-len}. */
    private static InvalidFieldException seqLen(InvalidFieldException e) {
        if (!e.field().equals("prompt")) return e;
        String m = e.getMessage();
        return InvalidFieldException.withMessage(
                "seq-len",
                m.startsWith("prompt")
                        ? "seq-len" + m.substring("prompt".length()).replace("prompt + generate", "seq-len")
                        : m);
    }

    private static int degree(Inputs in, String name) {
        Integer v = in.integer(name);
        return v == null ? 1 : Checks.range(name, v, 1, Parallelism.MAX_DEGREE);
    }
}
