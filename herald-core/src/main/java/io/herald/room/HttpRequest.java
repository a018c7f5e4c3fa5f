package io.herald.room;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.herald.auth.Principal;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * A plain HTTP request to a room URL, as {@link Room#onRequest} sees it (PartyServer's {@code Request}),
 * after the party's access gate and {@code onBeforeConnect} let it in. Immutable; {@link #body()} is
 * the caller's bytes, at most {@code server.maxBodyBytes}, and must not be changed.
 *
 * @param method  the method in upper case ({@code GET}, {@code POST}, {@code PUT}, {@code PATCH}, {@code DELETE})
 * @param uri     the path and query as sent (still percent-encoded)
 * @param query   the first value of each query parameter
 * @param headers the headers, first value of each, by lower-case name
 * @param body    the request body, empty when there is none
 * @param principal the authenticated user, null on a public room without credentials
 * @param activeOrgId the active organization when one could be resolved, else null
 * @param props   what {@code onBeforeConnect} attached, JSON null when nothing
 */
public record HttpRequest(String method, String uri, Map<String, String> query, Map<String, String> headers, byte[] body,
                          Principal principal, String activeOrgId, JsonNode props) {
    public HttpRequest {
        query = query == null ? Map.of() : Map.copyOf(query);
        headers = headers == null ? Map.of() : Map.copyOf(headers);
        body = body == null ? new byte[0] : body;
        props = props == null ? NullNode.instance : props;
    }

    /** The path without the query. */
    public String path() {
        int q = uri.indexOf('?');
        return q < 0 ? uri : uri.substring(0, q);
    }

    /** The body decoded as UTF-8. */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** A header by lower-case name. */
    public Optional<String> header(String lowerCaseName) {
        return Optional.ofNullable(headers.get(lowerCaseName));
    }

    /** The authenticated user, empty on a public room without credentials. */
    public Optional<Principal> user() {
        return Optional.ofNullable(principal);
    }
}
