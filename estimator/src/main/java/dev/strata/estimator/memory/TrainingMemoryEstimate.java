package dev.strata.estimator.memory;

/**
 * Training memory of a workload.
 *
 * @param whole           one replica on one device, no ZeRO (what training needs in all, per replica)
 * @param perDevice       the most loaded device under tensor, pipeline, sequence and data parallelism with ZeRO
 * @param trainableParams parameters that get gradients and optimizer states (all, or LoRA's adapters)
 * @param frozenParams    parameters that are only read (LoRA's base model; 0 for full training)
 * @param devices         devices used (tensor x pipeline x data)
 */
public record TrainingMemoryEstimate(
        TrainingMemoryTerms whole,
        TrainingMemoryTerms perDevice,
        long trainableParams,
        long frozenParams,
        int devices) {
    /**
     * Bytes of one unsharded replica.
     *
     * @return bytes
     */
    public long totalBytes() {
        return whole.total();
    }

    /**
     * Bytes of the most loaded device.
     *
     * @return bytes
     */
    public long perDeviceBytes() {
        return perDevice.total();
    }

    /**
     * Whether this is LoRA fine-tuning (frozen base weights).
     *
     * @return whether the workload trains LoRA adapters
     */
    public boolean lora() {
        return frozenParams > 0;
    }

    /**
     * The verdict on devices of {@code deviceMemoryBytes} each.
     *
     * @param deviceMemoryBytes the capacity of one device
     * @return whether it fits, with the headroom
     */
    public Fit fit(long deviceMemoryBytes) {
        return new Fit(deviceMemoryBytes, devices, perDeviceBytes(), perDevice.dominant());
    }
}
