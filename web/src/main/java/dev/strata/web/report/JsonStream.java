package dev.strata.web.report;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import dev.strata.web.render.Render;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ConcurrentHashMap;

/** Through a generator: one writer for the whole document, nesting kept by the generator. */
final class JsonStream implements JsonOut {
    private final JsonGenerator g;

    JsonStream(JsonGenerator g) {
        this.g = g;
    }

    // Each method calls the generator itself rather than through one helper taking a lambda: under the server's mixed
    // load that helper's call site turns megamorphic and its lambdas are allocated and dispatched.

    /**
     * Field names encoded once: Jackson copies a {@link SerializableString}'s quoted UTF-8 bytes, where a
     * {@code String} name is checked for escapes and copied a character at a time (an estimate with hardware writes
     * about 150 names). The names are the reports' own literals, a few hundred; past {@link #MAX_NAMES} (names made
     * from input) a name is encoded for its one use and not kept.
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
