package io.herald.client;

import java.util.Objects;

/**
 * Where a broadcast publish goes: every socket of an organization ({@code organizationId}) or of a
 * resource scope ({@code scopeKey}, e.g. {@code events:evt_123}), optionally narrowed to one user's
 * sockets in it. Exactly one of {@code organizationId} and {@code scopeKey} is set; the server checks
 * the values themselves (400 {@code bad_request}).
 *
 * @param organizationId the organization, or null when {@code scopeKey} is set
 * @param scopeKey       a resource scope {@code <kind>:<id>}, or null when {@code organizationId} is set
 * @param userId         the one user whose sockets receive the event, or null for every member
 */
public record Target(String organizationId, String scopeKey, String userId) {

    public Target {
        if ((organizationId == null) == (scopeKey == null)) {
            throw new IllegalArgumentException("a target names exactly one of organizationId and scopeKey");
        }
    }

    /** Every socket with an org ticket for {@code organizationId} (the scope {@code org:<id>}). */
    public static Target organization(String organizationId) {
        return new Target(Objects.requireNonNull(organizationId, "organizationId"), null, null);
    }

    /** Every socket whose resource ticket has the scope {@code scopeKey}, e.g. {@code events:evt_123}. */
    public static Target scope(String scopeKey) {
        return new Target(null, Objects.requireNonNull(scopeKey, "scopeKey"), null);
    }

    /** The same scope, narrowed to {@code userId}'s sockets in it (the role filters still apply). */
    public Target user(String userId) {
        return new Target(organizationId, scopeKey, Objects.requireNonNull(userId, "userId"));
    }
}
