package io.herald.server.admin;

import io.herald.Connection;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * This node's open sockets and SSE streams by id, so an operator can name one to close it. Filled only while
 * the admin page is enabled ({@link #off()} keeps nothing and costs nothing per socket). Bounded: past its
 * capacity a socket is simply not listed, and it still works. Thread-safe: every event loop adds and removes.
 */
public final class SocketDirectory {
    private static final SocketDirectory OFF = new SocketDirectory(0);

    private final int capacity;
    private final ConcurrentHashMap<String, Entry> byId = new ConcurrentHashMap<>();
    private final AtomicLong order = new AtomicLong();

    /**
     * One listed socket.
     *
     * @param primitive {@code broadcast}, {@code rooms}, {@code channels} or {@code lanes}
     * @param userId    its user, null on a public room or channel
     * @param target    the scope, {@code party/room}, channel or lane it serves
     */
    public record Entry(String id, String primitive, String userId, String target, long openedAtMillis, long seq,
                        Connection connection) {
    }

    /** A directory of at most {@code capacity} entries (0: keeps nothing). */
    public SocketDirectory(int capacity) {
        this.capacity = capacity;
    }

    /** A directory that keeps nothing: the admin page is off. */
    public static SocketDirectory off() {
        return OFF;
    }

    /** Lists {@code c} until {@link #remove}; not listed when the directory is full. */
    public void add(Connection c, String primitive, String userId, String target) {
        if (capacity == 0 || byId.size() >= capacity) {
            return;
        }
        byId.put(c.id(), new Entry(c.id(), primitive, userId, target, System.currentTimeMillis(), order.incrementAndGet(), c));
    }

    /** Unlists {@code c}; harmless when it was never listed. */
    public void remove(Connection c) {
        if (capacity > 0) {
            byId.remove(c.id());
        }
    }

    public Optional<Entry> find(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** Sockets listed now. */
    public int size() {
        return byId.size();
    }

    /** The {@code limit} most recently opened listed sockets, newest first, without sorting them all. */
    public List<Entry> newest(int limit) {
        PriorityQueue<Entry> keep = new PriorityQueue<>(Comparator.comparingLong(Entry::seq));
        for (Entry e : byId.values()) {
            keep.add(e);
            if (keep.size() > limit) {
                keep.poll();
            }
        }
        List<Entry> out = new ArrayList<>(keep);
        out.sort(Comparator.comparingLong(Entry::seq).reversed());
        return out;
    }
}
