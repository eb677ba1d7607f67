package dev.strata.web.cli;

import dev.strata.estimator.serving.Lengths;
import dev.strata.estimator.serving.Traffic;
import dev.strata.model.InvalidFieldException;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/**
 * Lengths drawn from a dataset's column, {@code --prompt empirical:FILE.csv:COLUMN} (and {@code --generate}): the
 * command line reads the file (Commons CSV, a header row naming the columns); the server reads no files.
 */
final class EmpiricalLengths {
    private EmpiricalLengths() {}

    /**
     * The empirical lengths among {@code values}' {@code prompt} and {@code generate}, by option name; the others are
     * left to {@link Lengths#parse}.
     *
     * @param values the options' texts by name
     * @return the empirical lengths read, by option name (empty when none is empirical)
     */
    static Map<String, Lengths> resolve(Map<String, String> values) {
        Map<String, Lengths> out = new HashMap<>();
        for (String name : new String[] {"prompt", "generate"}) {
            String text = values.get(name);
            if (text != null && text.trim().startsWith(Lengths.EMPIRICAL))
                out.put(name, read("--" + name, text.trim()));
        }
        return out;
    }

    /** Reads {@code empirical:FILE.csv:COLUMN}: the column's whole numbers, one per row; errors name the option. */
    static Lengths read(String field, String text) {
        String rest = text.substring(Lengths.EMPIRICAL.length());
        int colon = rest.lastIndexOf(':');
        if (colon <= 0 || colon == rest.length() - 1)
            throw new InvalidFieldException(
                    field, text, "empirical:FILE.csv:COLUMN (a CSV file and its column's header)");
        Path file = Path.of(rest.substring(0, colon));
        String column = rest.substring(colon + 1);
        try {
            if (!Files.isRegularFile(file))
                throw new InvalidFieldException(field, file.toString(), "an existing CSV file");
            if (Files.size(file) > SimulateCommand.MAX_TRACE_BYTES)
                throw new InvalidFieldException(
                        field, file.toString(), "a file of at most " + SimulateCommand.MAX_TRACE_BYTES + " bytes");
            long[] values = new long[1024];
            int n = 0;
            try (Reader r = Files.newBufferedReader(file)) {
                var parser = CSVFormat.RFC4180
                        .builder()
                        .setHeader()
                        .setSkipHeaderRecord(true)
                        .build()
                        .parse(r);
                if (!parser.getHeaderMap().containsKey(column))
                    throw new InvalidFieldException(
                            field, column, "a column of " + file + ": one of " + parser.getHeaderNames());
                for (CSVRecord row : parser) {
                    if (n >= Traffic.MAX_REQUESTS)
                        throw new InvalidFieldException(
                                field, file.toString(), "at most " + Traffic.MAX_REQUESTS + " rows");
                    String v = row.isMapped(column) && row.isSet(column)
                            ? row.get(column).trim()
                            : "";
                    long value;
                    try {
                        value = Long.parseLong(v);
                    } catch (NumberFormatException e) {
                        throw new InvalidFieldException(
                                field,
                                "row " + row.getRecordNumber() + " " + column + " = " + v,
                                "a whole number of tokens");
                    }
                    if (n == values.length) values = java.util.Arrays.copyOf(values, 2 * n);
                    values[n++] = value;
                }
            }
            return Lengths.empirical(
                    field, text, file.toAbsolutePath().normalize().toString(), java.util.Arrays.copyOf(values, n), 1);
        } catch (NoSuchFileException e) {
            throw new InvalidFieldException(field, file.toString(), "an existing CSV file");
        } catch (IOException | IllegalArgumentException | IllegalStateException e) {
            if (e instanceof InvalidFieldException f) throw f;
            throw new InvalidFieldException(
                    field, file.toString(), "a CSV file with a header row (" + e.getMessage() + ")");
        }
    }
}
