package dev.strata.web.cli;

import dev.strata.web.render.Format;
import picocli.CommandLine.Option;

/** The {@code --format table|json|csv} option every command takes. */
public final class FormatOption {
    @Option(
            names = "--format",
            paramLabel = "table|json|csv",
            defaultValue = "table",
            description = "Output format: table (default), json or csv.")
    String format;

    /** The parsed format; a bad value names --format. */
    public Format get() {
        return Format.parse("--format", format);
    }
}
