package dev.strata.web.report;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.data.GpuPerformance;
import dev.strata.data.HardwareCatalog;
import dev.strata.data.HardwareEntry;
import dev.strata.estimator.cost.ServingCost;
import dev.strata.estimator.cost.ServingCostEstimate;
import dev.strata.estimator.latency.Calibration;
import dev.strata.estimator.latency.EngineProfile;
import dev.strata.estimator.latency.Latency;
import dev.strata.estimator.latency.LatencyComponent;
import dev.strata.estimator.latency.LatencyEstimate;
import dev.strata.estimator.latency.LatencyModel;
import dev.strata.estimator.latency.LatencyTuning;
import dev.strata.estimator.latency.StepTime;
import dev.strata.estimator.solve.Solve;
import dev.strata.model.Hardware;
import dev.strata.model.Precision;
import dev.strata.model.TransformerSpec;
import dev.strata.model.Workload;
import dev.strata.web.render.Render;
import java.util.ArrayList;
import java.util.List;

/**
 * The serving sections of {@code estimate} when hardware is given: {@code latency}, {@code throughput},
 * {@code capacity}, {@code cost}, and on request {@code calibration} and {@code cheapest}. Every number comes from the
 * latency, solve and cost estimators; this class only names them.
 */
final class ServingReport {
    private static final JsonNodeFactory F = Render.NODES;

    private ServingReport() {}

    static void add(JsonOut root, TransformerSpec spec, EstimateOptions options, ServingOptions serving) {
        try {
            write(root, spec, options, serving);
        } catch (dev.strata.model.InvalidFieldException e) {
            throw serving.blame(e, options.prefix()); // a time too long names the option that made it so
        }
    }

