package io.herald.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The sweep's rounds and slices, whatever its members are; and the round of the SSE keepalive sweep. */
class LivenessSweepTest {
    /** A member that counts the checks of it and can be closed. */
    private static final class Fake implements LivenessSweep.Member {
        int closedWith;
        LivenessSweep<Fake> owner;

        @Override
        public void close(int code, String reason) {
            closedWith = code;
            owner.remove(this);
        }
    }

    @Test
    void sseStreamsAreCheckedEveryTwoFifthsOfTheHeartbeatInterval() {
        LivenessSweep<SseTransport> byDefault = SseTransport.keepalives(30_000);
        assertThat(byDefault.sliceCount() * byDefault.sliceMs()).as("a 12 s round").isEqualTo(12_000);
        assertThat(byDefault.sliceMs()).isEqualTo(LivenessSweep.MIN_SLICE_MS);
        LivenessSweep<SseTransport> fast = SseTransport.keepalives(300);
        assertThat(fast.sliceCount()).isEqualTo(1);
        assertThat(fast.sliceMs()).isEqualTo(120);
        assertThat(SseTransport.keepalives(1).sliceMs()).as("never a 0 ms timer").isEqualTo(1);
    }

    @Test
    void everyMemberIsCheckedOncePerRoundAndARemovedOneNoMore() {
        Map<Fake, Integer> checks = new HashMap<>();
        LivenessSweep<Fake> sweep = new LivenessSweep<>(12_500, (m, now) -> checks.merge(m, 1, Integer::sum));
        List<Fake> all = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            Fake f = new Fake();
            f.owner = sweep;
            sweep.add(f);
            all.add(f);
        }
        for (int tick = 0; tick < sweep.sliceCount(); tick++) {
            sweep.checkNextSlice();
        }
        assertThat(all).allMatch(f -> checks.get(f) == 1);

        Fake gone = all.get(0);
        assertThat(sweep.remove(gone)).isTrue();
        assertThat(sweep.remove(gone)).as("harmless twice").isFalse();
        for (int tick = 0; tick < sweep.sliceCount(); tick++) {
            sweep.checkNextSlice();
        }
        assertThat(checks.get(gone)).isEqualTo(1);
        assertThat(sweep.size()).isEqualTo(999);
    }

    @Test
    void closeAllClosesEveryMemberWhichLeavesTheSweep() {
        LivenessSweep<Fake> sweep = new LivenessSweep<>(1_000, (m, now) -> { });
        List<Fake> all = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            Fake f = new Fake();
            f.owner = sweep;
            sweep.add(f);
            all.add(f);
        }
        sweep.closeAll(1012, "server shutting down");
        assertThat(all).allMatch(f -> f.closedWith == 1012);
        assertThat(sweep.size()).isZero();
    }
}
