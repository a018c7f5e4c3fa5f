package io.herald.server.channel;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.config.ChannelsConfig;
import io.herald.server.NodeProject;
import io.herald.server.NodeProject.Result;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code eventsource} npm client (version locked in {@code src/test/js-sse/package-lock.json})
 * against a real server: {@code npm ci} once, then {@code resume.mjs} under node must exit 0. The
 * script reads named events, has its connection dropped and must resume by its own reconnect with
 * {@code Last-Event-ID}, with no gap or duplicate. Node and npm are required: without them this test
 * fails, it is not skipped.
 */
class EventSourceCompatTest {
    private static final NodeProject JS = new NodeProject("src/test/js-sse", "the EventSource compatibility test needs");
    private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(45);

    private static ChannelServer server;

    @BeforeAll
    static void installClientAndStartServer(@TempDir Path storage) throws Exception {
        JS.install();
        ChannelsConfig channels = ChannelServer.rules();
        server = ChannelServer.start(ChannelServer.config(storage.resolve("herald.db"), channels));
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void theRealEventSourceClientReadsNamedEventsAndResumesWithLastEventIdAfterADrop() throws Exception {
        Result r = JS.node(SCRIPT_TIMEOUT,
                Map.of("HERALD_ACCESS_TOKEN", ChannelServer.ACCESS_TOKEN, "HERALD_JWT", ChannelServer.jwt("alice")),
                "resume.mjs", "127.0.0.1:" + server.port());

        assertThat(r.exitCode()).as("node resume.mjs exited %d:%n%s", r.exitCode(), r.output()).isZero();
        assertThat(r.output()).contains("OK: ids 1,2,3,4,5,6,7,8,9; reconnect sent Last-Event-ID 5");
    }
}
