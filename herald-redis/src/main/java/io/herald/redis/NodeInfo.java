package io.herald.redis;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A live Herald node as its last heartbeat described it: its id, the address it serves on, when it
 * started, its open connections by primitive ({@code broadcast}, {@code rooms}, ...), and the roles it
 * holds in the cluster now ({@value #CDC_LEADER} on the node reading the change-capture slot).
 */
public record NodeInfo(String id, String address, Instant started, Map<String, Integer> connections, Set<String> roles) {
    /** The role of the node that reads the replication slot. */
    public static final String CDC_LEADER = "cdc-leader";

    public NodeInfo {
        connections = Map.copyOf(connections);
        roles = new java.util.TreeSet<>(roles);
        roles = java.util.Collections.unmodifiableSet(roles);
    }

    /** A node holding no role. */
    public NodeInfo(String id, String address, Instant started, Map<String, Integer> connections) {
        this(id, address, started, connections, Set.of());
    }

    /** {@code <address>\t<started ms>\t<primitive>=<count>,...\t<role>,...}; the address holds no tab. */
    String encode() {
        StringBuilder b = new StringBuilder(address.replace('\t', ' ')).append('\t').append(started.toEpochMilli()).append('\t');
        connections.forEach((primitive, n) -> b.append(primitive.replace(',', '_').replace('=', '_')).append('=').append(n).append(','));
        b.append('\t');
        roles.forEach(r -> b.append(r.replace(',', '_').replace('\t', '_')).append(','));
        return b.toString();
    }

    static Optional<NodeInfo> decode(String id, String text) {
        String[] parts = text.split("\t", -1);
        if (parts.length != 3 && parts.length != 4) {
            return Optional.empty();
        }
        try {
            Map<String, Integer> connections = new LinkedHashMap<>();
            for (String pair : parts[2].split(",")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    connections.put(pair.substring(0, eq), Integer.parseInt(pair.substring(eq + 1)));
                }
            }
            Set<String> roles = new java.util.TreeSet<>();
            if (parts.length == 4) {
                for (String r : parts[3].split(",")) {
                    if (!r.isEmpty()) {
                        roles.add(r);
                    }
                }
            }
            return Optional.of(new NodeInfo(id, parts[0], Instant.ofEpochMilli(Long.parseLong(parts[1])), connections, roles));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
