package io.herald.server.room;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.config.HeraldConfig;
import io.herald.config.RoomsConfig;
import io.herald.config.RoomsConfig.Access;
import io.herald.config.RoomsConfig.Binding;
import io.vertx.core.transport.Transport;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A room socket on each transport that loads here: upgraded after its gate and its asynchronous join, it stays open
 * and keeps exchanging messages (under Vert.x's own upgrade on io_uring such a socket was closed with 1000 right
 * after its 101).
 */
class RoomTransportTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"nio", "epoll", "io_uring"})
    void aRoomSocketStaysOpenAfterItsAsynchronousJoin(String name) {
        Transport transport = Map.of("nio", Transport.NIO, "epoll", Transport.EPOLL, "io_uring", Transport.IO_URING).get(name);
        Assumptions.assumeTrue(transport != null && transport.available(), name + " does not load here");
        RoomsConfig rooms = RoomsConfig.defaults().withBindings(List.of(
                new Binding("GATED", GatedRoom.class.getName(), Access.PUBLIC)));
        HeraldConfig config = RoomServer.config(dir.resolve("herald.db"), rooms, Map.of());
        try (RoomServer server = RoomServer.start(config.withServer(config.server().withTransport(name)))) {
            RoomClient a = server.connect("/parties/gated/r1?pass=yes");
            JsonNode hello = a.nextJson();
            assertThat(hello.get("hello").asBoolean()).isTrue();
            RoomClient b = server.connect("/parties/gated/r1?pass=yes");
            assertThat(b.nextJson().get("room").asText()).isEqualTo("r1");
            for (int i = 0; i < 3; i++) {
                a.send("m" + i);
                assertThat(a.next()).isEqualTo("echo:m" + i);
                b.send("n" + i);
                assertThat(b.next()).isEqualTo("echo:n" + i);
            }
            assertThat(a.isClosed()).isFalse();
            assertThat(b.isClosed()).isFalse();
            assertThat(server.refusedStatus("/parties/gated/r1")).as("the gate still refuses").isEqualTo(402);
        }
    }
}
