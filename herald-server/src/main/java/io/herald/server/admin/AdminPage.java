package io.herald.server.admin;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The admin page's files (plain HTML, an ES module and a style sheet, no build step), read once from the
 * jar and served from memory with headers that keep the page to its own origin: no inline script, no
 * framing, no referrer, nothing cached. Immutable.
 */
final class AdminPage {
    private static final String BASE = "/io/herald/server/admin/page/";
    private static final Map<String, String> TYPES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "admin.js", "text/javascript; charset=utf-8",
            "admin.css", "text/css; charset=utf-8");
    /** The page talks only to its own origin, and only its own files run. */
    private static final String POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self';"
            + " img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private final Map<String, Buffer> files;

    private AdminPage(Map<String, Buffer> files) {
        this.files = files;
    }

    static AdminPage load() {
        Map<String, Buffer> files = new java.util.HashMap<>();
        for (String name : TYPES.keySet()) {
            try (InputStream in = AdminPage.class.getResourceAsStream(BASE + name)) {
                if (in == null) {
                    throw new IllegalStateException("the admin page's " + name + " is missing from the jar");
                }
                files.put(name, Buffer.buffer(in.readAllBytes()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new AdminPage(Map.copyOf(files));
    }

    /** Answers {@code name}, or 404 for any other name. */
    void serve(RoutingContext ctx, String name) {
        Buffer file = files.get(name);
        if (file == null) {
            throw new HeraldException(ErrorCode.NOT_FOUND);
        }
        ctx.response().putHeader("Content-Type", TYPES.get(name))
                .putHeader("Content-Security-Policy", POLICY)
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("X-Frame-Options", "DENY")
                .putHeader("Referrer-Policy", "no-referrer")
                .putHeader("Cache-Control", "no-store")
                .end(file.copy());
    }
}
