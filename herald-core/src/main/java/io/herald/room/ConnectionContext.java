package io.herald.room;

import io.herald.auth.Principal;
import java.util.Map;
import java.util.Optional;

/** What {@link Room#onConnect} learns about a new connection's request. Immutable. */
public record ConnectionContext(String uri, Map<String, String> query, Principal principal, String activeOrgId) {
    public ConnectionContext {
        query = query == null ? Map.of() : Map.copyOf(query);
    }

    public Optional<Principal> user() {
        return Optional.ofNullable(principal);
    }

    public Optional<String> activeOrg() {
        return Optional.ofNullable(activeOrgId);
    }
}
