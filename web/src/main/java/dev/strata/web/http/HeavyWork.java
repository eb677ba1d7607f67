package dev.strata.web.http;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.BufferUtil;

/**
 * Runs the CPU-heavy requests ({@link HeavyRequests#isCompute}) on a pool of their own, {@link
 * HeavyRequests#COMPUTE_SLOTS} threads, apart from the request threads: the fits' parallel starts and resamples run
 * on that pool too (a parallel stream started on a fork-join worker stays in its pool), so heavy work never takes more
 * cores than its slots, and the fast routes keep the rest.
 *
 * <p>While the work runs, the request's thread watches its connection. A body is read whole before the route runs
 * ({@link EagerBodies}), so what arrives next is the end of the stream when the client has gone; the work's thread is
 * then interrupted and the fit or simulation stops at its next check. A heavy answer closes its connection ({@code
 * Connection: close}), so that no byte a client pipelined after it can be taken by the watch.
 */
final class HeavyWork implements Filter {
    /** The pool of the heavy requests' work. */
    static final ForkJoinPool POOL = new ForkJoinPool(
            HeavyRequests.COMPUTE_SLOTS,
            pool -> {
                var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
                t.setName("strata-heavy-" + t.getPoolIndex());
                t.setDaemon(true);
                return t;
            },
            null,
            false);

    /** How often the request's thread looks at its connection while the work runs. */
    static final long WATCH_MS = 100;

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest req = (HttpServletRequest) request;
        if (!HeavyRequests.isCompute(req.getMethod(), req.getRequestURI(), req.getQueryString())) {
            chain.doFilter(request, response);
            return;
        }
        ((HttpServletResponse) response).setHeader("Connection", "close");
        EndPoint endPoint = endPoint(req);
        AtomicReference<Thread> worker = new AtomicReference<>();
        ForkJoinTask<Void> work = POOL.submit(() -> {
            worker.set(Thread.currentThread());
            try {
                chain.doFilter(request, response);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (ServletException e) {
                throw new IllegalStateException(e);
            } finally {
                synchronized (worker) {
                    worker.set(null);
                    Thread.interrupted(); // the pool's thread goes back clean
                }
            }
            return null;
        });
        try {
            while (true) {
                try {
                    work.get(WATCH_MS, TimeUnit.MILLISECONDS);
                    return;
                } catch (TimeoutException e) {
                    if (endPoint != null && clientLeft(endPoint)) {
                        synchronized (worker) {
                            Thread t = worker.get();
                            if (t != null) t.interrupt();
                        }
                        work.quietlyJoin();
                        return;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof UncheckedIOException u) throw u.getCause();
            if (cause instanceof IllegalStateException s && s.getCause() instanceof ServletException se) throw se;
            if (cause instanceof RuntimeException r) throw r;
            if (cause instanceof Error err) throw err;
            throw new ServletException(cause);
        }
    }

    private static EndPoint endPoint(HttpServletRequest req) {
        ServletContextRequest core = ServletContextRequest.getServletContextRequest(req);
        return core == null
                ? null
                : core.getConnectionMetaData().getConnection().getEndPoint();
    }

    /** Whether the client closed its side: a read finds the end of the stream, or the connection failed. */
    private static boolean clientLeft(EndPoint endPoint) {
        if (!endPoint.isOpen() || endPoint.isInputShutdown()) return true;
        try {
            // Jetty's buffers are kept in flush mode: BufferUtil's is empty with room to fill (a plain ByteBuffer is
            // full)
            return endPoint.fill(BufferUtil.allocate(256)) < 0; // bytes pipelined after a closing answer are dropped
        } catch (IOException e) {
            return true;
        }
    }
}
