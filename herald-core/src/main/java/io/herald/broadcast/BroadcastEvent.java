package io.herald.broadcast;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.ValidUnicode;
import java.util.ArrayList;
import java.util.List;

/**
 * A custom event to publish: {@code {"type":"broadcast","event":...,"payload":...}}, optionally only
 * to members holding one of {@code targetRoles}. An event named {@code ns:name} must be declared.
 */
public record BroadcastEvent(String event, JsonNode payload, Target target, List<String> targetRoles) {

    public BroadcastEvent {
        if (event == null || event.isEmpty() || event.length() > 256) {
            throw new HeraldException(ErrorCode.BAD_REQUEST, "event must be a non-empty string of at most 256 characters.");
        }
        if (target == null) {
            throw new HeraldException(ErrorCode.BAD_REQUEST, "organizationId or scopeKey is required.");
        }
        ValidUnicode.require(event, "event");
        ValidUnicode.require(payload, "payload");
        payload = payload == null ? NullNode.instance : payload;
        targetRoles = targetRoles == null ? List.of() : List.copyOf(targetRoles);
    }

    /** The namespace: the text before the first {@code :}, if any. */
    public String namespace() {
        int i = event.indexOf(':');
        return i < 0 ? null : event.substring(0, i);
    }

    /** Parses the body of {@code POST /broadcast/v1/broadcast}. */
    public static BroadcastEvent fromJson(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new HeraldException(ErrorCode.BAD_REQUEST, "The body must be a JSON object.");
        }
        String event = Target.optionalText(body, "event");
        if (event == null) {
            throw new HeraldException(ErrorCode.BAD_REQUEST, "event is required.");
        }
        if (!body.has("payload")) {
            throw new HeraldException(ErrorCode.BAD_REQUEST, "payload is required (null is allowed).");
        }
        List<String> roles = new ArrayList<>();
        JsonNode tr = body.get("targetRoles");
        if (tr != null && !tr.isNull()) {
            if (!tr.isArray()) {
                throw new HeraldException(ErrorCode.BAD_REQUEST, "targetRoles must be an array of strings.");
            }
            for (JsonNode r : tr) {
                if (!r.isTextual()) {
                    throw new HeraldException(ErrorCode.BAD_REQUEST, "targetRoles must be an array of strings.");
                }
                roles.add(r.asText());
            }
        }
        return new BroadcastEvent(event, body.get("payload"), Target.fromJson(body), roles);
    }
}
