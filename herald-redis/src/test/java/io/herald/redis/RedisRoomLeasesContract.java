package io.herald.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.cluster.Lease;
import io.herald.cluster.LeaseRenewer;
import io.herald.cluster.RoomLeases;
import io.herald.cluster.RoomLeases.Acquired;
import io.herald.cluster.RoomLeases.HeldBy;
import io.herald.cluster.RoomLeases.Owner;
import io.herald.cluster.RoomLeasesContract;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The room lease contract on Redis, and what only several nodes can show: two nodes {@code a} and
 * {@code b}, each with its own connections, contend for the same rooms on real servers started by
 * {@link RedisProcesses}. Leases last {@value #TERM_MS} ms so that expiry can be waited for.
 */
abstract class RedisRoomLeasesContract extends RoomLeasesContract {
    static final long TERM_MS = 600;

    Vertx vertx;
    RedisStreams streamsA;
    RedisStreams streamsB;
    RedisRoomLeases a;
    RedisRoomLeases b;

    abstract RedisProcesses redis();

    abstract RedisConfig.Topology topology();

    @BeforeEach
    void connect() {
        vertx = Vertx.vertx();
        RedisConfig config = RedisConfig.of(topology(), redis().urls());
        streamsA = RedisStreams.create(vertx, config);
        streamsB = RedisStreams.create(vertx, config);
        a = new RedisRoomLeases(streamsA, "node-a", term());
        b = new RedisRoomLeases(streamsB, "node-b", term());
        // open the connections (and learn a cluster's slots) before anything is timed
        get(a.owner(PARTY, "warm-up"));
        get(b.owner(PARTY, "warm-up"));
    }

    @AfterEach
    void disconnect() {
        streamsA.close();
        streamsB.close();
        sync(vertx.close());
    }

    @Override
    protected RoomLeases leases() {
        return a;
    }

    @Override
    protected Duration term() {
        return Duration.ofMillis(TERM_MS);
    }

    static <T> T sync(Future<T> future) {
        return get(future.toCompletionStage().toCompletableFuture());
    }

    @Test
    void anotherNodeSeesTheHolderAndCannotTakeTheRoom() {
        Lease lease = acquired(a, room);

        assertThat(get(b.acquire(PARTY, room))).isEqualTo(new HeldBy(new Owner("node-a", lease.token())));
        assertThat(ownerSeenBy(a)).contains(new Owner("node-a", lease.token()));
        assertThat(ownerSeenBy(b)).contains(new Owner("node-a", lease.token()));
    }

    @Test
    void aRoomReleasedByOneNodeIsTakenByAnotherThatTheStaleOwnerCannotTouch() {
        Lease stale = acquired(a, room);
        get(stale.release());

        Lease next = acquired(b, room);

        assertThat(next.token()).isGreaterThan(stale.token());
        assertThat(get(stale.renew())).isFalse();
        assertThat(get(stale.release())).isFalse();
        assertThat(ownerSeenBy(a)).contains(new Owner("node-b", next.token()));
        assertThat(next.valid()).isTrue();
    }

    @Test
    void anUnrenewedLeaseExpiresAndAnotherNodeTakesTheRoomWithALargerToken() {
        Lease stale = acquired(a, room);

        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(20)).until(() -> get(b.acquire(PARTY, room)) instanceof Acquired);

        // the old owner's own clock had given the room up before Redis let another node take it
        assertThat(stale.valid()).isFalse();
        Owner next = ownerSeenBy(b).orElseThrow();
        assertThat(next.nodeId()).isEqualTo("node-b");
        assertThat(next.token()).isGreaterThan(stale.token());
        assertThat(get(stale.renew())).isFalse();
        assertThat(get(stale.release())).isFalse();
        assertThat(ownerSeenBy(a)).contains(next);
    }

    @Test
    void anOwnerThatStalledPastItsLeaseIsToldOnWakingAndNeverOverwritesItsSuccessor() throws Exception {
        Lease stale = acquired(a, room);
        try (LeaseRenewer renewer = renewer()) {
            renewer.keep(stale);
            // the owner's timer thread stops, as in a long GC pause, before its first renewal
            CountDownLatch wake = new CountDownLatch(1);
            timer.execute(() -> {
                try {
                    wake.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });

            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(20)).until(() -> get(b.acquire(PARTY, room)) instanceof Acquired);
            Owner next = ownerSeenBy(b).orElseThrow();
            wake.countDown();
            await().atMost(PATIENCE).until(() -> !lost.isEmpty());

            assertThat(lost).containsExactly(new LostLease(stale, LeaseRenewer.Loss.EXPIRED));
            assertThat(get(stale.renew())).isFalse();
            assertThat(ownerSeenBy(a)).contains(next);
            assertThat(next.token()).isGreaterThan(stale.token());
        }
    }

    @Test
    void theLeaseExpiresWithItsTermWhileTheFenceCounterNeverExpires() {
        Lease lease = acquired(a, room);
        String key = "herald:room:{" + PARTY + ":" + room + "}";
        var server = streamsA.server("room:" + PARTY + ":" + room);

        long leaseTtl = sync(server.send(Request.cmd(Command.PTTL).arg(key))).toLong();
        long fenceTtl = sync(server.send(Request.cmd(Command.PTTL).arg(key + ":fence"))).toLong();
        String value = sync(server.send(Request.cmd(Command.GET).arg(key))).toString();

        assertThat(leaseTtl).isBetween(1L, TERM_MS);
        assertThat(fenceTtl).isEqualTo(-1);
        assertThat(value).isEqualTo("node-a:" + lease.token());
    }
}
