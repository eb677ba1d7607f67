/**
 * The spec of a transformer and of what it runs on: validated, immutable value types ({@code TransformerSpec},
 * attention and feed-forward kinds, numeric formats, {@code Precision}, {@code Workload}, {@code Parallelism},
 * {@code Hardware}). Answers "what exactly is this model and this setup?"; it knows nothing of JSON, HTTP or files.
 */
package dev.strata.model;
