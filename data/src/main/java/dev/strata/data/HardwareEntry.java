package dev.strata.data;

import dev.strata.model.Hardware;
import dev.strata.model.Microbenchmarks;
import java.util.Map;

/**
 * An accelerator in the built-in catalog, with where each of its figures comes from.
 *
 * @param hardware    the device's figures
 * @param scaleUpLink what the scale-up link is ("NVLink 4 (18 links)", "ICI")
 * @param hostLink    what the host link is ("PCIe Gen5 x16", "not published")
 * @param sources     the source of each figure, keyed by the {@link Hardware} component name
 *                    ({@code peakFlopsPerSecond}, {@code memoryBytes}, ..., {@code pricePerHourUsd})
 * @param calibration the microbenchmarks a measured device (the {@code host}) is calibrated from: its latency tuning and
 *                    efficiencies are fitted to them (estimator {@code HostCalibration}); null for datasheet devices,
 *                    which use the default tuning
 */
public record HardwareEntry(
        Hardware hardware,
        String scaleUpLink,
        String hostLink,
        Map<String, String> sources,
        Microbenchmarks calibration) {
    /**
     * Copies the sources.
     *
     * @param hardware the device's figures
     * @param scaleUpLink what the scale-up link is ("NVLink 4 (18 links)", "ICI")
     * @param hostLink what the host link is ("PCIe Gen5 x16", "not published")
     * @param sources the source of each figure, keyed by the {@link Hardware} component name ({@code
     *     peakFlopsPerSecond}, {@code memoryBytes}, ..., {@code pricePerHourUsd})
     * @param calibration the microbenchmarks a measured device (the {@code host}) is calibrated from: its latency
     *     tuning and efficiencies are fitted to them (estimator {@code HostCalibration}); null for datasheet devices,
     *     which use the default tuning
     */
    public HardwareEntry {
        sources = Map.copyOf(sources);
    }

    /**
     * A datasheet device (no calibration).
     *
     * @param hardware the device's figures
     * @param scaleUpLink what the scale-up link is
     * @param hostLink what the host link is
     * @param sources the source of each figure, keyed by the {@link Hardware} component name
     */
    public HardwareEntry(Hardware hardware, String scaleUpLink, String hostLink, Map<String, String> sources) {
        this(hardware, scaleUpLink, hostLink, sources, null);
    }

    /**
     * Whether the device is calibrated from measurements rather than described by a datasheet.
     *
     * @return whether {@link #calibration()} is not null
     */
    public boolean calibrated() {
        return calibration != null;
    }

    /**
     * The device's id.
     *
     * @return {@code hardware().id()}
     */
    public String id() {
        return hardware.id();
    }
}
