package io.herald.server.transport;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The open WebSockets of one event loop: admits new ones under the server-wide connection cap, pings
 * idle ones and closes those that stopped answering, and closes all with 1012 on shutdown.
 * Confined to its event loop, except the shared cap counter.
 *
 * <p>The liveness check is a {@link LivenessSweep} with a round of half the ping interval: a socket
 * silent for {@code server.pingIntervalMs} is pinged, one silent for two intervals is closed with
 * {@link ErrorCode#IDLE_TIMEOUT}'s close code, each up to half an interval late.
 */
public final class Sockets {
    /** What the liveness check needs of a socket ({@link WebSocketTransport}; tests use their own). */
    public interface Member extends LivenessSweep.Member {
        long lastSeenNanos();

        void ping();
    }

    private final LivenessSweep<Member> sweep;
    private final AtomicInteger total;
    private final int max;
    private final long pingIntervalNanos;

    public Sockets(AtomicInteger total, int max, long pingIntervalMs) {
        this.total = total;
        this.max = max;
        this.pingIntervalNanos = TimeUnit.MILLISECONDS.toNanos(pingIntervalMs);
        this.sweep = new LivenessSweep<>(pingIntervalMs / 2, this::check);
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
        sweep.add(m);
    }

    /** Removes a closed socket and frees its place; harmless twice. */
    public void remove(Member m) {
        if (sweep.remove(m)) {
            total.decrementAndGet();
        }
    }

    /** Starts the liveness timer on the current event loop: one slice per tick, every socket once per half interval. */
    public long startPings(Vertx vertx) {
        return sweep.start(vertx);
    }

    /** Pings a socket silent for a ping interval, closes one silent for two. */
    private void check(Member m, long now) {
        long idle = now - m.lastSeenNanos();
        if (idle > 2 * pingIntervalNanos) {
            m.close(ErrorCode.IDLE_TIMEOUT.closeCode(), "ping timeout");
        } else if (idle > pingIntervalNanos) {
            m.ping();
        }
    }

    /** Checks the next slice of the sweep. */
    void checkNextSlice() {
        sweep.checkNextSlice();
    }

    /** Slices the liveness check is split into (a full round of ticks checks every socket once). */
    int sliceCount() {
        return sweep.sliceCount();
    }

    long sliceMs() {
        return sweep.sliceMs();
    }

    /** Closes every socket with 1012 (server restarting/draining). */
    public void closeAll() {
        sweep.closeAll(ErrorCode.SHUTTING_DOWN.closeCode(), "server shutting down");
    }

    public int size() {
        return sweep.size();
    }
}
