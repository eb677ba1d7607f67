/**
 * The Javalin server: routes, the request filter, the JSON API, charts and error mapping. Answers "how do I ask
 * strata over HTTP?"
 */
package dev.strata.web.http;
