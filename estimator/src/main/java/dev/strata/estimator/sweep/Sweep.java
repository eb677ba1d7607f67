package dev.strata.estimator.sweep;

import dev.strata.estimator.cost.ServingCost;
import dev.strata.estimator.latency.Latency;
import dev.strata.estimator.latency.LatencyModel;
import dev.strata.estimator.latency.LatencyTuning;
import dev.strata.estimator.latency.StepTime;
import dev.strata.estimator.memory.MemoryModel;
import dev.strata.estimator.params.Parameters;
import dev.strata.estimator.solve.Solve;
import dev.strata.model.Hardware;
import dev.strata.model.InvalidFieldException;
import dev.strata.model.NumericFormat;
import dev.strata.model.Parallelism;
import dev.strata.model.Precision;
import dev.strata.model.TransformerSpec;
import dev.strata.model.Workload;
import dev.strata.model.internal.Checks;
import dev.strata.model.internal.Limits;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Evaluates the cartesian product of a few varying inputs, one {@link SweepRow} per point, handed to a consumer as
 * soon as it is computed: a million-point sweep never holds its rows. The axes are visited like an odometer, the
 * last axis fastest.
 */
public final class Sweep {
    private Sweep() {}

    /** Largest number of points a sweep may have. */
    public static final long MAX_POINTS = 100_000_000L;

    /** The inputs that an axis can vary. */
    public enum Input {
        /** The model: {@link TransformerSpec} values. */
        MODEL,
        /** The device: {@link Hardware} values. */
        HARDWARE,
        /** The weight format: {@link NumericFormat} values. */
        WEIGHTS,
        /** The KV-cache format: {@link NumericFormat} values. */
        KV,
        /** Sequences per replica. */
        BATCH,
        /** Prompt tokens. */
        PROMPT,
        /** Generated tokens. */
        GENERATE,
        /** Tensor-parallel degree. */
        TP,
        /** Pipeline-parallel degree. */
        PP,
        /** Devices, split into tensor x pipeline as {@link Solve#split} splits them. */
        DEVICES
    }

    /**
     * One varying input and its values: {@link TransformerSpec} for MODEL, {@link Hardware} for HARDWARE,
     * {@link NumericFormat} for WEIGHTS and KV, {@link Long} for the rest. DEVICES overrides TP and PP with the split of
     * {@link Solve#split}.
     *
     * @param input the input it varies
     * @param values its values, at least one
     */
    public record Axis(Input input, List<?> values) {
        /**
         * Checks the fields; an invalid one throws an {@code InvalidFieldException} naming it. The values are copied.
         *
         * @param input the input it varies
         * @param values its values, at least one
         */
        public Axis {
            Checks.present("axis", input);
            if (values == null || values.isEmpty())
                throw new InvalidFieldException(input.name().toLowerCase(), "[]", "at least one value");
            values = List.copyOf(values);
        }
    }

