package io.herald.channel;

import io.herald.Connection;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The state of one channel: id counter, replay ring and subscribers. Guarded by its own monitor:
 * a publish and a subscribe's replay never interleave, which is what makes resume gap- and
 * duplicate-free.
 */
final class Channel {
    final String name;
    long lastId;
    final Deque<ChannelEvent> ring = new ArrayDeque<>();
    final Set<Connection> subscribers = new LinkedHashSet<>();
    long lastActiveNanos = System.nanoTime();
    /** Set when the hub dropped this channel; an operation that finds it retries with a fresh one. */
    boolean evicted;

    Channel(String name) {
        this.name = name;
    }
}
