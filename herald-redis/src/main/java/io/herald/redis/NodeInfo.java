package io.herald.redis;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A live Herald node as its last heartbeat described it: its id, the address it serves on, when it
 * started, and its open connections by primitive ({@code broadcast}, {@code rooms}, ...).
 */
public record NodeInfo(String id, String address, Instant started, Map<String, Integer> connections) {

    public NodeInfo {
        connections = Map.copyOf(connections);
    }

    /** {@code <address>\t<started ms>\t<primitive>=<count>,...}; the address holds no tab. */
    String encode() {
        StringBuilder b = new StringBuilder(address.replace('\t', ' ')).append('\t').append(started.toEpochMilli()).append('\t');
        connections.forEach((primitive, n) -> b.append(primitive.replace(',', '_').replace('=', '_')).append('=').append(n).append(','));
        return b.toString();
    }

    static Optional<NodeInfo> decode(String id, String text) {
        String[] parts = text.split("\t", -1);
        if (parts.length != 3) {
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
            return Optional.of(new NodeInfo(id, parts[0], Instant.ofEpochMilli(Long.parseLong(parts[1])), connections));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
