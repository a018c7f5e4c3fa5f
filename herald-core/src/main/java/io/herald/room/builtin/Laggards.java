package io.herald.room.builtin;

import io.herald.room.RoomConnection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The connections of a Yjs room that relays leave out while they are congested, each with the state
 * vector of the document from before the first change it missed. Keyed by open connections (the room
 * forgets one when it closes), so bounded by the room's connection count. Confined to the room's context.
 */
final class Laggards {
    private final Map<RoomConnection, byte[]> since = new HashMap<>();

    /**
     * The filter of one relay: false for a lagging connection, and for a congested one, which it marks
     * lagging with {@code stateVector}, asked at most once per relay. A connection marked here has been
     * sent everything before this relay, so that state vector is what it is sure to hold.
     */
    Predicate<RoomConnection> relayFilter(Supplier<byte[]> stateVector) {
        byte[][] sv = new byte[1][];
        return c -> {
            if (since.containsKey(c)) {
                return false;
            }
            if (!c.congested()) {
                return true;
            }
            if (sv[0] == null) {
                sv[0] = stateVector.get();
            }
            since.put(c, sv[0]);
            return false;
        };
    }

    /**
     * Unmarks the connections that are no longer congested (every one with {@code all}) and returns them
     * grouped by remembered state vector: connections marked by one relay share one, and so one diff.
     */
    Map<byte[], Set<RoomConnection>> drained(boolean all) {
        if (since.isEmpty()) {
            return Map.of();
        }
        Map<byte[], Set<RoomConnection>> bySv = new IdentityHashMap<>();
        for (Iterator<Map.Entry<RoomConnection, byte[]>> it = since.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<RoomConnection, byte[]> e = it.next();
            if (all || !e.getKey().congested()) {
                bySv.computeIfAbsent(e.getValue(), k -> new HashSet<>()).add(e.getKey());
                it.remove();
            }
        }
        return bySv;
    }

    void forget(RoomConnection c) {
        since.remove(c);
    }

    boolean isEmpty() {
        return since.isEmpty();
    }

    int size() {
        return since.size();
    }
}