    /**
     * The fixed inputs of every point; an axis overrides one of them. {@code hardware} may be null. {@code tuning} is the
     * latency tuning of every device but those in {@code tuningByHardware} (by hardware id: a calibrated host).
     *
     * @param spec the model
     * @param hardware the device, or null for memory only
     * @param weights the weight format
     * @param kv the KV-cache format
     * @param batch sequences per replica
     * @param prompt prompt tokens
     * @param generate generated tokens
     * @param tp tensor-parallel degree
     * @param pp pipeline-parallel degree
     * @param overheadBytes bytes the runtime holds on each device
     * @param tuning the latency tuning of every device but those in {@code tuningByHardware}
     * @param tuningByHardware latency tunings by hardware id
     * @param prefillChunkTokens prompt tokens of a sequence per prefill pass, 0 for the whole prompt
     * @param prefillTokenBudget most prompt tokens of the batch in one prefill pass, 0 for no bound
     */
    public record Base(
            TransformerSpec spec,
            Hardware hardware,
            NumericFormat weights,
            NumericFormat kv,
            long batch,
            long prompt,
            long generate,
            int tp,
            int pp,
            long overheadBytes,
            LatencyTuning tuning,
            Map<String, LatencyTuning> tuningByHardware,
            long prefillChunkTokens,
            long prefillTokenBudget) {
        /**
         * Copies the tunings by hardware; checks the budget.
         *
         * @param spec the model
         * @param hardware the device, or null for memory only
         * @param weights the weight format
         * @param kv the KV-cache format
         * @param batch sequences per replica
         * @param prompt prompt tokens
         * @param generate generated tokens
         * @param tp tensor-parallel degree
         * @param pp pipeline-parallel degree
         * @param overheadBytes bytes the runtime holds on each device
         * @param tuning the latency tuning of every device but those in {@code tuningByHardware}
         * @param tuningByHardware latency tunings by hardware id
         * @param prefillChunkTokens prompt tokens of a sequence per prefill pass, 0 for the whole prompt (see
         *     {@link Workload#prefillChunkTokens()})
         * @param prefillTokenBudget most prompt tokens of the batch in one prefill pass, 0 for no bound (see
         *     {@link Workload#prefillTokenBudget()})
         */
        public Base {
            tuningByHardware = Map.copyOf(tuningByHardware);
            Checks.range("prefillChunkTokens", prefillChunkTokens, 0, Limits.MAX_CONTEXT);
            Checks.range("prefillTokenBudget", prefillTokenBudget, 0, Workload.MAX_TOKEN_BUDGET);
        }

        /**
         * Each prompt prefilled whole, without a token budget.
         *
         * @param spec the model
         * @param hardware the device, or null for memory only
         * @param weights the weight format
         * @param kv the KV-cache format
         * @param batch sequences per replica
         * @param prompt prompt tokens
         * @param generate generated tokens
         * @param tp tensor-parallel degree
         * @param pp pipeline-parallel degree
         * @param overheadBytes bytes the runtime holds on each device
         * @param tuning the latency tuning of every device but those in {@code tuningByHardware}
         * @param tuningByHardware latency tunings by hardware id
         */
        public Base(
                TransformerSpec spec,
                Hardware hardware,
                NumericFormat weights,
                NumericFormat kv,
                long batch,
                long prompt,
                long generate,
                int tp,
                int pp,
                long overheadBytes,
                LatencyTuning tuning,
                Map<String, LatencyTuning> tuningByHardware) {
            this(
                    spec,
                    hardware,
                    weights,
                    kv,
                    batch,
                    prompt,
                    generate,
                    tp,
                    pp,
                    overheadBytes,
                    tuning,
                    tuningByHardware,
                    0,
                    0);
        }

        /**
         * The same tuning for every device.
         *
         * @param spec the model
         * @param hardware the device, or null for memory only
         * @param weights the weight format
         * @param kv the KV-cache format
         * @param batch sequences per replica
         * @param prompt prompt tokens
         * @param generate generated tokens
         * @param tp tensor-parallel degree
         * @param pp pipeline-parallel degree
         * @param overheadBytes bytes the runtime holds on each device
         * @param tuning the latency tuning of every device but those in {@code tuningByHardware}
         */
        public Base(
                TransformerSpec spec,
                Hardware hardware,
                NumericFormat weights,
                NumericFormat kv,
                long batch,
                long prompt,
                long generate,
                int tp,
                int pp,
                long overheadBytes,
                LatencyTuning tuning) {
            this(spec, hardware, weights, kv, batch, prompt, generate, tp, pp, overheadBytes, tuning, Map.of(), 0, 0);
        }

        /**
         * The tuning of {@code hw}.
         *
         * @param hw the device
         * @return its tuning
         */
        public LatencyTuning tuningFor(Hardware hw) {
            return hw == null ? tuning : tuningByHardware.getOrDefault(hw.id(), tuning);
        }
    }

    /**
     * Points in the product of {@code axes}; throws when above {@link #MAX_POINTS}.
     *
     * @param axes the axes
     * @return the number of points
     */
    public static long size(List<Axis> axes) {
        long n = 1;
        for (Axis a : axes) {
            n *= a.values().size();
            if (n > MAX_POINTS)
                throw new InvalidFieldException(
                        "sweep", "more than " + MAX_POINTS + " points", "at most " + MAX_POINTS + " points");
        }
        return n;
    }

    /**
     * Fails as the sweep would fail, without running it: evaluates the points at the smallest and largest batch,
     * prompt and generated tokens of the sweep (its corners in those three numbers) for every combination of the
     * values of its other axes. Every check a point makes on those numbers (their ranges, prompt + generate within the
     * model's context, byte counts that must fit a long) is monotonic in each of them, so a point that fails has a
     * failing corner, and a sweep whose corners pass runs to the end. What streams rows calls this first, so that a bad
     * point is an error before the first row, not a cut-off output (the command line's exit 2, the API's 400).
     *
     * @param base the fixed inputs
     * @param axes the axes
     */
    public static void check(Base base, List<Axis> axes) {
        run(base, corners(axes), row -> {});
    }

