package io.herald.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.bench.ceiling.RawFanoutServer;
import io.herald.server.HeraldServer;
import io.herald.server.config.ConfigLoader;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every scenario at a tiny size (10 sockets, or 3 users × 2 lane sockets, about a second) against an
 * in-process Herald started from bench-herald.yaml, and the WebSocket fan-out scenarios against the
 * raw ceiling, so the tool never rots; yjs-edit with 2 real yjs clients in node (node is required). Real sockets on
 * 127.0.0.1; the figures themselves are not asserted.
 */
class LoadToolSmokeTest {
    private static final String ACCESS_TOKEN = "bench-smoke-access-token-0123456789";
    private static final String JWT_SECRET = "bench-smoke-jwt-secret-0123456789abcdef";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    private static HeraldServer herald;
    private static RawFanoutServer raw;

    @BeforeAll
    static void start() throws Exception {
        Path yaml = dir.resolve("bench-herald.yaml");
        try (InputStream in = LoadToolSmokeTest.class.getResourceAsStream("/bench-herald.yaml")) {
            Files.copy(in, yaml);
        }
        Map<String, String> env = Map.of("ACCESS_TOKEN", ACCESS_TOKEN, "JWT_SECRET", JWT_SECRET,
                "HERALD_SERVER_PORT", "0", "HERALD_STORAGE_PATH", dir.resolve("bench.db").toString());
        herald = HeraldServer.start(new ConfigLoader(env).load(yaml, null).config());
        raw = RawFanoutServer.start("127.0.0.1", 0, 2);
    }

    @AfterAll
    static void stop() {
        if (herald != null) {
            herald.close();
        }
        if (raw != null) {
            raw.close();
        }
    }

    @Test
    void broadcastFanoutDeliversEveryBroadcastToEverySocket() throws Exception {
        JsonNode r = run("broadcast-fanout", heraldUrl(), "--kind", "broadcast");
        assertDeliveredAll(r, 10);
        assertThat(r.get("server_delivered").asLong()).isEqualTo(r.get("expected").asLong());
        assertThat(r.get("server_cpu_us_per_delivery").isNumber()).isTrue();
    }

    @Test
    void changesWithThreeRoleSetsReachEverySocket() throws Exception {
        assertDeliveredAll(run("broadcast-fanout", heraldUrl(), "--kind", "changes", "--roles", "3"), 10);
    }

    @Test
    void broadcastFanoutSplitOverTwoChildProcessesAggregatesTheirResults() throws Exception {
        JsonNode r = run("broadcast-fanout", heraldUrl(), "--processes", "2");
        assertDeliveredAll(r, 10);
        assertThat(r.get("processes").asInt()).isEqualTo(2);
    }

    @Test
    void roomFanoutRelaysEveryMessageToTheOtherMembers() throws Exception {
        assertDeliveredAll(run("room-fanout", heraldUrl(), "--senders", "2"), 10);
    }

    @Test
    void connectOpensAuthenticatedSocketsAndChecksTheyAreLive() throws Exception {
        JsonNode r = run("connect", heraldUrl(), "--settle", "100ms", "--check-duration", "1s");
        assertDeliveredAll(r, 10);
        assertThat(r.get("accepts_per_s").asLong()).isPositive();
        assertThat(r.get("server_rss_per_socket_bytes").isNumber()).isTrue();
    }

    /** Every socket of the primitive connected and received the check: nothing lost, and the check reached every room and lane. */
    @ParameterizedTest
    @ValueSource(strings = {"broadcast", "rooms", "lanes", "sse"})
    void connectOpensIdleSocketsOfEveryPrimitiveAndChecksEachReceives(String primitive) throws Exception {
        // rooms: 2 rooms of 5, one sender each; lanes: 10 users, one socket each
        JsonNode r = run("connect", heraldUrl(), "--primitive", primitive, "--room-size", "5", "--settle", "100ms",
                "--check-duration", "1s");
        assertDeliveredAll(r, 10);
        assertThat(r.get("primitive").asText()).isEqualTo(primitive);
        long perMessage = switch (primitive) {
            case "rooms" -> 4;
            case "lanes" -> 1;
            default -> 10;
        };
        assertThat(r.get("expected").asLong()).isEqualTo(r.get("published").asLong() * perMessage);
        long toReachAll = switch (primitive) {
            case "rooms" -> 2;
            case "lanes" -> 10;
            default -> 1;
        };
        assertThat(r.get("published").asLong()).as("messages that reach every socket once").isGreaterThanOrEqualTo(toReachAll);
        assertThat(r.get("server_heap_after_gc").asBoolean()).as("heap read after jcmd GC.run").isTrue();
        assertThat(r.get("server_heap_per_socket_bytes").isNumber()).isTrue();
    }

    /**
     * Split over child processes, every receiver joins the room its index names in the whole run. Each child holds 4 of the
     * 8 receivers, fewer than a room of 5: a child that counted rooms from its own share put them all in room 0, so one
     * sender reached 8 sockets and the other none, and lost was off by a whole room per unpaired message.
     */
    @Test
    void connectRoomsSplitOverTwoChildProcessesPutsEveryReceiverInItsRoom() throws Exception {
        // 1.1 s at 4 msg/s is 5 messages: an odd count, which alternating over a full and an empty room cannot even out
        JsonNode r = run("connect", heraldUrl(), "--primitive", "rooms", "--room-size", "5", "--processes", "2", "--settle", "100ms",
                "--check-duration", "1100ms");
        assertDeliveredAll(r, 10);
        assertThat(r.get("processes").asInt()).isEqualTo(2);
        assertThat(r.get("expected").asLong()).isEqualTo(r.get("published").asLong() * 4);
    }

