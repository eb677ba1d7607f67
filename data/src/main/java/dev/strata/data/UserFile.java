package dev.strata.data;

import dev.strata.model.InvalidFieldException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Reads a text file a user named (a config, a hardware file, runs, a reference run, a calibration): a regular file
 * only, and at most a limit, counted while reading. A device or a pipe has no size to check beforehand
 * ({@code /dev/zero} reports 0 bytes and never ends, {@code /dev/urandom} likewise, a pipe blocks until written), so
 * such a path is refused before it is opened, and a file is read to at most one byte past the limit whatever size it
 * reported.
 */
final class UserFile {
    private UserFile() {}

    /**
     * The file's text (UTF-8).
     *
     * @param field    the option or field that named the file, for the error
     * @param maxBytes the most bytes accepted
     * @param what     what the file must be, as the error says it ("a config.json")
     * @throws InvalidFieldException when the path is not a regular file (after links) or the file is over the limit
     * @throws IOException when the file is missing ({@link java.nio.file.NoSuchFileException}), unreadable, or not
     *     UTF-8 ({@link java.nio.charset.CharacterCodingException}): the caller names it
     */
    public static String read(Path path, String field, long maxBytes, String what) throws IOException {
        BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class); // follows links
        if (!a.isRegularFile())
            throw new InvalidFieldException(
                    field,
                    path.toString(),
                    what + ", a regular file (this is " + (a.isDirectory() ? "a folder" : "a device, pipe or socket")
                            + ")");
        try (InputStream in = Files.newInputStream(path)) {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            if (bytes.length > maxBytes)
                throw new InvalidFieldException(field, path.toString(), what + " of at most " + maxBytes + " bytes");
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        }
    }
}
