package dev.strata.web.page;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * {@code GET /api-docs}: the OpenAPI description of {@code /openapi.json} in Swagger UI. Swagger UI's assets come from
 * its WebJar, served by the app itself under {@link #ASSETS} (the page needs no network beyond this server), and the
 * script that starts it is a static file ({@code /static/api-docs.js}): the content security policy allows no inline
 * script.
 */
public final class ApiDocsPage {
    private ApiDocsPage() {}

    /** Where the app serves the Swagger UI WebJar's files (its {@code META-INF/resources/webjars/swagger-ui}). */
    public static final String ASSETS = "/webjars/swagger-ui";

    /** The version of the Swagger UI WebJar on the class path: the folder its files are under. */
    public static final String SWAGGER_UI_VERSION = webjarVersion();

    private static String webjarVersion() {
        String resource = "/META-INF/maven/org.webjars/swagger-ui/pom.properties";
        try (InputStream in = ApiDocsPage.class.getResourceAsStream(resource)) {
            if (in == null)
                throw new IllegalStateException(
                        resource + " is missing: the Swagger UI WebJar is not on the class path");
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The page: Swagger UI's stylesheet and scripts, and the element it renders into. */
    public static String html() {
        return HTML;
    }

    private static final String HTML = build();

    private static String build() {
        String base = ASSETS + "/" + SWAGGER_UI_VERSION + "/";
        return "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                + "<title>HTTP API · strata</title>\n"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                + "<link rel=\"icon\" type=\"image/png\" href=\"" + base + "favicon-32x32.png\">\n"
                + "<link rel=\"stylesheet\" href=\"" + base + "swagger-ui.css\">\n"
                + "<link rel=\"stylesheet\" href=\"/static/api-docs.css\">\n"
                + "</head>\n<body>\n"
                + "<div id=\"swagger-ui\"></div>\n"
                + "<script src=\"" + base + "swagger-ui-bundle.js\"></script>\n"
                + "<script src=\"/static/api-docs.js\"></script>\n"
                + "</body>\n</html>\n";
    }
}
