package dev.strata.web.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's own errors (requests it refuses before any route runs: a malformed request line or header, an ambiguous
 * or traversing path such as {@code /static/../../etc/passwd}, a URI or headers over the size limits, an unknown HTTP
 * version) as the same JSON as every other error, {@code {"error", "field"}}, instead of Jetty's HTML page.
 *
 * <p>An unsupported HTTP version (Jetty's 505) is bad input like the rest and answers 400 (docs/architecture.md, "Design rules": bad input is
 * 400, never a 5xx). The path and the request are never echoed back.
 */
final class JsonErrorHandler extends ErrorHandler {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int code = response.getStatus();
        String message = (String) request.getAttribute(ERROR_MESSAGE);
        Throwable cause = (Throwable) request.getAttribute(ERROR_EXCEPTION);
        if (cause instanceof HttpException http) {
            code = http.getCode();
            if (message == null) message = http.getReason();
        }
        if (code == HttpStatus.HTTP_VERSION_NOT_SUPPORTED_505) code = HttpStatus.BAD_REQUEST_400;
        response.setStatus(code);
        response.getHeaders().put(ERROR_CACHE_CONTROL);
        StrataServer.SECURITY_HEADERS.forEach(
                (name, value) -> response.getHeaders().put(name, value));
        if (code == HttpStatus.SERVICE_UNAVAILABLE_503) // busy (HeavyRequests): when to try again
        response.getHeaders().put(HttpHeader.RETRY_AFTER, Integer.toString(HeavyRequests.RETRY_AFTER_SECONDS));
        if (HttpStatus.hasNoBody(code) || "HEAD".equals(request.getMethod())) {
            callback.succeeded();
            return true;
        }
        String reason = HttpStatus.getMessage(code);
        String text = message == null || message.isBlank() || message.equals(reason) ? reason : reason + ": " + message;
        String field = switch (code) {
            case HttpStatus.URI_TOO_LONG_414 -> "uri";
            case HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE_431 -> "headers";
            default -> null;
        };
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(
                true, ByteBuffer.wrap(StrataServer.errorBody(text, field).getBytes(StandardCharsets.UTF_8)), callback);
        return true;
    }
}
