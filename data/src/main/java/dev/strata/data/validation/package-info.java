/**
 * Validation: the estimators' answers compared with the runs of the reference stack that this module reads
 * ({@link dev.strata.data.ReferenceRun}), point by point and quantity by quantity, with summaries and accuracy
 * targets. It lives here, not in the estimator module, because it needs both the estimators and the measured runs,
 * and the estimator module does not depend on this one. Rendering it (JSON, CSV, tables, charts, pages) is module
 * web's.
 */
package dev.strata.data.validation;
