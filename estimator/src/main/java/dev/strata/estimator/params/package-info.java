/**
 * Exact parameter counts with a named breakdown, total and active, and the one walk over a model's matrices that
 * every other estimator shares. Answers "how many parameters does this model have?"
 */
package dev.strata.estimator.params;
