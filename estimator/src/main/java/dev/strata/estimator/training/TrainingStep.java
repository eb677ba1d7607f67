package dev.strata.estimator.training;

/**
 * One optimizer step of a training layout, with where its time goes.
 *
 * @param seconds               the whole step: compute + communication + bubble + optimizer
 * @param computeSeconds        forward, backward and recomputed forward of every micro-batch on one device of the
 *                              slowest stage (matrix products, attention core and memory-bound elementwise kernels)
 * @param communicationSeconds  communication on the critical path: tensor-parallel collectives, pipeline transfers and
 *                              the part of the data-parallel gradient reduction the backward pass does not hide
 * @param bubbleSeconds         pipeline fill and drain: (p - 1) / V micro-batch times
 * @param optimizerSeconds      the optimizer update over the local parameter shard, memory-bound
 * @param microBatchSeconds     one micro-batch's forward, backward, recomputation and tensor/pipeline communication
 * @param dataParallelSeconds   the whole data-parallel gradient reduction (before overlap)
 * @param mfu                   model FLOPs utilisation: model FLOPs per token (no recomputation) x tokens/s / (devices
 *                              x peak)
 * @param hfu                   hardware FLOPs utilisation: the FLOPs executed (recomputation included) per token x
 *                              tokens/s / (devices x peak)
 * @param tokensPerSecond       tokens per second of the whole run
 * @param modelFlopsPerToken    model FLOPs per token (PaLM's convention, no recomputation)
 * @param hardwareFlopsPerToken FLOPs executed per token, recomputation included
 */
public record TrainingStep(
        double seconds,
        double computeSeconds,
        double communicationSeconds,
        double bubbleSeconds,
        double optimizerSeconds,
        double microBatchSeconds,
        double dataParallelSeconds,
        double mfu,
        double hfu,
        double tokensPerSecond,
        double modelFlopsPerToken,
        double hardwareFlopsPerToken) {}
