package dev.strata.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every command's help prints as written: picocli treats descriptions as format strings, and for one that does not
 * format (a lone {@code %}) it prints the raw text and a warning on standard error.
 */
class HelpTextTest {
    @Test
    void everyCommandsHelpRendersWithoutAWarning() {
        CommandLine cl = Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
        PrintStream saved = System.err;
        ByteArrayOutputStream warnings = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(warnings, true, StandardCharsets.UTF_8));
            for (var e : cl.getSubcommands().entrySet()) {
                String help = e.getValue().getUsageMessage(CommandLine.Help.Ansi.OFF);
                assertThat(help).as(e.getKey()).isNotBlank().doesNotContain("%n");
            }
        } finally {
            System.setErr(saved);
        }
        assertThat(warnings.toString(StandardCharsets.UTF_8)).doesNotContain("WARN");
    }
}
