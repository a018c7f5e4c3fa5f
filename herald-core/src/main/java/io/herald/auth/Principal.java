package io.herald.auth;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An authenticated user: id, the organizations it belongs to with its roles in each, an optional
 * display name, and the raw claims of its credential. Immutable.
 *
 * @param defaultOrg the org the credential itself names (JWT {@code organizationId}), or null
 */
public record Principal(String userId, Map<String, List<String>> orgs, String defaultOrg, String name,
                        Map<String, Object> claims) {

    public Principal {
        if (userId == null || userId.isEmpty()) {
            throw new IllegalArgumentException("userId is required");
        }
        orgs = orgs == null ? Map.of() : Map.copyOf(orgs);
        claims = claims == null ? Map.of() : claims;
    }

    public boolean isMemberOf(String orgId) {
        return orgId != null && orgs.containsKey(orgId);
    }

    public List<String> rolesIn(String orgId) {
        return orgs.getOrDefault(orgId, List.of());
    }

    /**
     * The organization a request acts in: {@code requested} when the user belongs to it, else the
     * credential's own org, else the user's only org.
     *
     * @throws io.herald.HeraldException 403 {@code organization_forbidden} for an org the user is not in,
     *     403 {@code no_organization} for a user in none, 400 {@code organization_required} when several fit
     */
    public String activeOrg(String requested) {
        if (requested != null) {
            if (!isMemberOf(requested)) {
                throw new io.herald.HeraldException(io.herald.ErrorCode.ORGANIZATION_FORBIDDEN);
            }
            return requested;
        }
        if (orgs.isEmpty()) {
            throw new io.herald.HeraldException(io.herald.ErrorCode.NO_ORGANIZATION);
        }
        if (defaultOrg != null) {
            return defaultOrg;
        }
        if (orgs.size() == 1) {
            return orgs.keySet().iterator().next();
        }
        throw new io.herald.HeraldException(io.herald.ErrorCode.ORGANIZATION_REQUIRED);
    }

    public Optional<String> displayName() {
        return Optional.ofNullable(name);
    }

    @Override
    public String toString() {
        return "Principal[userId=" + userId + ", orgs=" + orgs.keySet() + "]";
    }
}
