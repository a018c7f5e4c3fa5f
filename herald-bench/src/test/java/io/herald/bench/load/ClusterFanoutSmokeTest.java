package io.herald.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.postgres.PgProcesses;
import io.herald.redis.RedisProcesses;
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
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * broadcast-fanout and room-fanout over two Herald nodes in this JVM, clustered on a real redis-server:
 * 10 sockets split over both nodes, published on (or sent through a room owned by) the first, so the
 * per-node and Redis figures of the cluster benchmarks never rot. Skipped (one printed line) without redis-server on the PATH, unless
 * HERALD_TEST_REQUIRE_REDIS=1. The figures themselves are not asserted.
 */
class ClusterFanoutSmokeTest {
    private static final String ACCESS_TOKEN = "bench-smoke-access-token-0123456789";
    private static final String JWT_SECRET = "bench-smoke-jwt-secret-0123456789abcdef";
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final RedisProcesses REDIS = RedisProcesses.standalone();

    /** The bench configuration binds a room, and a cluster hosting rooms shares its storage. */
    @RegisterExtension
    static final PgProcesses PG = PgProcesses.create();

    @TempDir
    static Path dir;
    private static HeraldServer a;
    private static HeraldServer b;

    @BeforeAll
    static void start() throws Exception {
        Path yaml = dir.resolve("bench-herald.yaml");
        try (InputStream in = ClusterFanoutSmokeTest.class.getResourceAsStream("/bench-herald.yaml")) {
            Files.copy(in, yaml);
        }
        a = node(yaml, "a");
        b = node(yaml, "b");
    }

    private static HeraldServer node(Path yaml, String id) throws Exception {
        Map<String, String> env = new java.util.HashMap<>(Map.of("ACCESS_TOKEN", ACCESS_TOKEN, "JWT_SECRET", JWT_SECRET,
                "HERALD_SERVER_PORT", "0", "HERALD_STORAGE_URL", PG.url(), "HERALD_STORAGE_USER", PG.user(),
                "HERALD_CLUSTER_NODE_ID", id, "HERALD_CLUSTER_REDIS_URL", REDIS.url(0)));
        if (PG.password() != null) {
            env.put("HERALD_STORAGE_PASSWORD", PG.password());
        }
        return HeraldServer.start(new ConfigLoader(env).load(yaml, null).config());
    }

    @AfterAll
    static void stop() {
        if (b != null) {
            b.close();
        }
        if (a != null) {
            a.close();
        }
    }

    @Test
    void socketsOnBothNodesReceiveWhatIsPublishedOnTheFirst() throws Exception {
        assertEveryNodeReceivedItsHalf(run());
    }

    @Test
    void childProcessesReportWhichNodeTheirSocketsAreOn() throws Exception {
        JsonNode r = run("--processes", "2");
        assertThat(r.get("processes").asInt()).isEqualTo(2);
        assertEveryNodeReceivedItsHalf(r);
    }

    @Test
    void roomSocketsOnBothNodesReceiveWhatTheOwnerRelays() throws Exception {
        JsonNode r = scenario("room-fanout", "--senders", "2");
        assertThat(r.get("connections").asInt()).as("connected sockets in %s", r).isEqualTo(10);
        assertThat(r.get("lost").asLong()).as("lost in %s", r).isZero();
        assertThat(r.get("room").asText()).startsWith("bench-");
        JsonNode nodes = r.get("nodes");
        assertThat(nodes).as("nodes in %s", r).hasSize(2);
        long received = 0;
        for (JsonNode n : nodes) {
            // sockets 0, 2, 4, 6, 8 on the first node (the owner), 1, 3, 5, 7, 9 on the second: both senders' messages reach both
            assertThat(n.get("received").asLong()).as("received by %s", n).isPositive();
            assertThat(n.get("server_cpu_us_per_delivery").isNumber()).as("CPU of %s", n).isTrue();
            received += n.get("received").asLong();
        }
        assertThat(received).isEqualTo(r.get("received").asLong());
    }

