package io.herald.server.room;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.config.BroadcastConfig;
import io.herald.config.HeraldConfig;
import io.herald.config.RoomsConfig;
import io.herald.config.RoomsConfig.Access;
import io.herald.config.RoomsConfig.Binding;
import io.herald.room.builtin.PresenceRoom;
import io.herald.room.builtin.RelayRoom;
import io.herald.server.HeraldServer;
import io.herald.server.NodeProject;
import io.herald.server.NodeProject.Result;
import io.herald.server.TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real {@code partysocket} npm client (version locked in {@code src/test/js/package-lock.json})
 * against a real server: {@code npm ci} once, then every script of {@code src/test/js} (one per
 * protocol feature, {@code harness.mjs} aside) runs under node and must exit 0. Node and npm are
 * required: without them this test fails, it is not skipped.
 */
class PartysocketCompatTest {
    private static final NodeProject JS = new NodeProject("src/test/js", "the partysocket compatibility tests need");
    private static final String ACCESS_TOKEN = "compat-access-token-0123456789abcdef";
    private static final String JWT_SECRET = "compat-jwt-secret-0123456789abcdef";
    /** reconnect.mjs sends 20 KiB to be closed with 1009. */
    private static final int MAX_MESSAGE_BYTES = 16 * 1024;
    private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(40);

    private static HeraldServer server;

    @BeforeAll
    static void installClientAndStartServer(@TempDir Path storage) throws Exception {
        JS.install();
        server = HeraldServer.start(config(storage));
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    static Stream<String> scripts() throws IOException {
        List<String> names;
        try (Stream<Path> files = Files.list(JS.dir())) {
            names = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".mjs") && !n.equals("harness.mjs"))
                    .sorted()
                    .toList();
        }
        assertThat(names).as("compatibility scripts in %s", JS.dir())
                .contains("relay.mjs", "presence.mjs", "reconnect.mjs", "prefix.mjs", "auth.mjs", "duplicate-id.mjs",
                        "request.mjs", "tags.mjs");
        return names.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scripts")
    void theRealPartysocketClientPassesTheScript(String script) throws Exception {
        Result r = JS.node(SCRIPT_TIMEOUT, Map.of(
                "HERALD_TOKEN_ALICE", jwt("alice", "Alice"),
                "HERALD_TOKEN_BOB", jwt("bob", "Bob")), script, "127.0.0.1:" + server.port());
        assertThat(r.exitCode()).as("node %s exited %d:%n%s", script, r.exitCode(), r.output()).isZero();
    }

    private static HeraldConfig config(Path storage) {
        RoomsConfig rooms = RoomsConfig.defaults()
                .withLimits(RoomsConfig.DEFAULT_MAX_CONNECTIONS_PER_ROOM, MAX_MESSAGE_BYTES,
                        RoomsConfig.DEFAULT_MESSAGES_PER_SECOND, RoomsConfig.DEFAULT_MESSAGE_BURST)
                .withBindings(List.of(
                        new Binding("LOBBY", RelayRoom.class.getName(), Access.PUBLIC),
                        new Binding("PRESENCE", PresenceRoom.class.getName(), Access.AUTHENTICATED),
                        new Binding("MINE", RelayRoom.class.getName(), Access.roomIdEquals("ctx.userId")),
                        new Binding("API", ApiRoom.class.getName(), Access.PUBLIC)));
        return TestServer.loopback(ACCESS_TOKEN, JWT_SECRET, storage.resolve("herald.db"))
                .withBroadcast(BroadcastConfig.defaults().withSingleUseTickets(true))
                .withRooms(rooms);
    }

    private static String jwt(String userId, String name) {
        return TestServer.signForAnHour(JWT_SECRET, Map.of(
                "sub", userId,
                "name", name,
                "organizationId", "org-1",
                "roles", List.of("member")));
    }
}
