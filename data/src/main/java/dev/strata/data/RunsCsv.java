package dev.strata.data;

import dev.strata.estimator.scaling.ChinchillaFit;
import dev.strata.estimator.scaling.FitData;
import dev.strata.model.InvalidFieldException;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVException;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.commons.csv.DuplicateHeaderMode;

/**
 * Reads a CSV file of training runs (one run per row, a header row naming the columns) for fitting a scaling law:
 * parameters N, and tokens D or training compute C, and the final loss. Every value must be a finite number
 * greater than zero; a bad cell is reported with its data row (1 = first row after the header), its line and its
 * column. Errors are {@link InvalidFieldException}s whose fields are the command line's names ({@code data} for the
 * file, {@code n-col}, {@code d-col}, {@code c-col} and {@code loss-col} for the columns, or the column itself for a bad
 * cell). {@link Runs#fitData()} hands the runs to {@link ChinchillaFit}.
 */
public final class RunsCsv {
    /** Default column names. */
    public static final String DEFAULT_PARAMS_COLUMN = "N",
            DEFAULT_TOKENS_COLUMN = "D",
            DEFAULT_COMPUTE_COLUMN = "C",
            DEFAULT_LOSS_COLUMN = "loss";
    /** Largest file accepted, in bytes. */
    public static final long MAX_BYTES = 64L << 20;
    /** Most data rows accepted. */
    public static final int MAX_ROWS = 1_000_000;

    private static final CSVFormat FORMAT = CSVFormat.RFC4180
            .builder()
            .setHeader()
            .setSkipHeaderRecord(true)
            .setIgnoreSurroundingSpaces(true)
            .setIgnoreEmptyLines(true)
            // a column named twice is refused: commons-csv's default keeps one of them without a word
            .setDuplicateHeaderMode(DuplicateHeaderMode.DISALLOW)
            .get();

    private RunsCsv() {}

    /**
     * Which columns hold what. Exactly one of {@code tokens} and {@code compute} is used: {@code tokens} when the
     * file has that column or {@code compute} is null, else {@code compute}.
     *
     * @param params  name of the column of parameter counts N (option {@code --n-col})
     * @param tokens  name of the column of training tokens D (option {@code --d-col}), or null
     * @param compute name of the column of training FLOPs C (option {@code --c-col}), or null
     * @param loss    name of the column of final losses (option {@code --loss-col})
     */
    public record Columns(String params, String tokens, String compute, String loss) {
        /**
         * N, D or C, loss.
         *
         * @return the default columns
         */
        public static Columns defaults() {
            return new Columns(
                    DEFAULT_PARAMS_COLUMN, DEFAULT_TOKENS_COLUMN, DEFAULT_COMPUTE_COLUMN, DEFAULT_LOSS_COLUMN);
        }
    }

    /**
     * The runs as read.
     *
     * @param params  N per run
     * @param tokens  D per run, or null when the file gives compute
     * @param compute C per run, or null when the file gives tokens
     * @param loss    loss per run
     * @param rows    data row number of each run (1 = first row after the header)
     */
    public record Runs(double[] params, double[] tokens, double[] compute, double[] loss, int[] rows) {
        /**
         * The runs as {@link ChinchillaFit#fit} takes them: with the file's tokens D, or with D = C / (6N) from its
         * compute ({@link FitData#ofCompute}).
         *
         * @return the runs, numbered by their data rows
         */
        public FitData fitData() {
            return tokens != null
                    ? new FitData(params, tokens, loss, rows)
                    : FitData.ofCompute(params, compute, loss, rows);
        }

        /**
         * Number of runs.
         *
         * @return the number of runs
         */
        public int size() {
            return params.length;
        }
    }

    /**
     * Reads a file; a missing or unreadable file names {@code --data}.
     *
     * @param file the CSV file
     * @param columns which columns hold what
     * @return the runs
     */
    public static Runs read(Path file, Columns columns) {
        try {
            return read(new StringReader(UserFile.read(file, "data", MAX_BYTES, "a CSV file")), columns);
        } catch (NoSuchFileException e) {
            throw new InvalidFieldException("data", file.toString(), "the path of an existing CSV file");
        } catch (IOException | UncheckedIOException e) {
            throw new InvalidFieldException("data", file.toString(), "a readable CSV file (" + e.getMessage() + ")");
        }
    }

