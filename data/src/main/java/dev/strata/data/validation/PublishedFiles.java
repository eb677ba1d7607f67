package dev.strata.data.validation;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/**
 * The published sets shipped with strata (resource folder {@code dev/strata/data/published}): tab-separated files with
 * a header row, their sources in {@code #} comment lines.
 */
final class PublishedFiles {
    private PublishedFiles() {}

    private static final String FOLDER = "/dev/strata/data/published/";

    private static final CSVFormat TSV = CSVFormat.TDF
            .builder()
            .setCommentMarker('#')
            .setHeader()
            .setSkipHeaderRecord(true)
            .setIgnoreEmptyLines(true)
            .build();

    /** The rows of the shipped set {@code name}, in file order. */
    static List<CSVRecord> records(String name) {
        InputStream in = open(name);
        if (in == null)
            throw new UncheckedIOException(new IOException("published/" + name + " is missing from the build"));
        try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            return List.copyOf(TSV.parse(r).getRecords());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The shipped file {@code name} (a set, or a config a set names), or null when there is none; the caller closes it. */
    static InputStream open(String name) {
        return PublishedFiles.class.getResourceAsStream(FOLDER + name);
    }
}