    @Test
    void broadcastFanoutAgainstTheRawCeiling() throws Exception {
        assertDeliveredAll(run("broadcast-fanout", "http://127.0.0.1:" + raw.port(), "--target", "raw"), 10);
    }

    @Test
    void roomFanoutAgainstTheRawCeiling() throws Exception {
        assertDeliveredAll(run("room-fanout", "http://127.0.0.1:" + raw.port(), "--target", "raw"), 10);
    }

    @Test
    void sseFanoutDeliversEveryEventToEveryReader() throws Exception {
        JsonNode r = run("sse-fanout", heraldUrl());
        assertDeliveredAll(r, 10);
        assertThat(r.get("server_delivered").asLong()).isEqualTo(r.get("expected").asLong());
        assertThat(r.get("server_cpu_us_per_delivery").isNumber()).isTrue();
        assertThat(r.get("closed_by_server").asLong()).isZero();
    }

    @Test
    void sseFanoutSplitOverTwoChildProcessesReadsOneChannel() throws Exception {
        JsonNode r = run("sse-fanout", heraldUrl(), "--processes", "2");
        assertDeliveredAll(r, 10);
        assertThat(r.get("server_delivered").asLong()).isEqualTo(r.get("expected").asLong());
    }

    @Test
    void laneAcksGetsEveryAckOfEveryPublishBack() throws Exception {
        JsonNode r = run("lane-acks", heraldUrl(), "--users", "3", "--sockets-per-user", "2");
        assertDeliveredAll(r, 6);
        assertThat(r.get("mismatched_publishes").asLong()).as("mismatched in %s", r).isZero();
        assertThat(r.get("envelopes_lost").asLong()).as("envelopes lost in %s", r).isZero();
        assertThat(r.get("publishes_per_s").asLong()).isPositive();
        assertThat(r.get("server_cpu_us_per_publish").isNumber()).isTrue();
        assertThat(r.get("delivery_latency_us").get("p99").asLong()).isPositive();
    }

    @Test
    void yjsEditConvergesTwoRealYjsClientsThroughTheYjsRoom() throws Exception {
        // node runs the real yjs clients: without node (and npm, for the first npm ci) this fails, never skips
        List<String> args = List.of("yjs-edit", "--url", heraldUrl(), "-k", "2", "--edits-per-second", "2", "--duration", "2s",
                "--warmup", "500ms", "--server-pid", Long.toString(ProcessHandle.current().pid()), "--converge-timeout", "10s",
                "--connect-timeout", "20s");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        LoadTool.run(new PrintStream(printed, true, StandardCharsets.UTF_8), args.toArray(String[]::new));
        String[] lines = printed.toString(StandardCharsets.UTF_8).split("\n");
        System.out.println(String.join("\n", lines));
        JsonNode r = JSON.readTree(lines[lines.length - 1]);
        assertThat(r.get("identical").asBoolean()).as("identical in %s", r).isTrue();
        assertThat(r.get("deliveries").asLong()).as("deliveries in %s", r).isPositive();
        assertThat(r.get("lost").asLong()).as("lost in %s", r).isZero();
        assertThat(r.get("latency_us").get("p99").asLong()).isPositive();
    }

    @Test
    void yjsEditIsRefusedByTheFanoutServersAndTheFanoutScenariosByTheYjsServers() {
        assertThat(LoadTool.execute("yjs-edit", "--target", "raw", "--url", "http://127.0.0.1:" + raw.port())).isEqualTo(1);
        assertThat(LoadTool.execute("room-fanout", "--target", "ywebsocket", "--url", "http://127.0.0.1:" + raw.port())).isEqualTo(1);
    }

    @Test
    void sseAndLanesAreHeraldOnly() {
        assertThat(LoadTool.execute("sse-fanout", "--target", "raw", "--url", "http://127.0.0.1:" + raw.port())).isEqualTo(1);
        assertThat(LoadTool.execute("lane-acks", "--target", "raw", "--url", "http://127.0.0.1:" + raw.port())).isEqualTo(1);
    }

    private static String heraldUrl() {
        return "http://127.0.0.1:" + herald.port();
    }

    /** Runs a scenario with 10 sockets for about a second and returns its JSON line, checked against the returned result. */
    static JsonNode run(String scenario, String url, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of(scenario, "--url", url, "-n", "10", "--duration", "1s", "--warmup", "200ms",
                "--jwt-secret", JWT_SECRET, "--access-token", ACCESS_TOKEN, "--server-pid", Long.toString(ProcessHandle.current().pid()),
                "--drain-timeout", "5s"));
        args.addAll(List.of(more));
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        Result result = LoadTool.run(new PrintStream(printed, true, StandardCharsets.UTF_8), args.toArray(String[]::new));
        String text = printed.toString(StandardCharsets.UTF_8);
        System.out.print(text);
        String[] lines = text.split("\n");
        JsonNode json = JSON.readTree(lines[lines.length - 1]);
        assertThat(json.get("deliveries").asLong()).isEqualTo(result.deliveries());
        assertThat(json.get("lost").asLong()).isEqualTo(result.lost());
        return json;
    }

    static void assertDeliveredAll(JsonNode r, int sockets) {
        assertThat(r.get("connections").asInt()).as("connected sockets in %s", r).isEqualTo(sockets);
        assertThat(r.get("deliveries").asLong()).as("deliveries in %s", r).isPositive();
        assertThat(r.get("lost").asLong()).as("lost in %s", r).isZero();
        assertThat(r.get("published").asLong()).isPositive();
        assertThat(r.get("latency_us").get("p99").asLong()).isPositive();
    }
}
