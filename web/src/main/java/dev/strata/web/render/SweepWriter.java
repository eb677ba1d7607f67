package dev.strata.web.render;

import dev.strata.estimator.sweep.SweepRow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Streams sweep rows as they are computed: CSV (RFC 4180, header {@link SweepRow#COLUMNS}), JSON lines (one object
 * per row) or a fixed-width table. Nothing is kept: a million-row sweep needs the memory of one row.
 */
public final class SweepWriter implements Consumer<SweepRow>, AutoCloseable {
    private final Format format;
    private final Writer out;
    /** The row being written; the writer gets it whole, one write per row, through {@link #chars}. */
    private final StringBuilder line = new StringBuilder(512);

    private char[] chars = new char[512];
    private static final String SEP = Csv.FORMAT.getDelimiterString();
    /** Slots per number column of the text cache (a power of two). */
    private static final int TEXT_SLOTS = 4096;
    /**
     * The text of number values per column, direct-mapped by the value's bits: a value that recurs in a column (the
     * prefill of one batch along a generated-tokens axis, whatever the order of the axes) is formatted once.
     */
    private final long[][] cachedBits = new long[6][TEXT_SLOTS];

    private final String[][] cachedText = new String[6][TEXT_SLOTS];
    /** The text cells (model, hardware, formats) as written, kept while they stay the same objects. */
    private String model, hardware, weights, kvCache, textCells;

    public SweepWriter(Format format, Writer out) {
        this.format = format;
        this.out = out;
        if (format == Format.CSV) {
            try {
                Csv.FORMAT.printRecord(line, (Object[]) SweepRow.COLUMNS);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            writeLine();
        }
        if (format == Format.TABLE) {
            for (String c : SweepRow.COLUMNS) cell(c);
            flushLine();
        }
    }

    @Override
    public void accept(SweepRow r) {
        try {
            if (format == Format.CSV) {
                boolean hw = r.hasHardware();
                line.append(textCells(r));
                line.append(SEP)
                        .append(r.batch())
                        .append(SEP)
                        .append(r.promptTokens())
                        .append(SEP)
                        .append(r.generatedTokens())
                        .append(SEP)
                        .append(r.tensorParallel())
                        .append(SEP)
                        .append(r.pipelineParallel())
                        .append(SEP)
                        .append(r.paramsTotal())
                        .append(SEP)
                        .append(r.weightsBytes())
                        .append(SEP)
                        .append(r.kvCacheBytes())
                        .append(SEP)
                        .append(r.perDeviceBytes())
                        .append(SEP);
                if (hw) line.append(r.fits());
                num(hw, 0, r.prefillFloorSeconds());
                num(hw, 1, r.prefillSeconds());
                num(hw, 2, r.decodeFloorSeconds());
                num(hw, 3, r.decodeSeconds());
                num(hw, 4, r.tokensPerSecond());
                num(hw, 5, r.costPerMillionTokensUsd());
                Csv.FORMAT.println(line);
                writeLine();
            } else if (format == Format.JSON) {
                line.append("{\"model\":")
                        .append(Render.MAPPER.writeValueAsString(r.model()))
                        .append(",\"hardware\":\"")
                        .append(r.hardware())
                        .append("\",\"weights\":\"")
                        .append(r.weights())
                        .append("\",\"kvCache\":\"")
                        .append(r.kvCache())
                        .append("\",\"batch\":")
                        .append(r.batch())
                        .append(",\"promptTokens\":")
                        .append(r.promptTokens())
                        .append(",\"generatedTokens\":")
                        .append(r.generatedTokens())
                        .append(",\"tensorParallel\":")
                        .append(r.tensorParallel())
                        .append(",\"pipelineParallel\":")
                        .append(r.pipelineParallel())
                        .append(",\"paramsTotal\":")
                        .append(r.paramsTotal())
                        .append(",\"weightsBytes\":")
                        .append(r.weightsBytes())
                        .append(",\"kvCacheBytes\":")
                        .append(r.kvCacheBytes())
                        .append(",\"perDeviceBytes\":")
                        .append(r.perDeviceBytes());
                if (r.hasHardware()) {
                    line.append(",\"fits\":")
                            .append(r.fits())
                            .append(",\"prefillFloorSeconds\":")
                            .append(r.prefillFloorSeconds())
                            .append(",\"prefillSeconds\":")
                            .append(r.prefillSeconds())
                            .append(",\"decodeFloorSeconds\":")
                            .append(r.decodeFloorSeconds())
                            .append(",\"decodeSeconds\":")
                            .append(r.decodeSeconds())
                            .append(",\"tokensPerSecond\":")
                            .append(r.tokensPerSecond())
                            .append(",\"costPerMillionTokensUsd\":")
                            .append(r.costPerMillionTokensUsd());
                }
                line.append("}\n");
                writeLine();
            } else {
                cell(r.model());
                cell(r.hardware());
                cell(r.weights());
                cell(r.kvCache());
                cell(r.batch());
                cell(r.promptTokens());
                cell(r.generatedTokens());
                cell(r.tensorParallel());
                cell(r.pipelineParallel());
                cell(r.paramsTotal());
                cell(r.weightsBytes());
                cell(r.kvCacheBytes());
                cell(r.perDeviceBytes());
                boolean hw = r.hasHardware();
                cell(hw ? r.fits() : "-");
                for (double v : new double[] {
                    r.prefillFloorSeconds(),
                    r.prefillSeconds(),
                    r.decodeFloorSeconds(),
                    r.decodeSeconds(),
                    r.tokensPerSecond(),
                    r.costPerMillionTokensUsd()
                }) cell(hw ? String.format(Locale.ROOT, "%.4g", v) : "-");
                flushLine();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The four text cells through Commons CSV (it quotes what needs quoting; numbers never need quotes), written once
     * while the row's model, hardware and formats are the same strings as the last row's: a sweep varies them slowly,
     * and Commons CSV makes a copy of the delimiter for every cell it quotes.
     */
    private String textCells(SweepRow r) throws IOException {
        if (textCells == null
                || r.model() != model
                || r.hardware() != hardware
                || r.weights() != weights
                || r.kvCache() != kvCache) {
            StringBuilder b = new StringBuilder(64);
            Csv.FORMAT.print(Csv.text(r.model()), b, true);
            Csv.FORMAT.print(r.hardware(), b, false);
            Csv.FORMAT.print(r.weights(), b, false);
            Csv.FORMAT.print(r.kvCache(), b, false);
            model = r.model();
            hardware = r.hardware();
            weights = r.weights();
            kvCache = r.kvCache();
            textCells = b.toString();
        }
        return textCells;
    }

    /** Hands the row to the writer without an intermediate String, and clears it. */
    private void writeLine() {
        int n = line.length();
        if (chars.length < n) chars = new char[Math.max(n, 2 * chars.length)];
        line.getChars(0, n, chars, 0);
        line.setLength(0);
        try {
            out.write(chars, 0, n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A number cell after its delimiter: the shortest round-trip form, or empty without hardware; from the column's text
     * cache when the value was written before and kept its slot.
     */
    private void num(boolean present, int column, double v) {
        line.append(SEP);
        if (!present) return;
        long bits = Double.doubleToRawLongBits(v);
        int slot = (int) ((bits ^ (bits >>> 29) ^ (bits >>> 41)) & (TEXT_SLOTS - 1));
        String text = cachedText[column][slot];
        if (text == null || cachedBits[column][slot] != bits) {
            text = Render.plainDouble(v);
            cachedText[column][slot] = text;
            cachedBits[column][slot] = bits;
        }
        line.append(text);
    }

    private void cell(Object v) {
        String s = String.valueOf(v);
        line.append(s.length() >= 14 ? s : s + " ".repeat(14 - s.length())).append(' ');
    }

    private void flushLine() {
        try {
            out.write(line.toString().stripTrailing());
            out.write(System.lineSeparator());
            line.setLength(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
