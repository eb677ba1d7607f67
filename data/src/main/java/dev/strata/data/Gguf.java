package dev.strata.data;

import dev.strata.model.InvalidFieldException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The header of a GGUF file (llama.cpp's format, ggml/docs/gguf.md): its metadata and every tensor's name, shape and
 * ggml type, read without the tensor data. A tensor's bytes follow from its type's block layout
 * ({@link #BLOCKS}: elements per block and bytes per block, ggml's type traits), so a {@code Q4_K_M} file's weights
 * are counted exactly.
 *
 * <p>Layout (little-endian): magic {@code GGUF}, version (uint32, 2 or 3), tensor count and metadata count (uint64);
 * each metadata entry a string key, a uint32 value type and the value (strings are a uint64 length and UTF-8 bytes;
 * arrays an element type, a uint64 count and the elements); each tensor a string name, a uint32 dimension count,
 * that many uint64 dimensions (innermost first), a uint32 ggml type and a uint64 offset.
 */
final class Gguf {
    /** Most metadata entries or tensors read; real files have a few hundred entries and under 10,000 tensors. */
    static final long MAX_ENTRIES = 1_000_000;
    /** Longest string or array read: a tokenizer's vocabulary has a few hundred thousand entries. */
    static final long MAX_LENGTH = 16_000_000;

    /**
     * Longest metadata array whose elements are kept; a longer one (a tokenizer's vocabulary, merges and scores,
     * hundreds of thousands of entries) keeps only its length, as a list of nulls, which is all strata reads of it.
     */
    static final int KEPT_ARRAY = 4096;

    private Gguf() {}

    /** One ggml type's layout: {@code elements} per block stored in {@code bytes}. */
    public record Block(String name, int elements, int bytes) {}

    /**
     * ggml's types by id (ggml.h {@code enum ggml_type} and ggml.c {@code type_traits}): block size in elements and
     * bytes per block. Q4_K: 256 elements in 144 bytes (4.5 bits a weight); Q8_0: 32 in 34.
     */
    public static final Map<Integer, Block> BLOCKS = Map.ofEntries(
            Map.entry(0, new Block("F32", 1, 4)),
            Map.entry(1, new Block("F16", 1, 2)),
            Map.entry(2, new Block("Q4_0", 32, 18)),
            Map.entry(3, new Block("Q4_1", 32, 20)),
            Map.entry(6, new Block("Q5_0", 32, 22)),
            Map.entry(7, new Block("Q5_1", 32, 24)),
            Map.entry(8, new Block("Q8_0", 32, 34)),
            Map.entry(9, new Block("Q8_1", 32, 36)),
            Map.entry(10, new Block("Q2_K", 256, 84)),
            Map.entry(11, new Block("Q3_K", 256, 110)),
            Map.entry(12, new Block("Q4_K", 256, 144)),
            Map.entry(13, new Block("Q5_K", 256, 176)),
            Map.entry(14, new Block("Q6_K", 256, 210)),
            Map.entry(15, new Block("Q8_K", 256, 292)),
            Map.entry(16, new Block("IQ2_XXS", 256, 66)),
            Map.entry(17, new Block("IQ2_XS", 256, 74)),
            Map.entry(18, new Block("IQ3_XXS", 256, 98)),
            Map.entry(19, new Block("IQ1_S", 256, 50)),
            Map.entry(20, new Block("IQ4_NL", 32, 18)),
            Map.entry(21, new Block("IQ3_S", 256, 110)),
            Map.entry(22, new Block("IQ2_S", 256, 82)),
            Map.entry(23, new Block("IQ4_XS", 256, 136)),
            Map.entry(24, new Block("I8", 1, 1)),
            Map.entry(25, new Block("I16", 1, 2)),
            Map.entry(26, new Block("I32", 1, 4)),
            Map.entry(27, new Block("I64", 1, 8)),
            Map.entry(28, new Block("F64", 1, 8)),
            Map.entry(29, new Block("IQ1_M", 256, 56)),
            Map.entry(30, new Block("BF16", 1, 2)),
            Map.entry(34, new Block("TQ1_0", 256, 54)),
            Map.entry(35, new Block("TQ2_0", 256, 66)),
            Map.entry(39, new Block("MXFP4", 32, 17)));

    /** A GGUF header: metadata by key (numbers as Long or Double, strings, booleans, lists) and the tensors. */
    public record Header(Map<String, Object> metadata, List<Safetensors.Tensor> tensors) {}

    /** Reads the header of {@code file}; an error names the file and what is wrong. */
    public static Header read(Path file) {
        try (InputStream raw = Files.newInputStream(file)) {
            return read(raw, "model", "GGUF file " + file);
        } catch (IOException e) {
            throw new InvalidFieldException("model", file.toString(), "a readable GGUF file (" + e.getMessage() + ")");
        }
    }

    /**
     * Reads a GGUF header from {@code raw} and nothing past it, so the first bytes of a file (its header, cut from a
     * file of gigabytes) are enough; an error names {@code field} and says what is wrong with {@code source} (e.g.
     * "GGUF file model.gguf").
     */
    public static Header read(InputStream raw, String field, String source) {
        try {
            DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16));
            byte[] magic = new byte[4];
            in.readFully(magic);
            if (!new String(magic, StandardCharsets.US_ASCII).equals("GGUF"))
                throw bad(field, source, "it does not start with GGUF");
            long version = u32(in);
            if (version < 2 || version > 3) throw bad(field, source, "its version " + version + " is not 2 or 3");
            long tensors = u64(in), entries = u64(in);
            if (tensors < 0 || tensors > MAX_ENTRIES || entries < 0 || entries > MAX_ENTRIES)
                throw bad(field, source, "it declares " + tensors + " tensors and " + entries + " metadata entries");
            Map<String, Object> metadata = new LinkedHashMap<>();
            for (long i = 0; i < entries; i++) {
                String key = string(in, field, source);
                metadata.put(key, value(in, (int) u32(in), field, source, 0));
            }
            List<Safetensors.Tensor> out = new ArrayList<>();
            for (long i = 0; i < tensors; i++) {
                String name = string(in, field, source);
                long dims = u32(in);
                if (dims > 8) throw bad(field, source, "tensor " + name + " has " + dims + " dimensions");
                List<Long> shape = new ArrayList<>();
                long n = 1;
                for (int d = 0; d < dims; d++) {
                    long v = u64(in);
                    if (v < 0) throw bad(field, source, "tensor " + name + " has a negative dimension");
                    shape.add(v);
                    n = Math.multiplyExact(n, v);
                }
                int type = (int) u32(in);
                u64(in); // offset into the data
                Block b = BLOCKS.get(type);
                if (b == null)
                    throw bad(
                            field,
                            source,
                            "tensor " + name + " has ggml type " + type + ", which strata does not know");
                if (n % b.elements() != 0)
                    throw bad(
                            field,
                            source,
                            "tensor " + name + " has " + n + " elements, not whole blocks of " + b.elements());
                out.add(new Safetensors.Tensor(
                        name, b.name(), List.copyOf(shape), Math.multiplyExact(n / b.elements(), b.bytes())));
            }
            return new Header(metadata, out);
        } catch (EOFException e) {
            throw bad(field, source, "it ends inside its header");
        } catch (ArithmeticException e) {
            throw bad(field, source, "a tensor has more elements than a 64-bit count holds");
        } catch (IOException e) {
            throw InvalidFieldException.withMessage(field, source + " cannot be read: " + e.getMessage());
        }
    }

    private static Object value(DataInputStream in, int type, String field, String source, int depth)
            throws IOException {
        return switch (type) {
            case 0 -> (long) in.readUnsignedByte();
            case 1 -> (long) in.readByte();
            case 2 -> (long) Short.toUnsignedInt(Short.reverseBytes(in.readShort()));
            case 3 -> (long) Short.reverseBytes(in.readShort());
            case 4 -> u32(in);
            case 5 -> (long) Integer.reverseBytes(in.readInt());
            case 6 -> (double) Float.intBitsToFloat(Integer.reverseBytes(in.readInt()));
            case 7 -> in.readByte() != 0;
            case 8 -> string(in, field, source);
            case 9 -> {
                if (depth > 2) throw bad(field, source, "its metadata nests arrays deeper than 2");
                int element = (int) u32(in);
                long count = u64(in);
                if (count < 0 || count > MAX_LENGTH)
                    throw bad(field, source, "a metadata array has " + count + " elements");
                if (count > KEPT_ARRAY) { // read past, keeping the length only
                    for (long i = 0; i < count; i++) value(in, element, field, source, depth + 1);
                    yield java.util.Collections.nCopies((int) count, null);
                }
                List<Object> list = new ArrayList<>();
                for (long i = 0; i < count; i++) list.add(value(in, element, field, source, depth + 1));
                yield list;
            }
            case 10, 11 -> u64(in);
            case 12 -> Double.longBitsToDouble(Long.reverseBytes(in.readLong()));
            default -> throw bad(field, source, "a metadata value has type " + type + ", not 0 to 12");
        };
    }

    private static String string(DataInputStream in, String field, String source) throws IOException {
        long n = u64(in);
        if (n < 0 || n > MAX_LENGTH) throw bad(field, source, "a string is " + n + " bytes long");
        byte[] b = new byte[(int) n];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private static long u32(DataInputStream in) throws IOException {
        return Integer.toUnsignedLong(Integer.reverseBytes(in.readInt()));
    }

    private static long u64(DataInputStream in) throws IOException {
        return Long.reverseBytes(in.readLong());
    }

    private static InvalidFieldException bad(String field, String source, String why) {
        return InvalidFieldException.withMessage(field, source + " cannot be read: " + why);
    }
}