    /**
     * Reads CSV text (an HTTP body).
     *
     * @param csv the CSV text
     * @param columns which columns hold what
     * @return the runs
     */
    public static Runs read(String csv, Columns columns) {
        try {
            return read(new StringReader(csv), columns);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Runs read(Reader in, Columns columns) throws IOException {
        try (CSVParser parser = FORMAT.parse(in)) {
            Map<String, Integer> header = parser.getHeaderMap();
            if (header == null || header.isEmpty())
                throw InvalidFieldException.withMessage(
                        "data", "data: the CSV file is empty; it needs a header row naming the columns");
            String n = column(header, "n-col", columns.params());
            String l = column(header, "loss-col", columns.loss());
            boolean useTokens =
                    columns.tokens() != null && (header.containsKey(columns.tokens()) || columns.compute() == null);
            String x =
                    useTokens ? column(header, "d-col", columns.tokens()) : column(header, "c-col", columns.compute());
            List<double[]> values = new ArrayList<>();
            List<Integer> rows = new ArrayList<>();
            int row = 0;
            for (CSVRecord r : parser) {
                row++;
                if (row > MAX_ROWS)
                    throw new InvalidFieldException(
                            "data", "more than " + MAX_ROWS + " rows", "at most " + MAX_ROWS + " rows");
                long line = parser.getCurrentLineNumber();
                values.add(new double[] {cell(r, n, row, line), cell(r, x, row, line), cell(r, l, row, line)});
                rows.add(row);
            }
            if (values.isEmpty())
                throw InvalidFieldException.withMessage("data", "data: the CSV file has a header but no rows");
            int size = values.size();
            double[] pn = new double[size], px = new double[size], pl = new double[size];
            int[] rn = new int[size];
            for (int i = 0; i < size; i++) {
                pn[i] = values.get(i)[0];
                px[i] = values.get(i)[1];
                pl[i] = values.get(i)[2];
                rn[i] = rows.get(i);
            }
            return new Runs(pn, useTokens ? px : null, useTokens ? null : px, pl, rn);
        } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException | CSVException e) {
            // CSVException: a malformed header (an unterminated quote), which Commons CSV reads while opening the
            // parser
            if (e instanceof InvalidFieldException f) throw f;
            String m = String.valueOf(e.getMessage());
            int q = m.indexOf('"'), q2 = m.indexOf('"', q + 1);
            if (m.startsWith("The header contains a duplicate name") && q >= 0 && q2 > q)
                throw InvalidFieldException.withMessage(
                        "data",
                        "data: the header names the column \"" + m.substring(q + 1, q2)
                                + "\" twice; each column needs a name of its own");
            throw InvalidFieldException.withMessage(
                    "data",
                    "data: not a valid CSV file: "
                            + String.valueOf(e.getMessage()).replaceAll("\\s+", " "));
        }
    }

    private static String column(Map<String, Integer> header, String option, String name) {
        if (name == null || !header.containsKey(name))
            throw new InvalidFieldException(option, name, "a column of the CSV header " + header.keySet());
        return name;
    }

    private static double cell(CSVRecord r, String column, int row, long line) {
        String text = r.isSet(column) ? r.get(column) : null;
        String where = "row " + row + " (line " + line + "), column \"" + column + "\": ";
        if (text == null || text.isEmpty())
            throw InvalidFieldException.withMessage(column, where + "the value is missing");
        double v;
        try {
            v = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw InvalidFieldException.withMessage(column, where + "\"" + shorten(text) + "\" is not a number");
        }
        if (!(v > 0) || Double.isInfinite(v))
            throw InvalidFieldException.withMessage(
                    column, where + text + " is not allowed: must be a finite number > 0");
        return v;
    }

    private static String shorten(String s) {
        String t = s.replaceAll("[\\r\\n\\t]", " ");
        return t.length() > 40 ? t.substring(0, 37) + "..." : t;
    }
}
