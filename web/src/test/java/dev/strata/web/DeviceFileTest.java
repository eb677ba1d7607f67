package dev.strata.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.data.HfConfigImporter;
import dev.strata.web.http.StrataServer;
import dev.strata.web.render.Render;
import io.javalin.testtools.JavalinTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 28, finding 7: files that are not files. {@code estimate --model /dev/zero} grew to gigabytes and died with a
 * 22-line OutOfMemoryError, {@code /dev/urandom} as a model, hardware or fit data never ended: each reader checked the
 * size the file reported (0 for a device) and then read it to its end. The command line reads regular files only, at
 * most its limit plus one byte, and says so in one line with exit 2. Each run is bounded here by a generous 20 s (the
 * reads did not end).
 */
class DeviceFileTest {
    static final Duration BOUNDED = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    static void refused(String what, String... args) {
        Cli r = assertTimeoutPreemptively(BOUNDED, () -> Cli.run(args));
        assertThat(r.exitCode()).as(what + ": " + r.err()).isEqualTo(2);
        assertThat(r.err().strip().lines().count()).as(what).isEqualTo(1);
        assertThat(r.err()).as(what).contains("a regular file");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void devicesAreRefusedAsModelHardwareAndData() {
        assumeTrue(Files.exists(Path.of("/dev/zero")) && Files.exists(Path.of("/dev/urandom")), "a Unix machine");
        for (String device : List.of("/dev/zero", "/dev/urandom")) {
            refused("--model " + device, "estimate", "--model", device);
            refused("--hardware " + device, "estimate", "--model", "gpt2", "--hardware", device);
            refused("fit --data " + device, "fit", "--data", device);
            refused("sweep --model " + device, "sweep", "--model", device);
        }
    }

    @Test
    void aPipeIsRefusedWithoutOpeningIt() throws Exception {
        // opening a pipe blocks until something writes to it: the path is refused from its attributes alone
        Path fifo = dir.resolve("config.json");
        boolean made;
        try {
            made = new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0;
        } catch (java.io.IOException e) {
            made = false;
        }
        assumeTrue(made, "mkfifo is available");
        refused("a pipe as --model", "estimate", "--model", fifo.toString());
        refused("a pipe as --data", "fit", "--data", fifo.toString());
    }

    @Test
    void aFileOverTheLimitIsRefusedNamingTheLimit() throws Exception {
        Path big = dir.resolve("config.json");
        Files.write(big, new byte[HfConfigImporter.MAX_CONFIG_BYTES + 1]); // one byte past the 1 MiB limit
        Cli r = Cli.run("estimate", "--model", big.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().strip().lines().count()).isEqualTo(1);
        assertThat(r.err()).contains("at most " + HfConfigImporter.MAX_CONFIG_BYTES + " bytes");
        // a folder is named as one
        Cli folder = Cli.run("fit", "--data", dir.toString());
        assertThat(folder.exitCode()).isEqualTo(2);
        assertThat(folder.err()).contains("this is a folder");
    }

    /**
     * The planner page, its memory chart and its sweep chart resolved model and hardware values that look like paths by
     * reading the file on the server: {@code hardware=/dev/zero} filled the heap, and {@code /etc/hostname} answered
     * with the file's first word in the error. The server reads no file a client names.
     */
    @Test
    void theServerReadsNoFileAClientNames() {
        assertTimeoutPreemptively(
                BOUNDED,
                () -> JavalinTest.test(StrataServer.create(), (server, client) -> {
                    for (String path : List.of(
                            "/?model=gpt2&hardware=/dev/zero",
                            "/chart/memory.png?model=gpt2&hardware=/dev/urandom",
                            "/chart/sweep.png?model=gpt2&hardware=/dev/zero",
                            "/chart/sweep.png?model=/dev/zero",
                            "/chart/sweep.png?model=/etc/hostname")) {
                        var r = client.get(path);
                        assertThat(r.code()).as(path).isEqualTo(400);
                        JsonNode e = Render.MAPPER.readTree(r.body().string());
                        assertThat(e.path("error").asText()).as(path).contains("the server reads no files");
                    }
                }));
    }
}
