/**
 * The picocli commands ({@code estimate}, {@code sweep}, {@code optimal}, {@code fit}, {@code train},
 * {@code validate}, {@code presets}, {@code hardware}, {@code spec}, {@code serve}) and their shared options. Answers
 * "how do I ask strata from a shell?"
 */
package dev.strata.web.cli;
