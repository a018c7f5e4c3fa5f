package io.herald.broadcast;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.ErrorCode;
import io.herald.HeraldException;
import java.util.regex.Pattern;

/**
 * Where an event goes: a scope ({@code org:<id>} or a resource key like {@code events:evt_123}),
 * optionally narrowed to one user's sockets in it.
 *
 * @param userId the targeted user, or null for every member of the scope
 */
public record Target(String scopeKey, String userId) {
    static final Pattern SCOPE_KEY = Pattern.compile("[A-Za-z0-9_.-]{1,64}:[^\\s\\p{Cntrl}]{1,256}");
    private static final Pattern ID = Pattern.compile("[^\\s\\p{Cntrl}]{1,256}");

    public Target {
        if (scopeKey == null || !SCOPE_KEY.matcher(scopeKey).matches()) {
            throw new HeraldException(ErrorCode.BAD_REQUEST, "scopeKey must look like <kind>:<id>.");
        }
        if (userId != null && !ID.matcher(userId).matches()) {
            throw new HeraldException(ErrorCode.BAD_REQUEST, "userId must be 1..256 visible characters.");
        }
    }

    /** Every member of organization {@code orgId}. */
    public static Target organization(String orgId) {
        return new Target(orgScope(orgId), null);
    }

    /** Every member of a resource scope such as {@code events:evt_123}. */
    public static Target scope(String scopeKey) {
        return new Target(scopeKey, null);
    }

    /** The same scope, narrowed to {@code user}'s sockets. */
    public Target user(String user) {
        return new Target(scopeKey, user);
    }

    /** The scope key of an organization's lane. */
    public static String orgScope(String orgId) {
        if (orgId == null || !ID.matcher(orgId).matches()) {
            throw new HeraldException(ErrorCode.BAD_REQUEST, "organizationId must be 1..256 visible characters.");
        }
        return "org:" + orgId;
    }

    /** Reads {@code organizationId} | {@code scopeKey} and optional {@code userId} from a publish body. */
    static Target fromJson(JsonNode body) {
        JsonNode org = body.get("organizationId");
        JsonNode scope = body.get("scopeKey");
        boolean hasOrg = org != null && !org.isNull();
        boolean hasScope = scope != null && !scope.isNull();
        if (hasOrg && hasScope) {
            throw new HeraldException(ErrorCode.BAD_REQUEST, "organizationId and scopeKey are exclusive: send one.");
        }
        if (!hasOrg && !hasScope) {
            throw new HeraldException(ErrorCode.BAD_REQUEST, "organizationId or scopeKey is required.");
        }
        String user = optionalText(body, "userId");
        if (hasOrg) {
            if (!org.isTextual()) {
                throw new HeraldException(ErrorCode.BAD_REQUEST, "organizationId must be a string.");
            }
            return new Target(orgScope(org.asText()), user);
        }
        if (!scope.isTextual()) {
            throw new HeraldException(ErrorCode.BAD_REQUEST, "scopeKey must be a string.");
        }
        return new Target(scope.asText(), user);
    }

    static String optionalText(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw new HeraldException(ErrorCode.BAD_REQUEST, field + " must be a string.");
        }
        return n.asText();
    }
}
