package io.herald.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.config.ClusterConfig;
import io.herald.config.HeraldConfig;
import io.herald.postgres.PgProcesses;
import io.herald.server.TestServer;
import io.herald.server.WsClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.core.ConditionFactory;

/** Shortcuts for the cluster tests: a node's configuration on a shared Redis, probes, an SSE reader. */
final class ClusterNode {
    /** The storage schema every node of a test class shares. */
    static final String SCHEMA = "cluster";

    /** Long enough for a pub/sub reconnect after Redis comes back (backoff) and a heartbeat or two. */
    static final Duration WAIT = Duration.ofSeconds(30);

    /** Tables and masking as the single-node tests use them, public channels {@code pub:*}. */
    static final String CONFIG = TestServer.STANDARD + """
            channels:
              public: ["pub:*"]
            """;

    /** How long a room lease lasts in the room-cluster tests: a failover takes about this long. */
    static final long LEASE_MS = 3000;

    /**
     * {@link #CONFIG} with rooms bound, leases of {@link #LEASE_MS}: LOBBY (RelayRoom), PRESENCE (PresenceRoom),
     * DOC (YjsRoom) and PROBE ({@link OwnerProbeRoom}), all public.
     */
    static final String ROOMS = CONFIG + """
            rooms:
              leaseMs: %d
              bindings:
                - { name: LOBBY, className: io.herald.room.builtin.RelayRoom, access: public }
                - { name: PRESENCE, className: io.herald.room.builtin.PresenceRoom, access: public }
                - { name: DOC, className: io.herald.room.builtin.YjsRoom, access: public }
                - { name: PROBE, className: io.herald.server.cluster.OwnerProbeRoom, access: public }
            """.formatted(LEASE_MS);

    private ClusterNode() {
    }

    static ConditionFactory waiting() {
        return await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50)).atMost(WAIT);
    }

    /**
     * The test configuration of node {@code nodeId} on the Redis at {@code redisUrl}, storing in schema
     * {@value #SCHEMA} of {@code pg}'s database: like real nodes, every node of a test shares one storage
     * (a cluster refuses per-node SQLite files).
     */
    static HeraldConfig config(String redisUrl, PgProcesses pg, String nodeId) {
        HeraldConfig c = TestServer.config(CONFIG);
        return c.withCluster(new ClusterConfig(nodeId, new ClusterConfig.Redis(redisUrl, null, null, null), null))
                .withStorage(pg.storage(SCHEMA));
    }

    /**
     * Publishes a {@code probe} broadcast to {@code org} on {@code node} until it reaches {@code sockets}
     * sockets: subscriptions take effect on the other nodes asynchronously. Returns the last answer.
     */
    static JsonNode probeUntilDelivered(TestServer node, String org, int sockets) {
        JsonNode[] last = new JsonNode[1];
        waiting().until(() -> {
            HttpResponse<String> r = node.publish("/broadcast/v1/broadcast",
                    "{\"event\":\"probe\",\"payload\":null,\"organizationId\":\"" + org + "\"}");
            last[0] = r.statusCode() == 200 ? TestServer.json(r.body()) : null;
            return last[0] != null && last[0].get("delivered").asInt() == sockets;
        });
        return last[0];
    }

    /** The next message of {@code socket} that is not a probe. */
    static JsonNode nextNotProbe(WsClient socket) {
        while (true) {
            JsonNode m = socket.nextJson();
            if (!"probe".equals(m.path("event").asText())) {
                return m;
            }
        }
    }

    /** An open {@code text/event-stream} whose lines a daemon thread collects. */
    static final class Sse implements AutoCloseable {
        final List<String> lines = new CopyOnWriteArrayList<>();
        private final HttpResponse<java.io.InputStream> response;

        /** Opens {@code path} on {@code node} with header name/value pairs (a {@code Last-Event-ID}, say). */
        Sse(TestServer node, String path, String... headers) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpRequest.Builder request = HttpRequest.newBuilder(node.uri(path)).header("Accept", "text/event-stream");
            for (int i = 0; i + 1 < headers.length; i += 2) {
                request.header(headers[i], headers[i + 1]);
            }
            response = TestServer.send(http, request.build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(response.statusCode()).isEqualTo(200);
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    // closed by either side
                }
            }, "sse-reader");
            reader.setDaemon(true);
            reader.start();
        }

        @Override
        public void close() {
            try {
                response.body().close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
