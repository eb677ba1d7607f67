package dev.strata.web.http;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A minimal HTTP/1.1 client over one kept-alive socket to 127.0.0.1, for tests that send many requests, including
 * malformed ones that {@code java.net.http.HttpClient} would refuse to send (raw paths, bad percent-encoding, broken
 * request lines). It sends bytes exactly as given and reads one response (Content-Length, chunked, or until the
 * server closes). Not thread-safe: one per thread.
 */
final class RawHttp implements AutoCloseable {
    /** One response. */
    record Response(int status, Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final int port;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    RawHttp(int port) {
        this.port = port;
    }

    /** A GET of {@code target} (sent as is) with the usual headers. */
    Response get(String target) throws IOException {
        return send(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.UTF_8), false);
    }

    /** A POST of {@code body} to {@code target} with a Content-Length. */
    Response post(String target, String contentType, byte[] body) throws IOException {
        byte[] head = ("POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + contentType
                        + "\r\nContent-Length: " + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[head.length + body.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return send(all, false);
    }

    /**
     * Sends raw request bytes and reads the response. A kept-alive connection that the server closed in the meantime
     * is reopened once; a write the server cuts short (it answered early, e.g. 413, and closed) still reads the answer.
     *
     * @param head whether the request is a HEAD (the response has no body)
     */
    Response send(byte[] request, boolean head) throws IOException {
        for (int attempt = 0; ; attempt++) {
            boolean fresh = socket == null;
            if (fresh) open();
            try {
                try {
                    out.write(request);
                    out.flush();
                } catch (SocketException e) {
                    if (!fresh && attempt == 0) { // stale keep-alive connection
                        close();
                        continue;
                    }
                    // the server may have answered before reading everything: read what it said
                }
                Response r = read(head);
                String connection = r.header("connection");
                if (connection != null && connection.toLowerCase(Locale.ROOT).contains("close")) close();
                return r;
            } catch (EOFException e) {
                close();
                if (!fresh && attempt == 0) continue; // closed between requests: try once on a new connection
                throw e;
            } catch (IOException e) {
                close();
                throw e;
            }
        }
    }

    /**
     * Sends several well-framed requests back to back on the kept-alive connection (HTTP/1.1 pipelining) and reads
     * their responses in order: far fewer system calls and thread switches than one request at a time. When the
     * server closes the connection part way (it does after some errors), the requests it did not answer are sent
     * again on a new connection. Only for requests whose framing is certain (GET, or POST with a Content-Length):
     * a request with broken framing could swallow the ones after it.
     */
    List<Response> pipeline(List<byte[]> requests) throws IOException {
        List<Response> responses = new ArrayList<>(requests.size());
        int stalled = 0;
        while (responses.size() < requests.size()) {
            int from = responses.size();
            if (socket == null) open();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (int i = from; i < requests.size(); i++) all.write(requests.get(i));
            try {
                out.write(all.toByteArray());
                out.flush();
            } catch (SocketException e) {
                // the server closed the connection: read whatever it answered, then start again
            }
            try {
                for (int i = from; i < requests.size(); i++) {
                    Response r = read(false);
                    responses.add(r);
                    String connection = r.header("connection");
                    if (connection != null
                            && connection.toLowerCase(Locale.ROOT).contains("close")) {
                        close();
                        break;
                    }
                }
            } catch (EOFException | SocketException e) {
                close();
            }
            if (responses.size() == from && ++stalled > 2)
                throw new IOException("no answer to a pipelined request after " + stalled + " connections");
        }
        return responses;
    }

    private void open() throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(20_000); // a request the server sits on this long is a failure
        socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
        out = socket.getOutputStream();
    }

    private Response read(boolean head) throws IOException {
        String statusLine = line(true);
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/"))
            throw new IOException("not an HTTP status line: " + statusLine);
        int status = Integer.parseInt(parts[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String h = line(false); !h.isEmpty(); h = line(false)) {
            int colon = h.indexOf(':');
            if (colon > 0)
                headers.merge(
                        h.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        h.substring(colon + 1).trim(),
                        (a, b) -> a + ", " + b);
        }
        byte[] body;
        String length = headers.get("content-length");
        String encoding = headers.get("transfer-encoding");
        if (head || status == 204 || status == 304 || (status >= 100 && status < 200)) body = new byte[0];
        else if (encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked")) body = chunked();
        else if (length != null) body = in.readNBytes(Integer.parseInt(length.trim()));
        else {
            body = in.readAllBytes();
            headers.put("connection", "close");
        }
        if (status >= 100 && status < 200) return read(head); // 100 Continue: the real answer follows
        return new Response(status, headers, body);
    }

    private byte[] chunked() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        while (true) {
            String size = line(false);
            int semi = size.indexOf(';');
            int n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
            if (n == 0) {
                while (!line(false).isEmpty()) {} // trailers
                return b.toByteArray();
            }
            b.write(in.readNBytes(n));
            line(false);
        }
    }

    /** One CRLF-terminated line; EOF before the first byte of a status line is an {@link EOFException}. */
    private String line(boolean first) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(64);
        int c;
        while ((c = in.read()) != -1 && c != '\n') if (c != '\r') b.write(c);
        if (c == -1 && (first || b.size() == 0)) throw new EOFException("server closed the connection");
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        socket = null;
        in = null;
        out = null;
    }
}
