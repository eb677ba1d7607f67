package dev.strata.web.http;

import dev.strata.model.InvalidFieldException;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;

/**
 * What every request goes through before Javalin sees it: the security headers ({@link StrataServer#SECURITY_HEADERS})
 * on every answer, a 405 for any method but GET, HEAD and POST, and a 400 for a query whose percent-encoding is broken
 * or that gives a parameter twice ({@link Query#check}), each refusal a JSON error naming the field. Every other
 * request goes on to Javalin's routes, a HEAD as the GET it stands for, without a method override ({@link #asSent}).
 *
 * <p>Javalin refuses a method name that is not upper-case letters ({@code get}, {@code G%54}) with an exception outside
 * the route handlers, which became a 500, and it remembers every other method name it is sent in a static map that
 * never shrinks; neither can happen once only the three methods the routes use get through. The headers and the
 * checks live here rather than in Javalin before-handlers, which match every request's path against each of them.
 */
final class RequestFilter implements Filter {
    /** The methods the routes answer (HEAD: as GET without the body). */
    static final Set<String> ALLOWED = Set.of("GET", "HEAD", "POST");

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest req = (HttpServletRequest) request;
        HttpServletResponse res = (HttpServletResponse) response;
        StrataServer.SECURITY_HEADERS.forEach(res::setHeader);
        String method = req.getMethod();
        if (!ALLOWED.contains(method)) {
            res.setHeader("Allow", "GET, HEAD, POST");
            refuse(
                    res,
                    HttpServletResponse.SC_METHOD_NOT_ALLOWED,
                    new InvalidFieldException("method", method, "GET, HEAD or POST (upper case)"));
            return;
        }
        try {
            Query.check(req.getQueryString());
        } catch (InvalidFieldException e) {
            refuse(res, HttpServletResponse.SC_BAD_REQUEST, e);
            return;
        }
        chain.doFilter(asSent(req, method.equals("HEAD")), response);
    }

    /** The header Javalin reads as the method in place of the request's own; ignored here. */
    static final String METHOD_OVERRIDE = "X-HTTP-Method-Override";

    /**
     * The request as its client sent it, without {@value #METHOD_OVERRIDE}: Javalin took that header's value as the
     * method, so a POST with {@code X-HTTP-Method-Override: GET} ran the GET route (and a GET with {@code DELETE} got a
     * 404 for a DELETE route). A HEAD is shown as the GET it stands for: Javalin has no HEAD handlers and answered every
     * HEAD with 200, an empty text/plain and no length, even where the GET is a 400 or an image; Jetty still knows the
     * request is a HEAD and sends the GET's status and headers without its body.
     */
    private static HttpServletRequest asSent(HttpServletRequest req, boolean head) {
        return new HttpServletRequestWrapper(req) {
            @Override
            public String getMethod() {
                return head ? "GET" : super.getMethod();
            }

            @Override
            public String getHeader(String name) {
                return METHOD_OVERRIDE.equalsIgnoreCase(name) ? null : super.getHeader(name);
            }

            @Override
            public Enumeration<String> getHeaders(String name) {
                return METHOD_OVERRIDE.equalsIgnoreCase(name) ? Collections.emptyEnumeration() : super.getHeaders(name);
            }

            @Override
            public Enumeration<String> getHeaderNames() {
                List<String> names = Collections.list(super.getHeaderNames());
                names.removeIf(METHOD_OVERRIDE::equalsIgnoreCase);
                return Collections.enumeration(names);
            }
        };
    }

    private static void refuse(HttpServletResponse res, int status, InvalidFieldException e) throws IOException {
        res.setStatus(status);
        res.setContentType("application/json");
        res.getOutputStream()
                .write(StrataServer.errorBody(e.getMessage(), e.field()).getBytes(StandardCharsets.UTF_8));
    }
}
