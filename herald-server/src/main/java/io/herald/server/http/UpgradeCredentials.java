package io.herald.server.http;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.auth.Credentials;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import java.util.List;
import java.util.Optional;

/**
 * Adapts an upgrade request decoded by Netty (one Herald takes below Vert.x) to the engine's
 * {@link Credentials} view, as {@link RequestCredentials} does for Vert.x requests. Confined to its loop.
 */
public final class UpgradeCredentials implements Credentials {
    private final HttpRequest request;
    private final QueryStringDecoder query;

    public UpgradeCredentials(HttpRequest request, QueryStringDecoder query) {
        this.request = request;
        this.query = query;
    }

    /**
     * The first value of query parameter {@code name}, or null.
     *
     * @throws HeraldException 400 when the query string is not valid percent-encoding (Netty's decoder
     *     throws {@link IllegalArgumentException}, which an upgrade would answer with 500)
     */
    public static String first(QueryStringDecoder query, String name) {
        List<String> values;
        try {
            values = query.parameters().get(name);
        } catch (IllegalArgumentException e) {
            throw new HeraldException(ErrorCode.BAD_REQUEST, "The query string is not valid percent-encoding.");
        }
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    @Override
    public Optional<String> header(String name) {
        return Optional.ofNullable(request.headers().get(name));
    }

    @Override
    public Optional<String> query(String name) {
        return Optional.ofNullable(first(query, name));
    }

    @Override
    public Optional<String> cookie(String name) {
        for (String header : request.headers().getAll(HttpHeaderNames.COOKIE)) {
            for (Cookie c : ServerCookieDecoder.STRICT.decode(header)) {
                if (c.name().equals(name)) {
                    return Optional.of(c.value());
                }
            }
        }
        return Optional.empty();
    }
}
