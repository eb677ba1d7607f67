package dev.strata.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.web.cli.StandardStreams;
import dev.strata.web.render.Render;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The command line's conventions (issue 27): {@code --version} on every command, write errors and closed pipes, shell
 * completion, and a config on standard input.
 */
class OperableCliTest {

    /** An output that takes {@code limit} bytes and then fails as a closed pipe or a full disk does. */
    static final class FailingOutput extends OutputStream {
        final long limit;
        final String message;
        final AtomicLong written = new AtomicLong();

        FailingOutput(long limit, String message) {
            this.limit = limit;
            this.message = message;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (written.get() + len > limit) throw new IOException(message);
            written.addAndGet(len);
        }
    }

    static Cli runInto(OutputStream stdout, String... args) {
        StringWriter err = new StringWriter();
        PrintWriter out =
                new PrintWriter(new OutputStreamWriter(StandardStreams.throwing(stdout), StandardCharsets.UTF_8), true);
        int code = Main.run(args, out, new PrintWriter(err));
        return new Cli(code, "", err.toString());
    }

    @Test
    void everyCommandAnswersVersionWithTheBuildsVersion() {
        // the commands as Main declares them; each must print what the top command prints
        var root = new CommandLine(new Main());
        String expected = "strata " + Version.VERSION;
        assertThat(root.getSubcommands()).hasSizeGreaterThanOrEqualTo(13);
        for (var e : root.getSubcommands().entrySet()) {
            if (e.getKey().equals("help")) continue; // picocli's help command has no options
            Cli r = Cli.run(e.getKey(), "--version");
            assertThat(r.exitCode()).as(e.getKey()).isZero();
            assertThat(r.out().trim()).as(e.getKey()).isEqualTo(expected);
        }
    }

    @Test
    void aFullDiskEndsTheCommandWithExit1AndOneLine() {
        for (String[] args :
                new String[][] {{"presets"}, {"estimate", "--model", "gpt2"}, {"--help"}, {"spec", "--version"}}) {
            Cli r = runInto(new FailingOutput(0, "No space left on device"), args);
            assertThat(r.exitCode()).as(String.join(" ", args)).isEqualTo(1);
            assertThat(r.err().lines())
                    .as(String.join(" ", args))
                    .containsExactly("strata: cannot write the output: No space left on device");
        }
    }

    @Test
    void aClosedPipeStopsASweepAtOnce() {
        // a million points (the most one axis may have) run for about a minute here; a reader that closes after 10
        // bytes (as
        // `| head -c 10` does) must end it at the writer's next batch. The bound only guards against a hang.
        FailingOutput pipe = new FailingOutput(10, "Broken pipe");
        Cli r = assertTimeoutPreemptively(
                Duration.ofSeconds(60), () -> runInto(pipe, "sweep", "--model", "gpt2", "--batch", "1..1000000"));
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err().lines()).containsExactly("strata: cannot write the output: Broken pipe");
        assertThat(pipe.written.get()).isZero(); // the first write (64 KiB of rows) already failed
    }

    @Test
    void completionPrintsPicocliScriptForBashAndZsh() {
        Cli bash = Cli.run("completion", "bash");
        assertThat(bash.exitCode()).isZero();
        // picocli's script: a function per command, registered with `complete`, naming every command and option
        assertThat(bash.out())
                .contains("complete -F _complete_strata")
                .contains("sweep")
                .contains("--max-points")
                .contains("completion");
        Cli zsh = Cli.run("completion", "zsh");
        assertThat(zsh.exitCode()).isZero();
        assertThat(zsh.out()).contains("bashcompinit").isEqualTo(bash.out());
        Cli fish = Cli.run("completion", "fish");
        assertThat(fish.exitCode()).isEqualTo(2);
        assertThat(fish.err()).contains("bash, zsh").contains("fish");
    }

    @Test
    void dashReadsTheConfigFromStandardInput() throws IOException {
        String mixtral = Files.readString(Path.of("testdata", "hf-configs", "mixtral-8x7b-v0.1.json"));
        Cli r = Cli.withInput(mixtral, "estimate", "--model", "-", "--format", "json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode j = Render.MAPPER.readTree(r.out());
        // docs/architecture.md: Mixtral-8x7B 46,702,792,704 parameters, exact, as from the file
        assertThat(j.at("/params/total").longValue()).isEqualTo(46_702_792_704L);
        assertThat(j.at("/model/name").asText()).isEqualTo("standard input");
        // a sweep reads it once, whatever the number of points
        Cli sweep = Cli.withInput(mixtral, "sweep", "--model", "gpt2,-", "--batch", "1,2", "--format", "csv");
        assertThat(sweep.exitCode()).as(sweep.err()).isZero();
        assertThat(sweep.out().lines()).hasSize(1 + 4);
        for (String[] args : new String[][] {
            {"spec", "--model", "-"},
            {
                "simulate",
                "--model",
                "-",
                "--hardware",
                "h100-sxm",
                "--devices",
                "2",
                "--tp",
                "2",
                "--rate",
                "1",
                "--requests",
                "50"
            },
            {
                "plan",
                "--model",
                "-",
                "--rate",
                "1",
                "--ttft-p90-ms",
                "2000",
                "--tpot-p90-ms",
                "200",
                "--hardware",
                "h100-sxm"
            }
        }) {
            Cli c = Cli.withInput(mixtral, args);
            assertThat(c.exitCode()).as(args[0] + ": " + c.err()).isZero();
        }
    }

    @Test
    void badStandardInputIsExit2NamingTheOption() {
        Cli empty = Cli.withInput("", "estimate", "--model", "-");
        assertThat(empty.exitCode()).isEqualTo(2);
        assertThat(empty.err()).contains("--model").contains("standard input").contains("empty");
        Cli big = Cli.withInput(" ".repeat((1 << 20) + 1), "estimate", "--model", "-");
        assertThat(big.exitCode()).isEqualTo(2);
        assertThat(big.err()).contains("--model").contains("at most 1048576 bytes");
        Cli broken = Cli.withInput("{", "estimate", "--model", "-");
        assertThat(broken.exitCode()).isEqualTo(2);
        assertThat(broken.err()).startsWith("strata: --model - (standard input): config is not valid JSON");
    }

    @Test
    void defaultsComeFromTheUsersPropertiesFile() throws IOException {
        // picocli's PropertiesDefaultProvider: keys are the long names without dashes; the system property names the
        // file
        Path file = Files.createTempFile("strata", ".properties");
        String key = "picocli.defaults.strata.path";
        String before = System.getProperty(key);
        try {
            Files.writeString(file, "hardware=h100-sxm\nbatch=4\n");
            System.setProperty(key, file.toString());
            Cli r = Cli.run("estimate", "--model", "gpt2", "--format", "json");
            assertThat(r.exitCode()).as(r.err()).isZero();
            JsonNode j = Render.MAPPER.readTree(r.out());
            assertThat(j.at("/workload/batch").intValue()).isEqualTo(4);
            assertThat(j.at("/latency/hardware").asText()).isEqualTo("h100-sxm");
            // an option on the command line wins over the file
            Cli given = Cli.run("estimate", "--model", "gpt2", "--batch", "2", "--format", "json");
            assertThat(Render.MAPPER.readTree(given.out()).at("/workload/batch").intValue())
                    .isEqualTo(2);
        } finally {
            if (before == null) System.clearProperty(key);
            else System.setProperty(key, before);
            Files.delete(file);
        }
    }
}
