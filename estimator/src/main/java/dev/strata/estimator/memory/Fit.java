package dev.strata.estimator.memory;

import dev.strata.model.internal.Checks;

/**
 * Whether a workload fits: the most loaded device's bytes against one device's capacity.
 *
 * @param deviceMemoryBytes capacity of one device, in bytes
 * @param devices           devices used (tensor x pipeline x data)
 * @param perDeviceBytes    bytes the most loaded device needs
 * @param dominant          the name of the largest term on that device
 */
public record Fit(long deviceMemoryBytes, int devices, long perDeviceBytes, String dominant) {
    /**
     * Checks the fields; an invalid one throws an {@code InvalidFieldException} naming it.
     *
     * @param deviceMemoryBytes capacity of one device, in bytes
     * @param devices devices used (tensor x pipeline x data)
     * @param perDeviceBytes bytes the most loaded device needs
     * @param dominant the name of the largest term on that device
     */
    public Fit {
        Checks.range("deviceMemoryBytes", deviceMemoryBytes, 1, Long.MAX_VALUE);
        Checks.range("devices", devices, 1, Integer.MAX_VALUE);
        Checks.range("perDeviceBytes", perDeviceBytes, 0, Long.MAX_VALUE);
        Checks.text("dominant", dominant);
    }

    /**
     * Whether the most loaded device's bytes are at most its capacity.
     *
     * @return whether {@code perDeviceBytes <= deviceMemoryBytes}
     */
    public boolean fits() {
        return perDeviceBytes <= deviceMemoryBytes;
    }

    /**
     * Capacity left on the most loaded device; negative when it does not fit.
     *
     * @return bytes, negative when it does not fit
     */
    public long headroomBytes() {
        return deviceMemoryBytes - perDeviceBytes;
    }

    /**
     * Headroom as a fraction of the capacity (negative when it does not fit).
     *
     * @return the fraction, negative when it does not fit
     */
    public double headroomFraction() {
        return (double) headroomBytes() / deviceMemoryBytes;
    }
}
