package dev.strata.web.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.data.GpuPerformance;
import dev.strata.data.HardwareCatalog;
import dev.strata.data.HardwareEntry;
import dev.strata.model.Hardware;
import dev.strata.web.render.Render;
import java.util.Map;

/** The hardware catalog: {@code {"hardware": [{id, name, peakFlopsPerSecond: {bf16, ...}, memoryBytes, ...}]}}. */
public final class HardwareReport {
    private HardwareReport() {}

    /**
     * Every catalog entry with its figures, efficiency defaults and sources ({@code hardware}); and, apart from the
     * datasheet devices, the measured {@code host}: its floor figures, the efficiencies fitted to its microbenchmarks
     * (those of its reference format) and their sources.
     */
    public static ObjectNode all() {
        ObjectNode root = Render.NODES.objectNode();
        ArrayNode list = root.putArray("hardware");
        for (HardwareEntry e : HardwareCatalog.all()) list.add(of(e, true));
        HardwareEntry host = HardwareCatalog.host();
        ObjectNode h = of(
                new HardwareEntry(
                        HostDevice.hardware(), host.scaleUpLink(), host.hostLink(), host.sources(), host.calibration()),
                true);
        h.put(
                "calibratedFormats",
                String.join(",", HostDevice.calibration().tuning().formats().keySet()));
        h.put("efficiencyFormat", HostDevice.calibration().referenceFormat());
        root.set("host", h);
        return root;
    }

    /** One device; {@code sources} adds where each figure comes from. */
    static ObjectNode of(HardwareEntry e, boolean sources) {
        ObjectNode o = of(GpuPerformance.hardware(e.hardware())); // a covered GPU's fitted efficiencies
        o.put("scaleUpLink", e.scaleUpLink());
        o.put("hostLink", e.hostLink());
        if (sources) {
            ObjectNode s = o.putObject("sources");
            for (String figure : HardwareCatalog.SOURCED_FIGURES)
                s.put(figure, e.sources().get(figure));
            if (GpuPerformance.covers(e.id())) s.put("efficiency", GpuPerformance.gpuBasis());
        }
        return o;
    }

    /** The figures of a device, as used by a report (price and power possibly overridden). */
    static ObjectNode of(Hardware h) {
        ObjectNode o = Render.NODES.objectNode();
        o.put("id", h.id());
        o.put("name", h.name());
        ObjectNode peaks = o.putObject("peakFlopsPerSecond");
        for (Map.Entry<String, Double> p : h.peakFlopsPerSecond().entrySet()) peaks.put(p.getKey(), p.getValue());
        o.put("memoryBytes", h.memoryBytes());
        o.put("memoryBandwidthBytesPerSecond", h.memoryBandwidthBytesPerSecond());
        o.put("scaleUpBandwidthBytesPerSecond", h.scaleUpBandwidthBytesPerSecond());
        o.put("hostLinkBytesPerSecond", h.hostLinkBytesPerSecond());
        o.put("powerWatts", h.powerWatts());
        o.put("pricePerHourUsd", h.pricePerHourUsd());
        ObjectNode eff = o.putObject("efficiency");
        eff.put("bandwidth", h.efficiency().bandwidth());
        eff.put("compute", h.efficiency().compute());
        eff.put("communication", h.efficiency().communication());
        return o;
    }
}
