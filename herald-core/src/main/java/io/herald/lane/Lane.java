package io.herald.lane;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** One user's sockets on this node and the envelopes they owe acks for. Guarded by its own monitor. */
final class Lane {
    final String userId;
    final Set<LaneSocket> sockets = new LinkedHashSet<>();
    /** Envelopes sent to this node's sockets of the lane that some still owe an ack for, by envelope id. */
    final Map<String, Owed> owing = new HashMap<>();
    /** The broker subscription that brings this user's publishes, held while the lane has sockets. */
    io.herald.cluster.Broker.Subscription topic;
    /** Set when the lane was dropped (no sockets left); a join that finds it retries with a fresh lane. */
    boolean removed;

    Lane(String userId) {
        this.userId = userId;
    }
}
