/**
 * Report builders shared by the command line, the JSON API and the pages: options parsed once, estimators called,
 * results written as a tree or a stream. Answers "what does one answer contain, in every format?"
 */
package dev.strata.web.report;
