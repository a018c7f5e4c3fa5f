package io.herald.room;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.herald.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@link Room#onRequest} answers (PartyServer's {@code Response}): a status, headers and a body,
 * written to the caller as they are. Immutable once built; the body must not be changed after.
 *
 * @param status  100..599, except 101 (a room answers upgrades through sockets, not here)
 * @param headers response headers by name; {@code Content-Length} is set by the server
 * @param body    the bytes sent, empty for none
 */
public record HttpResponse(int status, Map<String, String> headers, byte[] body) {
    public HttpResponse {
        if (status < 100 || status > 599 || status == 101) {
            throw new IllegalArgumentException("an HTTP response status is 100..599, not 101");
        }
        headers = headers == null ? Map.of() : Map.copyOf(headers);
        body = body == null ? new byte[0] : body;
    }

    /** A response with {@code body} of {@code contentType}. */
    public static HttpResponse of(int status, String contentType, byte[] body) {
        return new HttpResponse(status, Map.of("Content-Type", contentType), body);
    }

    /** A {@code text/plain; charset=utf-8} response. */
    public static HttpResponse text(int status, String text) {
        return of(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    /** An {@code application/json} response of JSON text. */
    public static HttpResponse json(int status, String json) {
        return of(status, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    /** An {@code application/json} response. */
    public static HttpResponse json(int status, JsonNode json) {
        return json(status, json.toString());
    }

    /** An empty response, such as 204. */
    public static HttpResponse empty(int status) {
        return new HttpResponse(status, Map.of(), new byte[0]);
    }

    /** Herald's JSON error, {@code {"error":<code>,"message":<message>}}, with the status of {@code code}. */
    public static HttpResponse error(ErrorCode code, String message) {
        return json(code.httpStatus(), JsonNodeFactory.instance.objectNode()
                .put("error", code.code()).put("message", message == null ? code.defaultMessage() : message));
    }

    /** This response with one more header (replacing one of the same name). */
    public HttpResponse withHeader(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new HttpResponse(status, h, body);
    }
}
