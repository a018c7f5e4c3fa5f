package io.herald.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.cluster.RoomLeases.Acquired;
import io.herald.cluster.RoomLeases.HeldBy;
import io.herald.cluster.RoomLeases.Owner;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link RoomLeases} adapter promises as seen from one node. An adapter's test supplies
 * {@link #leases()} for the node {@code a}; each test uses its own room, so state may be shared
 * between tests.
 */
public abstract class RoomLeasesContract {
    protected static final Duration PATIENCE = Duration.ofSeconds(20);
    protected static final String PARTY = "chat";

    protected ScheduledExecutorService timer;
    protected final List<LostLease> lost = new CopyOnWriteArrayList<>();
    protected String room;

    /** The leases of node {@code a}, each term {@link #term()}. */
    protected abstract RoomLeases leases();

    /** The term of the leases; short for a store that expires them, so tests can outlive it. */
    protected abstract Duration term();

    /** A lease reported lost by a renewer. */
    public record LostLease(Lease lease, LeaseRenewer.Loss why) {
    }

    @BeforeEach
    void newRoom() {
        room = "room-" + UUID.randomUUID();
        timer = Executors.newSingleThreadScheduledExecutor();
    }

    @AfterEach
    void stopTimer() {
        timer.shutdownNow();
    }

    protected static <T> T get(CompletableFuture<T> future) {
        return future.orTimeout(PATIENCE.toMillis(), TimeUnit.MILLISECONDS).join();
    }

    protected static Lease acquired(RoomLeases leases, String room) {
        RoomLeases.Acquisition acquisition = get(leases.acquire(PARTY, room));
        assertThat(acquisition).isInstanceOf(Acquired.class);
        return ((Acquired) acquisition).lease();
    }

    protected LeaseRenewer renewer() {
        return new LeaseRenewer(timer, (lease, why) -> lost.add(new LostLease(lease, why)));
    }

    @Test
    void aFreeRoomIsTakenByThisNodeAndItsOwnerIsThisNode() {
        Lease lease = acquired(leases(), room);

        assertThat(lease.party()).isEqualTo(PARTY);
        assertThat(lease.room()).isEqualTo(room);
        assertThat(lease.token()).isPositive();
        assertThat(lease.term()).isEqualTo(term());
        assertThat(lease.valid()).isTrue();
        assertThat(get(leases().owner(PARTY, room))).contains(new Owner(leases().nodeId(), lease.token()));
        assertThat(get(leases().owner(PARTY, room + "-other"))).isEmpty();
    }

    @Test
    void aHeldRoomIsReportedHeldByItsHolderEvenToTheHolder() {
        Lease lease = acquired(leases(), room);

        assertThat(get(leases().acquire(PARTY, room))).isEqualTo(new HeldBy(new Owner(leases().nodeId(), lease.token())));
        assertThat(lease.valid()).isTrue();
    }

    @Test
    void renewingAHeldLeaseKeepsItAndItsToken() {
        Lease lease = acquired(leases(), room);

        assertThat(get(lease.renew())).isTrue();
        assertThat(lease.valid()).isTrue();
        assertThat(get(leases().owner(PARTY, room))).contains(new Owner(leases().nodeId(), lease.token()));
    }

    @Test
    void aReleasedRoomIsFreeAndItsNextOwnerGetsALargerToken() {
        Lease first = acquired(leases(), room);

        assertThat(get(first.release())).isTrue();
        assertThat(first.valid()).isFalse();
        assertThat(get(leases().owner(PARTY, room))).isEmpty();
        Lease second = acquired(leases(), room);
        assertThat(second.token()).isGreaterThan(first.token());
    }

    @Test
    void aStaleLeaseNeitherRenewsNorReleasesItsSuccessor() {
        Lease first = acquired(leases(), room);
        get(first.release());
        Lease second = acquired(leases(), room);

        assertThat(get(first.renew())).isFalse();
        assertThat(get(first.release())).isFalse();
        assertThat(first.valid()).isFalse();
        assertThat(second.valid()).isTrue();
        assertThat(get(leases().owner(PARTY, room))).contains(new Owner(leases().nodeId(), second.token()));
    }

    @Test
    void roomsHaveSeparateLeasesAndTheSameRoomIdInAnotherPartyIsAnotherRoom() {
        Lease one = acquired(leases(), room);
        Lease two = acquired(leases(), room + "-2");
        RoomLeases.Acquisition otherParty = get(leases().acquire("docs", room));

        // tokens order the owners of one room only: two rooms may well get the same one
        assertThat(otherParty).isInstanceOf(Acquired.class);
        get(one.release());
        assertThat(two.valid()).isTrue();
        assertThat(get(leases().owner(PARTY, room + "-2"))).map(Owner::token).contains(two.token());
    }

    @Test
    void aKeptLeaseIsRenewedWellPastItsTermAndNeverReportedLost() {
        Lease lease = acquired(leases(), room);
        long firstValidity = lease.validUntilNanos();
        try (LeaseRenewer renewer = renewer()) {
            renewer.keep(lease);
            long outlived = System.nanoTime() + 2 * term().toNanos();

            await().atMost(PATIENCE).until(() -> System.nanoTime() > outlived);

            assertThat(lost).isEmpty();
            assertThat(renewer.keeps(lease)).isTrue();
            assertThat(lease.valid()).isTrue();
            assertThat(lease.validUntilNanos()).isGreaterThanOrEqualTo(firstValidity);
            assertThat(get(leases().owner(PARTY, room))).contains(new Owner(leases().nodeId(), lease.token()));
        }
    }

    @Test
    void aLeaseReleasedBehindTheRenewersBackIsReportedNotHeldOnce() {
        Lease lease = acquired(leases(), room);
        try (LeaseRenewer renewer = renewer()) {
            renewer.keep(lease);
            get(lease.release());

            await().atMost(PATIENCE).until(() -> !lost.isEmpty());

            assertThat(lost).hasSize(1);
            assertThat(lost.get(0).lease()).isSameAs(lease);
            assertThat(lost.get(0).why()).isIn(LeaseRenewer.Loss.NOT_HELD, LeaseRenewer.Loss.EXPIRED);
            assertThat(renewer.keeps(lease)).isFalse();
        }
    }

    @Test
    void aStoppedLeaseIsNoLongerRenewedNorReported() {
        Lease lease = acquired(leases(), room);
        try (LeaseRenewer renewer = renewer()) {
            renewer.keep(lease);

            assertThat(renewer.stop(lease)).isTrue();
            assertThat(renewer.stop(lease)).isFalse();
            get(lease.release());
            assertThat(renewer.keeps(lease)).isFalse();
            assertThat(lost).isEmpty();
        }
    }

    /** The owner the leases of {@code leases} report for the test's room. */
    protected Optional<Owner> ownerSeenBy(RoomLeases leases) {
        return get(leases.owner(PARTY, room));
    }
}
