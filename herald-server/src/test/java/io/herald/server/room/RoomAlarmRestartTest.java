package io.herald.server.room;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.config.HeraldConfig;
import io.herald.config.RoomsConfig;
import io.herald.config.RoomsConfig.Access;
import io.herald.config.RoomsConfig.Binding;
import io.herald.storage.SqliteStorage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A durable alarm across a real restart of the server on the same SQLite file: set from a socket, kept
 * while the server is down, it wakes its room (no socket in it) on the next server and fires once.
 */
class RoomAlarmRestartTest {
    /** Long enough that the first server is surely closed before the alarm is due. */
    private static final long ALARM_IN_MS = 4000;

    @TempDir
    Path dir;

    private HeraldConfig config() {
        RoomsConfig rooms = RoomsConfig.defaults().withBindings(List.of(new Binding("API", ApiRoom.class.getName(), Access.PUBLIC)));
        return RoomServer.config(dir.resolve("herald.db"), rooms, Map.of());
    }

    private static Optional<String> fired(RoomServer server) {
        return server.herald().storage().room("api", "timer").getString("fired");
    }

    @Test
    void anAlarmSetBeforeARestartFiresOnceOnTheRestartedServer() {
        try (RoomServer first = RoomServer.start(config())) {
            RoomClient socket = first.connect("/parties/api/timer");
            socket.nextJson();
            socket.send("alarm:" + ALARM_IN_MS);
            assertThat(socket.next()).isEqualTo("alarm set");
        }
        try (SqliteStorage file = new SqliteStorage(dir.resolve("herald.db"), 1 << 20)) {
            assertThat(file.room("api", "timer").getString("fired")).as("not fired before the restart").isEmpty();
            assertThat(file.room("$alarms", "api").list("")).as("stored while the server is down").containsOnlyKeys("timer");
        }

        try (RoomServer second = RoomServer.start(config())) {
            assertThat(second.herald().rooms().rooms()).as("the room is known again, for its alarm").isEqualTo(1);
            await().atMost(Duration.ofSeconds(20)).until(() -> fired(second).isPresent());
            assertThat(fired(second)).hasValue("1");
            await().atMost(Duration.ofSeconds(10)).until(() -> second.herald().storage().room("$alarms", "api").list("").isEmpty());
        }

        try (RoomServer third = RoomServer.start(config())) {
            assertThat(third.herald().rooms().rooms()).as("nothing left to fire").isZero();
            assertThat(fired(third)).hasValue("1");
        }
    }
}
