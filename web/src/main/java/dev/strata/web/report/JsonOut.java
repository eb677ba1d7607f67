package dev.strata.web.report;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.web.render.Render;

/**
 * Where a report writes its fields, in order: into a Jackson tree ({@link #tree}: what the command line renders as
 * JSON, CSV or a table) or straight through a Jackson generator ({@link #stream}: the HTTP API's JSON, without
 * building the tree first). One report method fills both, so the two always hold the same fields; the stream skips
 * building the tree's nodes and maps, most of the time an estimate's answer takes (EstimateReportBenchmark,
 * docs/benchmarks.md).
 *
 * <p>{@link #object}, {@link #array} and {@link #addObject} open a nested value and return the writer for it; its
 * fields go to that writer, and {@link #end} closes it and returns the enclosing one. Nothing is written to the
 * enclosing writer while a nested value is open (a stream writes in order).
 */
public sealed interface JsonOut permits JsonTree, JsonStream {

    /** A writer that fills {@code object}. */
    static JsonOut tree(ObjectNode object) {
        return new JsonTree(object, null, null);
    }

    /** A writer that writes through {@code generator}, inside an object the caller has started. */
    static JsonOut stream(JsonGenerator generator) {
        return new JsonStream(generator);
    }

    JsonOut put(String name, int value);

    JsonOut put(String name, long value);

    /** A number; a whole one up to 2^53 is written as an integer ({@link Render#isWhole}). */
    JsonOut put(String name, double value);

    JsonOut put(String name, boolean value);

    /** A text field; null writes JSON null. */
    JsonOut put(String name, String value);

    JsonOut putNull(String name);

    /** Opens an object field; returns the writer for its fields. */
    JsonOut object(String name);

    /** Opens an array field (of objects); returns the writer to {@link #addObject} to. */
    JsonOut array(String name);

    /** Opens an object element of this array; returns the writer for its fields. */
    JsonOut addObject();

    /** Closes the object or array this writer was opened for; returns the enclosing writer. */
    JsonOut end();
}
