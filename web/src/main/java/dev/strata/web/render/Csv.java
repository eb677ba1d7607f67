package dev.strata.web.render;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * CSV as docs/architecture.md ("Contracts") asks: RFC 4180 with a header row, plain numbers, and text cells that a spreadsheet would run as
 * a formula neutralised.
 */
public final class Csv {
    private Csv() {}

    /** RFC 4180 with CRLF line ends, as Commons CSV defines it. */
    public static final CSVFormat FORMAT = CSVFormat.RFC4180.builder().get();

    /** A printer on {@code out} that has already written {@code header}. */
    public static CSVPrinter printer(Appendable out, String... header) {
        try {
            CSVPrinter p = new CSVPrinter(out, FORMAT);
            p.printRecord((Object[]) header);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A text cell that cannot run as a spreadsheet formula: a cell that begins with {@code = + - @}, a tab or a
     * carriage return gets a leading apostrophe (OWASP, "CSV Injection"). Numbers are written as numbers and
     * never pass through here.
     */
    public static String text(String s) {
        if (s == null || s.isEmpty()) return s;
        char c = s.charAt(0);
        return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r' ? "'" + s : s;
    }
}
