package io.herald.server.http;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.vertx.core.http.HttpServerRequest;

/** Checks on a request's query string shared by the routes that read parameters. */
public final class Queries {
    private Queries() {
    }

    /**
     * Refuses a query string that is not valid percent-encoding ({@code ?%}, {@code ?a=%zz}) with 400: Vert.x
     * throws {@link IllegalArgumentException} on reading any parameter of it, which a handler would
     * otherwise answer with 500 (or 403, where an authorizer reads {@code ?token=}).
     *
     * @throws HeraldException 400 {@code bad_request}
     */
    public static void requireDecodable(HttpServerRequest request) {
        try {
            request.params();
        } catch (IllegalArgumentException e) {
            throw new HeraldException(ErrorCode.BAD_REQUEST, "The query string is not valid percent-encoding.");
        }
    }
}
