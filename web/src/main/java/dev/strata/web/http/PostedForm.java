package dev.strata.web.http;

import dev.strata.model.InvalidFieldException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.eclipse.jetty.http.MultiPart;
import org.eclipse.jetty.http.MultiPartFormData;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.content.ByteBufferContentSource;
import org.eclipse.jetty.util.UrlEncoded;

/**
 * The fields of a posted form, URL-encoded or multipart, parsed with Jetty's parsers from the body, which is in memory
 * by the time a route runs ({@link EagerBodies}). The servlet's own form parsing is not used: it parses a multipart
 * body asynchronously, and when the request had waited for a heavy slot ({@link HeavyRequests}) its completion failed
 * the connection's next request instead of this one. Parsing the bytes in hand completes at once.
 *
 * @param fields    each field's values in the order sent (a file part's value is the file's text)
 * @param fileNames the file name of each file part, by field
 * @param files     the bytes of each file part, by field (a GGUF header is binary: its text would not do)
 */
record PostedForm(Map<String, List<String>> fields, Map<String, String> fileNames, Map<String, byte[]> files) {
    /** Most parts a multipart form may have: the scaling page's fit form has eight fields and a file. */
    static final int MAX_PARTS = 64;

    /**
     * The form of {@code body} sent as {@code contentType}; no fields for any other content type (as the servlet has),
     * and a body that does not parse is an {@link InvalidFieldException} naming {@code body}.
     */
    static PostedForm parse(String contentType, byte[] body, long maxBytes) {
        String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        if (type.startsWith("application/x-www-form-urlencoded")) {
            Map<String, List<String>> fields = new LinkedHashMap<>();
            try {
                UrlEncoded.decodeTo(
                        new String(body, StandardCharsets.UTF_8),
                        (name, value) -> fields.computeIfAbsent(name, k -> new ArrayList<>())
                                .add(value),
                        StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw unreadable(e.getMessage());
            }
            return new PostedForm(fields, Map.of(), Map.of());
        }
        if (!type.startsWith("multipart/form-data")) return new PostedForm(Map.of(), Map.of(), Map.of());
        String boundary = MultiPart.extractBoundary(contentType);
        if (boundary == null || boundary.isEmpty()) throw unreadable("the multipart content type names no boundary");
        if (body.length == 0) throw unreadable("a multipart body is empty (it needs its boundary)");
        MultiPartFormData.Parser parser = new MultiPartFormData.Parser(boundary);
        parser.setMaxParts(MAX_PARTS);
        parser.setMaxLength(maxBytes);
        parser.setMaxFileSize(maxBytes);
        parser.setMaxMemoryFileSize(maxBytes); // every part stays in memory: no files are written
        MultiPartFormData.Parts parts;
        try {
            parts = parser.parse(new ByteBufferContentSource(ByteBuffer.wrap(body)))
                    .join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw unreadable(cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage());
        }
        try (parts) {
            Map<String, List<String>> fields = new LinkedHashMap<>();
            Map<String, String> fileNames = new HashMap<>();
            Map<String, byte[]> files = new HashMap<>();
            for (MultiPart.Part part : parts) {
                if (part.getName() == null) continue;
                byte[] bytes = bytes(part);
                fields.computeIfAbsent(part.getName(), k -> new ArrayList<>())
                        .add(new String(bytes, StandardCharsets.UTF_8));
                if (part.getFileName() != null) {
                    fileNames.put(part.getName(), part.getFileName());
                    files.put(part.getName(), bytes);
                }
            }
            return new PostedForm(fields, fileNames, files);
        }
    }

    /** A part's bytes (in memory: {@link #parse} keeps every part there). */
    private static byte[] bytes(MultiPart.Part part) {
        try {
            ByteBuffer b = Content.Source.asByteBuffer(part.getContentSource());
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        } catch (java.io.IOException e) {
            throw unreadable(e.getMessage());
        }
    }

    /** The values of a field, none when absent. */
    List<String> values(String name) {
        return fields.getOrDefault(name, List.of());
    }

    private static InvalidFieldException unreadable(String why) {
        return InvalidFieldException.withMessage(
                "body",
                "request body is not a readable form (URL-encoded or multipart with its boundary): "
                        + String.valueOf(why).replaceAll("\\s+", " "));
    }
}
