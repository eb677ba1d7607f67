package dev.strata.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.estimator.latency.EngineProfile;
import dev.strata.estimator.latency.GpuEfficiency;
import dev.strata.estimator.latency.LatencyTuning;
import dev.strata.model.Hardware;
import dev.strata.model.InvalidFieldException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The GPU performance model shipped with strata ({@code gpu-performance.json}): the size-dependent efficiencies of the
 * catalog's NVIDIA data-centre GPUs and the engine profiles ({@code --engine}), with the basis of each figure, and
 * the error band that validation against published measurements supports.
 */
public final class GpuPerformance {
    private GpuPerformance() {}

    private static final JsonNode ROOT = read();
    private static final GpuEfficiency GPU = gpu(ROOT.get("gpu"));
    private static final Map<String, EngineProfile> ENGINES = engines(ROOT.get("engines"));
    private static final Set<String> DEVICES = devices(ROOT.get("devices"));
    /** Each engine's tuning on the fitted GPU model, made once: estimates ask for it on every request. */
    private static final Map<String, LatencyTuning> TUNINGS = tunings();
    /** A profile tried in place of the shipped one of its id, on one thread (a calibration's trial). */
    private static final ThreadLocal<EngineProfile> TRIAL = new ThreadLocal<>();

    /**
     * A refit of an engine's profile without one model's runs: the profile it gave, and the model left out.
     *
     * @param fittedOn the model whose runs it was fitted to (a preset id)
     * @param heldOut the model left out (a preset id)
     * @param profile the refitted profile
     */
    public record Refit(String fittedOn, String heldOut, EngineProfile profile) {}

    /**
     * The cross-validation refits {@code engine}'s profile states ({@code crossValidation} in gpu-performance.json):
     * its fitted figures refitted without one model's runs at a time; empty for a profile fitted to one model or none.
     *
     * @param engine an engine id
     * @return the refits
     */
    public static List<Refit> refits(String engine) {
        List<Refit> out = new ArrayList<>();
        EngineProfile shipped = ENGINES.get(engine);
        for (JsonNode e : ROOT.get("engines"))
            if (e.get("id").asText().equals(engine) && e.has("crossValidation"))
                for (JsonNode f : e.get("crossValidation"))
                    out.add(new Refit(
                            f.get("fittedOn").asText(),
                            f.get("heldOut").asText(),
                            shipped.withCosts(
                                    f.path("perLayerOverheadSeconds").asDouble(shipped.perLayerOverheadSeconds()),
                                    f.path("perPassOverheadSeconds").asDouble(shipped.perPassOverheadSeconds()),
                                    f.path("computeEfficiencyScale").asDouble(shipped.computeEfficiencyScale()),
                                    f.path("collectiveLatencySeconds").asDouble(shipped.collectiveLatencySeconds()),
                                    f.path("httpFrontendSeconds").asDouble(shipped.httpFrontendSeconds()),
                                    true,
                                    "refitted without " + f.get("heldOut").asText())));
        return out;
    }

    /**
     * Runs {@code body} with {@code profile} in place of the shipped profile of its id, on this thread only: what a
     * calibration of an engine's profile evaluates.
     *
     * @param profile the profile tried
     * @param body what to run with it
     * @param <T> what {@code body} gives
     * @return what {@code body} gave
     */
    public static <T> T withEngine(EngineProfile profile, java.util.function.Supplier<T> body) {
        TRIAL.set(profile);
        try {
            return body.get();
        } finally {
            TRIAL.remove();
        }
    }

    private static Map<String, LatencyTuning> tunings() {
        Map<String, LatencyTuning> m = new LinkedHashMap<>();
        ENGINES.forEach((id, e) -> m.put(id, e.tuning(GPU)));
        return java.util.Collections.unmodifiableMap(m);
    }

    private static JsonNode read() {
        try (InputStream in = GpuPerformance.class.getResourceAsStream("/dev/strata/data/gpu-performance.json")) {
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static GpuEfficiency gpu(JsonNode g) {
        return new GpuEfficiency(
                g.get("bandwidth").asDouble(),
                doubles(g.get("compute")),
                doubles(g.get("gemmHalfTokens")),
                g.get("attentionBandwidthFactor").asDouble(),
                g.get("communication").asDouble(),
                g.get("collectiveLatencySeconds").asDouble());
    }

    private static Map<String, Double> doubles(JsonNode o) {
        Map<String, Double> m = new LinkedHashMap<>();
        o.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asDouble()));
        return m;
    }

