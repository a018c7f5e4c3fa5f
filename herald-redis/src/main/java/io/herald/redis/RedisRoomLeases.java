package io.herald.redis;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.cluster.Lease;
import io.herald.cluster.RoomLeases;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * {@link RoomLeases} in Redis: a room's lease is {@code <prefix>:room:{<party>:<room>}} holding
 * {@code <node id>:<token>} with a {@code PX} expiry, its fencing counter
 * {@code <prefix>:room:{<party>:<room>}:fence}. Each operation is one Lua script on the two keys, so
 * taking a lease and its token is atomic, and renew and release compare the stored value first (only
 * the holder of that exact token may extend or delete it).
 *
 * <p><b>The fence counter never expires.</b> Storage keeps the token of a room's last owner; if the
 * counter were dropped while that token is remembered, the next owner would get a smaller token and
 * be refused (or, with a careless comparison, a stale owner be accepted). It costs one small key per
 * room ever hosted. Should Redis lose it anyway (a restart without persistence, a failover, a room
 * moved to another isolated server), the counter restarts from Redis's clock in milliseconds, above
 * every token handed out before.
 *
 * <p><b>Placement.</b> The two keys share the hash tag {@code {<party>:<room>}}, so on Redis Cluster a
 * script touches one slot; on isolated servers both live where {@link ShardRing} puts
 * {@code room:<party>:<room>}. A room id holding {@code '}'} ends the tag early, identically for both
 * keys, so they stay together (only the slot spread changes).
 *
 * <p>Commands time out after one term (an answer later than that brings a lease already invalid) and
 * then fail with {@code HeraldException(BROKER_UNAVAILABLE)}. Thread-safe; futures complete on a
 * Vert.x event loop.
 */
public final class RedisRoomLeases implements RoomLeases {

    /** The part of the term a lease's local validity leaves unused: 1/20, i.e. 500 ms of 10 s. */
    public static final int MARGIN_DIVISOR = 20;

    private static final LuaScript ACQUIRE = LuaScript.load("lease-acquire.lua");
    private static final LuaScript RENEW = LuaScript.load("lease-renew.lua");
    private static final LuaScript RELEASE = LuaScript.load("lease-release.lua");

    private final RedisStreams streams;
    private final String prefix;
    private final String nodeId;
    private final Duration term;
    private final long termMs;
    private final long validNanos;
    private final LongSupplier nanoClock;

    /** Leases of {@code term} for node {@code nodeId} on the servers of {@code streams} (not closed by this). */
    public RedisRoomLeases(RedisStreams streams, String nodeId, Duration term) {
        this(streams, nodeId, term, System::nanoTime);
    }

    /** As above, measuring validity on {@code nanoClock} (a monotonic clock in nanoseconds). */
    public RedisRoomLeases(RedisStreams streams, String nodeId, Duration term, LongSupplier nanoClock) {
        if (nodeId == null || nodeId.isEmpty() || term == null || term.toMillis() < 1) {
            throw new IllegalArgumentException("a node id and a term of at least 1 ms are required: " + nodeId + " / " + term);
        }
        this.streams = streams;
        this.prefix = streams.keys().prefix();
        this.nodeId = nodeId;
        this.term = term;
        this.termMs = term.toMillis();
        this.validNanos = term.toNanos() - term.toNanos() / MARGIN_DIVISOR;
        this.nanoClock = nanoClock;
    }

    @Override
    public CompletableFuture<Acquisition> acquire(String party, String room) {
        Keys keys = keys(party, room);
        long start = nanoClock.getAsLong();
        return call(ACQUIRE.run(keys.server, keys.both, nodeId, termMs).map(reply -> {
            if (reply.get(0).toInteger() == 1) {
                return new Acquired(new RedisLease(party, room, keys, reply.get(1).toLong(), start + validNanos));
            }
            return new HeldBy(owner(reply.get(1).toString()));
        }));
    }

    @Override
    public CompletableFuture<Optional<Owner>> owner(String party, String room) {
        Keys keys = keys(party, room);
        return call(keys.server.send(Request.cmd(Command.GET).arg(keys.lease))
                .map(reply -> reply == null ? Optional.empty() : Optional.of(owner(reply.toString()))));
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    private static Owner owner(String value) {
        // node ids may hold ':'; the token never does
        int colon = value.lastIndexOf(':');
        return new Owner(value.substring(0, colon), Long.parseLong(value.substring(colon + 1)));
    }

    private <T> CompletableFuture<T> call(Future<T> command) {
        CompletableFuture<T> result = new CompletableFuture<>();
        command.timeout(termMs, TimeUnit.MILLISECONDS).onComplete(r -> {
            if (r.succeeded()) {
                result.complete(r.result());
            } else {
                result.completeExceptionally(new HeraldException(ErrorCode.BROKER_UNAVAILABLE, ErrorCode.BROKER_UNAVAILABLE.defaultMessage(), r.cause()));
            }
        });
        return result;
    }

    private Keys keys(String party, String room) {
        if (party == null || party.isEmpty() || room == null || room.isEmpty()) {
            throw new IllegalArgumentException("party and room must be non-empty: " + party + " / " + room);
        }
        String tagged = prefix + ":room:{" + party + ":" + room + "}";
        return new Keys(streams.server("room:" + party + ":" + room), tagged, List.of(tagged, tagged + ":fence"));
    }

    private record Keys(Redis server, String lease, List<String> both) {
    }

    private final class RedisLease implements Lease {
        private final String party;
        private final String room;
        private final Keys keys;
        private final long token;
        private final String value;
        private long validUntil;
        private boolean gone;

        RedisLease(String party, String room, Keys keys, long token, long validUntil) {
            this.party = party;
            this.room = room;
            this.keys = keys;
            this.token = token;
            this.value = nodeId + ":" + token;
            this.validUntil = validUntil;
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
        public synchronized long validUntilNanos() {
            return gone ? Long.MIN_VALUE : validUntil;
        }

        @Override
        public boolean valid() {
            return nanoClock.getAsLong() < validUntilNanos();
        }

        @Override
        public CompletableFuture<Boolean> renew() {
            long start = nanoClock.getAsLong();
            return call(RENEW.run(keys.server, List.of(keys.lease), value, termMs).map(reply -> {
                boolean renewed = reply.toInteger() == 1;
                synchronized (this) {
                    if (renewed) {
                        // answers may arrive out of order over pooled connections: validity only grows
                        validUntil = Math.max(validUntil, start + validNanos);
                    } else {
                        gone = true;
                    }
                }
                return renewed;
            }));
        }

        @Override
        public CompletableFuture<Boolean> release() {
            synchronized (this) {
                gone = true;
            }
            return call(RELEASE.run(keys.server, List.of(keys.lease), value).map(reply -> reply.toInteger() == 1));
        }

        @Override
        public String toString() {
            return "lease " + party + "/" + room + " #" + token;
        }
    }
}
