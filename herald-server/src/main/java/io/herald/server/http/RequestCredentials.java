package io.herald.server.http;

import io.herald.auth.Credentials;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpServerRequest;
import java.util.Optional;

/** Adapts a Vert.x request to the engine's {@link Credentials} view. Confined to the request's event loop. */
public final class RequestCredentials implements Credentials {
    private final HttpServerRequest request;

    public RequestCredentials(HttpServerRequest request) {
        this.request = request;
    }

    @Override
    public Optional<String> header(String name) {
        return Optional.ofNullable(request.getHeader(name));
    }

    @Override
    public Optional<String> query(String name) {
        return Optional.ofNullable(request.getParam(name));
    }

    @Override
    public Optional<String> cookie(String name) {
        Cookie c = request.getCookie(name);
        return c == null ? Optional.empty() : Optional.of(c.getValue());
    }
}
