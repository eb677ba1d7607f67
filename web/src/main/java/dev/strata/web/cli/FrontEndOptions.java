package dev.strata.web.cli;

import picocli.CommandLine.Option;

/**
 * The {@code --client} and {@code --frontend-ms} options of {@code simulate} and {@code plan}: how requests reach the
 * engine, read by name through {@link OptionTexts}.
 */
public final class FrontEndOptions {
    @Option(
            names = "--client",
            paramLabel = "offline|http",
            description = "How requests reach the engine: handed to it (offline, as an engine's own benchmark; the"
                    + " default) or through its HTTP server (http: each request also spends the engine profile's"
                    + " front-end time, in its time to first token and end-to-end latency).")
    String client;

    @Option(
            names = "--frontend-ms",
            paramLabel = "ms",
            description = "The fixed time each request spends between the client and the engine, in place of the"
                    + " engine profile's.")
    String frontendMs;
}
