package io.herald.cluster;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The single-node {@link RoomLeases}: every room is this node's, held in memory, so Herald on one
 * node keeps its rooms with no store to ask. Thread-safe; futures complete at once on the calling thread.
 *
 * <p>A room is still taken once at a time (a second acquire reports {@link HeldBy} this node until the
 * first lease is released), so callers behave the same on one node as on many. A held lease never
 * expires: with no other node there is no one to hand the room to, and unloading a room because this
 * process paused would only hurt its clients.
 *
 * <p>Tokens come from one counter for all rooms that starts at the wall clock in microseconds and
 * then counts up (never below the clock), so tokens keep growing across restarts of the process as
 * long as the clock does: storage that remembers a room's last token accepts the next run's owner.
 */
public final class LocalRoomLeases implements RoomLeases {

    private final String nodeId;
    private final Duration term;
    private final LongSupplier wallMicros;
    private final AtomicLong lastToken = new AtomicLong();
    private final Map<String, LocalLease> held = new ConcurrentHashMap<>();

    /** Leases of {@code term} (reported, never enforced) for the node {@code local}. */
    public LocalRoomLeases(Duration term) {
        this("local", term, () -> System.currentTimeMillis() * 1000);
    }

    /** Leases for node {@code nodeId}, with tokens never below {@code wallMicros}. */
    public LocalRoomLeases(String nodeId, Duration term, LongSupplier wallMicros) {
        if (nodeId == null || nodeId.isEmpty() || term == null || term.isNegative() || term.isZero()) {
            throw new IllegalArgumentException("a node id and a positive term are required: " + nodeId + " / " + term);
        }
        this.nodeId = nodeId;
        this.term = term;
        this.wallMicros = wallMicros;
    }

    @Override
    public CompletableFuture<Acquisition> acquire(String party, String room) {
        String key = key(party, room);
        LocalLease mine = new LocalLease(party, room, lastToken.updateAndGet(t -> Math.max(t + 1, wallMicros.getAsLong())));
        LocalLease current = held.putIfAbsent(key, mine);
        return CompletableFuture.completedFuture(current == null ? new Acquired(mine) : new HeldBy(new Owner(nodeId, current.token)));
    }

    @Override
    public CompletableFuture<Optional<Owner>> owner(String party, String room) {
        LocalLease current = held.get(key(party, room));
        return CompletableFuture.completedFuture(Optional.ofNullable(current).map(l -> new Owner(nodeId, l.token)));
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    private static String key(String party, String room) {
        if (party == null || party.isEmpty() || room == null || room.isEmpty()) {
            throw new IllegalArgumentException("party and room must be non-empty: " + party + " / " + room);
        }
        // the party name never holds '/', so the pair maps to one key only
        return party + "/" + room;
    }

    private final class LocalLease implements Lease {
        private final String party;
        private final String room;
        private final long token;

        LocalLease(String party, String room, long token) {
            this.party = party;
            this.room = room;
            this.token = token;
        }

        @Override
        public String party() {
            return party;
        }

        @Override
        public String room() {
            return room;
        }

        @Override
        public long token() {
            return token;
        }

        @Override
        public Duration term() {
            return term;
        }

        @Override
        public long validUntilNanos() {
            return valid() ? Long.MAX_VALUE : Long.MIN_VALUE;
        }

        @Override
        public boolean valid() {
            return held.get(key(party, room)) == this;
        }

        @Override
        public CompletableFuture<Boolean> renew() {
            return CompletableFuture.completedFuture(valid());
        }

        @Override
        public CompletableFuture<Boolean> release() {
            return CompletableFuture.completedFuture(held.remove(key(party, room), this));
        }

        @Override
        public String toString() {
            return "lease " + party + "/" + room + " #" + token;
        }
    }
}