    private static void write(JsonOut root, TransformerSpec spec, EstimateOptions options, ServingOptions serving) {
        Hardware hw = serving.hardware();
        Workload w = options.workload();
        Precision p = options.precision();
        LatencyTuning tuning = serving.tuning();
        LatencyModel model = LatencyModel.of(
                spec, p, w.parallelism(), hw, tuning, serving.offload()); // also for the batch searches below
        LatencyEstimate est = model.estimate(w);
        int replicas = w.parallelism().data();

        String format = Latency.computeFormat(hw, p);
        JsonOut latency = root.object("latency");
        latency.put("hardware", hw.id());
        latency.put("computeFormat", format);
        latency.put("devices", w.parallelism().devices());
        pair(latency, "prefillSeconds", est.timeToFirstTokenFloorSeconds(), est.timeToFirstTokenSeconds());
        pair(
                latency,
                "decodeSecondsPerToken",
                est.decode().floorSeconds(),
                est.decode().calibratedSeconds());
        pair(latency, "requestSeconds", est.requestFloorSeconds(), est.requestSeconds());
        latency.put("decodeContextTokens", est.decodeContextTokens());
        latency.object("bound")
                .put("prefill", est.prefill().bound())
                .put("decode", est.decode().bound())
                .end();
        latency.put("computeBoundBatch", est.computeBoundBatch());
        latency.put("offload", serving.offload().name().toLowerCase(java.util.Locale.ROOT));
        if (est.decode().hostLinkBytes() > 0)
            latency.put("hostLinkBytesPerDecodeStep", est.decode().hostLinkBytes());
        LatencyTuning ft = tuning.forFormat(format);
        latency.object("efficiency")
                .put("bandwidth", Latency.bandwidthEfficiency(hw, tuning, format))
                .put("compute", Latency.computeEfficiency(hw, tuning, format))
                .put("communication", hw.efficiency().communication())
                .end();
        tuning(latency.object("tuning"), ft).end();
        if (serving.engine() != null) {
            EngineProfile e = serving.engine();
            latency.object("engine")
                    .put("id", e.id())
                    .put("name", e.name())
                    .put("calibrated", e.calibrated())
                    .put("basis", e.basis())
                    .end();
            // the error band validation supports for the calibrated times on this GPU model
            latency.object("errorBand")
                    .put("prefillSeconds", GpuPerformance.errorBand("prefillSeconds"))
                    .put("decodeSecondsPerToken", GpuPerformance.errorBand("decodeSecondsPerToken"))
                    .put("requestSeconds", GpuPerformance.errorBand("requestSeconds"))
                    .put(
                            "basis",
                            GpuPerformance.errorBandBasis()
                                    + (e.id().equals(GpuPerformance.defaultEngine())
                                            ? ""
                                            : e.calibrated()
                                                    ? "; engine " + e.id() + " has its own cross-validation on its"
                                                            + " published runs (validate --serving)"
                                                    : "; engine " + e.id() + " is not calibrated, so wider"))
                    .end();
        }
        perRequest(latency, spec, p, w, hw, tuning, model, options, est);
        breakdown(latency.object("decodeBreakdown"), est.decode()).end();
        breakdown(latency.object("prefillBreakdown"), est.prefill()).end();
        latency.end();

        JsonOut throughput = root.object("throughput");
        pair(throughput, "tokensPerSecond", est.tokensPerSecondFloor() * replicas, est.tokensPerSecond() * replicas);
        pair(
                throughput,
                "tokensPerSecondPerSequence",
                est.tokensPerSecondPerSequenceFloor(),
                est.tokensPerSecondPerSequence());
        throughput.put("replicas", replicas);
        throughput.end();

        long capacity = hw.memoryBytes();
        long overhead = options.runtimeOverheadBytes();
        JsonOut cap = root.object("capacity");
        cap.put("deviceMemoryBytes", capacity);
        long maxBatch = Solve.maxBatch(spec, p, w, capacity, overhead);
        cap.put("maxBatch", maxBatch);
        cap.put("maxContextTokens", Solve.maxContext(spec, p, w, capacity, overhead));
        cap.put("modelContextTokens", spec.contextLength());
        Solve.minDevices(spec, p, w, capacity, overhead)
                .ifPresentOrElse(
                        par -> {
                            cap.put("minDevices", par.devices());
                            cap.put("minDevicesTensorParallel", par.tensor());
                            cap.put("minDevicesPipelineParallel", par.pipeline());
                        },
                        () -> cap.putNull("minDevices"));
        cap.end();

        int devices = w.parallelism().devices();
        if (hw.pricePerHourUsd() > 0) {
            JsonOut cost = root.object("cost");
            cost.put("pricePerDeviceHourUsd", hw.pricePerHourUsd());
            cost.put("devices", devices);
            double prefillOne = model.prefill(w.withBatch(1), false).calibratedSeconds();
            int batch = (int) Math.min(w.batch(), ServingCost.MAX_BATCH);
            ServingCostEstimate at = ServingCost.at(
                    b -> model.decodeStep(b, est.decodeContextTokens()).calibratedSeconds(),
                    batch,
                    devices,
                    hw.pricePerHourUsd(),
                    (int) Math.max(1, w.generatedTokens()),
                    prefillOne);
            cost.put("costPerMillionTokensUsd", at.costPerMillionOutputTokensUsd());
            cost.put("costPerRequestUsd", at.costPerRequestUsd());
            if (serving.targetSeconds() != null && maxBatch == 0)
                cost.putNull("cheapestBatch"); // not even batch 1 fits
            else if (serving.targetSeconds() != null) {
                int limit = (int) Math.min(Math.min(maxBatch, ServingCost.MAX_BATCH), 4096);
                try {
                    ServingCostEstimate best = ServingCost.cheapestBatch(
                            b -> model.decodeStep(b, est.decodeContextTokens()).calibratedSeconds(),
                            limit,
                            serving.targetSeconds(),
                            devices,
                            hw.pricePerHourUsd(),
                            (int) Math.max(1, w.generatedTokens()),
                            prefillOne);
                    cost.object("cheapestBatch")
                            .put("batch", best.batch())
                            .put("decodeSecondsPerToken", best.decodeStepSeconds())
                            .put("costPerMillionTokensUsd", best.costPerMillionOutputTokensUsd())
                            .end();
                } catch (dev.strata.model.InvalidFieldException e) {
                    cost.putNull("cheapestBatch"); // even batch 1 misses the target on this setup
                }
            }
            cost.end();
        }

        if (serving.measuredSeconds() != null) {
            JsonOut cal = root.object("calibration");
            cal.put("measuredSecondsPerToken", serving.measuredSeconds());
            try {
                cal.put(
                        "impliedBandwidthEfficiency",
                        Calibration.impliedBandwidthEfficiency(
                                spec, p, w, hw, tuning, serving.offload(), serving.measuredSeconds()));
            } catch (dev.strata.model.InvalidFieldException e) {
                throw new dev.strata.model.InvalidFieldException(
                        options.prefix() + "measured-ms-per-token",
                        serving.measuredSeconds() * 1e3,
                        "between the decode time at 100 % and at 1 % bandwidth efficiency for this setup (the floor is "
                                + String.format(
                                        java.util.Locale.ROOT,
                                        "%.4g",
                                        est.decode().floorSeconds() * 1e3)
                                + " ms); otherwise the inputs do not describe the run");
            }
            cal.put("use", "pass --bandwidth-efficiency with this value to apply it to other setups");
            cal.end();
        }

        if (serving.targetSeconds() != null) {
            List<Hardware> catalog = new ArrayList<>();
            for (HardwareEntry e : HardwareCatalog.all()) catalog.add(GpuPerformance.hardware(e.hardware()));
            EngineProfile engine = serving.engine() != null
                    ? serving.engine()
                    : GpuPerformance.engine("engine", GpuPerformance.defaultEngine());
            JsonOut cheapest = root.array("cheapest");
            // the catalog's datasheet devices, with their default tuning (not the host's, when the host was asked
            // about)
            for (Solve.Option o : Solve.cheapest(
                    spec,
                    p,
                    w,
                    catalog,
                    serving.targetSeconds(),
                    overhead,
                    d -> GpuPerformance.tuning(d.id(), engine))) {
                JsonOut row = cheapest.addObject();
                row.put("hardware", o.hardware().id());
                row.put("devices", o.devices());
                row.put("tensorParallel", o.parallelism().tensor());
                row.put("pipelineParallel", o.parallelism().pipeline());
                row.put("decodeSecondsPerToken", o.decodeSecondsPerToken());
                row.put("tokensPerSecond", o.tokensPerSecond());
                row.put("costPerMillionTokensUsd", o.costPerMillionTokensUsd());
                row.end();
            }
            cheapest.end();
        }
    }

