package io.herald.broadcast;

import java.util.List;
import java.util.Set;

/**
 * A connection's roles, interned by the hub so that connections with equal roles share one
 * instance and a fan-out decides filtering and masking once per instance, not once per socket. Immutable.
 */
public final class RoleSet {
    private final Set<String> roles;

    RoleSet(Set<String> roles) {
        this.roles = Set.copyOf(roles);
    }

    public Set<String> roles() {
        return roles;
    }

    /** Whether any of {@code wanted} is held; an empty {@code wanted} means no restriction. */
    boolean anyOf(List<String> wanted) {
        if (wanted.isEmpty()) {
            return true;
        }
        for (String w : wanted) {
            if (roles.contains(w)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return roles.toString();
    }
}
