package io.herald.auth;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What a WebSocket ticket grants: a user, the active organization and its roles there, an
 * optional resource scope ({@code events:evt_123}), an expiry and a random id. Immutable.
 *
 * @param organizationId the active org; null only for a resource ticket of a user in no org
 * @param scope the resource scope key, or null for an org ticket
 */
public record Ticket(String id, String userId, String organizationId, List<String> roles, String scope,
                     String name, Instant expiresAt) {
    public Ticket {
        roles = roles == null ? List.of() : List.copyOf(roles);
    }

    public Optional<String> resourceScope() {
        return Optional.ofNullable(scope);
    }

    @Override
    public String toString() {
        return "Ticket[userId=" + userId + ", org=" + organizationId + ", scope=" + scope + "]";
    }
}
