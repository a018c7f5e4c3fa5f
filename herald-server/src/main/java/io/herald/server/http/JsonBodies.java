package io.herald.server.http;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.util.Locale;

/** Reads JSON request bodies with limits on nesting and string length; refuses other media types. Thread-safe. */
public final class JsonBodies {
    private final ObjectMapper json;

    public JsonBodies() {
        this.json = new ObjectMapper().enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        json.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(64).maxStringLength(1 << 20).maxNumberLength(100).build());
    }

    /**
     * The parsed body, or null when the request has none and {@code optional} is set.
     *
     * @throws HeraldException 415 for a body that is not {@code application/json}, 400 for invalid JSON or a missing body
     */
    public JsonNode read(RoutingContext ctx, boolean optional) {
        Buffer body = ctx.body().buffer();
        boolean empty = body == null || body.length() == 0;
        if (empty && optional) {
            return null;
        }
        String type = ctx.request().getHeader("Content-Type");
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            throw new HeraldException(ErrorCode.UNSUPPORTED_MEDIA_TYPE);
        }
        if (empty) {
            throw new HeraldException(ErrorCode.BAD_REQUEST, "A JSON body is required.");
        }
        try {
            JsonNode node = json.readTree(body.getBytes());
            if (node == null || node.isMissingNode()) {
                throw new HeraldException(ErrorCode.INVALID_JSON);
            }
            return node;
        } catch (IOException e) {
            throw new HeraldException(ErrorCode.INVALID_JSON);
        }
    }
}