    /** Most tokens of a batch whose per-request times are simulated (a few milliseconds of work). */
    static final long PER_REQUEST_MAX_TOKENS = 4_000_000;

    /**
     * What one request of the batch waits when an engine serves the batch as it serves traffic: every request arrives
     * at once and the engine's scheduler (the estimate's token budget a step, {@code max-batched-tokens}, chunked
     * prefill mixed with decode, as many sequences as the batch) runs them ({@code latency.perRequest}: time to first
     * token and time per output token, mean and p90). {@code prefillSeconds} above is the whole batch's prefill, pass
     * after pass of the same budget. One request is its own estimate (the prompt's prefill, the decode step at the average
     * context), not simulated. Left out for batches of more than {@link #PER_REQUEST_MAX_TOKENS} tokens, or that the
     * memory left over does not hold.
     */
    private static void perRequest(
            JsonOut latency,
            TransformerSpec spec,
            Precision p,
            Workload w,
            Hardware hw,
            LatencyTuning tuning,
            LatencyModel model,
            EstimateOptions options,
            LatencyEstimate est) {
        if (w.batch() == 1) { // one request: its prompt's prefill and its decode steps, nothing to simulate
            JsonOut o = latency.object("perRequest");
            o.put("maxBatchedTokens", w.prefillTokenBudget());
            o.put("timeToFirstTokenMeanSeconds", est.timeToFirstTokenSeconds());
            o.put("timeToFirstTokenP90Seconds", est.timeToFirstTokenSeconds());
            if (w.generatedTokens() > 1) {
                o.put("timePerOutputTokenMeanSeconds", est.decode().calibratedSeconds());
                o.put("timePerOutputTokenP90Seconds", est.decode().calibratedSeconds());
            }
            o.put("requestSeconds", est.requestSeconds());
            o.end();
            return;
        }
        long tokens = w.batch() * (w.promptTokens() + Math.max(1, w.generatedTokens()));
        if (tokens > PER_REQUEST_MAX_TOKENS || w.batch() > 1 << 20) return;
        // the estimate's token budget; without one the whole batch's prompts fit one step, as its prefill assumes
        long budget = w.prefillTokenBudget() > 0
                ? w.prefillTokenBudget()
                : Math.min(Workload.MAX_TOKEN_BUDGET, w.batch() * w.promptTokens());
        long blocks;
        try {
            blocks = dev.strata.estimator.serving.KvCapacity.blocks(
                    spec,
                    p,
                    w.parallelism(),
                    hw,
                    options.runtimeOverheadBytes(),
                    1.0,
                    budget,
                    (int) w.batch(),
                    SimulateReport.DEFAULT_BLOCK_SIZE);
        } catch (dev.strata.model.InvalidFieldException e) {
            return; // the memory estimate says what does not fit
        }
        var traffic = new dev.strata.estimator.serving.Traffic(
                "all",
                0,
                1,
                0,
                (int) w.batch(),
                dev.strata.estimator.serving.Lengths.fixed(w.promptTokens()),
                dev.strata.estimator.serving.Lengths.fixed(Math.max(1, w.generatedTokens())),
                0,
                java.util.List.of());
        dev.strata.estimator.serving.ServingSimulation.Result r;
        try {
            r = dev.strata.estimator.serving.ServingSimulation.run(
                    model,
                    new dev.strata.estimator.serving.ServingSimulation.Scheduler(
                            (int) w.batch(), budget, SimulateReport.DEFAULT_BLOCK_SIZE, blocks),
                    1,
                    "round-robin",
                    traffic);
        } catch (dev.strata.model.InvalidFieldException e) {
            return;
        }
        org.apache.commons.math3.stat.descriptive.DescriptiveStatistics
                ttft = new org.apache.commons.math3.stat.descriptive.DescriptiveStatistics(),
                tpot = new org.apache.commons.math3.stat.descriptive.DescriptiveStatistics();
        for (var x : r.requests()) {
            ttft.addValue(x.ttft());
            tpot.addValue(x.tpot());
        }
        JsonOut o = latency.object("perRequest");
        o.put("maxBatchedTokens", budget);
        o.put("timeToFirstTokenMeanSeconds", ttft.getMean());
        o.put("timeToFirstTokenP90Seconds", ttft.getPercentile(90));
        if (w.generatedTokens() > 1) {
            o.put("timePerOutputTokenMeanSeconds", tpot.getMean());
            o.put("timePerOutputTokenP90Seconds", tpot.getPercentile(90));
        }
        o.put("requestSeconds", r.makespanSeconds());
        o.end();
    }

