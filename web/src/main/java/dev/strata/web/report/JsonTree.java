package dev.strata.web.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.web.render.Render;

/** Into a Jackson tree: each writer holds its own node. */
final class JsonTree implements JsonOut {
    private final ObjectNode object;
    private final ArrayNode array;
    private final JsonTree parent;

    JsonTree(ObjectNode object, ArrayNode array, JsonTree parent) {
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
        return new JsonTree(object.putObject(name), null, this);
    }

    @Override
    public JsonOut array(String name) {
        return new JsonTree(null, object.putArray(name), this);
    }

    @Override
    public JsonOut addObject() {
        return new JsonTree(array.addObject(), null, this);
    }

    @Override
    public JsonOut end() {
        return parent;
    }
}
