package io.herald.server.examples;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The example pages and their libraries, read once from the jar (where {@code examples/build.mjs} put them, with
 * {@code files.txt} listing them) and served from memory under {@code /examples/} in dev mode only. Immutable.
 */
public final class ExamplesPage {
    private static final String BASE = "/io/herald/server/examples/page/";
    /** The pages run only their own modules and talk only to their own origin (WebSockets included). */
    private static final String POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self';"
            + " img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private final Map<String, Buffer> files;

    private ExamplesPage(Map<String, Buffer> files) {
        this.files = files;
    }

    /** The examples in the jar, or empty when it was built without them ({@code -Dherald.examples.skip}). */
    public static Optional<ExamplesPage> load() {
        byte[] list = read("files.txt");
        if (list == null) {
            return Optional.empty();
        }
        Map<String, Buffer> files = new HashMap<>();
        for (String name : new String(list, StandardCharsets.UTF_8).split("\n")) {
            if (name.isBlank()) {
                continue;
            }
            byte[] content = read(name);
            if (content == null) {
                throw new IllegalStateException("the example file " + name + " is listed but missing from the jar");
            }
            files.put(name, Buffer.buffer(content));
        }
        return Optional.of(new ExamplesPage(Map.copyOf(files)));
    }

    private static byte[] read(String name) {
        try (InputStream in = ExamplesPage.class.getResourceAsStream(BASE + name)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code GET /examples} and {@code /examples/} (Vert.x matches both): the index, where the pages load their modules from. */
    public void index(RoutingContext ctx) {
        if (ctx.request().path().endsWith("/")) {
            serve(ctx, "index.html");
        } else {
            ctx.response().setStatusCode(301).putHeader("Location", "/examples/").end();
        }
    }

    /** {@code GET /examples/:file}: a page. */
    public void file(RoutingContext ctx) {
        serve(ctx, ctx.pathParam("file"));
    }

    /** {@code GET /examples/lib/:file}: a library the pages load. */
    public void library(RoutingContext ctx) {
        serve(ctx, "lib/" + ctx.pathParam("file"));
    }

    /** Answers {@code name}, or 404 for a name that is not one of the files. */
    void serve(RoutingContext ctx, String name) {
        Buffer file = files.get(name);
        if (file == null) {
            throw new HeraldException(ErrorCode.NOT_FOUND);
        }
        ctx.response().putHeader("Content-Type", type(name))
                .putHeader("Content-Security-Policy", POLICY)
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("X-Frame-Options", "DENY")
                .putHeader("Referrer-Policy", "no-referrer")
                .putHeader("Cache-Control", "no-store")
                .end(file.copy());
    }

    private static String type(String name) {
        if (name.endsWith(".html")) {
            return "text/html; charset=utf-8";
        }
        return name.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
    }
}
