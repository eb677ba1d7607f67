package dev.strata.web.http;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.EagerContentHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.NanoTime;
import org.eclipse.jetty.util.thread.Invocable;

/**
 * Reads a request body whole before its route runs, without a thread: Jetty's {@link EagerContentHandler} with a
 * loader that copies the body as it arrives and refuses one that stalls. The routes read bodies with blocking calls;
 * without this, a client that announces a body and sends it a byte a second held a request thread until the idle
 * timeout, and a handful of them held them all.
 *
 * <p>A body is refused with a JSON error naming {@code body} and the connection closed: 408 when nothing arrives for
 * the idle timeout ({@link StrataServer#IDLE_TIMEOUT_MS}) or when, after {@link #GRACE_MS}, it has arrived slower than
 * {@link StrataServer#MIN_DATA_RATE} on average; 413 when a chunked body grows past its route's limit ({@link StrataServer#maxBody});
 * 400 when its framing is broken. A body that announces more than the limit is left to the route, which answers 413.
 * (Jetty's own retaining loader keeps a network buffer per chunk and waits through idle timeouts, so it bounds
 * neither the memory nor the time of a body sent a byte at a time.)
 */
final class EagerBodies implements EagerContentHandler.ContentLoaderFactory {
    /** How long a body may arrive slower than the minimum rate before it is refused (a slow start, a 100-continue). */
    static final long GRACE_MS = 2_000;

