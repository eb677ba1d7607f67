/**
 * Server-rendered HTML pages (planner, training, scaling, validation, models) whose state lives in the URL. Answers
 * "how do I ask strata from a browser?"
 */
package dev.strata.web.page;
