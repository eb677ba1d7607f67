package dev.strata.model;

import dev.strata.model.internal.Checks;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One accelerator (GPU, TPU chip, Gaudi card) as the estimators see it: datasheet peaks plus the efficiency factors
 * that turn a peak into what real software reaches. All figures are per device and in SI base units; vendor
 * "GB" and "TB/s" are decimal (docs/formulas.md, "Counting conventions").
 *
 * <p>Peaks are dense (no structured sparsity). Link bandwidths are the vendor's headline figure, which for NVLink,
 * Infinity Fabric and PCIe is the bidirectional total (NVLink 4 on H100: 900 GB/s = 450 GB/s each way); divide
 * by two for one direction. A figure that is not published is 0 and the estimators that need it say so.
 *
 * <p>Instances come from the catalog in module data ({@code HardwareCatalog}, which records the source of every
 * figure) or are built in code with {@link #builder}; {@link #toBuilder} starts from an existing device, and
 * {@link #withPricePerHourUsd}, {@link #withPowerWatts} and {@link #withEfficiency} override the editable parts.
 *
 * @param id                             stable lower-case id with dashes ({@code h100-sxm})
 * @param name                           display name
 * @param peakFlopsPerSecond             dense peak FLOP/s per numeric format id (keys from {@link #FORMATS}, e.g.
 *                                       {@code "bf16" -> 9.89e14}); a format the device has no peak for is absent
 * @param memoryBytes                    device memory capacity in bytes, as the datasheet prints it (80 GB = 8e10)
 * @param memoryBandwidthBytesPerSecond  device memory (HBM/GDDR) bandwidth in bytes/s
 * @param scaleUpBandwidthBytesPerSecond bandwidth of the device-to-device link inside a node or pod (NVLink, Infinity
 *                                       Fabric, ICI, Gaudi's on-chip Ethernet), bidirectional total, bytes/s; for a
 *                                       device without a dedicated link (L40S) the PCIe figure its peers use; 0 when
 *                                       not published
 * @param hostLinkBytesPerSecond         host link (PCIe) bandwidth, bidirectional total, bytes/s; 0 when not published
 * @param powerWatts                     board power (TDP) in watts; 0 when not published
 * @param pricePerHourUsd                price of one device for one hour in US dollars (an editable assumption; the
 *                                       catalog states what each default assumes)
 * @param efficiency                     fractions of the peaks that real software reaches
 */
public record Hardware(
        String id,
        String name,
        Map<String, Double> peakFlopsPerSecond,
        long memoryBytes,
        double memoryBandwidthBytesPerSecond,
        double scaleUpBandwidthBytesPerSecond,
        double hostLinkBytesPerSecond,
        double powerWatts,
        double pricePerHourUsd,
        Efficiency efficiency) {

    /**
     * Numeric format ids a peak may be given for: {@code fp32} (non-tensor FP32), {@code tf32}, {@code bf16},
     * {@code fp16}, {@code fp8}, {@code int8}, {@code fp4}, {@code int4}. The same ids as the format ids of docs/architecture.md, "Contracts", plus
     * tf32 and fp4.
     */
    public static final List<String> FORMATS = List.of("fp32", "tf32", "bf16", "fp16", "fp8", "int8", "fp4", "int4");

    /** Largest peak accepted: 1e18 FLOP/s (one exaFLOP/s) per device, far above any device in 2025. */
    public static final double MAX_PEAK_FLOPS_PER_SECOND = 1e18;
    /** Largest memory capacity accepted: 1e14 bytes (100 TB) per device. */
    public static final long MAX_MEMORY_BYTES = 100_000_000_000_000L;
    /** Largest bandwidth accepted (memory or link): 1e15 bytes/s per device. */
    public static final double MAX_BANDWIDTH_BYTES_PER_SECOND = 1e15;
    /** Largest board power accepted: 100 kW per device. */
    public static final double MAX_POWER_WATTS = 100_000;
    /** Largest price accepted: 1e6 USD per device-hour. */
    public static final double MAX_PRICE_PER_HOUR_USD = 1e6;

    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9.-]{0,63}");

    /**
     * Checks every field, naming it in the {@link InvalidFieldException}. Build instances with {@link #builder}; this
     * constructor is public only because Java requires a record's canonical constructor to be as accessible as the
     * record itself (JLS 8.10.4).
     *
     * @param id stable lower-case id with dashes ({@code h100-sxm})
     * @param name display name
     * @param peakFlopsPerSecond dense peak FLOP/s per numeric format id (keys from {@link #FORMATS}, e.g. {@code "bf16"
     *     -> 9.89e14}); a format the device has no peak for is absent
     * @param memoryBytes device memory capacity in bytes, as the datasheet prints it (80 GB = 8e10)
     * @param memoryBandwidthBytesPerSecond device memory (HBM/GDDR) bandwidth in bytes/s
     * @param scaleUpBandwidthBytesPerSecond bandwidth of the device-to-device link inside a node or pod (NVLink,
     *     Infinity Fabric, ICI, Gaudi's on-chip Ethernet), bidirectional total, bytes/s; for a device without a
     *     dedicated link (L40S) the PCIe figure its peers use; 0 when not published
     * @param hostLinkBytesPerSecond host link (PCIe) bandwidth, bidirectional total, bytes/s; 0 when not published
     * @param powerWatts board power (TDP) in watts; 0 when not published
     * @param pricePerHourUsd price of one device for one hour in US dollars (an editable assumption; the catalog states
     *     what each default assumes)
     * @param efficiency fractions of the peaks that real software reaches
     */
    public Hardware {
        Checks.text("hardware.id", id);
        if (!ID.matcher(id).matches())
            throw new InvalidFieldException("hardware.id", id, "lower-case letters, digits, '.' and '-' (at most 64)");
        name = name == null || name.isBlank() ? id : name;
        Checks.present("hardware.peakFlopsPerSecond", peakFlopsPerSecond);
        if (peakFlopsPerSecond.isEmpty())
            throw new InvalidFieldException(
                    "hardware.peakFlopsPerSecond", "{}", "a peak for at least one of " + FORMATS);
        Map<String, Double> peaks = new LinkedHashMap<>();
        for (String format : FORMATS) { // a fixed order, whatever order the caller used
            if (peakFlopsPerSecond.containsKey(format))
                peaks.put(
                        format,
                        Checks.positive(
                                "hardware.peakFlopsPerSecond." + format,
                                Checks.present("hardware.peakFlopsPerSecond." + format, peakFlopsPerSecond.get(format)),
                                MAX_PEAK_FLOPS_PER_SECOND));
        }
        for (String format : peakFlopsPerSecond.keySet())
            if (!peaks.containsKey(format))
                throw new InvalidFieldException(
                        "hardware.peakFlopsPerSecond", format, "a format id, one of " + FORMATS);
        peakFlopsPerSecond = Collections.unmodifiableMap(peaks);
        Checks.range("hardware.memoryBytes", memoryBytes, 1, MAX_MEMORY_BYTES);
        Checks.positive(
                "hardware.memoryBandwidthBytesPerSecond",
                memoryBandwidthBytesPerSecond,
                MAX_BANDWIDTH_BYTES_PER_SECOND);
        Checks.range(
                "hardware.scaleUpBandwidthBytesPerSecond",
                scaleUpBandwidthBytesPerSecond,
                0,
                MAX_BANDWIDTH_BYTES_PER_SECOND);
        Checks.range("hardware.hostLinkBytesPerSecond", hostLinkBytesPerSecond, 0, MAX_BANDWIDTH_BYTES_PER_SECOND);
        Checks.range("hardware.powerWatts", powerWatts, 0, MAX_POWER_WATTS);
        Checks.range("hardware.pricePerHourUsd", pricePerHourUsd, 0, MAX_PRICE_PER_HOUR_USD);
        Checks.present("hardware.efficiency", efficiency);
    }

    /**
     * Whether the datasheet gives a peak for {@code format}.
     *
     * @param format a format id of {@link #FORMATS}
     * @return whether {@link #peakFlopsPerSecond()} holds a peak for it
     */
    public boolean hasPeak(String format) {
        return peakFlopsPerSecond.containsKey(format);
    }

    /**
     * Dense peak FLOP/s for a numeric format id.
     *
     * @param format a format id of {@link #FORMATS}
     * @return the dense peak in FLOP/s
     * @throws InvalidFieldException (field {@code format}) naming the formats this device has peaks for
     */
    public double peakFlopsPerSecond(String format) {
        Double peak = peakFlopsPerSecond.get(format);
        if (peak == null)
            throw new InvalidFieldException(
                    "format", format, "a format " + id + " has a peak for, one of " + peakFlopsPerSecond.keySet());
        return peak;
    }

    /**
     * Whether the board power is published (needed for energy).
     *
     * @return whether {@link #powerWatts()} is above 0
     */
    public boolean hasPower() {
        return powerWatts > 0;
    }

    /**
     * This device at another price per device-hour.
     *
     * @param usd the price of one device for one hour, US dollars
     * @return a copy with that price, every other field unchanged
     */
    public Hardware withPricePerHourUsd(double usd) {
        return toBuilder().pricePerHourUsd(usd).build();
    }

    /**
     * This device at another board power.
     *
     * @param watts the board power in watts
     * @return a copy with that power, every other field unchanged
     */
    public Hardware withPowerWatts(double watts) {
        return toBuilder().powerWatts(watts).build();
    }

    /**
     * This device with other efficiency factors.
     *
     * @param e the efficiency factors
     * @return a copy with those factors, every other field unchanged
     */
    public Hardware withEfficiency(Efficiency e) {
        return toBuilder().efficiency(e).build();
    }

    /**
     * A builder for the device {@code id}. Link bandwidths, power and price start at 0 (not published), the
     * efficiency at {@link Efficiency#DEFAULT} and the name at the id; peaks, memory and memory bandwidth have no
     * default and {@link Builder#build} rejects a device without them.
     *
     * @param id the device's id, lower case with dashes ({@code h100-sxm})
     * @return a new builder
     */
    public static Builder builder(String id) {
        return new Builder(id);
    }

    /**
     * A builder holding every field of this device, to change some of them.
     *
     * @return a new builder, independent of this device
     */
    public Builder toBuilder() {
        return new Builder(id)
                .name(name)
                .peakFlopsPerSecond(peakFlopsPerSecond)
                .memoryBytes(memoryBytes)
                .memoryBandwidthBytesPerSecond(memoryBandwidthBytesPerSecond)
                .scaleUpBandwidthBytesPerSecond(scaleUpBandwidthBytesPerSecond)
                .hostLinkBytesPerSecond(hostLinkBytesPerSecond)
                .powerWatts(powerWatts)
                .pricePerHourUsd(pricePerHourUsd)
                .efficiency(efficiency);
    }

    /** Fluent builder of a {@link Hardware}; the fields mean what the record's components say. */
    public static final class Builder {
        private final String id;
        private String name;
        private Map<String, Double> peakFlopsPerSecond;
        private long memoryBytes;
        private double memoryBandwidthBytesPerSecond;
        private double scaleUpBandwidthBytesPerSecond;
        private double hostLinkBytesPerSecond;
        private double powerWatts;
        private double pricePerHourUsd;
        private Efficiency efficiency = Efficiency.DEFAULT;

        private Builder(String id) {
            this.id = id;
        }

        /**
         * Display name; null or blank means the id.
         *
         * @param name the display name
         * @return this builder
         */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /**
         * All dense peaks, FLOP/s per format id (replaces any set before); checked by {@link #build}.
         *
         * @param peaks dense peak FLOP/s by format id of {@link #FORMATS}
         * @return this builder
         */
        public Builder peakFlopsPerSecond(Map<String, Double> peaks) {
            this.peakFlopsPerSecond = peaks == null ? null : new LinkedHashMap<>(peaks);
            return this;
        }

        /**
         * The dense peak of one format id, FLOP/s, kept beside the peaks set before.
         *
         * @param format a format id of {@link #FORMATS}
         * @param flops its dense peak, FLOP/s
         * @return this builder
         */
        public Builder peakFlopsPerSecond(String format, double flops) {
            if (peakFlopsPerSecond == null) peakFlopsPerSecond = new LinkedHashMap<>();
            peakFlopsPerSecond.put(format, flops);
            return this;
        }

        /**
         * Memory capacity as the datasheet prints it.
         *
         * @param bytes the capacity in bytes (80 GB = 8e10)
         * @return this builder
         */
        public Builder memoryBytes(long bytes) {
            this.memoryBytes = bytes;
            return this;
        }

        /**
         * Device memory (HBM or GDDR) bandwidth.
         *
         * @param bytesPerSecond the bandwidth in bytes/s
         * @return this builder
         */
        public Builder memoryBandwidthBytesPerSecond(double bytesPerSecond) {
            this.memoryBandwidthBytesPerSecond = bytesPerSecond;
            return this;
        }

        /**
         * Bandwidth of the device-to-device link inside a node (NVLink, Infinity Fabric, ICI), bidirectional total.
         *
         * @param bytesPerSecond the bandwidth in bytes/s; 0 when not published
         * @return this builder
         */
        public Builder scaleUpBandwidthBytesPerSecond(double bytesPerSecond) {
            this.scaleUpBandwidthBytesPerSecond = bytesPerSecond;
            return this;
        }

        /**
         * Host link (PCIe) bandwidth, bidirectional total.
         *
         * @param bytesPerSecond the bandwidth in bytes/s; 0 when not published
         * @return this builder
         */
        public Builder hostLinkBytesPerSecond(double bytesPerSecond) {
            this.hostLinkBytesPerSecond = bytesPerSecond;
            return this;
        }

        /**
         * Board power (TDP).
         *
         * @param watts the power in watts; 0 when not published
         * @return this builder
         */
        public Builder powerWatts(double watts) {
            this.powerWatts = watts;
            return this;
        }

        /**
         * Price of one device for one hour.
         *
         * @param usd the price in US dollars
         * @return this builder
         */
        public Builder pricePerHourUsd(double usd) {
            this.pricePerHourUsd = usd;
            return this;
        }

        /**
         * Fractions of the peaks that real software reaches; {@link Efficiency#DEFAULT} unless set.
         *
         * @param efficiency the efficiency factors
         * @return this builder
         */
        public Builder efficiency(Efficiency efficiency) {
            this.efficiency = efficiency;
            return this;
        }

        /**
         * The device, checked as the record's constructor checks it.
         *
         * @return the device
         * @throws InvalidFieldException naming the first field that is missing or out of range
         */
        public Hardware build() {
            return new Hardware(
                    id,
                    name,
                    peakFlopsPerSecond,
                    memoryBytes, // the constructor copies the peaks
                    memoryBandwidthBytesPerSecond,
                    scaleUpBandwidthBytesPerSecond,
                    hostLinkBytesPerSecond,
                    powerWatts,
                    pricePerHourUsd,
                    efficiency);
        }
    }

    /**
     * The fractions of the datasheet peaks that real software reaches on this device. They scale the "floor"
     * (100 %) estimates into calibrated ones and are always shown beside them (docs/architecture.md, "Design rules", rule 4).
     *
     * @param bandwidth     achieved / datasheet memory bandwidth, in (0, 1]
     * @param compute       achieved / datasheet peak FLOP/s of large matrix multiplications, in (0, 1]
     * @param communication achieved / datasheet link bandwidth of collectives (bus bandwidth), in (0, 1]
     */
    public record Efficiency(double bandwidth, double compute, double communication) {
        /**
         * Default memory-bandwidth efficiency 0.70: the middle of the 50–90 % that real engines reach at batch 1
         * (docs/formulas.md, "Decode latency"). An uncalibrated assumption until a device is measured.
         */
        public static final double DEFAULT_BANDWIDTH = 0.70;
        /**
         * Default compute efficiency 0.70: large bf16 GEMMs typically reach 60–80 % of the dense datasheet peak on
         * current GPUs. An uncalibrated assumption; it is not the training MFU (see the cost estimator).
         */
        public static final double DEFAULT_COMPUTE = 0.70;
        /**
         * Default communication efficiency 0.70: collective bus bandwidth typically reaches 60–80 % of the link's
         * datasheet figure. An uncalibrated assumption.
         */
        public static final double DEFAULT_COMMUNICATION = 0.70;
        /** The three defaults above. */
        public static final Efficiency DEFAULT =
                new Efficiency(DEFAULT_BANDWIDTH, DEFAULT_COMPUTE, DEFAULT_COMMUNICATION);

        /**
         * Checks that each factor is in (0, 1]; one that is not throws an {@link InvalidFieldException} naming it.
         *
         * @param bandwidth achieved / datasheet memory bandwidth, in (0, 1]
         * @param compute achieved / datasheet peak FLOP/s of large matrix multiplications, in (0, 1]
         * @param communication achieved / datasheet link bandwidth of collectives (bus bandwidth), in (0, 1]
         */
        public Efficiency {
            Checks.positive("hardware.efficiency.bandwidth", bandwidth, 1);
            Checks.positive("hardware.efficiency.compute", compute, 1);
            Checks.positive("hardware.efficiency.communication", communication, 1);
        }
    }
}
