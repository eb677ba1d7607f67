package dev.strata.data;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository's test data ({@code testdata/}, sources in its SOURCES.md); tests run from the repository root. */
public final class TestData {
    private TestData() {}

    /** A file under {@code testdata/}; fails clearly when it is missing. */
    public static Path path(String relative) {
        Path p = Path.of("testdata").resolve(relative).normalize();
        if (!Files.exists(p))
            throw new AssertionError(
                    "test data file testdata/" + relative + " not found (tests run from the repository root)");
        return p;
    }
}
