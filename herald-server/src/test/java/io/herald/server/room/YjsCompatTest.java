package io.herald.server.room;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.config.BroadcastConfig;
import io.herald.config.HeraldConfig;
import io.herald.config.RoomsConfig;
import io.herald.config.RoomsConfig.Binding;
import io.herald.room.builtin.YjsRoom;
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
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real {@code yjs} + {@code y-websocket} and {@code y-partyserver} clients (versions locked in
 * {@code src/test/js-yjs/package-lock.json}) against a real server with a YjsRoom binding: {@code npm
 * ci} once, then every script of {@code src/test/js-yjs} (one per feature) runs under node and must
 * exit 0; {@code restart.mjs} runs in two phases around a restart of the server on the same storage
 * file. Node and npm are required: without them this test fails, it is not skipped.
 */
class YjsCompatTest {
    private static final NodeProject JS = new NodeProject("src/test/js-yjs", "the Yjs compatibility tests need");
    private static final String ACCESS_TOKEN = "yjs-compat-access-token-0123456789abcdef";
    private static final String JWT_SECRET = "yjs-compat-jwt-secret-0123456789abcdef";
    /** oversized.mjs sends an update just over this. */
    private static final int MAX_UPDATE_BYTES = 16 * 1024;
    private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(40);

    @TempDir
    static Path storage;
    private static HeraldServer server;

    @BeforeAll
    static void installClientsAndStartServer() throws Exception {
        JS.install();
        server = HeraldServer.start(config());
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
                    .filter(n -> n.endsWith(".mjs") && !n.equals("harness.mjs") && !n.equals("restart.mjs"))
                    .sorted()
                    .toList();
        }
        assertThat(names).as("compatibility scripts in %s", JS.dir())
                .contains("converge.mjs", "offline.mjs", "awareness.mjs", "oversized.mjs", "hostile.mjs", "ypartyserver.mjs");
        return names.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scripts")
    void theRealYjsClientsPassTheScript(String script) throws Exception {
        Result r = JS.node(SCRIPT_TIMEOUT, env(), script, host());
        assertThat(r.exitCode()).as("node %s exited %d:%n%s", script, r.exitCode(), r.output()).isZero();
    }

    @Test
    void aFreshClientAfterAServerRestartGetsTheWholeDocument() throws Exception {
        String room = "restart-" + Long.toString(System.nanoTime(), 36);
        Path log = Files.createTempFile("herald-yjs-", ".log");
        try {
            Process writer = JS.start(List.of(NodeProject.NODE, "restart.mjs", host(), "write", room), env(), log);
            try {
                await().atMost(SCRIPT_TIMEOUT).until(() -> !writer.isAlive() || Files.readString(log).contains("WRITTEN"));
                assertThat(writer.isAlive()).as("restart.mjs write ended before writing:%n%s", Files.readString(log)).isTrue();
                // restart while the writers are still connected: what they wrote must be on disk by now
                server.close();
                server = HeraldServer.start(config());
                assertThat(writer.waitFor(SCRIPT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("restart.mjs write ended").isTrue();
                assertThat(writer.exitValue()).as("restart.mjs write exited %d:%n%s", writer.exitValue(), Files.readString(log)).isZero();
            } finally {
                NodeProject.kill(writer);
            }
        } finally {
            Files.deleteIfExists(log);
        }
        Result read = JS.node(SCRIPT_TIMEOUT, env(), "restart.mjs", host(), "read", room);
        assertThat(read.exitCode()).as("restart.mjs read exited %d:%n%s", read.exitCode(), read.output()).isZero();
    }

    private static String host() {
        return "127.0.0.1:" + server.port();
    }

    private static HeraldConfig config() {
        RoomsConfig rooms = RoomsConfig.defaults()
                .withYjs(new RoomsConfig.YjsDocs(MAX_UPDATE_BYTES, null, null, null))
                .withBindings(List.of(
                        new Binding("YJS", YjsRoom.class.getName(), null),
                        new Binding("YJS_ECHO", YjsEchoRoom.class.getName(), null)));
        return TestServer.loopback(ACCESS_TOKEN, JWT_SECRET, storage.resolve("herald.db"))
                .withBroadcast(BroadcastConfig.defaults().withSingleUseTickets(true))
                .withRooms(rooms);
    }

    /** What every script gets in its environment. */
    private static Map<String, String> env() {
        return Map.of(
                "HERALD_TOKEN", jwt("alice"),
                "npm_config_update_notifier", "false");
    }

    /** A session JWT of {@code userId} in org-1, valid for an hour. */
    private static String jwt(String userId) {
        return TestServer.signForAnHour(JWT_SECRET, Map.of(
                "sub", userId,
                "organizationId", "org-1",
                "roles", List.of("member")));
    }
}
