/**
 * Inference and training memory: weights, KV cache, activations, model states, LoRA, sharding over devices, and
 * whether it fits. Answers "how much memory does this need per device?"
 */
package dev.strata.estimator.memory;
