package io.herald.server.transport;

import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The liveness check of one kind of connection on one event loop: WebSockets ({@link Sockets}: ping,
 * then close) and SSE streams ({@link SseTransport#keepalives}: {@code : keepalive}). What a check does
 * to a member is the {@link Check} of its kind; the sweep only decides when each member is checked.
 * Confined to its event loop: members are added, removed and checked there.
 *
 * <p>Every member is checked once per round, and the round is spread in slices: each member belongs to
 * one slice and a periodic timer checks one slice per tick, {@code round / slices} apart. Connections
 * opened together go silent together, and one check over every connection of the loop used to write to
 * them all in one task, one {@code write} each: at 5 000 sockets a loop that stalled its fan-outs for
 * ~60 ms every few seconds. A slice is checked at most every {@value #MIN_SLICE_MS} ms (fewer members
 * per tick is not worth more ticks) and there are at most {@value #MAX_SLICES} of them.
 *
 * <p>A member is checked when its slice's tick comes, so whatever its check is waiting for (an idle
 * interval to pass) is seen up to one round late. One timer per loop and kind, never one per connection:
 * a timer per connection costs memory and timer-wheel work per connection.
 */
public final class LivenessSweep<M extends LivenessSweep.Member> {
    /** Slices are checked at most this often. */
    static final long MIN_SLICE_MS = 100;
    static final int MAX_SLICES = 128;

    /** What the sweep needs of every member: being closed on shutdown. */
    public interface Member {
        void close(int code, String reason);
    }

    /** What a check does to one member, {@code nowNanos} being the tick's {@link System#nanoTime()}. */
    @FunctionalInterface
    public interface Check<M> {
        void check(M member, long nowNanos);
    }

    private final List<Set<M>> slices;
    private final long sliceMs;
    private final Check<? super M> check;
    private int cursor;
    /** The loop thread that runs the timer, once started: members come and go there only. */
    private Thread owner;

    /** A sweep checking every member once per {@code roundMs} (at least one slice of 1 ms). */
    public LivenessSweep(long roundMs, Check<? super M> check) {
        this.check = check;
        long round = Math.max(1, roundMs);
        int n = (int) Math.max(1, Math.min(MAX_SLICES, round / MIN_SLICE_MS));
        this.sliceMs = Math.max(1, round / n);
        this.slices = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            slices.add(new HashSet<>());
        }
    }

    /** Starts the timer on the current event loop (a verticle's start): one slice per tick. Returns the timer's id. */
    public long start(Vertx vertx) {
        owner = Thread.currentThread();
        return vertx.setPeriodic(sliceMs, id -> checkNextSlice());
    }

    public void add(M m) {
        assert confined() : "a member added off the sweep's loop";
        slice(m).add(m);
    }

    /** Removes {@code m}; false when it was not a member (harmless twice). */
    public boolean remove(M m) {
        assert confined() : "a member removed off the sweep's loop";
        return slice(m).remove(m);
    }

    private boolean confined() {
        return owner == null || owner == Thread.currentThread();
    }

    /** Identity hashes spread members opened in one burst evenly over the slices. */
    private Set<M> slice(M m) {
        return slices.get(Math.floorMod(System.identityHashCode(m), slices.size()));
    }

    /** Checks the members of the next slice. */
    void checkNextSlice() {
        Set<M> slice = slices.get(cursor);
        cursor = (cursor + 1) % slices.size();
        if (slice.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        // a check may close a member at once, which removes it from the slice
        for (M m : new ArrayList<>(slice)) {
            check.check(m, now);
        }
    }

    /** Closes every member with {@code code} (shutdown). */
    public void closeAll(int code, String reason) {
        List<M> all = new ArrayList<>();
        slices.forEach(all::addAll);
        for (M m : all) {
            m.close(code, reason);
        }
    }

    /** Slices the round is split into (a full round of ticks checks every member once). */
    int sliceCount() {
        return slices.size();
    }

    long sliceMs() {
        return sliceMs;
    }

    /** The members, on the sweep's loop. */
    public int size() {
        int n = 0;
        for (Set<M> slice : slices) {
            n += slice.size();
        }
        return n;
    }
}
