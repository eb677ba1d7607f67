package dev.strata.web.cli;

import dev.strata.model.InvalidFieldException;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;

/**
 * The command line's standard streams. Output is UTF-8 and a failed write is not swallowed (as {@link
 * java.io.PrintStream} and {@link PrintWriter} do): it is thrown as {@link OutputFailed}, so that a full disk ends the
 * command with exit 1 and a closed pipe ({@code strata sweep ... | head}) stops a sweep at its next write. Standard
 * input is where {@code --model -} reads a config.
 */
public final class StandardStreams {
    private static volatile InputStream in = System.in;

    private StandardStreams() {}

    /** A write to standard output (or to the stream a test gave) that failed. */
    public static final class OutputFailed extends UncheckedIOException {
        private static final long serialVersionUID = 1L;

        OutputFailed(IOException cause) {
            super(cause);
        }
    }

    /** The process's standard output, UTF-8, buffered, flushed at each line, throwing {@link OutputFailed}. */
    public static PrintWriter stdout() {
        return new PrintWriter(
                new OutputStreamWriter(throwing(new FileOutputStream(FileDescriptor.out)), StandardCharsets.UTF_8),
                true);
    }

    /** {@code out} made to throw {@link OutputFailed} where it would fail, buffered. */
    public static OutputStream throwing(OutputStream out) {
        return new BufferedOutputStream(
                new OutputStream() {
                    @Override
                    public void write(int b) {
                        try {
                            out.write(b);
                        } catch (IOException e) {
                            throw new OutputFailed(e);
                        }
                    }

                    @Override
                    public void write(byte[] b, int off, int len) {
                        try {
                            out.write(b, off, len);
                        } catch (IOException e) {
                            throw new OutputFailed(e);
                        }
                    }

                    @Override
                    public void flush() {
                        try {
                            out.flush();
                        } catch (IOException e) {
                            throw new OutputFailed(e);
                        }
                    }
                },
                1 << 16);
    }

    /** The {@link OutputFailed} in {@code e}'s causes, or null. */
    public static OutputFailed outputFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) if (t instanceof OutputFailed f) return f;
        return null;
    }

    /** Sets where {@link #readText} reads (the command line's runner does, for tests); null for {@link System#in}. */
    public static void setIn(InputStream stream) {
        in = stream == null ? System.in : stream;
    }

    /**
     * Standard input as UTF-8 text, at most {@code maxBytes} (reading one byte more to tell), for the option {@code
     * field} given as {@code -}.
     */
    public static String readText(String field, long maxBytes, String what) {
        try {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            if (bytes.length > maxBytes)
                throw new InvalidFieldException(
                        field, "-", what + " of at most " + maxBytes + " bytes on standard input");
            if (bytes.length == 0)
                throw new InvalidFieldException(field, "-", what + " on standard input (it was empty)");
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new InvalidFieldException(field, "-", what + " in UTF-8 on standard input");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read standard input: " + e.getMessage(), e);
        }
    }
}
