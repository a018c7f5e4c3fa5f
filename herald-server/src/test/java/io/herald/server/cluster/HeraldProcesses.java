package io.herald.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.postgres.PgProcesses;
import io.herald.server.TestServer;
import io.herald.server.WsClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * JUnit 5 extension that runs Herald nodes as separate JVM processes ({@code io.herald.server.Main serve})
 * on one Redis, so a test can kill a node with a real signal: a SIGKILLed process's sockets are reset by
 * the kernel, which no in-process "crash" imitates.
 *
 * <p>Register it on a static field after the {@code RedisProcesses} and {@code PgProcesses} it uses,
 * ordered with {@code @Order}, as {@code HeraldProcesses.nodes(3, () -> REDIS.url(0), PG)}. Every node
 * gets the test configuration ({@link ClusterNode#CONFIG}, or the YAML given, as {@link ClusterNode#ROOMS},
 * written to a file), and through the
 * environment its own node id ({@code n1}, {@code n2}, ...; index 0 is {@code n1}), the storage every
 * node shares (schema {@value ClusterNode#SCHEMA} of the PostgreSQL database), loopback host and an
 * ephemeral port, which it reports in its start log line. Each node's stdout and stderr go to
 * {@code node-<i>.log} in a temporary directory; the tails are printed when a test fails and when a
 * node exits without being told to. A node can be frozen and continued ({@link #pause}, {@link #resume})
 * and started again after it was killed ({@link #restart}). Every node still running, frozen or not, is
 * SIGKILLed after the class's last test and from a JVM shutdown hook. Variables a test adds with
 * {@link #withEnvironment} (a secret the YAML names as {@code ${VAR}}, say) come last. Methods are meant
 * for the test thread; they block.
 */
public final class HeraldProcesses implements BeforeAllCallback, AfterAllCallback, TestWatcher {
    /** A JVM start on a busy two-core machine can take well over 10 s; three at once longer still. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
    private static final Pattern LISTENING = Pattern.compile("Herald listening on [^\\s]+:(\\d+) ");
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
    private static final AtomicBoolean HOOK = new AtomicBoolean();
    private static final int TAIL_LINES = 60;

    private final int count;
    private final Supplier<String> redisUrl;
    private final PgProcesses pg;
    private final String yaml;
    private final Supplier<Map<String, String>> environment;
    private final List<Node> nodes = new ArrayList<>();
    private Path root;

    private HeraldProcesses(int count, Supplier<String> redisUrl, PgProcesses pg, String yaml, Supplier<Map<String, String>> environment) {
        this.count = count;
        this.redisUrl = redisUrl;
        this.pg = pg;
        this.yaml = yaml;
        this.environment = environment;
    }

    /**
     * {@code count} nodes on the Redis {@code redisUrl} names when the class starts, storing in {@code pg}'s
     * database, with {@link ClusterNode#CONFIG}.
     */
    public static HeraldProcesses nodes(int count, Supplier<String> redisUrl, PgProcesses pg) {
        return new HeraldProcesses(count, redisUrl, pg, ClusterNode.CONFIG, Map::of);
    }

    /** {@code count} nodes like {@link #nodes(int, Supplier, PgProcesses)}, each with the configuration {@code yaml}. */
    public static HeraldProcesses nodes(int count, Supplier<String> redisUrl, PgProcesses pg, String yaml) {
        return new HeraldProcesses(count, redisUrl, pg, yaml, Map::of);
    }

    /**
     * These nodes with {@code environment} added to each node's environment after the test's own (so it
     * may set {@code HERALD_*} variables, which the test JVM's are stripped of). Read at every launch: it
     * may name what an extension started before the nodes, such as a database's URL.
     */
    public HeraldProcesses withEnvironment(Supplier<Map<String, String>> environment) {
        return new HeraldProcesses(count, redisUrl, pg, yaml, environment);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (HOOK.compareAndSet(false, true)) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "herald-processes-stop"));
        }
        root = Files.createTempDirectory("herald-nodes-");
        Files.writeString(root.resolve("herald.yaml"), yaml);
        // the test classpath has logback-test.xml at WARN: the nodes log at INFO so their start line names their port
        Files.writeString(root.resolve("logback.xml"), """
                <configuration>
                  <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{24} - %msg%n</pattern></encoder>
                  </appender>
                  <logger name="io.netty" level="WARN"/>
                  <logger name="io.vertx" level="WARN"/>
                  <root level="INFO"><appender-ref ref="OUT"/></root>
                </configuration>
                """);
        try {
            // start every JVM before waiting for any: their start-ups overlap
            for (int i = 0; i < count; i++) {
                Node node = new Node(i);
                nodes.add(node);
                node.launch();
            }
            for (Node node : nodes) {
                node.awaitReady();
            }
        } catch (Exception | Error e) {
            nodes.forEach(n -> System.out.println(n.tail()));
            afterAll(context);
            throw e;
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        for (Node node : nodes) {
            // each node's own failure to stop must not leave the others running
            try {
                node.kill();
            } catch (RuntimeException | AssertionError e) {
                System.out.println("=== node " + node.id + " did not stop: " + e);
            }
        }
        nodes.clear();
        if (root != null) {
            try (Stream<Path> files = Files.walk(root)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            root = null;
        }
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        System.out.println("=== " + context.getDisplayName() + " failed: the nodes' logs end with");
        nodes.forEach(n -> System.out.println(n.tail()));
    }

    /** Node {@code i} (0-based). */
    public Node node(int i) {
        return nodes.get(i);
    }

    public int size() {
        return nodes.size();
    }

    /** SIGKILLs node {@code i} (like a crash: no shutdown hook runs) and waits until the process has exited. */
    public void kill(int i) {
        Node node = nodes.get(i);
        node.kill();
        // 128 + 9: the JVM died of the signal, it did not exit by itself
        assertThat(node.process.exitValue()).as("exit status of node %s", node.id).isEqualTo(137);
    }

    /** SIGTERMs node {@code i} (it drains and leaves the cluster) and waits until the process has exited. */
    public void stop(int i) {
        nodes.get(i).stop();
    }

    /**
     * Freezes node {@code i} with SIGSTOP: its sockets stay open and the kernel still accepts connections and
     * buffers what clients send, but the JVM runs nothing (no lease renewal, no heartbeat) until {@link #resume}.
     * A paused node is still SIGKILLed after the class.
     */
    public void pause(int i) {
        signal(nodes.get(i), "-STOP");
    }

    /** Continues node {@code i} after {@link #pause} (SIGCONT). */
    public void resume(int i) {
        signal(nodes.get(i), "-CONT");
    }

    private static void signal(Node node, String signal) {
        try {
            Process kill = new ProcessBuilder("kill", signal, Long.toString(node.pid())).redirectErrorStream(true).start();
            String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(kill.waitFor(10, TimeUnit.SECONDS)).as("kill %s %s finished", signal, node.pid()).isTrue();
            assertThat(kill.exitValue()).as("kill %s %s (node %s): %s", signal, node.pid(), node.id, output).isZero();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Starts node {@code i} again after it was killed or stopped, with the same id, configuration and log file
     * (appended to), and waits until it is ready on its new port. A killed node's id stays taken until its
     * heartbeat expires: a start refused for that (exit status 2) is tried again, within {@link #START_TIMEOUT}.
     */
    public void restart(int i) throws IOException {
        Node node = nodes.get(i);
        assertThat(node.isAlive()).as("node %s is down before its restart", node.id).isFalse();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            node.launch();
            try {
                node.awaitReady();
                return;
            } catch (AssertionError | org.awaitility.core.ConditionTimeoutException e) {
                Process p = node.process;
                boolean idTaken = !p.isAlive() && p.exitValue() == 2 && node.tail().contains("already used by a live node");
                if (!idTaken || System.nanoTime() > deadline) {
                    throw e;
                }
                // a JVM start takes seconds: the next attempt needs no pause of its own
            }
        }
    }

    /** The index of the node whose id is {@code nodeId} ({@code n1} is 0). */
    public int indexOf(String nodeId) {
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).id.equals(nodeId)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no node " + nodeId + " among " + nodes);
    }

    /** One Herald node process: its port once it started, shortcuts for HTTP and sockets, its log. */
    public final class Node {
        private final int index;
        private final String id;
        private final Path log;
        private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        private volatile Process process;
        private volatile boolean expectExit;
        private volatile int port;
        /** Where this launch's output starts in the log: a restarted node's start line is searched after it. */
        private volatile long logStart;

        Node(int index) {
            this.index = index;
            this.id = "n" + (index + 1);
            this.log = root.resolve("node-" + index + ".log");
        }

        void launch() throws IOException {
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss512k",
                    "-Dlogback.configurationFile=" + root.resolve("logback.xml"),
                    "-cp", System.getProperty("java.class.path"),
                    "io.herald.server.Main", "serve", "--config", root.resolve("herald.yaml").toString()));
            ProcessBuilder b = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            Map<String, String> env = b.environment();
            // nothing of the test JVM's environment may configure the node
            env.keySet().removeIf(k -> k.startsWith("HERALD_") || k.equals("ACCESS_TOKEN") || k.equals("JWT_SECRET"));
            env.put("ACCESS_TOKEN", TestServer.ACCESS_TOKEN);
            env.put("JWT_SECRET", TestServer.JWT_SECRET);
            env.put("HERALD_SERVER_HOST", "127.0.0.1");
            // port 0: the kernel picks a free port, so no other process can take it between a probe and the bind
            env.put("HERALD_SERVER_PORT", "0");
            env.put("HERALD_CLUSTER_NODE_ID", id);
            // stop() sends SIGTERM: the node closes at once, as the tests' takeover deadlines assume (ServeProcessTest covers the delay)
            env.put("HERALD_SERVER_DRAIN_DELAY_MS", "0");
            env.put("HERALD_CLUSTER_REDIS_URL", redisUrl.get());
            env.put("HERALD_STORAGE_URL", pg.url());
            env.put("HERALD_STORAGE_SCHEMA", ClusterNode.SCHEMA);
            if (pg.user() != null) {
                env.put("HERALD_STORAGE_USER", pg.user());
            }
            if (pg.password() != null) {
                env.put("HERALD_STORAGE_PASSWORD", pg.password());
            }
            env.putAll(environment.get());
            expectExit = false;
            logStart = Files.exists(log) ? Files.size(log) : 0;
            process = b.start();
            LIVE.add(process);
            Process p = process;
            p.onExit().thenRun(() -> {
                LIVE.remove(p);
                if (!expectExit) {
                    System.out.println("=== node " + id + " (pid " + p.pid() + ") exited unexpectedly with " + p.exitValue() + "\n" + tail());
                }
            });
        }

        /** Waits for the start line that names the port, then for {@code /readyz} to answer 200. */
        void awaitReady() throws IOException {
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            ClusterNode.waiting().atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(100)).until(() -> {
                assertThat(process.isAlive()).as("node %s is running", id).isTrue();
                return listeningPort().isPresent();
            });
            port = listeningPort().orElseThrow();
            Duration left = Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
            ClusterNode.waiting().atMost(left).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                    .until(() -> get("/readyz").statusCode() == 200);
        }

        private Optional<Integer> listeningPort() throws IOException {
            if (!Files.exists(log)) {
                return Optional.empty();
            }
            // ISO-8859-1 decodes any bytes: a line still being written must not fail the read
            String all = Files.readString(log, StandardCharsets.ISO_8859_1);
            Matcher m = LISTENING.matcher(all.substring((int) Math.min(logStart, all.length())));
            return m.find() ? Optional.of(Integer.parseInt(m.group(1))) : Optional.empty();
        }

        void kill() {
            Process p = process;
            if (p == null) {
                return;
            }
            expectExit = true;
            p.destroyForcibly();
            waitFor(p, STOP_TIMEOUT);
            assertThat(p.isAlive()).as("node %s after SIGKILL", id).isFalse();
        }

        void stop() {
            Process p = process;
            expectExit = true;
            p.destroy();
            if (!waitFor(p, STOP_TIMEOUT)) {
                p.destroyForcibly();
                waitFor(p, STOP_TIMEOUT);
            }
        }

        private boolean waitFor(Process p, Duration timeout) {
            try {
                return p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        public String id() {
            return id;
        }

        public int port() {
            return port;
        }

        public long pid() {
            return process.pid();
        }

        public boolean isAlive() {
            return process.isAlive();
        }

        public URI uri(String pathAndQuery) {
            return URI.create("http://127.0.0.1:" + port + pathAndQuery);
        }

        public HttpResponse<String> get(String path, String... headers) {
            return send(request(path, headers).GET().build());
        }

        /** POSTs JSON to a server-API path with the access token. */
        public HttpResponse<String> publish(String path, String json) {
            return send(request(path, "Authorization", "Bearer " + TestServer.ACCESS_TOKEN, "Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json)).build());
        }

        /** {@link #publish} without waiting: the answer, or the failure to get one. */
        public java.util.concurrent.CompletableFuture<HttpResponse<String>> publishAsync(String path, String json) {
            return http.sendAsync(request(path, "Authorization", "Bearer " + TestServer.ACCESS_TOKEN, "Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        }

        /**
         * Publishes {@code probe} broadcasts to {@code org} until one reaches {@code sockets} sockets:
         * subscriptions take effect on the other nodes asynchronously. Returns the last answer.
         */
        public JsonNode probeUntilDelivered(String org, int sockets) {
            JsonNode[] last = new JsonNode[1];
            ClusterNode.waiting().until(() -> {
                HttpResponse<String> r = publish("/broadcast/v1/broadcast",
                        "{\"event\":\"probe\",\"payload\":null,\"organizationId\":\"" + org + "\"}");
                last[0] = r.statusCode() == 200 ? TestServer.json(r.body()) : null;
                return last[0] != null && last[0].get("delivered").asInt() == sockets;
            });
            return last[0];
        }

        /** Publishes {@code probe} events to {@code channel} until one reaches {@code readers} SSE readers. */
        public void probeChannelUntilDelivered(String channel, int readers) {
            ClusterNode.waiting().until(() -> {
                HttpResponse<String> r = publish("/channels/v1/publish",
                        "{\"channel\":\"" + channel + "\",\"event\":\"probe\",\"data\":null}");
                return r.statusCode() == 200 && TestServer.json(r.body()).get("delivered").asInt() == readers;
            });
        }

        /** A broadcast ticket for a session JWT. */
        public String ticket(String jwt) {
            HttpResponse<String> r = send(request("/broadcast/v1/ws-ticket", "Authorization", "Bearer " + jwt)
                    .POST(HttpRequest.BodyPublishers.noBody()).build());
            assertThat(r.statusCode()).as("ticket from %s: %s", id, r.body()).isEqualTo(200);
            return TestServer.json(r.body()).get("wsTicket").asText();
        }

        /** Opens a WebSocket on {@code pathAndQuery}; the upgrade must succeed. Nothing is read from it yet. */
        public Socket open(String pathAndQuery) {
            return WsClient.open(http, URI.create("ws://127.0.0.1:" + port + pathAndQuery), new Socket());
        }

        /** A broadcast socket of {@code userId} in {@code org} with {@code roles}, subscribed (its pong seen). */
        public Socket member(String userId, String org, String... roles) {
            Socket s = open("/broadcast/v1/websocket?ws_ticket=" + ticket(TestServer.jwt(userId, org, roles)));
            s.awaitPong();
            return s;
        }

        /** An SSE stream of {@code path}, resuming after {@code lastEventId} when not null. */
        public SseStream sse(String path, String lastEventId) {
            return new SseStream(http, uri(path), lastEventId);
        }

        private HttpRequest.Builder request(String path, String... headers) {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(15));
            for (int i = 0; i < headers.length; i += 2) {
                b.header(headers[i], headers[i + 1]);
            }
            return b;
        }

        private HttpResponse<String> send(HttpRequest request) {
            return TestServer.send(http, request, HttpResponse.BodyHandlers.ofString());
        }

        /** Every line this node (and its earlier launches) wrote so far. */
        public List<String> logLines() {
            try {
                return Files.exists(log) ? Files.readAllLines(log, StandardCharsets.ISO_8859_1) : List.of();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The last lines of this node's output, headed by its id, pid and port. */
        public String tail() {
            String head = "--- node " + id + (process == null ? "" : " pid " + process.pid()) + " port " + port + ", " + log + ":\n";
            try {
                List<String> lines = Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
                return head + String.join("\n", lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()));
            } catch (IOException | UncheckedIOException e) {
                return head + "(unreadable: " + e + ")";
            }
        }

        @Override
        public String toString() {
            return id + "@" + port;
        }
    }

    /** A test WebSocket whose first frames may precede the pong (a resumable socket's position frame). */
    public static final class Socket extends WsClient {
        /** Frames that arrived before the pong {@link #awaitPong} waited for, in order. */
        private final List<String> early = new ArrayList<>();

        /** Sends {@code ping} and waits for its {@code pong}: the server answers only once it subscribed the socket. */
        public void awaitPong() {
            send("ping");
            for (String m = next(); !m.equals("pong"); m = next()) {
                early.add(m);
            }
        }

        /** The next text frame: first those held back by {@link #awaitPong}, then live ones; null after {@code wait}. */
        public String pollText(Duration wait) {
            return early.isEmpty() ? poll(wait) : early.remove(0);
        }

        /** The next frame as JSON that is not a probe broadcast, within 10 s. */
        public JsonNode nextNotProbe() {
            while (true) {
                String m = pollText(Duration.ofSeconds(10));
                assertThat(m).as("a frame within 10 s").isNotNull();
                JsonNode n = TestServer.json(m);
                if (!"probe".equals(n.path("event").asText())) {
                    return n;
                }
            }
        }
    }
}
