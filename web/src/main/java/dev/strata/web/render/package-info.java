/**
 * Output formats: JSON, RFC 4180 CSV, tables, number rendering and streamed sweep writing. Answers "how is an
 * answer written?"
 */
package dev.strata.web.render;
