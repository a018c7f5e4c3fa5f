package io.herald.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The room lease contract on one node, and what only the single-node adapter promises. */
class LocalRoomLeasesTest extends RoomLeasesContract {
    private static final Duration TERM = Duration.ofMillis(300);
    private final AtomicLong wallMicros = new AtomicLong(1_000_000);
    private final LocalRoomLeases leases = new LocalRoomLeases("a", TERM, wallMicros::get);

    @Override
    protected RoomLeases leases() {
        return leases;
    }

    @Override
    protected Duration term() {
        return TERM;
    }

    @Test
    void aHeldLeaseNeverExpiresOnOneNode() {
        Lease lease = acquired(leases, room);

        assertThat(lease.validUntilNanos()).isEqualTo(Long.MAX_VALUE);
        get(lease.release());
        assertThat(lease.validUntilNanos()).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void tokensFollowTheWallClockSoTheyGrowAcrossRestarts() {
        long before = acquired(leases, room).token();
        wallMicros.addAndGet(5_000_000);
        LocalRoomLeases restarted = new LocalRoomLeases("a", TERM, wallMicros::get);

        long after = acquired(restarted, room).token();
        long next = acquired(restarted, room + "-2").token();

        assertThat(before).isGreaterThanOrEqualTo(1_000_000);
        assertThat(after).isGreaterThan(before).isGreaterThanOrEqualTo(6_000_000);
        assertThat(next).isGreaterThan(after);
    }
}