    /** {@code axes} with the batch, prompt and generated-token axes cut to their smallest and largest values. */
    static List<Axis> corners(List<Axis> axes) {
        size(axes);
        List<Axis> out = new java.util.ArrayList<>(axes.size());
        for (Axis a : axes) {
            if (a.input() != Input.BATCH && a.input() != Input.PROMPT && a.input() != Input.GENERATE) {
                out.add(a);
                continue;
            }
            long min = Long.MAX_VALUE, max = Long.MIN_VALUE;
            for (Object v : a.values()) {
                min = Math.min(min, (Long) v);
                max = Math.max(max, (Long) v);
            }
            out.add(new Axis(a.input(), min == max ? List.of(min) : List.of(min, max)));
        }
        return out;
    }

    /**
     * Runs the sweep, handing each row to {@code sink} in odometer order.
     *
     * @param base the fixed inputs
     * @param axes the axes
     * @param sink receives each row
     */
    public static void run(Base base, List<Axis> axes, Consumer<SweepRow> sink) {
        size(axes);
        int[] index = new int[axes.size()];
        SweepMemo memo = new SweepMemo();
        while (true) {
            sink.accept(point(base, axes, index, memo));
            int i = axes.size() - 1;
            while (i >= 0 && ++index[i] == axes.get(i).values().size()) index[i--] = 0;
            if (i < 0) return;
        }
    }

    private static SweepRow point(Base b, List<Axis> axes, int[] index, SweepMemo memo) {
        TransformerSpec spec = b.spec();
        Hardware hw = b.hardware();
        NumericFormat weights = b.weights(), kv = b.kv();
        long batch = b.batch(), prompt = b.prompt(), generate = b.generate();
        int tp = b.tp(), pp = b.pp();
        int devices = 0;
        for (int a = 0; a < index.length; a++) {
            Object v = axes.get(a).values().get(index[a]);
            switch (axes.get(a).input()) {
                case MODEL -> spec = (TransformerSpec) v;
                case HARDWARE -> hw = (Hardware) v;
                case WEIGHTS -> weights = (NumericFormat) v;
                case KV -> kv = (NumericFormat) v;
                case BATCH -> batch = (Long) v;
                case PROMPT -> prompt = (Long) v;
                case GENERATE -> generate = (Long) v;
                case TP -> tp = ((Long) v).intValue();
                case PP -> pp = ((Long) v).intValue();
                case DEVICES -> devices = ((Long) v).intValue();
            }
        }
        if (devices > 0) { // devices split as tensor parallel up to one node, then pipeline stages (Solve.split)
            int n = devices;
            TransformerSpec s = spec;
            Parallelism par = Solve.split(spec, n, Parallelism.NONE)
                    .orElseThrow(() -> new InvalidFieldException(
                            "devices",
                            n,
                            "a count that splits into tensor parallel (up to 8, dividing the heads) x pipeline stages for "
                                    + s.name()));
            tp = par.tensor();
            pp = par.pipeline();
        }
        return evaluate(
                spec,
                hw,
                weights,
                kv,
                batch,
                prompt,
                generate,
                tp,
                pp,
                b.overheadBytes(),
                b.tuningFor(hw),
                memo.params.computeIfAbsent(spec, s -> Parameters.count(s).total()),
                b.prefillChunkTokens(),
                b.prefillTokenBudget(),
                memo);
    }

    /**
     * One point: memory always, latency, fit and cost when {@code hw} is given.
     *
     * @param spec the model
     * @param hw the device, or null for memory only
     * @param weights the weight format
     * @param kv the KV-cache format
     * @param batch sequences per replica
     * @param prompt prompt tokens
     * @param generate generated tokens
     * @param tp tensor-parallel degree
     * @param pp pipeline-parallel degree
     * @param overheadBytes bytes the runtime holds on each device
     * @param tuning the latency tuning of the device
     * @param paramsTotal the model's total parameter count
     * @return the row
     */
    public static SweepRow evaluate(
            TransformerSpec spec,
            Hardware hw,
            NumericFormat weights,
            NumericFormat kv,
            long batch,
            long prompt,
            long generate,
            int tp,
            int pp,
            long overheadBytes,
            LatencyTuning tuning,
            long paramsTotal) {
        return evaluate(
                spec, hw, weights, kv, batch, prompt, generate, tp, pp, overheadBytes, tuning, paramsTotal, 0, 0);
    }

