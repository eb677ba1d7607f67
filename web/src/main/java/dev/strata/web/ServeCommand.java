package dev.strata.web;

import dev.strata.model.InvalidFieldException;
import dev.strata.web.http.StrataServer;
import io.javalin.Javalin;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code strata serve}: the web app on localhost, a request-log line per request on standard output (unless {@code
 * --quiet}). SIGTERM or Ctrl-C stops it: new connections are refused and the requests in flight finish, for at most
 * {@link StrataServer#STOP_TIMEOUT_MS}.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Serve the web app and JSON API.")
public final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--port", defaultValue = "7070", description = "Port (default 7070; 0 picks a free one).")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default 127.0.0.1).")
    String host;

    @Option(names = "--quiet", description = "Log no requests (by default one line each on standard output).")
    boolean quiet;

    @Option(names = "--format", hidden = true, defaultValue = "table")
    String format;

    @Override
    public Integer call() throws InterruptedException {
        if (port < 0 || port > 65535) throw new InvalidFieldException("--port", port, "an integer from 0 to 65535");
        checkHost(host);
        PrintWriter out = spec.commandLine().getOut();
        Javalin app = StrataServer.create(
                quiet
                        ? null
                        : line -> {
                            synchronized (out) {
                                out.println(line);
                            }
                        });
        try {
            app.start(host, port);
        } catch (RuntimeException e) {
            app.stop();
            throw bindFailure(e);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            app.stop(); // graceful: waits for the requests in flight
                            stopped.countDown();
                        },
                        "strata-stop"));
        out.println("strata serving http://" + host + ":" + app.port() + "/  (Ctrl-C stops)");
        out.flush();
        stopped.await();
        return 0;
    }

    /** Refuses a host that does not resolve or is not an address of this machine, naming {@code --host}. */
    static void checkHost(String host) {
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException | SecurityException e) {
            throw new InvalidFieldException("--host", host, "an address or a host name that resolves");
        }
        boolean local;
        try {
            local = address.isAnyLocalAddress()
                    || address.isLoopbackAddress()
                    || NetworkInterface.getByInetAddress(address) != null;
        } catch (SocketException e) {
            local = true; // the interfaces could not be listed: let the bind tell
        }
        if (!local)
            throw new InvalidFieldException(
                    "--host", host, "an address of this machine (127.0.0.1, 0.0.0.0 or an interface's address)");
    }

    /** The error a failed start means: a port in use or not allowed, or (else) the failure itself. */
    private RuntimeException bindFailure(RuntimeException e) {
        StringBuilder causes = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) causes.append(' ').append(t.getMessage());
        String c = causes.toString();
        if (c.contains("elevated privileges") || c.contains("ermission denied"))
            return new InvalidFieldException("--port", port, "a port this user may listen on (1-1023 need privileges)");
        if (c.contains("Cannot assign requested address"))
            return new InvalidFieldException("--host", host, "an address of this machine (cannot listen on it)");
        if (c.contains("already in use"))
            return new InvalidFieldException(
                    "--port", port, "a port no other program listens on (" + host + ":" + port + " is in use)");
        return e;
    }
}
