package io.herald.server;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The open WebSockets of one event loop: admits new ones under the server-wide connection cap, pings
 * idle ones and closes those that stopped answering, and closes all with 1012 on shutdown.
 * Confined to its event loop, except the shared cap counter.
 */
public final class Sockets {
    private final Set<WebSocketTransport> open = new HashSet<>();
    private final AtomicInteger total;
    private final int max;
    private final long pingIntervalNanos;

    public Sockets(AtomicInteger total, int max, long pingIntervalMs) {
        this.total = total;
        this.max = max;
        this.pingIntervalNanos = TimeUnit.MILLISECONDS.toNanos(pingIntervalMs);
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

    public void add(WebSocketTransport t) {
        open.add(t);
    }

    /** Removes a closed socket and frees its place; harmless twice. */
    public void remove(WebSocketTransport t) {
        if (open.remove(t)) {
            total.decrementAndGet();
        }
    }

    /** Starts the liveness timer on the current event loop. */
    public long startPings(Vertx vertx) {
        return vertx.setPeriodic(Math.max(1, TimeUnit.NANOSECONDS.toMillis(pingIntervalNanos) / 2), id -> pingOrReap());
    }

    private void pingOrReap() {
        long now = System.nanoTime();
        for (WebSocketTransport t : new ArrayList<>(open)) {
            long idle = now - t.lastSeenNanos();
            if (idle > 2 * pingIntervalNanos) {
                t.close(ErrorCode.IDLE_TIMEOUT, "ping timeout");
            } else if (idle > pingIntervalNanos) {
                t.ping();
            }
        }
    }

    /** Closes every socket with 1012 (server restarting/draining). */
    public void closeAll() {
        for (WebSocketTransport t : new ArrayList<>(open)) {
            t.close(ErrorCode.SHUTTING_DOWN, "server shutting down");
        }
    }

    public int size() {
        return open.size();
    }
}
