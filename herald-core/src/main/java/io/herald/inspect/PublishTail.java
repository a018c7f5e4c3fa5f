package io.herald.inspect;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The last {@value #CAPACITY} publishes made on this node, newest last, for the admin page: a ring of fixed
 * size that overwrites its oldest entry, so it never grows. Payloads are kept only as the least privileged
 * subscriber would receive them (see {@link Entry#payload()}), cut at {@value #MAX_PAYLOAD_CHARS} characters.
 * A tail of capacity 0 ({@link #off()}) keeps nothing and says so through {@link #enabled()}, so the hubs
 * skip the preview work when no admin page can read it. Thread-safe and lock-free: publishes add from any thread.
 */
public final class PublishTail {
    public static final int CAPACITY = 100;
    public static final int MAX_PAYLOAD_CHARS = 2048;
    private static final PublishTail OFF = new PublishTail(0);

    private final AtomicReferenceArray<Entry> ring;
    private final AtomicLong next = new AtomicLong();

    /**
     * One publish.
     *
     * @param seq       its place in this node's order of completion
     * @param atMillis  when it completed (epoch milliseconds)
     * @param primitive {@code broadcast}, {@code channels} or {@code lanes}
     * @param target    the scope key, {@code user:<id>} for a lane, or the channel name
     * @param event     the event name, the change ({@code INSERT applications}) or the lane message type
     * @param payload   what a socket holding no role would receive, as JSON text (cut when longer than allowed);
     *                  null when such a socket receives nothing, and {@code hidden} says why
     * @param hidden    why {@code payload} is null ({@code targetRoles [admin]}, {@code requiredRoles [owner]}), else null
     * @param delivered sockets written (on every node that reported), -1 when the publisher is not told
     * @param error     the error code it failed with, else null
     */
    public record Entry(long seq, long atMillis, String primitive, Publisher publisher, String target, String event,
                        String payload, String hidden, int delivered, String error) {
    }

    public PublishTail(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must be 0 or more");
        }
        this.ring = new AtomicReferenceArray<>(capacity);
    }

    /** A tail that keeps nothing. */
    public static PublishTail off() {
        return OFF;
    }

    /** Whether entries are kept: false for {@link #off()}, whose callers may skip building them. */
    public boolean enabled() {
        return ring.length() > 0;
    }

    /** Adds one publish, overwriting the oldest when full. */
    public void add(String primitive, Publisher publisher, String target, String event, String payload, String hidden,
                    int delivered, String error) {
        if (ring.length() == 0) {
            return;
        }
        long seq = next.getAndIncrement();
        ring.set((int) (seq % ring.length()), new Entry(seq, System.currentTimeMillis(), primitive, publisher, target, event,
                cut(payload), hidden, delivered, error));
    }

    /** The kept publishes, oldest first. */
    public List<Entry> entries() {
        List<Entry> out = new ArrayList<>(ring.length());
        for (int i = 0; i < ring.length(); i++) {
            Entry e = ring.get(i);
            if (e != null) {
                out.add(e);
            }
        }
        // slots are overwritten concurrently: order by sequence, not by slot
        out.sort(Comparator.comparingLong(Entry::seq));
        return out;
    }

    /** {@code payload} cut to {@value #MAX_PAYLOAD_CHARS} characters, marked with a trailing ellipsis. */
    static String cut(String payload) {
        if (payload == null || payload.length() <= MAX_PAYLOAD_CHARS) {
            return payload;
        }
        int end = MAX_PAYLOAD_CHARS;
        if (Character.isHighSurrogate(payload.charAt(end - 1))) {
            end--;
        }
        return payload.substring(0, end) + "…";
    }
}
