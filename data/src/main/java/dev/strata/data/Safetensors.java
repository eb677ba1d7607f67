package dev.strata.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.model.InvalidFieldException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The header of a safetensors file: every tensor's name, dtype, shape and byte range, read without the tensor data.
 *
 * <p>Format (huggingface/safetensors, "Format"): 8 bytes, a little-endian unsigned header length N; N bytes of UTF-8
 * JSON mapping each tensor name to {@code {"dtype", "shape", "data_offsets": [begin, end]}} (offsets into the data
 * that follows), and an optional {@code "__metadata__"} object of strings.
 */
public final class Safetensors {
    /** Largest header read, in bytes: real headers of the largest checkpoints' shards are a few megabytes. */
    public static final long MAX_HEADER_BYTES = 100L << 20;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Safetensors() {}

    /**
     * One tensor of a checkpoint.
     *
     * @param name  its name in the checkpoint ({@code model.layers.0.self_attn.q_proj.weight})
     * @param dtype the safetensors dtype ({@code BF16}, {@code F8_E4M3}, {@code U8}, ...)
     * @param shape its dimensions
     * @param bytes the bytes it occupies (its data offsets' difference)
     */
    public record Tensor(String name, String dtype, List<Long> shape, long bytes) {
        /**
         * Elements: the product of the dimensions (1 for a scalar).
         *
         * @return the number of elements
         */
        public long elements() {
            long n = 1;
            for (long d : shape) n = Math.multiplyExact(n, d);
            return n;
        }
    }

