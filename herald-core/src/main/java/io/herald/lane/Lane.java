package io.herald.lane;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** One user's sockets and the deliveries awaiting their acks. Guarded by its own monitor. */
final class Lane {
    final String userId;
    final Set<LaneSocket> sockets = new LinkedHashSet<>();
    final Map<String, Delivery> pending = new HashMap<>();
    /** Set when the lane was dropped (no sockets left); a join that finds it retries with a fresh lane. */
    boolean removed;

    Lane(String userId) {
        this.userId = userId;
    }
}
