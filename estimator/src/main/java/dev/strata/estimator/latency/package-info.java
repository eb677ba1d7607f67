/**
 * Prefill and decode latency from a per-op roofline, as a floor and a calibrated estimate side by side, with host
 * calibration from microbenchmarks. Answers "how fast will this run on that hardware?"
 */
package dev.strata.estimator.latency;
