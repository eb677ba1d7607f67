package dev.strata.web.cli;

import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The text of every option a command (and its mixins) read as text, by its long name without the dashes: the names
 * the reports and the HTTP API share ({@code max-seqs}, {@code ttft-p90-ms}); an option not given maps to its
 * default, or to null.
 */
final class OptionTexts {
    private OptionTexts() {}

    static Map<String, String> of(CommandSpec spec) {
        Map<String, String> values = new HashMap<>();
        for (OptionSpec o : spec.options())
            if (o.type() == String.class) values.put(o.longestName().replaceFirst("^--", ""), o.getValue());
        return values;
    }
}
