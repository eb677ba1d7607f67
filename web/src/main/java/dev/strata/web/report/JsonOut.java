package dev.strata.web.report;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.web.render.Render;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where a report writes its fields, in order: into a Jackson tree ({@link #tree}: what the command line renders as
 * JSON, CSV or a table) or straight through a Jackson generator ({@link #stream}: the HTTP API's JSON, without
 * building the tree first). One report method fills both, so the two always hold the same fields; the stream skips
 * the tree's nodes and maps, which were two thirds of the time to build an estimate with hardware (about 10 of 14
 * microseconds for Llama-3-8B on an H100; the estimators themselves about 4).
 *
 * <p>{@link #object}, {@link #array} and {@link #addObject} open a nested value and return the writer for it; its
 * fields go to that writer, and {@link #end} closes it and returns the enclosing one. Nothing is written to the
 * enclosing writer while a nested value is open (a stream writes in order).
 */
public sealed interface JsonOut permits JsonOut.Tree, JsonOut.Stream {

    /** A writer that fills {@code object}. */
    static JsonOut tree(ObjectNode object) {
        return new Tree(object, null, null);
    }

    /** A writer that writes through {@code generator}, inside an object the caller has started. */
    static JsonOut stream(JsonGenerator generator) {
        return new Stream(generator);
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

    /** Into a Jackson tree: each writer holds its own node. */
    final class Tree implements JsonOut {
        private final ObjectNode object;
        private final ArrayNode array;
        private final Tree parent;

        private Tree(ObjectNode object, ArrayNode array, Tree parent) {
            this.object = object;
            this.array = array;
            this.parent = parent;
        }

        @Override
        public JsonOut put(String name, int value) {
            object.put(name, value);
            return this;
        }

        @Override
        public JsonOut put(String name, long value) {
            object.put(name, value);
            return this;
        }

        @Override
        public JsonOut put(String name, double value) {
            if (Render.isWhole(value)) object.put(name, (long) value);
            else object.put(name, value);
            return this;
        }

        @Override
        public JsonOut put(String name, boolean value) {
            object.put(name, value);
            return this;
        }

        @Override
        public JsonOut put(String name, String value) {
            object.put(name, value);
            return this;
        }

        @Override
        public JsonOut putNull(String name) {
            object.putNull(name);
            return this;
        }

        @Override
        public JsonOut object(String name) {
            return new Tree(object.putObject(name), null, this);
        }

        @Override
        public JsonOut array(String name) {
            return new Tree(null, object.putArray(name), this);
        }

        @Override
        public JsonOut addObject() {
            return new Tree(array.addObject(), null, this);
        }

        @Override
        public JsonOut end() {
            return parent;
        }
    }

    /** Through a generator: one writer for the whole document, nesting kept by the generator. */
    final class Stream implements JsonOut {
        private final JsonGenerator g;

        private Stream(JsonGenerator g) {
            this.g = g;
        }

        // Each method calls the generator itself: one shared helper taking a lambda made its call site megamorphic, so
        // under the server's mixed load the lambdas were allocated and dispatched (about 7 % of an estimate's samples).

        /**
         * Field names encoded once: Jackson copies a {@link SerializableString}'s quoted UTF-8 bytes, where a
         * {@code String} name is checked for escapes and copied a character at a time (an eighth of the server's
         * samples for an estimate with hardware, about 150 names). The names are the reports' own literals, a few
         * hundred; past {@link #MAX_NAMES} (names made from input) a name is encoded for its one use and not kept.
         */
        private static final ConcurrentHashMap<String, SerializableString> NAMES = new ConcurrentHashMap<>();
        static final int MAX_NAMES = 4096;

        static SerializableString name(String name) {
            SerializableString n = NAMES.get(name);
            if (n == null) {
                n = new SerializedString(name);
                if (NAMES.size() < MAX_NAMES) NAMES.putIfAbsent(name, n);
            }
            return n;
        }

        @Override
        public JsonOut put(String name, int value) {
            return put(name, (long) value); // the same digits
        }

        @Override
        public JsonOut put(String name, long value) {
            try {
                g.writeFieldName(name(name));
                g.writeNumber(value);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        @Override
        public JsonOut put(String name, double value) {
            if (Render.isWhole(value)) return put(name, (long) value);
            try {
                g.writeFieldName(name(name));
                g.writeNumber(value);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        @Override
        public JsonOut put(String name, boolean value) {
            try {
                g.writeFieldName(name(name));
                g.writeBoolean(value);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        @Override
        public JsonOut put(String name, String value) {
            try {
                g.writeFieldName(name(name));
                g.writeString(value);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        @Override
        public JsonOut putNull(String name) {
            try {
                g.writeFieldName(name(name));
                g.writeNull();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        @Override
        public JsonOut object(String name) {
            try {
                g.writeFieldName(name(name));
                g.writeStartObject();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        @Override
        public JsonOut array(String name) {
            try {
                g.writeFieldName(name(name));
                g.writeStartArray();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        @Override
        public JsonOut addObject() {
            try {
                g.writeStartObject();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        @Override
        public JsonOut end() {
            try {
                if (g.getOutputContext().inArray()) g.writeEndArray();
                else g.writeEndObject();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }
    }
}