    /**
     * Jetty's {@link EagerContentHandler} with this loader. A request other than GET and HEAD without a body gets an
     * empty one the same way: a route reading the body of a request that waited for a heavy slot ({@link
     * HeavyRequests}) would otherwise wait on the connection until the idle timeout, though there is nothing to read.
     */
    static EagerContentHandler handler() {
        return new EagerContentHandler(new EagerBodies()) {
            @Override
            protected boolean onConditionsMet(Request request, Response response, Callback callback) throws Exception {
                String method = request.getMethod();
                boolean noBody = request.getLength() == 0
                        || (request.getLength() < 0 && !request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING));
                if (noBody && !HttpMethod.GET.is(method) && !HttpMethod.HEAD.is(method) && getHandler() != null)
                    return getHandler().handle(new Replay(request, new byte[0]), response, callback);
                return super.onConditionsMet(request, response, callback);
            }
        };
    }

    @Override
    public String getApplicableMimeType() {
        return null; // every body
    }

    @Override
    public EagerContentHandler.ContentLoader newContentLoader(
            String contentType,
            String mimeType,
            Handler handler,
            Request request,
            Response response,
            Callback callback) {
        long length = request.getLength();
        long max = StrataServer.maxBody(request.getMethod(), Request.getPathInContext(request));
        return length > max ? null : new Loader(handler, request, response, callback, length, max);
    }

    /** Copies one body as it arrives, then hands the request on with the body replayed. */
    private static final class Loader extends EagerContentHandler.ContentLoader implements Invocable.Task {
        private final ByteArrayOutputStream body;
        private final long start = NanoTime.now();
        private final long max;
        private boolean fromDemand;

        Loader(Handler handler, Request request, Response response, Callback callback, long length, long max) {
            super(handler, request, response, callback);
            this.max = max;
            body = new ByteArrayOutputStream(length > 0 ? (int) length : 1024);
        }

        @Override
        protected void load() {
            read();
        }

        /** Called by Jetty when more of the body has arrived (or the idle timeout passed). */
        @Override
        public void run() {
            fromDemand = true;
            read();
        }

        @Override
        public InvocationType getInvocationType() {
            return InvocationType.NON_BLOCKING; // copies bytes; the route itself runs on a pool thread (handOn)
        }

        private void read() {
            while (true) {
                Content.Chunk chunk = getRequest().read();
                if (chunk == null) {
                    getRequest().demand(this);
                    return;
                }
                if (Content.Chunk.isFailure(chunk)) {
                    Throwable failure = chunk.getFailure();
                    if (failure instanceof TimeoutException)
                        refuse(
                                HttpStatus.REQUEST_TIMEOUT_408,
                                "request body: nothing arrived for " + StrataServer.IDLE_TIMEOUT_MS / 1000 + " s after "
                                        + body.size() + " bytes; send the body without pausing");
                    else
                        refuse(
                                HttpStatus.BAD_REQUEST_400,
                                "request body could not be read: "
                                        + (failure.getMessage() == null
                                                ? failure.getClass().getSimpleName()
                                                : failure.getMessage().replaceAll("\\s+", " ")));
                    return;
                }
                int n = chunk.remaining();
                if (body.size() + (long) n > max) {
                    chunk.release();
                    refuse(HttpStatus.PAYLOAD_TOO_LARGE_413, "request body is larger than " + max + " bytes");
                    return;
                }
                ByteBuffer bytes = chunk.getByteBuffer();
                if (bytes.hasArray()) body.write(bytes.array(), bytes.arrayOffset() + bytes.position(), n);
                else for (int i = bytes.position(); i < bytes.limit(); i++) body.write(bytes.get(i));
                boolean last = chunk.isLast();
                chunk.release();
                if (last) {
                    handOn();
                    return;
                }
                long millis = NanoTime.millisSince(start);
                if (millis > GRACE_MS && body.size() < StrataServer.MIN_DATA_RATE * millis / 1000) {
                    refuse(
                            HttpStatus.REQUEST_TIMEOUT_408,
                            "request body: " + body.size() + " bytes in " + millis + " ms; a body must arrive at "
                                    + StrataServer.MIN_DATA_RATE + " bytes/s or faster");
                    return;
                }
            }
        }

        /** Runs the route with the whole body; on a pool thread when called back by Jetty (the route blocks). */
        private void handOn() {
            Request replay = new Replay(getRequest(), body.toByteArray());
            if (fromDemand) getRequest().getContext().execute(() -> handle(replay, getResponse(), getCallback()));
            else handle(replay, getResponse(), getCallback());
        }

        /** The JSON error naming {@code body}; the rest of the body is not read, so the connection closes. */
        private void refuse(int status, String message) {
            Response res = getResponse();
            res.setStatus(status);
            StrataServer.SECURITY_HEADERS.forEach(res.getHeaders()::put);
            res.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            res.getHeaders().put(HttpHeader.CONNECTION, "close");
            res.write(
                    true,
                    ByteBuffer.wrap(StrataServer.errorBody(message, "body").getBytes(StandardCharsets.UTF_8)),
                    getCallback());
        }
    }

    /**
     * The request with its body, read in full, given back as one last chunk. Reading, failing and consuming the body act
     * on that chunk alone: the connection's own body is over, and failing it (as a parser does with a body it cannot
     * read) would reach the next request on a kept-alive connection. A demand goes to the connection, whose body has
     * ended, so Jetty calls back at once through its own invoker, as for {@link
     * EagerContentHandler.RetainedContentLoaderFactory}'s requests.
     */
    private static final class Replay extends Request.Wrapper {
        private Content.Chunk body;

        Replay(Request request, byte[] bytes) {
            super(request);
            body = Content.Chunk.from(ByteBuffer.wrap(bytes), true);
        }

        @Override
        public synchronized Content.Chunk read() {
            Content.Chunk c = body;
            if (!Content.Chunk.isFailure(c)) body = Content.Chunk.EOF;
            return c;
        }

        @Override
        public synchronized boolean consumeAvailable() {
            if (!Content.Chunk.isFailure(body)) body = Content.Chunk.EOF;
            return true;
        }

        @Override
        public void fail(Throwable failure) {
            fail(failure, true);
        }

        @Override
        public synchronized void fail(Throwable failure, boolean last) {
            if (!Content.Chunk.isFailure(body)) body = Content.Chunk.from(failure, true);
        }
    }
}
