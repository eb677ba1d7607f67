/**
 * Inverse questions over the same estimators: largest batch, longest context, fewest devices, cheapest hardware
 * for a time-per-token target. Answers "how far can this setup go?"
 */
package dev.strata.estimator.solve;
