package io.herald.server.room;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.config.RoomsConfig;
import io.herald.config.RoomsConfig.Access;
import io.herald.config.RoomsConfig.Binding;
import io.herald.room.builtin.YjsRoom;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Room upgrades refuse WebSocket compression. Herald writes every frame once, pre-encoded and
 * uncompressed, so compression would only work in one direction: clients would deflate every message
 * they send. With context takeover, node's {@code ws} (what y-websocket runs on under node) deflates
 * even 50-byte updates, one at a time per socket, on a zlib pool shared by the process. A busy client
 * then sends its edits seconds late (docs/benchmarks.md, yjs-edit).
 */
class RoomCompressionTest {
    /** What node's {@code ws} offers by default; browsers offer the same extension. */
    private static final String PERMESSAGE_DEFLATE = "permessage-deflate; client_max_window_bits";

    @TempDir
    static Path dir;
    private static RoomServer server;

    @BeforeAll
    static void start() {
        RoomsConfig rooms = RoomsConfig.defaults().withBindings(List.of(
                new Binding("YJS", YjsRoom.class.getName(), Access.PUBLIC),
                new Binding("LOBBY", "io.herald.room.builtin.RelayRoom", Access.PUBLIC)));
        server = RoomServer.start(RoomServer.config(dir.resolve("herald.db"), rooms, Map.of()));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aRoomUpgradeOfferingPermessageDeflateIsAcceptedWithoutIt() {
        for (String path : List.of("/parties/yjs/deflate", "/realtime/yjs/deflate", "/parties/lobby/deflate")) {
            RoomServer.Raw r = server.rawUpgrade(path, "Sec-WebSocket-Extensions", PERMESSAGE_DEFLATE);
            assertThat(r.status()).as(path).isEqualTo(101);
            assertThat(r.headers()).as(path).doesNotContainKey("sec-websocket-extensions");
        }
    }

    @Test
    void aRoomUpgradeOfferingPerFrameDeflateIsAcceptedWithoutIt() {
        RoomServer.Raw r = server.rawUpgrade("/parties/yjs/frame-deflate", "Sec-WebSocket-Extensions", "x-webkit-deflate-frame");
        assertThat(r.status()).isEqualTo(101);
        assertThat(r.headers()).doesNotContainKey("sec-websocket-extensions");
    }
}
