package io.herald.lane;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** One user's sockets on this node and the envelopes they owe acks for. Guarded by its own monitor. */
final class Lane {
    final String userId;
    /**
     * In the order they joined, each once; a list, not a set: a user has a few sockets (at most
     * {@code lanes.maxSocketsPerUser}), and an idle socket's share of a set cost over 100 bytes more.
     */
    final List<LaneSocket> sockets = new ArrayList<>(1);
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
