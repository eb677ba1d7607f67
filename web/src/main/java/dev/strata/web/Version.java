package dev.strata.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * The version of this build: the jar manifest's {@code Implementation-Version}, or, when run from classes (tests, an
 * IDE), {@code version.properties} as Maven filled it in. What {@code --version} prints on every command.
 */
public final class Version implements IVersionProvider {
    /** The project version, e.g. {@code 0.2.0}. */
    public static final String VERSION = read();

    private static String read() {
        String manifest = Version.class.getPackage().getImplementationVersion();
        if (manifest != null && !manifest.isBlank()) return manifest;
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            if (in == null) throw new IllegalStateException("version.properties is missing from the build");
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "");
            if (v.isBlank() || v.contains("${"))
                throw new IllegalStateException("version.properties was not filled in by the build: " + v);
            return v;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String[] getVersion() {
        return new String[] {"strata " + VERSION};
    }
}