    private static Map<String, EngineProfile> engines(JsonNode list) {
        Map<String, EngineProfile> m = new LinkedHashMap<>();
        for (JsonNode e : list)
            m.put(
                    e.get("id").asText(),
                    new EngineProfile(
                            e.get("id").asText(),
                            e.get("name").asText(),
                            e.get("kvGroupReadExponent").asDouble(),
                            e.get("elementwisePassesPerLayer").asDouble(),
                            e.get("expertComputeFactor").asDouble(),
                            e.has("expertComputeByFormat") ? doubles(e.get("expertComputeByFormat")) : Map.of(),
                            e.get("perLayerOverheadSeconds").asDouble(),
                            e.get("perPassOverheadSeconds").asDouble(),
                            e.has("computeEfficiencyScale")
                                    ? e.get("computeEfficiencyScale").asDouble()
                                    : 1,
                            e.path("collectiveLatencySeconds").asDouble(Double.NaN),
                            e.path("httpFrontendSeconds").asDouble(Double.NaN),
                            e.get("calibrated").asBoolean(),
                            e.get("basis").asText()));
        return java.util.Collections.unmodifiableMap(m);
    }

    private static Set<String> devices(JsonNode list) {
        List<String> ids = new ArrayList<>();
        for (JsonNode d : list) ids.add(d.asText());
        return Set.copyOf(ids);
    }

    /**
     * The fitted efficiencies of the catalog's NVIDIA GPUs.
     *
     * @return the efficiencies
     */
    public static GpuEfficiency gpu() {
        return GPU;
    }

    /**
     * What the GPU figures rest on.
     *
     * @return a sentence naming the measurements and the fit
     */
    public static String gpuBasis() {
        return ROOT.get("gpu").get("basis").asText();
    }

    /**
     * Whether catalog device {@code id} takes the fitted GPU model (NVIDIA data-centre GPUs).
     *
     * @param id a catalog device id
     * @return whether it is covered
     */
    public static boolean covers(String id) {
        return DEVICES.contains(id);
    }

    /**
     * The catalog devices the fitted model covers, in id order.
     *
     * @return the device ids
     */
    public static List<String> coveredDevices() {
        return DEVICES.stream().sorted().toList();
    }

    /**
     * The engine profiles, by id.
     *
     * @return the profiles by {@code --engine} id
     */
    public static Map<String, EngineProfile> engines() {
        return ENGINES;
    }

    /**
     * The engine used when none is named.
     *
     * @return the engine's id
     */
    public static String defaultEngine() {
        return ROOT.get("defaultEngine").asText();
    }

    /**
     * The profile of engine {@code id}; an error names {@code field} and the engines there are.
     *
     * @param field the option the id came from, named in the error
     * @param id an engine id
     * @return the profile
     */
    public static EngineProfile engine(String field, String id) {
        EngineProfile trial = TRIAL.get();
        if (trial != null && trial.id().equals(id == null ? defaultEngine() : id)) return trial;
        EngineProfile e = ENGINES.get(id == null ? defaultEngine() : id);
        if (e == null) throw new InvalidFieldException(field, id, "one of " + String.join(", ", ENGINES.keySet()));
        return e;
    }

    /**
     * {@code hw} with the fitted efficiencies when the model covers it; otherwise {@code hw} itself.
     *
     * @param hw a device
     * @return the device with the fitted efficiencies, or the device itself
     */
    public static Hardware hardware(Hardware hw) {
        return covers(hw.id()) ? GPU.apply(hw) : hw;
    }

    /**
     * The relative error band of a calibrated estimate on a covered GPU, for {@code quantity} ({@code prefillSeconds}
     * or {@code requestSeconds}; decode takes the latter's): the p80 of the cross-validated errors on published points.
     *
     * @param quantity {@code prefillSeconds} or {@code requestSeconds}
     * @return the band, a fraction
     */
    public static double errorBand(String quantity) {
        JsonNode band = ROOT.get("validation").get("errorBand");
        return band.has(quantity)
                ? band.get(quantity).asDouble()
                : band.get("requestSeconds").asDouble();
    }

    /**
     * What the error band rests on.
     *
     * @return a sentence naming the cross-validation
     */
    public static String errorBandBasis() {
        return ROOT.get("validation").get("errorBandBasis").asText();
    }

    /**
     * A figure of the shipped validation: {@code section} ({@code inSample}, ...) and {@code key}.
     *
     * @param section the section of the validation
     * @param key the figure's key in it
     * @return the figure
     */
    public static double validation(String section, String key) {
        return ROOT.get("validation").get(section).get(key).asDouble();
    }

    /**
     * The latency tuning of {@code engine} on device {@code id}: the fitted one where covered, else the default.
     *
     * @param id a catalog device id
     * @param engine the engine's profile
     * @return the tuning
     */
    public static LatencyTuning tuning(String id, EngineProfile engine) {
        if (!covers(id)) return LatencyTuning.GPU_DEFAULT;
        LatencyTuning shipped = TUNINGS.get(engine.id());
        return shipped != null && ENGINES.get(engine.id()).equals(engine) ? shipped : engine.tuning(GPU);
    }
}
