package io.herald.broadcast;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * An event as it travels through the broker between nodes: what to send and the filters that decide
 * who gets it. Each node renders the per-role variants for its own subscribers. Immutable.
 */
record Envelope(Kind kind, String scopeKey, String userId, List<String> targetRoles,
                String table, ChangeEvent.Type eventType, JsonNode newRow, JsonNode oldRow,
                String event, JsonNode payload) {

    enum Kind { CHANGE, BROADCAST }

    static Envelope of(ChangeEvent e) {
        return new Envelope(Kind.CHANGE, e.target().scopeKey(), e.target().userId(), List.of(),
                e.table(), e.eventType(), e.newRow(), e.oldRow(), null, null);
    }

    static Envelope of(BroadcastEvent e) {
        return new Envelope(Kind.BROADCAST, e.target().scopeKey(), e.target().userId(), e.targetRoles(),
                null, null, null, null, e.event(), e.payload());
    }
}
