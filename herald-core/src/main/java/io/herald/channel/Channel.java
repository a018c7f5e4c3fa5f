package io.herald.channel;

import io.herald.Connection;
import io.herald.cluster.Broker;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The state of one channel: id counter, replay ring and subscribers. Guarded by its own monitor:
 * a publish and a subscribe's replay never interleave, which is what makes resume gap- and
 * duplicate-free.
 */
final class Channel {
    final String name;
    long lastId;
    final Deque<ChannelEvent> ring = new ArrayDeque<>();
    /** Each subscriber and the last id its replay held: live events up to it are not sent again. */
    final Map<Connection, Long> subscribers = new LinkedHashMap<>();
    /** The broker subscription that brings this channel's events, held while it has subscribers. */
    Broker.Subscription live;
    long lastActiveNanos = System.nanoTime();
    /**
     * On a shared broker: subscribers whose replay is being read from the broker's history, with the
     * live events that arrived meanwhile; they join {@link #subscribers} when it is sent.
     */
    final Map<Connection, java.util.List<ChannelEvent>> recovering = new LinkedHashMap<>();
    /** Recovering subscribers that had more live events held than the hub keeps: they recover again. */
    final java.util.Set<Connection> overflowed = new java.util.HashSet<>();
    /** On a shared broker: the epoch of the stream as this node last saw it ("" before any event). */
    String epoch = "";
    /** Set when the hub dropped this channel; an operation that finds it retries with a fresh one. */
    boolean evicted;

    Channel(String name) {
        this.name = name;
    }
}
