/**
 * Scaling laws as data (Chinchilla, Epoch 2024, Kaplan, DeepSeek), compute-optimal allocation, iso-FLOP curves and
 * the Chinchilla fit of one's own runs. Answers "what model and data size does a compute budget buy?"
 */
package dev.strata.estimator.scaling;
