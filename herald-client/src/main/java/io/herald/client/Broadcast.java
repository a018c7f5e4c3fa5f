package io.herald.client;

import java.util.List;
import java.util.Objects;

/**
 * A custom event for {@code POST /broadcast/v1/broadcast}: sockets in the target receive
 * {@code {"type":"broadcast","event":...,"payload":...}}. An event named {@code ns:name} must be
 * declared under {@code broadcast.namespaces} on the server (else 400 {@code unknown_event}).
 *
 * @param event       1 to 256 characters
 * @param payload     any value the client's {@code ObjectMapper} writes; null is sent as JSON {@code null}
 * @param target      the organization or resource scope, optionally one user in it
 * @param targetRoles only sockets holding one of these roles receive it; empty: every socket of the target
 */
public record Broadcast(String event, Object payload, Target target, List<String> targetRoles) {

    public Broadcast {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(target, "target");
        targetRoles = targetRoles == null ? List.of() : List.copyOf(targetRoles);
    }

    /** {@code event} with {@code payload} for every socket of {@code target}. */
    public static Broadcast of(String event, Object payload, Target target) {
        return new Broadcast(event, payload, target, List.of());
    }

    /** The same event, only for sockets holding at least one of {@code roles}. */
    public Broadcast toRoles(String... roles) {
        return new Broadcast(event, payload, target, List.of(roles));
    }
}
