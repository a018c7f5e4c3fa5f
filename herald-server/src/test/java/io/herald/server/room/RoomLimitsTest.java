package io.herald.server.room;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.config.DatasourceConfig;
import io.herald.config.RoomsConfig;
import io.herald.config.RoomsConfig.Access;
import io.herald.config.RoomsConfig.Binding;
import io.herald.config.RoomsConfig.Resource;
import io.herald.room.RoomHost;
import io.herald.server.TestServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Limits and failures through a real server: the per-room cap (429 before the upgrade), message size
 * (1009), message rate (1008), a room that cannot start (error frame, 1011), a throwing hook (the
 * socket stays), and hibernation that the sockets never notice.
 */
class RoomLimitsTest {
    private static final int MAX_MESSAGE = 1024;
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    static Path dir;
    private static RoomServer server;

    @BeforeAll
    static void start() throws Exception {
        Path app = dir.resolve("app.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + app); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE docs (id TEXT PRIMARY KEY)");
            s.execute("INSERT INTO docs VALUES ('d1')");
        }
        RoomsConfig rooms = RoomsConfig.defaults().withBindings(List.of(
                        new Binding("LOBBY", "io.herald.room.builtin.RelayRoom", Access.PUBLIC),
                        new Binding("ECHO", EchoRoom.class.getName(), Access.PUBLIC),
                        new Binding("BROKEN", BrokenRoom.class.getName(), Access.PUBLIC),
                        new Binding("DOC", EchoRoom.class.getName(), Access.resource(new Resource("app", "docs", null, null, null)))))
                .withLimits(2, MAX_MESSAGE, 5, 5)
                .withHibernateAfterMs(300);
        server = RoomServer.start(RoomServer.config(dir.resolve("herald.db"), rooms, Map.of("app", DatasourceConfig.of("jdbc:sqlite:" + app))));
    }

    @AfterEach
    void closeClients() {
        server.closeClients();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static RoomHost rooms() {
        return server.herald().rooms();
    }

    @Test
    void aFullRoomRefusesTheNextUpgradeWith429UntilASocketLeaves() {
        RoomClient first = server.connect("/parties/echo/full");
        server.connect("/parties/echo/full");
        RoomServer.Raw refused = server.rawUpgrade("/parties/echo/full");
        assertThat(refused.status()).isEqualTo(429);
        assertThat(TestServer.json(refused.body()).get("error").asText()).isEqualTo("too_many_requests");
        assertThat(server.refusedStatus("/realtime/echo/full")).isEqualTo(429);
        server.connect("/parties/echo/not-full");

        first.close();
        await().atMost(WAIT).untilAsserted(() -> server.connect("/parties/echo/full"));
    }

    @Test
    void aFullRoomBehindAnAsynchronousResourceGateAlsoAnswers429() {
        String doc = "/parties/doc/d1?token=" + RoomServer.jwt("u1", "org1");
        server.connect(doc);
        server.connect(doc);
        RoomServer.Raw refused = server.rawUpgrade(doc);
        assertThat(refused.status()).isEqualTo(429);
        assertThat(TestServer.json(refused.body()).get("error").asText()).isEqualTo("too_many_requests");
    }

    @Test
    void aMessageOverMaxMessageBytesClosesTheSocketWith1009() {
        RoomClient c = server.connect("/parties/echo/size");
        c.next();
        c.send("x".repeat(MAX_MESSAGE - 5));
        assertThat(c.next()).hasSize(MAX_MESSAGE);
        // counted in UTF-8 bytes: 513 two-byte characters are 1026 bytes
        c.send("é".repeat(513));
        assertThat(c.awaitClose()).isEqualTo(1009);
    }

    @Test
    void aBinaryMessageOverMaxMessageBytesClosesTheSocketWith1009() {
        RoomClient c = server.connect("/parties/echo/binary-size");
        c.next();
        c.sendBinary(new byte[MAX_MESSAGE + 1]);
        assertThat(c.awaitClose()).isEqualTo(1009);
    }

    @Test
    void aMessageOverTheTransportFrameLimitAlsoClosesWith1009() {
        // the server's frame limit is max(server.maxFrameBytes = 64 KiB, rooms.maxMessageBytes)
        RoomClient single = server.connect("/parties/echo/huge");
        single.next();
        single.send("x".repeat(100 * 1024));
        assertThat(single.awaitClose()).isEqualTo(1009);

        RoomClient fragmented = server.connect("/parties/echo/huge-parts");
        fragmented.next();
        // the server closes once the parts pass the limit, possibly before the client has sent them all
        int sent = fragmented.sendInPartsUntilClosed("y".repeat(100 * 1024), 16 * 1024);
        assertThat(sent).as("parts sent before the close").isGreaterThanOrEqualTo(4);
        assertThat(fragmented.awaitClose()).isEqualTo(1009);
    }

    @Test
    void aSingleFrameOverTheTransportFrameLimitClosesWith1009() {
        assertThat(server.rawFrameCloseCode("/parties/echo/raw-huge", 1, new byte[100 * 1024])).isEqualTo(1009);
        assertThat(server.rawFrameCloseCode("/parties/echo/raw-huge", 2, new byte[70 * 1024])).isEqualTo(1009);
    }

    @Test
    void aTextFrameThatIsNotUtf8ClosesTheSocketWith1007AsEverySocketDoes() {
        // RFC 6455 §8.1: invalid UTF-8 in a text message fails the connection with 1007 (the error table's invalid_text)
        assertThat(server.rawFrameCloseCode("/parties/echo/bad-utf8", 1, new byte[] {(byte) 0xc3, 0x28}))
                .isEqualTo(io.herald.ErrorCode.INVALID_TEXT.closeCode());
    }

    @Test
    void sendingFasterThanTheRateClosesTheSocketWith1008() {
        RoomClient c = server.connect("/parties/echo/rate");
        c.next();
        // the burst goes through
        for (int i = 0; i < 5; i++) {
            c.send("m" + i);
        }
        for (int i = 0; i < 5; i++) {
            assertThat(c.next()).isEqualTo("echo:m" + i);
        }
        assertThat(c.isClosed()).isFalse();
        for (int i = 5; i < 50 && !c.isClosed(); i++) {
            try {
                c.send("m" + i);
            } catch (RuntimeException closing) {
                break;
            }
        }
        assertThat(c.awaitClose()).isEqualTo(1008);
    }

    @Test
    void aRoomWhoseOnStartThrowsSendsAnErrorFrameAndCloses1011WhileOtherPartiesWork() {
        RoomClient broken = server.connect("/parties/broken/any");
        JsonNode error = broken.nextJson();
        assertThat(error.get("error").asText()).isEqualTo("Uncaught exception during session setup");
        assertThat(broken.awaitClose()).isEqualTo(1011);

        RoomClient fine = server.connect("/parties/echo/fine");
        assertThat(fine.nextJson().get("room").asText()).isEqualTo("fine");
        fine.send("still");
        assertThat(fine.next()).isEqualTo("echo:still");
        // the broken room keeps refusing, and its failed joins hold no place (the cap is 2)
        assertThat(server.connect("/parties/broken/any").awaitClose()).isEqualTo(1011);
        assertThat(server.connect("/parties/broken/any").awaitClose()).isEqualTo(1011);
    }

    @Test
    void aHookThatThrowsKeepsTheConnectionOpen() {
        RoomClient c = server.connect("/parties/echo/throws");
        c.next();
        c.send("boom");
        assertThat(c.next()).isEqualTo("error:boom from the room");
        c.send("after");
        assertThat(c.next()).isEqualTo("echo:after");
        assertThat(c.isClosed()).isFalse();
    }

    @Test
    void hibernationKeepsSocketsOpenAndMessagesFlowAfterWakeUp() {
        long hibernations = rooms().hibernations();
        RoomClient a = server.connect("/parties/lobby/sleepy");
        RoomClient b = server.connect("/parties/lobby/sleepy");
        RoomClient echo = server.connect("/parties/echo/sleepy?_pk=me");
        JsonNode hello = echo.nextJson();
        a.send("before");
        assertThat(b.next()).isEqualTo("before");

        await().atMost(WAIT).until(() -> rooms().hibernations() >= hibernations + 2 && rooms().loadedRooms() == 0);
        assertThat(rooms().rooms()).isEqualTo(2);
        long starts = rooms().starts();

        b.send("after");
        assertThat(a.next()).isEqualTo("after");
        echo.send("state");
        assertThat(TestServer.json(echo.next())).as("connection state survived hibernation").isEqualTo(hello);
        assertThat(rooms().starts()).isEqualTo(starts + 2);
        assertThat(a.isClosed() || b.isClosed() || echo.isClosed()).isFalse();
    }
}
