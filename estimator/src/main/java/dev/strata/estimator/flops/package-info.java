/**
 * FLOPs of a prefill, a decode token and a training token, term by term, under a stated counting convention.
 * Answers "how much compute does this model need per token?"
 */
package dev.strata.estimator.flops;
