package io.herald.server.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.config.RoomsConfig;
import io.herald.server.HeraldServer;
import io.herald.server.TestServer;
import io.herald.server.config.ConfigLoader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /examples/}: served from the jar in dev mode with what the pages use configured, and 404 otherwise. */
class ExamplesPageTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static Map<String, String> devEnv(Path dir) {
        return Map.of("HERALD_SERVER_HOST", "127.0.0.1", "HERALD_SERVER_PORT", "0",
                "HERALD_STORAGE_PATH", dir.resolve("herald.db").toString());
    }

    private static HttpResponse<String> get(int port, String path) {
        return TestServer.send(HTTP, HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void devModeServesThePagesAndTheirLibrariesFromTheJar(@TempDir Path dir) {
        try (HeraldServer server = HeraldServer.start(new ConfigLoader(devEnv(dir)).load(null, null))) {
            HttpResponse<String> index = get(server.port(), "/examples/");
            assertThat(index.statusCode()).isEqualTo(200);
            assertThat(index.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
            assertThat(index.headers().firstValue("Content-Security-Policy").orElseThrow()).contains("script-src 'self'");
            assertThat(index.body()).contains("dashboard.html", "chat.html", "editor.html", "feed.html");

            HttpResponse<String> bare = get(server.port(), "/examples");
            assertThat(bare.statusCode()).isEqualTo(301);
            assertThat(bare.headers().firstValue("Location")).hasValue("/examples/");

            for (String page : new String[] {"dashboard.html", "chat.html", "editor.html", "feed.html", "common.js", "style.css"}) {
                assertThat(get(server.port(), "/examples/" + page).statusCode()).as(page).isEqualTo(200);
            }
            HttpResponse<String> client = get(server.port(), "/examples/lib/herald-client.js");
            assertThat(client.headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
            assertThat(client.body()).contains("createBroadcast", "createChannel", "createRoom");
            assertThat(get(server.port(), "/examples/lib/yjs.js").body()).contains("WebsocketProvider");

            assertThat(get(server.port(), "/examples/build.mjs").statusCode()).isEqualTo(404);
            assertThat(get(server.port(), "/examples/package.json").statusCode()).isEqualTo(404);
            assertThat(get(server.port(), "/examples/lib/missing.js").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void outsideDevModeThereAreNoExamples(@TempDir Path dir) {
        Map<String, String> env = new java.util.HashMap<>(devEnv(dir));
        env.put("ACCESS_TOKEN", TestServer.ACCESS_TOKEN);
        env.put("JWT_SECRET", TestServer.JWT_SECRET);
        ConfigLoader.Loaded loaded = new ConfigLoader(env).load(null, null);
        assertThat(loaded.devMode()).isFalse();
        assertThat(loaded.config().rooms().bindings()).isEmpty();
        assertThat(loaded.config().channels().publicChannels()).isEmpty();
        assertThat(loaded.config().broadcast().tables()).isEmpty();
        try (HeraldServer server = HeraldServer.start(loaded)) {
            assertThat(server.servesExamples()).isFalse();
            for (String path : new String[] {"/examples/", "/examples", "/examples/index.html", "/examples/lib/herald-client.js"}) {
                assertThat(get(server.port(), path).statusCode()).as(path).isEqualTo(404);
            }
        }
    }

    @Test
    void devModeConfiguresWhatTheExamplesUseBesideTheFilesOwnSettings(@TempDir Path dir) throws Exception {
        var dev = new ConfigLoader(devEnv(dir)).load(null, null).config();
        assertThat(dev.rooms().bindings()).extracting(RoomsConfig.Binding::name).containsExactly("EXAMPLES_CHAT", "EXAMPLES_DOC", "LOBBY");
        assertThat(dev.channels().publicChannels()).containsExactly("examples:*", "dev:*");
        assertThat(dev.broadcast().tables()).containsOnlyKeys("examples_candidates");
        // a trial run with its own config: its names keep their meaning, the examples' are added beside them
        Path file = dir.resolve("herald.yaml");
        Files.writeString(file, """
                rooms:
                  bindings:
                    - { name: EXAMPLES_CHAT, className: io.herald.room.builtin.RelayRoom, access: public }
                    - { name: LOBBY, className: io.herald.room.builtin.RelayRoom }
                channels:
                  public: ["status:*"]
                """);
        var config = new ConfigLoader(devEnv(dir)).load(file, null).config();
        assertThat(config.rooms().bindings()).extracting(RoomsConfig.Binding::name).containsExactly("EXAMPLES_CHAT", "LOBBY", "EXAMPLES_DOC");
        assertThat(config.rooms().bindings().get(0).className()).isEqualTo("io.herald.room.builtin.RelayRoom");
        assertThat(config.channels().publicChannels()).containsExactly("status:*", "examples:*", "dev:*");
    }
}
