package io.herald.room;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.Meters;
import io.herald.storage.SqliteStorage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durable alarms in the engine, on a real SQLite file: each pending alarm is one stored entry, moved
 * by a new alarm and deleted by a cancel or once onAlarm returns; a host started on the same storage
 * wakes the room for it, at least once even when the previous host died during onAlarm.
 */
class RoomAlarmTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    private TestHost rooms;

    @AfterEach
    void close() {
        if (rooms != null) {
            rooms.close();
        }
    }

    /** What the test sees of its rooms' alarms, shared by every instance (across hosts too). */
    static final class Probe {
        final AtomicInteger fired = new AtomicInteger();
        final AtomicInteger starts = new AtomicInteger();
        volatile CountDownLatch holdOnAlarm = new CountDownLatch(0);
        volatile boolean rearm;
    }

    /** {@code set:<ms>} sets the alarm that far ahead, {@code cancel} cancels it; each answers {@code ok}. */
    static final class TimerRoom extends Room {
        private final Probe probe;

        TimerRoom(Probe probe) {
            this.probe = probe;
        }

        @Override
        protected void onStart() {
            probe.starts.incrementAndGet();
        }

        @Override
        protected void onMessage(RoomConnection connection, RoomMessage message) {
            String text = ((RoomMessage.Text) message).text();
            setAlarm(text.equals("cancel") ? null : Instant.now().plusMillis(Long.parseLong(text.substring(4))));
            connection.send("ok");
        }

        @Override
        protected void onAlarm() throws InterruptedException {
            probe.fired.incrementAndGet();
            probe.holdOnAlarm.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (probe.rearm) {
                setAlarm(Instant.now().plusSeconds(3600));
            }
        }
    }

    private final Probe probe = new Probe();

    private TestHost host() {
        return new TestHost(dir, TestHost.config(60_000), TestHost.binding("TIMER", () -> new TimerRoom(probe)));
    }

    /** The stored alarm entries of party {@code timer}: room id to epoch millis. */
    private Map<String, Long> stored(TestHost h) {
        Map<String, Long> out = new TreeMap<>();
        h.storage.room(StoredAlarms.PARTY, "timer").list("")
                .forEach((k, v) -> out.put(k, Long.parseLong(new String(v, StandardCharsets.UTF_8))));
        return out;
    }

    private static void send(TestHost.Member m, String text) {
        int before = m.transport().texts().size();
        m.send(text);
        await().atMost(WAIT).until(() -> m.transport().texts().size() > before);
    }

    @Test
    void anAlarmIsOneStoredEntryThatANewAlarmMovesAndACancelDeletes() {
        rooms = host();
        TestHost.Member a = rooms.join("timer", "r1", "a");
        long before = System.currentTimeMillis();
        send(a, "set:3600000");
        assertThat(stored(rooms)).containsOnlyKeys("r1");
        assertThat(stored(rooms).get("r1")).isBetween(before + 3_600_000, System.currentTimeMillis() + 3_600_000);

        send(a, "set:7200000");
        assertThat(stored(rooms)).containsOnlyKeys("r1");
        assertThat(stored(rooms).get("r1")).isGreaterThanOrEqualTo(before + 7_200_000);

        send(a, "cancel");
        assertThat(stored(rooms)).isEmpty();
        assertThat(rooms.storage.room("timer", "r1").list("")).as("the room's own keys are untouched").isEmpty();
    }

    @Test
    void aFiredAlarmIsDeletedOnceOnAlarmReturnsUnlessOnAlarmSetANewOne() {
        rooms = host();
        TestHost.Member a = rooms.join("timer", "once", "a");
        send(a, "set:0");
        await().atMost(WAIT).until(() -> probe.fired.get() == 1 && stored(rooms).isEmpty());

        probe.rearm = true;
        send(a, "set:0");
        await().atMost(WAIT).until(() -> probe.fired.get() == 2);
        await().atMost(WAIT).untilAsserted(() -> assertThat(stored(rooms).get("once"))
                .isGreaterThan(System.currentTimeMillis() + 3_000_000));
    }

    @Test
    void aHostStartedOnTheSameStorageWakesAnEmptyRoomForItsStoredAlarm() {
        rooms = host();
        TestHost.Member a = rooms.join("timer", "later", "a");
        send(a, "set:3600000");
        rooms.close();

        rooms = host();
        assertThat(rooms.host.rooms()).as("restored, not due: the room is known but not loaded").isEqualTo(1);
        assertThat(rooms.host.loadedRooms()).isZero();
        rooms.close();

        // as if the hour had passed while the server was down
        try (SqliteStorage s = new SqliteStorage(dir.resolve("rooms.db"), 10L * 1024 * 1024)) {
            new StoredAlarms(s).put("timer", "later", Instant.now());
        }
        int starts = probe.starts.get();
        rooms = host();
        await().atMost(WAIT).until(() -> probe.fired.get() == 1);
        assertThat(probe.starts.get()).as("woken by its alarm alone").isEqualTo(starts + 1);
        await().atMost(WAIT).until(() -> stored(rooms).isEmpty() && rooms.host.rooms() == 0);
    }

    @Test
    void anAlarmWhoseOnAlarmNeverReturnedFiresAgainOnTheNextHostAtLeastOnce() throws Exception {
        probe.holdOnAlarm = new CountDownLatch(1);
        rooms = host();
        TestHost.Member a = rooms.join("timer", "crash", "a");
        send(a, "set:0");
        await().atMost(WAIT).until(() -> probe.fired.get() == 1);
        assertThat(stored(rooms)).as("kept while onAlarm runs").containsOnlyKeys("crash");

        // a second host on the same storage stands for the process restarted after dying inside onAlarm
        try (RoomHost next = new RoomHost(TestHost.config(60_000),
                List.of(TestHost.binding("TIMER", () -> new TimerRoom(probe))), rooms.storage,
                new Meters(new SimpleMeterRegistry()))) {
            await().atMost(WAIT).until(() -> probe.fired.get() == 2);
            probe.holdOnAlarm.countDown();
            await().atMost(WAIT).until(() -> stored(rooms).isEmpty());
        }
    }
}
