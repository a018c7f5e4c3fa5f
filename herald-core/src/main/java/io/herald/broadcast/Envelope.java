package io.herald.broadcast;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * An event as it travels through the broker between nodes: what to send and the filters that decide
 * who gets it. Each node renders the per-role variants for its own subscribers. Immutable.
 * {@code schema} (null: the table's configured one) and {@code unchanged} come from change capture;
 * {@code rules} is the {@code broadcast.tables} entry that governs a change ({@code schema.table} when
 * that entry exists, else the bare table name). A TRUNCATE has no scope: it goes to every scope.
 */
record Envelope(Kind kind, String scopeKey, String userId, List<String> targetRoles,
                String table, ChangeEvent.Type eventType, JsonNode newRow, JsonNode oldRow,
                String event, JsonNode payload, String schema, List<String> unchanged, String rules) {

    enum Kind { CHANGE, BROADCAST }

    Envelope {
        unchanged = unchanged == null ? List.of() : unchanged;
        rules = rules == null ? table : rules;
    }

    static Envelope of(ChangeEvent e, String rules) {
        return new Envelope(Kind.CHANGE, e.target().scopeKey(), e.target().userId(), List.of(),
                e.table(), e.eventType(), e.newRow(), e.oldRow(), null, null, e.schema(), e.unchanged(), rules);
    }

    /** A change governed by the rules of its table's bare name (as the publish API's events are). */
    static Envelope of(ChangeEvent e) {
        return of(e, e.table());
    }

    static Envelope truncate(String table, String schema, String rules) {
        return new Envelope(Kind.CHANGE, "", null, List.of(), table, ChangeEvent.Type.TRUNCATE,
                com.fasterxml.jackson.databind.node.NullNode.instance, com.fasterxml.jackson.databind.node.NullNode.instance,
                null, null, schema, List.of(), rules);
    }

    static Envelope of(BroadcastEvent e) {
        return new Envelope(Kind.BROADCAST, e.target().scopeKey(), e.target().userId(), e.targetRoles(),
                null, null, null, null, e.event(), e.payload(), null, List.of(), null);
    }
}
