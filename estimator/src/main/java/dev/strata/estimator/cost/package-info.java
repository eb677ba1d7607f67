/**
 * Training cost (FLOPs, wall time, device-hours, energy, implied MFU) and serving cost per million tokens and per
 * request. Answers "what will training or serving this model cost?"
 */
package dev.strata.estimator.cost;
