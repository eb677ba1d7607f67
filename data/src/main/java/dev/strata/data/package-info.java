/**
 * Catalogs and importers: Hugging Face {@code config.json} to {@code TransformerSpec}, the preset and hardware
 * catalogs with the source of every figure, and the measured runs of the reference stack with their host calibration.
 * Answers "where does a spec, a device or a measurement come from?"
 */
package dev.strata.data;
