package dev.strata.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The reference-stack harness's own tests ({@code data/reference/test_reference.py}), run by the build so that
 * {@code mvn verify} runs every test: its models' parameter counts equal strata's exactly, its cached decode reproduces a
 * full forward pass, and a Python without torch gets one line and exit code 3. They need Debian's
 * {@code /usr/bin/python3}; the ones that need torch skip themselves without it ({@code .ci/run} installs it).
 */
class HarnessSelfTest {
    @Test
    void theHarnessTestsPass() throws Exception {
        Path python = Path.of("/usr/bin/python3");
        assumeTrue(Files.isExecutable(python), "no /usr/bin/python3: the harness's tests need it");
        Path reference = Path.of("data", "reference"); // tests run from the repository root
        assertThat(reference.resolve("test_reference.py")).exists();
        Path log = Files.createTempFile("harness-tests", ".txt");
        Process p = new ProcessBuilder(python.toString(), "-m", "unittest", "discover", "-s", reference.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        boolean finished = p.waitFor(300, TimeUnit.SECONDS);
        if (!finished) p.destroyForcibly();
        String out = Files.readString(log);
        Files.delete(log);
        assertThat(finished)
                .as("the harness tests finish within 5 minutes: " + out)
                .isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).as(out).contains("OK");
    }
}
