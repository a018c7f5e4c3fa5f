package io.herald.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * {@code GET /openapi.json}: the OpenAPI document of every endpoint. Its one source is {@code docs/openapi.yaml},
 * which the build copies into the jar beside this class; it is converted to JSON once, when the first router is
 * built (the server's start), and the bytes are served from memory. No credentials: it is documentation.
 */
public final class OpenApiDocument {
    /** Where the build puts {@code docs/openapi.yaml} (herald-server's pom, {@code <resources>}). */
    public static final String RESOURCE = "/io/herald/server/http/openapi.yaml";

    private OpenApiDocument() {
    }

    /** The converted document; loading it at class initialization makes a jar without it fail the start. */
    private static final class Json {
        static final byte[] BYTES = convert();
    }

    /** The document as JSON bytes (shared: never modify them). */
    public static byte[] json() {
        return Json.BYTES;
    }

    private static byte[] convert() {
        try (InputStream in = OpenApiDocument.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the class path (herald-server's pom copies docs/openapi.yaml there)");
            }
            return new ObjectMapper().writeValueAsBytes(new YAMLMapper().readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException("docs/openapi.yaml cannot be read as YAML", e);
        }
    }

    /** The route's handler; the bytes are converted by the time it is made. */
    public static Handler<RoutingContext> handler() {
        byte[] json = json();
        // a buffer of its own per response: the response may be written on any event loop
        return ctx -> ctx.response().putHeader("Content-Type", "application/json").end(Buffer.buffer(json));
    }
}
