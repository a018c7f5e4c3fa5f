package io.herald.server.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.config.ConfigException;
import io.herald.config.HeraldConfig;
import io.herald.config.StorageConfig;
import io.herald.postgres.PgProcesses;
import io.herald.postgres.PostgresStorage;
import io.herald.server.HeraldServer;
import io.herald.server.TestServer;
import io.herald.server.WsClient;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A server configured with {@code storage.url} keeps room state in PostgreSQL: a room's state written by
 * one server is read back by the next one on the same database, and an unreachable database stops the
 * start with a configuration error that does not repeat the password.
 */
class PostgresStorageServerTest {
    @RegisterExtension
    static final PgProcesses PG = PgProcesses.create();

    private static final String ROOMS = """
            rooms:
              bindings:
                - { name: PRESENCE_ROOM, className: io.herald.room.builtin.PresenceRoom }
              presence:
                history: 5
            """;

    private static HeraldConfig config(StorageConfig storage) {
        return TestServer.config(ROOMS).withStorage(storage);
    }

    private static String as(String userId, String pk) {
        return "?_pk=" + pk + "&token=" + TestServer.jwt(userId, "org1", "member");
    }

    /** The next frame of {@code socket} that is not a presence update. */
    private static String nextSkippingPresence(WsClient socket) {
        while (true) {
            String m = socket.next();
            if (!m.startsWith("{\"type\":\"presence\"")) {
                return m;
            }
        }
    }

    /** What the rooms table says, read behind Herald's back. */
    private static Optional<String> storedHistory(String schema, String room) throws Exception {
        try (Connection c = PG.connect();
             PreparedStatement ps = c.prepareStatement("SELECT v FROM " + schema + ".room_kv WHERE room = ? AND k = 'presence:history'")) {
            ps.setString(1, room);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new String(rs.getBytes(1), StandardCharsets.UTF_8)) : Optional.empty();
            }
        }
    }

    @Test
    void aRoomsStateWrittenByOneServerIsReadBackByTheNextOnTheSameDatabase() throws Exception {
        HeraldConfig config = config(PG.storage("restart"));
        try (TestServer before = TestServer.start(config)) {
            assertThat(before.herald().storage()).isInstanceOf(PostgresStorage.class);
            WsClient ada = before.openSilently("/parties/presence-room/durable" + as("u1", "ada"));
            ada.next();
            WsClient bob = before.openSilently("/parties/presence-room/durable" + as("u2", "bob"));
            bob.next();
            ada.send("kept in postgres");
            assertThat(nextSkippingPresence(bob)).isEqualTo("kept in postgres");
            // the hook relays, then stores: the row shows up in the database, not in a file
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(storedHistory("restart", "durable")).contains("[\"kept in postgres\"]"));
        }
        try (TestServer after = TestServer.start(config)) {
            WsClient carol = after.openSilently("/parties/presence-room/durable" + as("u3", "carol"));
            JsonNode history = TestServer.json(carol.next());
            assertThat(history.get("type").asText()).isEqualTo("history");
            assertThat(history.get("messages")).extracting(JsonNode::asText).containsExactly("kept in postgres");
        }
    }

    @Test
    void anUnreachableDatabaseStopsTheStartWithAConfigErrorWithoutThePassword() {
        StorageConfig unreachable = StorageConfig.postgres("jdbc:postgresql://127.0.0.1:1/herald?connectTimeout=2", "herald",
                "server-secret-321", null);
        assertThatThrownBy(() -> HeraldServer.start(config(unreachable))).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("storage.url: cannot use PostgreSQL at jdbc:postgresql://127.0.0.1:1/herald as herald: ")
                .hasMessageNotContaining("server-secret-321");
    }

    @Test
    void theSchemaIsCreatedByTheFirstServerThatStarts() throws Exception {
        try (TestServer first = TestServer.start(config(PG.storage("fresh")))) {
            try (Connection c = PG.connect(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT tablename FROM pg_tables WHERE schemaname = 'fresh' ORDER BY 1")) {
                List<String> tables = new ArrayList<>();
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
                assertThat(tables).containsExactly("room_kv", "rooms", "storage_version");
            }
        }
    }
}