    /**
     * The tuning in effect as JSON: the five factors every device has, and the calibrated terms when a device has them
     * (the host).
     */
    static ObjectNode tuning(LatencyTuning t) {
        ObjectNode o = F.objectNode();
        tuning(JsonOut.tree(o), t);
        return o;
    }

    private static JsonOut tuning(JsonOut o, LatencyTuning t) {
        o.put("gemmHalfTokens", t.gemmHalfTokens());
        o.put("wideInputThreshold", t.wideInputThreshold());
        o.put("wideInputBandwidthFactor", t.wideInputBandwidthFactor());
        o.put("perLayerOverheadSeconds", t.perLayerOverheadSeconds());
        o.put("collectiveLatencySeconds", t.collectiveLatencySeconds());
        if (t.bandwidthHalfInputWidth() > 0
                || t.attentionBandwidthFactor() != 1
                || t.perPassOverheadSeconds() > 0
                || !t.layerOverheadSeconds().isEmpty()
                || t.matrixVectorRows() > 0
                || t.attentionHalfTokens() != t.gemmHalfTokens()
                || t.matrixProductOverheadSeconds() > 0
                || t.kvGroupReadExponent() > 0
                || t.elementwisePassesPerLayer() > 0
                || t.expertComputeFactor() != 1
                || !t.inSituLayerSeconds().isEmpty()) {
            o.put("bandwidthHalfInputWidth", t.bandwidthHalfInputWidth());
            o.put("attentionBandwidthFactor", t.attentionBandwidthFactor());
            o.put("attentionHalfTokens", t.attentionHalfTokens());
            o.put("matrixVectorRows", t.matrixVectorRows());
            o.put("matrixProductOverheadSeconds", t.matrixProductOverheadSeconds());
            o.put("perPassOverheadSeconds", t.perPassOverheadSeconds());
            o.put("kvGroupReadExponent", t.kvGroupReadExponent());
            o.put("elementwisePassesPerLayer", t.elementwisePassesPerLayer());
            o.put("expertComputeFactor", t.expertComputeFactor());
            JsonOut layers = o.object("layerOverheadSeconds");
            t.layerOverheadSeconds().forEach((type, seconds) -> layers.put(type, (double) seconds));
            layers.end();
            JsonOut inSitu = o.object("inSituLayerSeconds"); // by hidden width
            t.inSituLayerSeconds().forEach((width, seconds) -> inSitu.put(Long.toString(width), (double) seconds));
            inSitu.end();
        }
        return o;
    }

    private static JsonOut breakdown(JsonOut o, StepTime s) {
        for (LatencyComponent c : LatencyComponent.values()) {
            if (s.calibratedSeconds(c) == 0 && s.bytes(c) == 0) continue;
            o.object(c.key())
                    .put("bytes", s.bytes(c))
                    .put("flops", s.flops(c))
                    .put("floorSeconds", s.floorSeconds(c))
                    .put("calibratedSeconds", s.calibratedSeconds(c))
                    .end();
        }
        return o;
    }

    private static void pair(JsonOut into, String name, double floor, double calibrated) {
        into.object(name).put("floor", floor).put("calibrated", calibrated).end();
    }
}
