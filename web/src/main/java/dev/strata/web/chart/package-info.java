/**
 * JFreeChart charts of the pages as PNG and SVG. Answers "what does this look like as a picture?"
 */
package dev.strata.web.chart;
