package dev.strata.web.cli;

import dev.strata.web.http.StrataServer;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code strata serve}: the web app on localhost. */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Serve the web app and JSON API.")
public final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--port", defaultValue = "7070", description = "Port (default 7070; 0 picks a free one).")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default 127.0.0.1).")
    String host;

    @Option(names = "--format", hidden = true, defaultValue = "table")
    String format;

    @Override
    public Integer call() throws InterruptedException {
        if (port < 0 || port > 65535)
            throw new dev.strata.model.InvalidFieldException("--port", port, "an integer from 0 to 65535");
        var app = StrataServer.create().start(host, port);
        spec.commandLine().getOut().println("strata serving http://" + host + ":" + app.port() + "/  (Ctrl-C stops)");
        spec.commandLine().getOut().flush();
        new CountDownLatch(1).await();
        return 0;
    }
}
