package dev.strata.estimator.training;

import dev.strata.model.internal.Checks;

/**
 * What the training software and the cluster do that the model and the device do not say: the attention kernel, the
 * network between nodes and the data-parallel gradient buckets.
 *
 * @param flashAttention          whether attention runs as a fused causal kernel (FlashAttention, Dao et al. 2022,
 *                                arXiv:2205.14135): half the T x T products by the causal mask and no score matrix
 *                                in memory; false for the unfused kernels of Megatron-LM before it (full T x T
 *                                products, scores written, softmaxed and dropped out in memory)
 * @param nodeSize                devices joined by the scale-up link (NVLink) in one node; groups larger than this go
 *                                over the scale-out network
 * @param scaleOutBytesPerSecond  scale-out (InfiniBand or Ethernet) bandwidth per device, both directions together as
 *                                the catalog quotes links
 * @param gradientBytes           bytes per gradient element in the data-parallel reduction (4: fp32 main gradients)
 * @param bucketBytes             gradient bytes per data-parallel bucket; the last bucket's reduction waits for the
 *                                end of the backward pass
 * @param kernelEfficiency        training kernels' speed relative to the inference-fitted GPU efficiencies, in (0, 2]:
 *                                one global factor on the compute and elementwise times ({@link #FITTED_KERNEL_EFFICIENCY})
 */
public record TrainingStack(
        boolean flashAttention,
        int nodeSize,
        double scaleOutBytesPerSecond,
        double gradientBytes,
        double bucketBytes,
        double kernelEfficiency) {
    /**
     * The one calibrated figure of the training model: how fast training kernels (forward and backward matrix products
     * with weight-gradient products, unfused elementwise kernels, framework overhead) run relative to the GPU
     * performance model's efficiencies, which were fitted to inference. Fitted (least squares of the log error) to the
     * eight published Megatron-LM step times of {@code published/megatron-training.tsv}; docs/formulas.md gives the
     * in-sample and leave-one-model-out errors.
     */
    public static final double FITTED_KERNEL_EFFICIENCY = 0.94;

    /**
     * Today's defaults: FlashAttention; 8 GPUs per NVLink node; 400 Gb/s per GPU each way (one ConnectX-7 NDR adapter
     * per H100 in a DGX H100), 100 GB/s both ways; fp32 gradient reduction (Megatron-LM's default); 40 MB buckets
     * (Megatron-LM's default bucket of 40 M elements is 160 MB in fp32; PyTorch DDP's is 25 MB: an assumption between).
     */
    public static final TrainingStack DEFAULT = new TrainingStack(true, 8, 100e9, 4, 40e6, FITTED_KERNEL_EFFICIENCY);

    /**
     * The stack of the Megatron-LM runs of Narayanan et al. 2021 and Korthikanti et al. 2022 on Selene: unfused
     * attention, DGX A100 nodes of 8 GPUs with eight 200 Gb/s HDR InfiniBand adapters (Narayanan §5), 50 GB/s per GPU
     * both ways.
     */
    public static final TrainingStack MEGATRON_2022_SELENE =
            new TrainingStack(false, 8, 50e9, 4, 40e6, FITTED_KERNEL_EFFICIENCY);

    /**
     * The stack of the Megatron-LM runs of Narayanan et al. 2021 (Table 1) on Selene: as {@link #MEGATRON_2022_SELENE}
     * but with that year's data-parallel reduction, Megatron-LM 2's local DDP: the fp16 gradients all-reduced in one
     * pass after the backward pass of the last micro-batch (not overlapped with it), modelled as 2-byte gradients in
     * one bucket as large as any gradient ({@link #bucketBytes} 1e12). Megatron-LM's {@code --DDP-impl local}, the
     * default then, all-reduces its contiguous gradient buffer from {@code train_step} once the backward pass is done;
     * overlapping the reduction with the backward ({@code --overlap-grad-reduce}) came with Megatron Core's
     * DistributedDataParallel in 2023.
     */
    public static final TrainingStack MEGATRON_2021_SELENE =
            new TrainingStack(false, 8, 50e9, 2, 1e12, FITTED_KERNEL_EFFICIENCY);

    /**
     * This stack with another kernel efficiency.
     *
     * @param k the kernel efficiency, in (0, 2]
     * @return a copy with {@code kernelEfficiency} k
     */
    public TrainingStack withKernelEfficiency(double k) {
        return new TrainingStack(flashAttention, nodeSize, scaleOutBytesPerSecond, gradientBytes, bucketBytes, k);
    }

    /**
     * Checks the fields; an invalid one throws an {@code InvalidFieldException} naming it.
     *
     * @param flashAttention whether attention runs as a fused causal kernel
     * @param nodeSize devices joined by the scale-up link in one node
     * @param scaleOutBytesPerSecond scale-out bandwidth per device, both directions together
     * @param gradientBytes bytes per gradient element in the data-parallel reduction
     * @param bucketBytes gradient bytes per data-parallel bucket
     * @param kernelEfficiency training kernels' speed relative to the inference-fitted GPU efficiencies, in (0, 2]
     */
    public TrainingStack {
        Checks.range("node-size", nodeSize, 1, 1 << 20);
        Checks.positive("scale-out-bandwidth", scaleOutBytesPerSecond, 1e15);
        Checks.positive("gradient-bytes", gradientBytes, 8);
        Checks.positive("bucket-bytes", bucketBytes, 1e12);
        Checks.positive("kernel-efficiency", kernelEfficiency, 2);
    }
}
