package io.herald.server.transport;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The open WebSockets of one event loop: admits new ones under the server-wide connection cap, pings
 * idle ones and closes those that stopped answering, and closes all with 1012 on shutdown.
 * Confined to its event loop, except the shared cap counter.
 *
 * <p>The liveness check is spread over the half ping interval in slices: each socket belongs to one
 * slice and a timer checks one slice at a time. Sockets opened together go silent together, and one
 * sweep over every socket of the loop used to ping them all in one task, one {@code write} each:
 * at 5 000 sockets a loop that stalled its fan-outs for ~60 ms every few seconds.
 */
public final class Sockets {
    /** Slices are checked at most this often; fewer sockets per check is not worth more timer ticks. */
    static final long MIN_SLICE_MS = 100;
    static final int MAX_SLICES = 128;

    /** What the liveness check needs of a socket ({@link WebSocketTransport}; tests use their own). */
    public interface Member {
        long lastSeenNanos();

        void ping();

        void close(int code, String reason);
    }

    private final List<Set<Member>> slices;
    private final long sliceMs;
    private final AtomicInteger total;
    private final int max;
    private final long pingIntervalNanos;
    private int cursor;

    public Sockets(AtomicInteger total, int max, long pingIntervalMs) {
        this.total = total;
        this.max = max;
        this.pingIntervalNanos = TimeUnit.MILLISECONDS.toNanos(pingIntervalMs);
        long half = Math.max(1, pingIntervalMs / 2);
        int n = (int) Math.max(1, Math.min(MAX_SLICES, half / MIN_SLICE_MS));
        this.sliceMs = Math.max(1, half / n);
        this.slices = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            slices.add(new HashSet<>());
        }
    }

    /**
     * Reserves a place before an upgrade.
     *
     * @throws HeraldException 429 when the server is at {@code server.maxConnections}
     */
    public void reserve() {
        if (total.incrementAndGet() > max) {
            total.decrementAndGet();
            throw new HeraldException(ErrorCode.TOO_MANY_REQUESTS, "Too many connections.");
        }
    }

    /** Gives back a place reserved for an upgrade that did not happen. */
    public void release() {
        total.decrementAndGet();
    }

    public void add(Member m) {
        slice(m).add(m);
    }

    /** Removes a closed socket and frees its place; harmless twice. */
    public void remove(Member m) {
        if (slice(m).remove(m)) {
            total.decrementAndGet();
        }
    }

    /** Identity hashes spread sockets opened in one burst evenly over the slices. */
    private Set<Member> slice(Member m) {
        return slices.get(Math.floorMod(System.identityHashCode(m), slices.size()));
    }

    /** Starts the liveness timer on the current event loop: one slice per tick, every socket once per half interval. */
    public long startPings(Vertx vertx) {
        return vertx.setPeriodic(sliceMs, id -> checkNextSlice());
    }

    /** Checks the next slice: pings its sockets silent for a ping interval, closes those silent for two. */
    void checkNextSlice() {
        Set<Member> slice = slices.get(cursor);
        cursor = (cursor + 1) % slices.size();
        if (slice.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        // a close may end the socket at once and remove it from the slice
        for (Member m : new ArrayList<>(slice)) {
            long idle = now - m.lastSeenNanos();
            if (idle > 2 * pingIntervalNanos) {
                m.close(ErrorCode.IDLE_TIMEOUT.closeCode(), "ping timeout");
            } else if (idle > pingIntervalNanos) {
                m.ping();
            }
        }
    }

    /** Slices the liveness check is split into (a full round of ticks checks every socket once). */
    int sliceCount() {
        return slices.size();
    }

    long sliceMs() {
        return sliceMs;
    }

    /** Closes every socket with 1012 (server restarting/draining). */
    public void closeAll() {
        List<Member> all = new ArrayList<>();
        slices.forEach(all::addAll);
        for (Member m : all) {
            m.close(ErrorCode.SHUTTING_DOWN.closeCode(), "server shutting down");
        }
    }

    public int size() {
        int n = 0;
        for (Set<Member> slice : slices) {
            n += slice.size();
        }
        return n;
    }
}
