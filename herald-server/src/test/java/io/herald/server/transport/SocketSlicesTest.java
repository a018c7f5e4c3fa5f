package io.herald.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The liveness check's slices: sockets that went silent together are pinged a slice at a time over the
 * half interval, never all in one task, and each is still checked once per half interval.
 */
class SocketSlicesTest {
    private static final long PING_MS = 25_000;

    /** A socket whose clock and answers the test sets. */
    private static final class Fake implements Sockets.Member {
        long lastSeen;
        int pings;
        int closedWith;
        private final Sockets owner;

        Fake(Sockets owner, long lastSeen) {
            this.owner = owner;
            this.lastSeen = lastSeen;
        }

        @Override
        public long lastSeenNanos() {
            return lastSeen;
        }

        @Override
        public void ping() {
            pings++;
        }

        @Override
        public void close(int code, String reason) {
            closedWith = code;
            owner.remove(this);
        }
    }

    @Test
    void defaultIntervalIsSplitIntoSlicesAHundredMillisecondsApart() {
        Sockets s = new Sockets(new AtomicInteger(), 100, PING_MS);
        assertThat(s.sliceCount()).as("12.5 s in 100 ms slices").isEqualTo(125);
        assertThat(s.sliceMs()).isEqualTo(100);
        Sockets long_ = new Sockets(new AtomicInteger(), 100, 60_000);
        assertThat(long_.sliceCount()).as("at most " + LivenessSweep.MAX_SLICES + " slices").isEqualTo(LivenessSweep.MAX_SLICES);
        assertThat(long_.sliceMs() * long_.sliceCount()).isBetween(30_000L - LivenessSweep.MAX_SLICES, 30_000L);
        Sockets short_ = new Sockets(new AtomicInteger(), 100, 200);
        assertThat(short_.sliceCount()).as("a 200 ms interval is checked whole every 100 ms, as before").isEqualTo(1);
        assertThat(short_.sliceMs()).isEqualTo(100);
    }

    @Test
    void socketsSilentTogetherArePingedASliceAtATimeAndEachOncePerRound() {
        AtomicInteger total = new AtomicInteger();
        Sockets s = new Sockets(total, 100_000, PING_MS);
        long silentSince = System.nanoTime() - java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(PING_MS + 1_000);
        List<Fake> all = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            Fake f = new Fake(s, silentSince);
            s.reserve();
            s.add(f);
            all.add(f);
        }
        assertThat(s.size()).isEqualTo(5_000);

        int perSliceMax = 0;
        int pinged = 0;
        for (int tick = 0; tick < s.sliceCount(); tick++) {
            s.checkNextSlice();
            int now = (int) all.stream().filter(f -> f.pings > 0).count();
            perSliceMax = Math.max(perSliceMax, now - pinged);
            pinged = now;
        }
        assertThat(pinged).as("every silent socket pinged in one round").isEqualTo(5_000);
        assertThat(all).allMatch(f -> f.pings == 1);
        // 5 000 over 125 slices is 40 a slice; identity hashes are not perfectly even
        assertThat(perSliceMax).as("most sockets pinged by one tick").isLessThan(5_000 / 16);
    }

    @Test
    void socketSilentForTwoIntervalsIsClosedAndFreesItsPlace() {
        AtomicInteger total = new AtomicInteger();
        Sockets s = new Sockets(total, 10, PING_MS);
        long now = System.nanoTime();
        Fake dead = new Fake(s, now - java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(2 * PING_MS + 1_000));
        Fake alive = new Fake(s, now);
        for (Fake f : List.of(dead, alive)) {
            s.reserve();
            s.add(f);
        }
        for (int tick = 0; tick < s.sliceCount(); tick++) {
            s.checkNextSlice();
        }
        assertThat(dead.closedWith).isEqualTo(io.herald.ErrorCode.IDLE_TIMEOUT.closeCode());
        assertThat(alive.closedWith).isZero();
        assertThat(alive.pings).isZero();
        assertThat(s.size()).isEqualTo(1);
        assertThat(total.get()).isEqualTo(1);
    }
}