    /**
     * One point, its prefill in chunks under a token budget: memory always, latency, fit and cost when {@code hw} is
     * given.
     *
     * @param spec the model
     * @param hw the device, or null for memory only
     * @param weights the weight format
     * @param kv the KV-cache format
     * @param batch sequences per replica
     * @param prompt prompt tokens
     * @param generate generated tokens
     * @param tp tensor-parallel degree
     * @param pp pipeline-parallel degree
     * @param overheadBytes bytes the runtime holds on each device
     * @param tuning the latency tuning of the device
     * @param paramsTotal the model's total parameter count
     * @param prefillChunkTokens prompt tokens of a sequence per prefill pass, 0 for the whole prompt
     * @param prefillTokenBudget most prompt tokens of the batch in one prefill pass, 0 for no bound
     * @return the row
     */
    public static SweepRow evaluate(
            TransformerSpec spec,
            Hardware hw,
            NumericFormat weights,
            NumericFormat kv,
            long batch,
            long prompt,
            long generate,
            int tp,
            int pp,
            long overheadBytes,
            LatencyTuning tuning,
            long paramsTotal,
            long prefillChunkTokens,
            long prefillTokenBudget) {
        Checks.range("prefillChunkTokens", prefillChunkTokens, 0, Limits.MAX_CONTEXT);
        Checks.range("prefillTokenBudget", prefillTokenBudget, 0, Workload.MAX_TOKEN_BUDGET);
        return evaluate(
                spec,
                hw,
                weights,
                kv,
                batch,
                prompt,
                generate,
                tp,
                pp,
                overheadBytes,
                tuning,
                paramsTotal,
                prefillChunkTokens,
                prefillTokenBudget,
                new SweepMemo());
    }

    private static SweepRow evaluate(
            TransformerSpec spec,
            Hardware hw,
            NumericFormat weights,
            NumericFormat kv,
            long batch,
            long prompt,
            long generate,
            int tp,
            int pp,
            long overheadBytes,
            LatencyTuning tuning,
            long paramsTotal,
            long chunk,
            long budget,
            SweepMemo memo) {
        if (prompt + generate > spec.contextLength())
            throw new InvalidFieldException(
                    "prompt",
                    prompt,
                    "such that prompt + generate = " + (prompt + generate) + " tokens is at most the context length of "
                            + spec.name() + ", " + spec.contextLength());
        // numbers, not a Workload and an estimate: a point makes no object but its row (the memory model's and the
        // latency model's answers are those of InferenceMemory.estimate and LatencyModel.decodeStep for the workload)
        Workload.checkTokens(batch, prompt, generate, chunk);
        Precision p = memo.precision(weights, kv);
        Parallelism par = memo.parallelism(tp, pp);
        MemoryModel memory = memo.memory(spec, p, par, overheadBytes);
        long context = prompt + generate;
        long weightsBytes = memory.weightsBytes(), kvBytes = memory.kvCacheBytes(batch, context);
        long pass = Workload.prefillPassTokens(prompt, chunk, budget);
        long perDevice =
                memory.perDeviceBytes(batch, Workload.prefillPassSequences(batch, pass, budget), pass, context);
        if (hw == null)
            return new SweepRow(
                    spec.name(),
                    "",
                    weights.id(),
                    kv.id(),
                    batch,
                    prompt,
                    generate,
                    tp,
                    pp,
                    paramsTotal,
                    weightsBytes,
                    kvBytes,
                    perDevice,
                    false,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0);
        LatencyModel model = memo.model(spec, p, par, hw, tuning);
        StepTime prefill = memo.prefill(model, par, batch, prompt, chunk, budget);
        StepTime decode = model.decodeStep(batch, Latency.decodeContextTokens(prompt, generate), memo.decode);
        double tokensPerSecond = batch / decode.calibratedSeconds();
        double cost = ServingCost.perMillionOutputTokensUsd(tokensPerSecond, par.devices(), hw.pricePerHourUsd());
        return new SweepRow(
                spec.name(),
                hw.id(),
                weights.id(),
                kv.id(),
                batch,
                prompt,
                generate,
                tp,
                pp,
                paramsTotal,
                weightsBytes,
                kvBytes,
                perDevice,
                perDevice <= hw.memoryBytes(),
                prefill.floorSeconds(),
                prefill.calibratedSeconds(),
                decode.floorSeconds(),
                decode.calibratedSeconds(),
                tokensPerSecond,
                cost);
    }
}
