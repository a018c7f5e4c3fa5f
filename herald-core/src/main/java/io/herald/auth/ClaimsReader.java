package io.herald.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.config.AuthConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns the verified claims of a token into a {@link Principal}, reading each claim where the config says. Thread-safe. */
final class ClaimsReader {
    private final AuthConfig.Claims where;
    private final ObjectMapper json;

    ClaimsReader(AuthConfig.Claims where, ObjectMapper json) {
        this.where = where;
        this.json = json;
    }

    Principal principal(ObjectNode claims) {
        String userId = text(at(claims, where.userId()));
        if (userId == null && where.userId().equals(AuthConfig.Claims.DEFAULT_USER_ID)) {
            userId = text(claims.get("sub"));
        }
        userId = userId == null ? null : userId.trim();
        if (userId == null || userId.isEmpty()) {
            throw new HeraldException(ErrorCode.INVALID_CREDENTIALS, "The token is invalid (no user id (" + where.userId()
                    + (where.userId().equals(AuthConfig.Claims.DEFAULT_USER_ID) ? " or sub" : "") + ")).");
        }
        Map<String, List<String>> orgs = new LinkedHashMap<>();
        JsonNode orgsNode = at(claims, where.orgs());
        if (orgsNode != null && orgsNode.isObject()) {
            orgsNode.fields().forEachRemaining(e -> orgs.put(e.getKey(), roles(e.getValue())));
        }
        String defaultOrg = text(at(claims, where.organizationId()));
        if (defaultOrg != null && !orgs.containsKey(defaultOrg)) {
            orgs.put(defaultOrg, roles(at(claims, where.roles())));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> raw = json.convertValue(claims, Map.class);
        return new Principal(userId, orgs, defaultOrg, text(at(claims, where.name())), raw);
    }

    /** A claim by top-level name, or by JSON pointer when the location starts with {@code /}. */
    private static JsonNode at(ObjectNode claims, String location) {
        JsonNode n = location.startsWith("/") ? claims.at(location) : claims.get(location);
        return n == null || n.isMissingNode() ? null : n;
    }

    private static List<String> roles(JsonNode node) {
        List<String> roles = new ArrayList<>();
        if (node != null && node.isArray()) {
            node.forEach(r -> {
                if (r.isTextual()) {
                    roles.add(r.asText());
                }
            });
        } else if (node != null && node.isTextual()) {
            roles.add(node.asText());
        }
        return List.copyOf(roles);
    }

    private static String text(JsonNode n) {
        return n != null && n.isTextual() ? n.asText() : null;
    }
}
