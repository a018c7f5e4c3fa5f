package io.herald.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension that owns real {@code redis-server} processes on free loopback ports: one
 * standalone server, several isolated servers, or a Redis Cluster of masters without replicas.
 * Register it on a static field ({@code @RegisterExtension static final RedisProcesses REDIS =
 * RedisProcesses.cluster(3);}); the servers start before the class's first test and stop after its
 * last one, and from a JVM shutdown hook if the run is cut short.
 *
 * <p>Servers run in the foreground without persistence ({@code --save "" --appendonly no}) and with
 * {@code --enable-debug-command local}, each in its own temporary directory that also holds its log
 * ({@code redis.log}) and, in cluster mode, its {@code nodes.conf}. A restart therefore loses the
 * data but keeps the port and the cluster identity.
 *
 * <p>When {@code redis-server} (or, for a cluster, {@code redis-cli}) is not on the PATH the tests
 * are skipped, with one line printed per JVM, unless {@code HERALD_TEST_REQUIRE_REDIS=1} is set:
 * then they fail. Published in herald-redis's test-jar so other modules' tests can use it.
 * Methods are meant to be called from the test thread; they block.
 */
public final class RedisProcesses implements BeforeAllCallback, AfterAllCallback {

    /** How the servers are arranged. */
    public enum Mode { STANDALONE, ISOLATED, CLUSTER }

    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);
    private static final int PORT_ATTEMPTS = 5;
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
    private static final Set<Process> PAUSED = ConcurrentHashMap.newKeySet();
    private static final AtomicBoolean HOOK = new AtomicBoolean();
    private static final AtomicBoolean SKIP_PRINTED = new AtomicBoolean();

    private final Mode mode;
    private final int count;
    private final List<Server> servers = new ArrayList<>();
    private Path root;

    private RedisProcesses(Mode mode, int count) {
        if (count < 1 || (mode == Mode.CLUSTER && count < 3)) {
            throw new IllegalArgumentException("a " + mode + " needs more servers than " + count);
        }
        this.mode = mode;
        this.count = count;
    }

    /** One standalone server. */
    public static RedisProcesses standalone() {
        return new RedisProcesses(Mode.STANDALONE, 1);
    }

    /** {@code n} standalone servers that know nothing of each other. */
    public static RedisProcesses isolated(int n) {
        return new RedisProcesses(Mode.ISOLATED, n);
    }

    /** A Redis Cluster of {@code masters} (at least 3) masters and no replicas. */
    public static RedisProcesses cluster(int masters) {
        return new RedisProcesses(Mode.CLUSTER, masters);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        requireBinaries();
        if (HOOK.compareAndSet(false, true)) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(RedisProcesses::stop), "redis-processes-stop"));
        }
        root = Files.createTempDirectory("herald-redis-");
        try {
            for (int i = 0; i < count; i++) {
                Server server = new Server(root.resolve("r" + i));
                server.startOnFreePort();
                servers.add(server);
            }
            if (mode == Mode.CLUSTER) {
                createCluster();
            }
        } catch (Exception | Error e) {
            afterAll(context);
            throw e;
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        servers.forEach(s -> stop(s.process));
        servers.clear();
        if (root != null) {
            try (Stream<Path> files = Files.walk(root)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            root = null;
        }
    }

    public Mode mode() {
        return mode;
    }

    public int size() {
        return servers.size();
    }

    public int port(int i) {
        return servers.get(i).port;
    }

    /** {@code redis://127.0.0.1:<port>} of server {@code i}. */
    public String url(int i) {
        return "redis://127.0.0.1:" + port(i);
    }

    /** The URLs of every server, in index order. */
    public List<String> urls() {
        List<String> urls = new ArrayList<>();
        for (int i = 0; i < size(); i++) {
            urls.add(url(i));
        }
        return urls;
    }

    /** Stops server {@code i} (if running) and starts it again on the same port; in a cluster, waits for {@code cluster_state:ok}. */
    public void restart(int i) {
        Server server = servers.get(i);
        stop(server.process);
        server.start();
        if (mode == Mode.CLUSTER) {
            awaitClusterOk();
        }
    }

    /** Kills server {@code i} with SIGKILL, like a crash: no clean shutdown, sockets reset by the kernel. */
    public void kill(int i) {
        Process process = servers.get(i).process;
        process.toHandle().destroyForcibly();
        waitFor(process);
        LIVE.remove(process);
    }

    /**
     * Freezes server {@code i} with SIGSTOP (sent to its PID): its sockets stay open and the kernel
     * still accepts connections, but nothing is answered, like a wedged server or a half-open
     * connection. {@link #resume} (or stopping the fixture) continues it.
     */
    public void pause(int i) {
        Process process = servers.get(i).process;
        signal(process, "-STOP");
        PAUSED.add(process);
    }

    /** Continues server {@code i} after {@link #pause} (SIGCONT to its PID). */
    public void resume(int i) {
        Process process = servers.get(i).process;
        signal(process, "-CONT");
        PAUSED.remove(process);
    }

    private static void signal(Process process, String signal) {
        Result result = run(List.of("kill", signal, String.valueOf(process.pid())));
        if (result.exit != 0) {
            throw new IllegalStateException("kill " + signal + " " + process.pid() + " failed: " + result.output);
        }
    }

    /** Cluster: the index of the server that owns {@code slot}, as that server itself says. */
    public int ownerOf(int slot) {
        for (int i = 0; i < size(); i++) {
            if (ownsSlot(i, slot)) {
                return i;
            }
        }
        throw new IllegalStateException("no server owns slot " + slot);
    }

    private boolean ownsSlot(int i, int slot) {
        String myId = cli(port(i), "CLUSTER", "MYID").trim();
        for (String line : cli(port(i), "CLUSTER", "NODES").split("\n")) {
            String[] fields = line.trim().split(" ");
            if (fields.length < 9 || !fields[0].equals(myId)) {
                continue;
            }
            for (int f = 8; f < fields.length; f++) {
                String range = fields[f];
                if (range.startsWith("[")) {
                    continue;
                }
                String[] ends = range.split("-");
                int from = Integer.parseInt(ends[0]);
                int to = Integer.parseInt(ends[ends.length - 1]);
                if (slot >= from && slot <= to) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Cluster: moves {@code slot} with its keys from its owner to server {@code to}, the way
     * {@code redis-cli --cluster reshard} does: {@code SETSLOT IMPORTING} on the target,
     * {@code MIGRATING} on the source, {@code MIGRATE} of every key, then {@code SETSLOT NODE} on
     * the target, the source and the other masters. Returns the index of the former owner.
     */
    public int moveSlot(int slot, int to) {
        int from = ownerOf(slot);
        if (from == to) {
            throw new IllegalArgumentException("slot " + slot + " is already on server " + to);
        }
        String s = String.valueOf(slot);
        String fromId = cli(port(from), "CLUSTER", "MYID").trim();
        String toId = cli(port(to), "CLUSTER", "MYID").trim();
        expectOk(cli(port(to), "CLUSTER", "SETSLOT", s, "IMPORTING", fromId));
        expectOk(cli(port(from), "CLUSTER", "SETSLOT", s, "MIGRATING", toId));
        while (true) {
            String[] keys = cli(port(from), "CLUSTER", "GETKEYSINSLOT", s, "100").trim().split("\n");
            if (keys.length == 0 || keys[0].isBlank()) {
                break;
            }
            List<String> migrate = new ArrayList<>(List.of("MIGRATE", "127.0.0.1", String.valueOf(port(to)), "", "0", "5000", "KEYS"));
            migrate.addAll(List.of(keys));
            expectOk(cli(port(from), migrate.toArray(String[]::new)));
        }
        expectOk(cli(port(to), "CLUSTER", "SETSLOT", s, "NODE", toId));
        expectOk(cli(port(from), "CLUSTER", "SETSLOT", s, "NODE", toId));
        for (int i = 0; i < size(); i++) {
            if (i != from && i != to) {
                expectOk(cli(port(i), "CLUSTER", "SETSLOT", s, "NODE", toId));
            }
        }
        return from;
    }

    private static void expectOk(String output) {
        if (!output.trim().equals("OK")) {
            throw new IllegalStateException("expected OK from redis-cli, got: " + output);
        }
    }

    /** Closes every pub/sub client connection of server {@code i} ({@code CLIENT KILL TYPE pubsub}); returns how many. */
    public long killPubSubClients(int i) {
        return Long.parseLong(cli(port(i), "CLIENT", "KILL", "TYPE", "pubsub").trim());
    }

    /** Runs one command on server {@code i} through {@code redis-cli} and returns its raw output. */
    public String command(int i, String... args) {
        return cli(port(i), args);
    }

    private void createCluster() {
        List<String> args = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
        servers.forEach(s -> args.add("127.0.0.1:" + s.port));
        args.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
        Result result = run(args);
        if (result.exit != 0) {
            throw new IllegalStateException("redis-cli --cluster create failed: " + result.output);
        }
        awaitClusterOk();
    }

    private void awaitClusterOk() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        for (Server server : servers) {
            while (!cli(server.port, "CLUSTER", "INFO").contains("cluster_state:ok")) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("cluster not ok after " + START_TIMEOUT + ": " + cli(server.port, "CLUSTER", "INFO"));
                }
                pause();
            }
        }
    }

    private final class Server {
        final Path dir;
        int port;
        int busPort;
        Process process;

        Server(Path dir) {
            this.dir = dir;
        }

        /** Picks free ports and starts; tries again with other ports when the chosen ones were taken meanwhile. */
        void startOnFreePort() {
            for (int attempt = 1; ; attempt++) {
                port = freePort();
                busPort = mode == Mode.CLUSTER ? freePort() : 0;
                try {
                    start();
                    return;
                } catch (IllegalStateException e) {
                    if (attempt == PORT_ATTEMPTS || !log().contains("ddress already in use")) {
                        throw e;
                    }
                }
            }
        }

        void start() {
            try {
                Files.createDirectories(dir);
                List<String> args = new ArrayList<>(List.of("redis-server", "--port", String.valueOf(port),
                        "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString(),
                        "--enable-debug-command", "local"));
                if (mode == Mode.CLUSTER) {
                    args.addAll(List.of("--cluster-enabled", "yes", "--cluster-config-file", dir.resolve("nodes.conf").toString(),
                            "--cluster-port", String.valueOf(busPort), "--cluster-node-timeout", "5000"));
                }
                process = new ProcessBuilder(args).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile())).start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            LIVE.add(process);
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            while (!cli(port, "PING").contains("PONG")) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    stop(process);
                    throw new IllegalStateException("redis-server on port " + port + " did not start: " + log());
                }
                pause();
            }
        }

        String log() {
            try {
                return Files.readString(dir.resolve("redis.log"));
            } catch (IOException e) {
                return "(no log: " + e + ")";
            }
        }
    }

    private static void requireBinaries() {
        List<String> missing = Stream.of("redis-server", "redis-cli").filter(b -> !onPath(b)).toList();
        if (missing.isEmpty()) {
            return;
        }
        String why = String.join(" and ", missing) + " not on the PATH";
        if ("1".equals(System.getenv("HERALD_TEST_REQUIRE_REDIS"))) {
            throw new IllegalStateException(why + " but HERALD_TEST_REQUIRE_REDIS=1");
        }
        if (SKIP_PRINTED.compareAndSet(false, true)) {
            System.out.println("Skipping the tests that need Redis: " + why + " (set HERALD_TEST_REQUIRE_REDIS=1 to fail instead)");
        }
        Assumptions.abort(why);
    }

    private static boolean onPath(String binary) {
        String path = System.getenv("PATH");
        return path != null && Stream.of(path.split(java.io.File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, binary)));
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String cli(int port, String... args) {
        List<String> command = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", String.valueOf(port)));
        command.addAll(List.of(args));
        return run(command).output;
    }

    private record Result(int exit, String output) {
    }

    private static Result run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return new Result(process.waitFor(), output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void stop(Process process) {
        if (process == null) {
            return;
        }
        if (PAUSED.remove(process)) {
            // a stopped process would only handle SIGTERM once continued
            run(List.of("kill", "-CONT", String.valueOf(process.pid())));
        }
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        waitFor(process);
        LIVE.remove(process);
    }

    private static void waitFor(Process process) {
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void pause() {
        // polling interval while a server starts or a cluster converges; not a wait for a condition's outcome
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