    @Test
    void theOtherScenariosRunAgainstOneServer() {
        String urls = url(a) + "," + url(b);
        assertThat(LoadTool.execute("sse-fanout", "--urls", urls, "--access-token", ACCESS_TOKEN)).isEqualTo(1);
        assertThat(LoadTool.execute("lane-acks", "--urls", urls, "--access-token", ACCESS_TOKEN, "--jwt-secret", JWT_SECRET)).isEqualTo(1);
    }

    private static void assertEveryNodeReceivedItsHalf(JsonNode r) {
        assertThat(r.get("connections").asInt()).as("connected sockets in %s", r).isEqualTo(10);
        assertThat(r.get("lost").asLong()).as("lost in %s", r).isZero();
        assertThat(r.get("published").asLong()).isPositive();
        // the publish answer counts the sockets of every node
        assertThat(r.get("server_delivered").asLong()).as("server_delivered in %s", r).isEqualTo(r.get("expected").asLong());
        assertThat(r.get("redis_cpu_us_per_publish").isNumber()).as("redis CPU in %s", r).isTrue();
        JsonNode nodes = r.get("nodes");
        assertThat(nodes).as("nodes in %s", r).hasSize(2);
        assertThat(nodes.get(0).get("url").asText()).isEqualTo(url(a));
        assertThat(nodes.get(1).get("url").asText()).isEqualTo(url(b));
        long deliveries = 0;
        for (JsonNode n : nodes) {
            assertThat(n.get("received").asLong()).as("received by %s", n).isEqualTo(r.get("expected").asLong() / 2);
            assertThat(n.get("deliveries").asLong()).as("deliveries of %s", n).isPositive();
            assertThat(n.get("latency_us").get("p99").asLong()).as("p99 of %s", n).isPositive();
            assertThat(n.get("server_cpu_us_per_delivery").isNumber()).as("CPU of %s", n).isTrue();
            deliveries += n.get("deliveries").asLong();
        }
        assertThat(deliveries).isEqualTo(r.get("deliveries").asLong());
    }

    /** broadcast-fanout, 10 sockets for about a second over both nodes; returns its JSON line. */
    private static JsonNode run(String... more) throws Exception {
        return scenario("broadcast-fanout", more);
    }

    /** {@code scenario} (then its own options), 10 sockets for about a second over both nodes; returns its JSON line. */
    private static JsonNode scenario(String scenario, String... more) throws Exception {
        String pid = Long.toString(ProcessHandle.current().pid());
        List<String> args = new ArrayList<>(List.of(scenario, "--urls", url(a) + "," + url(b), "-n", "10",
                "--duration", "1s", "--warmup", "200ms", "--jwt-secret", JWT_SECRET, "--access-token", ACCESS_TOKEN,
                "--server-pids", pid + "," + pid, "--redis-pid", Long.toString(redisPid()), "--drain-timeout", "5s"));
        args.addAll(List.of(more));
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        LoadTool.run(new PrintStream(printed, true, StandardCharsets.UTF_8), args.toArray(String[]::new));
        String text = printed.toString(StandardCharsets.UTF_8);
        System.out.print(text);
        String[] lines = text.split("\n");
        return JSON.readTree(lines[lines.length - 1]);
    }

    private static String url(HeraldServer node) {
        return "http://127.0.0.1:" + node.port();
    }

    /**
     * The redis-server RedisProcesses started for this class: the child of this JVM whose process title
     * (redis-server rewrites its command line to {@code redis-server 127.0.0.1:<port>}) names its port.
     */
    private static long redisPid() {
        String port = ":" + REDIS.port(0);
        return ProcessHandle.current().children()
                .filter(p -> cmdline(p.pid()).startsWith("redis-server") && cmdline(p.pid()).contains(port))
                .findFirst().orElseThrow(() -> new IllegalStateException("no redis-server child on port " + port))
                .pid();
    }

    private static String cmdline(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "cmdline")).replace('\0', ' ');
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
