package io.herald.room;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hibernation in the engine: idle rooms drop their instance while their sockets stay, the next event
 * rebuilds it (onStart again) with connection state intact, empty rooms are unloaded, and past
 * {@code maxLoadedRooms} the least recently active room hibernates first.
 */
class RoomHibernationTest {
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

    /** Counts starts per room id; keeps a field that hibernation loses and a state that it keeps. */
    public static final class MemoryRoom extends Room {
        private final Map<String, AtomicInteger> starts;
        private int messagesSinceStart;

        MemoryRoom(Map<String, AtomicInteger> starts) {
            this.starts = starts;
        }

        @Override
        protected void onStart() {
            starts.computeIfAbsent(name(), k -> new AtomicInteger()).incrementAndGet();
            if (storage().getString("created").isEmpty()) {
                storage().putString("created", "once");
            }
        }

        @Override
        protected void onConnect(RoomConnection connection, ConnectionContext context) {
            connection.setState(JsonNodeFactory.instance.objectNode().put("name", connection.id() + "-state"));
        }

        @Override
        protected void onMessage(RoomConnection connection, RoomMessage message) {
            messagesSinceStart++;
            if (message instanceof RoomMessage.Text t && t.text().equals("alarm")) {
                // far enough out that a loaded machine still sees the empty room kept for it
                setAlarm(Instant.now().plusMillis(2000));
            }
            connection.send(connection.getState() + "|" + messagesSinceStart + "|" + storage().getString("created").orElse("-")
                    + "|" + connections().size());
        }

        @Override
        protected void onClose(RoomConnection connection, int code, String reason) {
            broadcast("left " + connection.id() + " " + code);
        }

        @Override
        protected void onAlarm() {
            broadcast("alarm, started " + starts.get(name()).get() + " times");
        }
    }

    private final Map<String, AtomicInteger> starts = new ConcurrentHashMap<>();

    private TestHost memoryRooms(long hibernateAfterMs, int maxLoadedRooms) {
        return new TestHost(dir, TestHost.config(hibernateAfterMs, 100, maxLoadedRooms, 100),
                TestHost.binding("MEMORY", () -> new MemoryRoom(starts)));
    }

    private int starts(String room) {
        AtomicInteger n = starts.get(room);
        return n == null ? 0 : n.get();
    }

    @Test
    void anIdleRoomWithAnOpenConnectionIsDroppedAndTheNextMessageRebuildsItWithConnectionStateIntact() {
        // 1 s idle, not less: on a loaded machine a shorter timer can fire between two steps of the test
        rooms = memoryRooms(1000, 100);
        TestHost.Member a = rooms.join("memory", "r", "a");
        TestHost.Member b = rooms.join("memory", "r", "b");
        long hibernations = rooms.host.hibernations();
        a.send("one");
        a.send("two");
        await().atMost(WAIT).untilAsserted(() -> assertThat(a.transport().texts()).hasSize(2));
        assertThat(a.transport().texts().get(1)).isEqualTo("{\"name\":\"a-state\"}|2|once|2");

        await().atMost(WAIT).until(() -> rooms.host.hibernations() > hibernations && rooms.host.loadedRooms() == 0);
        assertThat(rooms.host.rooms()).as("the hibernated room keeps its sockets").isEqualTo(1);
        assertThat(a.transport().closeCode).isNull();
        // taken while hibernated: nothing but the next message starts the room again
        long hostStarts = rooms.host.starts();
        int roomStarts = starts("r");

        b.send("after");
        await().atMost(WAIT).untilAsserted(() -> assertThat(b.transport().texts()).hasSize(1));
        // a new instance (its field counts from 1 again), with b's state, the storage and both sockets
        assertThat(b.transport().texts().get(0)).isEqualTo("{\"name\":\"b-state\"}|1|once|2");
        assertThat(rooms.host.starts()).isEqualTo(hostStarts + 1);
        assertThat(starts("r")).isEqualTo(roomStarts + 1);
    }

