package io.herald.server.room;

import io.herald.auth.Credentials;
import io.herald.server.http.Queries;
import io.herald.server.http.RequestCredentials;
import io.herald.server.http.UpgradeCredentials;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.http.HttpServerRequest;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What room admission reads of a request, the same whether Netty decoded it (a socket upgrade, taken below
 * Vert.x) or Vert.x routed it (a plain request for the room's {@code onRequest}): the raw path and URI, the
 * credentials, and the first value of each query parameter and header (header names in lower case), as the
 * room's {@code ConnectRequest} gets them. Confined to the request's loop.
 */
record RoomRequestView(String rawPath, String uri, Credentials credentials, Map<String, String> query, Map<String, String> headers) {

    /** The first value of query parameter {@code name}, or null. */
    String param(String name) {
        return query.get(name);
    }

    /**
     * A request Vert.x routed.
     *
     * @throws io.herald.HeraldException 400 when the query string is not valid percent-encoding
     */
    static RoomRequestView of(HttpServerRequest request) {
        Queries.requireDecodable(request);
        Map<String, String> query = new HashMap<>();
        request.params().forEach(e -> query.putIfAbsent(e.getKey(), e.getValue()));
        Map<String, String> headers = new HashMap<>();
        request.headers().forEach(e -> headers.putIfAbsent(e.getKey().toLowerCase(Locale.ROOT), e.getValue()));
        return new RoomRequestView(request.path(), request.uri(), new RequestCredentials(request), query, headers);
    }

    /**
     * An upgrade Netty decoded.
     *
     * @throws io.herald.HeraldException 400 when the query string is not valid percent-encoding
     */
    static RoomRequestView of(HttpRequest request, QueryStringDecoder decoded) {
        // checks the encoding once: 400, not the 500 Netty's IllegalArgumentException would become
        UpgradeCredentials.first(decoded, "");
        Map<String, String> query = new HashMap<>();
        for (Map.Entry<String, List<String>> e : decoded.parameters().entrySet()) {
            if (!e.getValue().isEmpty()) {
                query.put(e.getKey(), e.getValue().get(0));
            }
        }
        Map<String, String> headers = new HashMap<>();
        request.headers().forEach(e -> headers.putIfAbsent(e.getKey().toLowerCase(Locale.ROOT), e.getValue()));
        String uri = request.uri();
        int q = uri.indexOf('?');
        return new RoomRequestView(q < 0 ? uri : uri.substring(0, q), uri, new UpgradeCredentials(request, decoded), query, headers);
    }
}
