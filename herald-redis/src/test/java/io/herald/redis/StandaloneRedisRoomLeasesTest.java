package io.herald.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.cluster.Lease;
import io.herald.cluster.LeaseRenewer;
import io.herald.cluster.RoomLeases.Acquired;
import io.herald.cluster.RoomLeases.Owner;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Room leases on one standalone Redis, and what happens to them when that Redis freezes, dies or forgets. */
class StandaloneRedisRoomLeasesTest extends RedisRoomLeasesContract {

    @RegisterExtension
    static final RedisProcesses REDIS = RedisProcesses.standalone();

    @Override
    RedisProcesses redis() {
        return REDIS;
    }

    @Override
    RedisConfig.Topology topology() {
        return RedisConfig.Topology.STANDALONE;
    }

    @Test
    void aFrozenRedisMakesTheOwnerGiveTheRoomUpAndOnlyTheNextOwnerHoldsItAfterwards() {
        Lease stale = acquired(a, room);
        try (LeaseRenewer renewer = renewer()) {
            renewer.keep(stale);
            REDIS.pause(0);
            try {
                await().atMost(PATIENCE).until(() -> !lost.isEmpty());
            } finally {
                REDIS.resume(0);
            }
            // the renewals sent while Redis was frozen run now; they must not keep or revive the lease
            assertThat(lost).hasSize(1);
            assertThat(lost.get(0).why()).isIn(LeaseRenewer.Loss.UNREACHABLE, LeaseRenewer.Loss.EXPIRED);
            assertThat(stale.valid()).isFalse();
            get(stale.release());

            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(20)).until(() -> get(b.acquire(PARTY, room)) instanceof Acquired);
            Owner next = ownerSeenBy(b).orElseThrow();
            assertThat(next.token()).isGreaterThan(stale.token());
            assertThat(get(stale.renew())).isFalse();
            assertThat(ownerSeenBy(a)).contains(next);
        }
    }

    @Test
    void renewalsRefusedTwiceLoseTheLeaseAndARedisThatLostItsDataStillHandsOutLargerTokens() {
        Lease stale = acquired(a, room);
        try (LeaseRenewer renewer = renewer()) {
            renewer.keep(stale);
            REDIS.kill(0);
            try {
                await().atMost(PATIENCE).until(() -> !lost.isEmpty());
            } finally {
                REDIS.restart(0);
            }

            assertThat(lost).containsExactly(new LostLease(stale, LeaseRenewer.Loss.UNREACHABLE));
            // the restarted Redis has neither the lease nor the room's fence counter
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(20)).ignoreExceptions()
                    .until(() -> get(b.acquire(PARTY, room)) instanceof Acquired);
            Owner next = ownerSeenBy(b).orElseThrow();
            assertThat(next.token()).isGreaterThan(stale.token());
            assertThat(get(stale.renew())).isFalse();
            assertThat(ownerSeenBy(a)).contains(next);
        }
    }
}