    /**
     * The tensors of one safetensors file, in the header's order.
     *
     * @param file the safetensors file
     * @return the tensors
     */
    public static List<Tensor> read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] length = in.readNBytes(8);
            if (length.length < 8) throw bad(file, "shorter than the 8-byte header length");
            long n = ByteBuffer.wrap(length).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (n < 2 || n > MAX_HEADER_BYTES)
                throw bad(
                        file,
                        "its header length " + Long.toUnsignedString(n) + " is not 2 to " + MAX_HEADER_BYTES
                                + " bytes");
            byte[] header = in.readNBytes((int) n);
            if (header.length < n) throw bad(file, "the file ends inside its " + n + "-byte header");
            return tensors(file, MAPPER.readTree(new String(header, StandardCharsets.UTF_8)));
        } catch (JsonProcessingException e) {
            throw bad(
                    file,
                    "its header is not valid JSON (" + e.getOriginalMessage().replaceAll("\\s+", " ") + ")");
        } catch (IOException e) {
            throw new InvalidFieldException(
                    "model", file.toString(), "a readable safetensors file (" + e.getMessage() + ")");
        }
    }

    private static List<Tensor> tensors(Path file, JsonNode header) {
        if (header == null || !header.isObject()) throw bad(file, "its header is not a JSON object");
        List<Tensor> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) continue;
            JsonNode t = e.getValue();
            JsonNode dtype = t.get("dtype"), shape = t.get("shape"), offsets = t.get("data_offsets");
            if (dtype == null
                    || !dtype.isTextual()
                    || shape == null
                    || !shape.isArray()
                    || offsets == null
                    || !offsets.isArray()
                    || offsets.size() != 2)
                throw bad(file, "tensor " + e.getKey() + " lacks a dtype, a shape or two data_offsets");
            List<Long> dims = new ArrayList<>();
            for (JsonNode d : shape) {
                if (!d.isIntegralNumber() || d.longValue() < 0)
                    throw bad(file, "tensor " + e.getKey() + " has a bad shape " + shape);
                dims.add(d.longValue());
            }
            long begin = offsets.get(0).asLong(-1), end = offsets.get(1).asLong(-1);
            if (begin < 0 || end < begin) throw bad(file, "tensor " + e.getKey() + " has bad data_offsets " + offsets);
            Tensor tensor = new Tensor(e.getKey(), dtype.textValue(), List.copyOf(dims), end - begin);
            try {
                tensor.elements();
            } catch (ArithmeticException overflow) {
                throw bad(file, "tensor " + e.getKey() + " has more elements than a 64-bit count holds");
            }
            out.add(tensor);
        }
        return out;
    }

    /**
     * The tensors of a checkpoint folder: the shards {@code model.safetensors.index.json} lists, or the folder's
     * {@code *.safetensors} files when it has no index. Empty when the folder holds no safetensors.
     *
     * @param dir the checkpoint folder
     * @return the tensors of every shard
     */
    public static List<Tensor> readCheckpoint(Path dir) {
        Path index = dir.resolve("model.safetensors.index.json");
        List<Path> files = new ArrayList<>();
        try {
            if (Files.isRegularFile(index)) {
                if (Files.size(index) > MAX_HEADER_BYTES)
                    throw bad(index, "the index is larger than " + MAX_HEADER_BYTES + " bytes");
                JsonNode map = MAPPER.readTree(index.toFile()).get("weight_map");
                if (map == null || !map.isObject()) throw bad(index, "it has no weight_map object");
                Map<String, Boolean> shards = new LinkedHashMap<>();
                for (JsonNode f : map) {
                    if (!f.isTextual()
                            || f.textValue().contains("/")
                            || f.textValue().contains("\\"))
                        throw bad(index, "its weight_map names " + f + ", not a file beside it");
                    shards.put(f.textValue(), true);
                }
                for (String shard : shards.keySet()) {
                    Path p = dir.resolve(shard);
                    if (!Files.isRegularFile(p)) throw bad(index, "it lists " + shard + ", which is not in the folder");
                    files.add(p);
                }
            } else {
                try (var list = Files.list(dir)) {
                    list.filter(p -> p.getFileName().toString().endsWith(".safetensors") && Files.isRegularFile(p))
                            .sorted()
                            .forEach(files::add);
                }
            }
        } catch (JsonProcessingException e) {
            throw bad(index, "it is not valid JSON (" + e.getOriginalMessage().replaceAll("\\s+", " ") + ")");
        } catch (IOException e) {
            throw new InvalidFieldException(
                    "model", dir.toString(), "a readable checkpoint folder (" + e.getMessage() + ")");
        }
        List<Tensor> all = new ArrayList<>();
        for (Path f : files) all.addAll(read(f));
        return all;
    }

    /**
     * What a {@code model.safetensors.index.json} says of its checkpoint without the shards: the tensors' names and
     * the shards they are in ({@code weight_map}), and the {@code metadata} totals where given. It holds no shapes, so
     * it counts no parameters itself: {@code total_size} is the bytes of every tensor, and newer indexes give
     * {@code total_parameters}.
     *
     * @param tensorNames     the tensors, in the index's order
     * @param shards          how many shard files they are in
     * @param totalSize       {@code metadata.total_size} in bytes, or null when absent
     * @param totalParameters {@code metadata.total_parameters}, or null when absent
     */
    public record Index(List<String> tensorNames, int shards, Long totalSize, Long totalParameters) {
        /**
         * Copies the names.
         *
         * @param tensorNames the tensors, in the index's order
         * @param shards how many shard files they are in
         * @param totalSize {@code metadata.total_size} in bytes, or null when absent
         * @param totalParameters {@code metadata.total_parameters}, or null when absent
         */
        public Index {
            tensorNames = List.copyOf(tensorNames);
        }
    }

    /**
     * Reads an index's text.
     *
     * @param json the text of a {@code model.safetensors.index.json}
     * @param field the field errors name
     * @param source what the text is, for errors
     * @return what it says
     */
    public static Index readIndex(String json, String field, String source) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw InvalidFieldException.withMessage(
                    field,
                    source + " is not valid JSON (" + e.getOriginalMessage().replaceAll("\\s+", " ") + ")");
        }
        JsonNode map = root == null ? null : root.get("weight_map");
        if (map == null || !map.isObject() || map.isEmpty())
            throw InvalidFieldException.withMessage(
                    field, source + " has no weight_map object naming its tensors' shards (a safetensors index has)");
        List<String> names = new ArrayList<>();
        java.util.Set<String> shards = new java.util.HashSet<>();
        for (Map.Entry<String, JsonNode> e : map.properties()) {
            if (!e.getValue().isTextual())
                throw InvalidFieldException.withMessage(
                        field, source + ": weight_map." + e.getKey() + " is " + e.getValue() + ", not a file name");
            names.add(e.getKey());
            shards.add(e.getValue().textValue());
        }
        JsonNode meta = root.path("metadata");
        return new Index(names, shards.size(), count(meta.get("total_size")), count(meta.get("total_parameters")));
    }

    /** A non-negative whole number (some indexes write it as a string), else null. */
    private static Long count(JsonNode n) {
        if (n == null) return null;
        if (n.canConvertToExactIntegral() && n.canConvertToLong() && n.longValue() >= 0) return n.longValue();
        if (n.isTextual() && n.textValue().matches("\\d{1,18}")) return Long.parseLong(n.textValue());
        return null;
    }

    private static InvalidFieldException bad(Path file, String why) {
        return InvalidFieldException.withMessage("model", "checkpoint file " + file + " cannot be read: " + why);
    }
}
