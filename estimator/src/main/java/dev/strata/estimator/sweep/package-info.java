/**
 * Sweeps over lists and ranges of options, one row per point, streamed without holding the rows. Answers "how do
 * the estimates change across many setups?"
 */
package dev.strata.estimator.sweep;