    @Test
    void aCloseWakesAHibernatedRoomForOnClose() {
        rooms = memoryRooms(200, 100);
        TestHost.Member a = rooms.join("memory", "r", "a");
        TestHost.Member b = rooms.join("memory", "r", "b");
        await().atMost(WAIT).until(() -> rooms.host.hibernations() >= 1 && rooms.host.loadedRooms() == 0);
        int before = starts("r");

        a.session().closed(4000, "gone");
        await().atMost(WAIT).untilAsserted(() -> assertThat(b.transport().texts()).containsExactly("left a 4000"));
        assertThat(starts("r")).isEqualTo(before + 1);
    }

    @Test
    void aRoomWhoseLastConnectionLeavesIsUnloaded() {
        rooms = memoryRooms(60_000, 100);
        TestHost.Member a = rooms.join("memory", "r", "a");
        TestHost.Member b = rooms.join("memory", "r", "b");
        assertThat(rooms.host.rooms()).isEqualTo(1);
        assertThat(rooms.host.loadedRooms()).isEqualTo(1);

        a.leave();
        await().atMost(WAIT).untilAsserted(() -> assertThat(b.transport().texts()).containsExactly("left a 1000"));
        assertThat(rooms.host.rooms()).isEqualTo(1);
        b.leave();
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(rooms.host.loadedRooms()).isZero();
            assertThat(rooms.host.rooms()).isZero();
        });

        // joining again starts a fresh instance on the same storage
        TestHost.Member c = rooms.join("memory", "r", "c");
        c.send("hi");
        await().atMost(WAIT).untilAsserted(() -> assertThat(c.transport().texts()).containsExactly("{\"name\":\"c-state\"}|1|once|1"));
        assertThat(starts("r")).isEqualTo(2);
    }

    @Test
    void aPendingAlarmKeepsAnEmptyRoomUntilItFiresAndThenTheRoomIsUnloaded() {
        rooms = memoryRooms(60_000, 100);
        TestHost.Member a = rooms.join("memory", "r", "a");
        a.send("alarm");
        await().atMost(WAIT).untilAsserted(() -> assertThat(a.transport().texts()).hasSize(1));
        a.leave();
        await().atMost(WAIT).until(() -> rooms.host.loadedRooms() == 0);
        assertThat(rooms.host.rooms()).as("kept for its alarm").isEqualTo(1);

        // the alarm rebuilds the room (onStart again), runs onAlarm, and the empty room goes away
        await().atMost(WAIT).until(() -> starts("r") == 2);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(rooms.host.rooms()).isZero();
            assertThat(rooms.host.loadedRooms()).isZero();
        });
    }

    @Test
    void pastMaxLoadedRoomsTheLeastRecentlyActiveRoomHibernatesFirst() {
        rooms = memoryRooms(60_000, 2);
        TestHost.Member a = rooms.join("memory", "a", "a1");
        TestHost.Member b = rooms.join("memory", "b", "b1");
        a.send("touch a");
        await().atMost(WAIT).untilAsserted(() -> assertThat(a.transport().texts()).hasSize(1));
        assertThat(rooms.host.hibernations()).isZero();

        TestHost.Member c = rooms.join("memory", "c", "c1");
        await().atMost(WAIT).until(() -> rooms.host.hibernations() == 1 && rooms.host.loadedRooms() == 2);
        assertThat(rooms.host.rooms()).isEqualTo(3);

        // a was touched after b: a is still loaded, b was the one dropped
        a.send("a again");
        c.send("c again");
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(a.transport().texts()).hasSize(2);
            assertThat(c.transport().texts()).hasSize(1);
        });
        assertThat(a.transport().texts().get(1)).startsWith("{\"name\":\"a1-state\"}|2|");
        assertThat(starts("a")).isEqualTo(1);
        assertThat(starts("c")).isEqualTo(1);
        assertThat(starts("b")).isEqualTo(1);

        b.send("b wakes");
        await().atMost(WAIT).untilAsserted(() -> assertThat(b.transport().texts()).containsExactly("{\"name\":\"b1-state\"}|1|once|1"));
        assertThat(starts("b")).isEqualTo(2);
        await().atMost(WAIT).until(() -> rooms.host.hibernations() == 2 && rooms.host.loadedRooms() == 2);
    }
}
