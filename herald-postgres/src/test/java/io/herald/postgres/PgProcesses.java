package io.herald.postgres;

import io.herald.config.StorageConfig;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
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
 * JUnit 5 extension that gives a test class a fresh PostgreSQL database of its own. Register it on a
 * static field ({@code @RegisterExtension static final PgProcesses PG = PgProcesses.create();}); the
 * database exists from before the class's first test until after its last one.
 *
 * <p>With {@code HERALD_TEST_PG_URL} set (a JDBC URL of an existing server whose user may create
 * databases, e.g. {@code jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres}; user and password
 * may also come from {@code HERALD_TEST_PG_USER} / {@code HERALD_TEST_PG_PASSWORD}) the database is
 * created there and dropped afterwards. Otherwise the extension runs a throwaway server: {@code initdb}
 * into a temporary directory and {@code pg_ctl start} on a free loopback port, with the binaries of
 * {@code pg_config --bindir} (else the PATH, else {@code /usr/lib/postgresql/<newest>/bin}). As root it
 * runs them through {@code runuser -u postgres} (PostgreSQL refuses root) in a directory owned by
 * {@code postgres}. That server asks TCP clients for a password (scram-sha-256), runs without fsync,
 * and is stopped by its PID (SIGQUIT, an immediate shutdown; SIGKILL if it lingers) after the class,
 * and from a JVM shutdown hook if the run is cut short.
 *
 * <p>When no PostgreSQL binaries are found the tests are skipped, with one line printed per JVM, unless
 * {@code HERALD_TEST_REQUIRE_PG=1} is set: then they fail. Published in herald-postgres's test-jar so
 * other modules' tests can use it. Methods are meant for the test thread; they block.
 */
public final class PgProcesses implements BeforeAllCallback, AfterAllCallback {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final int PORT_ATTEMPTS = 5;
    private static final Set<Long> LIVE = ConcurrentHashMap.newKeySet();
    private static final AtomicBoolean HOOK = new AtomicBoolean();
    private static final AtomicBoolean SKIP_PRINTED = new AtomicBoolean();
    private static final SecureRandom RANDOM = new SecureRandom();

    private Path dir;
    private long pid;
    private String adminUrl;
    private String user;
    private String password;
    private String database;
    private String url;
    private boolean own;
    private Duration startedIn = Duration.ZERO;
    private final boolean logical;

    private PgProcesses(boolean logical) {
        this.logical = logical;
    }

    /** A database on {@code HERALD_TEST_PG_URL}'s server, or on a server of its own. */
    public static PgProcesses create() {
        return new PgProcesses(false);
    }

    /**
     * A server of its own with {@code wal_level=logical} and room for replication slots, for change
     * capture: {@code HERALD_TEST_PG_URL} is not used (a shared server rarely has logical decoding on).
     */
    public static PgProcesses logical() {
        return new PgProcesses(true);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        long t0 = System.nanoTime();
        String external = System.getenv("HERALD_TEST_PG_URL");
        try {
            if (external != null && !external.isBlank() && !logical) {
                adminUrl = external;
                user = blankToNull(System.getenv("HERALD_TEST_PG_USER"));
                password = blankToNull(System.getenv("HERALD_TEST_PG_PASSWORD"));
            } else {
                startOwnServer(requireBinaries());
            }
            database = "herald_test_" + hex(6);
            try (Connection c = connect(adminUrl); Statement s = c.createStatement()) {
                // C collation and UTF8 whatever the server's defaults: template0 accepts both
                s.execute("CREATE DATABASE " + database + " TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'");
            }
            url = withDatabase(adminUrl, database);
            startedIn = Duration.ofNanos(System.nanoTime() - t0);
        } catch (Exception | Error e) {
            afterAll(context);
            throw e;
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        if (own) {
            stop(pid);
            own = false;
        } else if (database != null && adminUrl != null) {
            try (Connection c = connect(adminUrl); Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
            } catch (SQLException e) {
                System.out.println("PgProcesses: could not drop " + database + ": " + e.getMessage());
            }
        }
        database = null;
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            dir = null;
        }
    }

    /** The JDBC URL of this class's database (no password in it unless {@code HERALD_TEST_PG_URL} had one). */
    public String url() {
        return url;
    }

    /** The user to log in as; null when the URL names it. */
    public String user() {
        return user;
    }

    /** The user's password; null when none is needed or the URL holds it. */
    public String password() {
        return password;
    }

    /** Whether the server refuses a wrong password (true for the throwaway server; unknown for an external one). */
    public boolean checksPasswords() {
        return own;
    }

    /** How long the server start (if any) and the database creation took. */
    public Duration startedIn() {
        return startedIn;
    }

    /** Herald's storage settings for {@code schema} in this class's database, with the default budget. */
    public StorageConfig storage(String schema) {
        return StorageConfig.postgres(url, user, password, schema);
    }

    /** Herald's storage settings for {@code schema} with a per-room budget of {@code maxRoomBytes} and a small pool. */
    public StorageConfig storage(String schema, long maxRoomBytes) {
        return new StorageConfig(null, maxRoomBytes, url, user, password, schema, 2, null);
    }

    /** A new connection to this class's database, for checks behind Herald's back. */
    public Connection connect() throws SQLException {
        return connect(url);
    }

    private Connection connect(String jdbcUrl) throws SQLException {
        Properties p = new Properties();
        if (user != null) {
            p.setProperty("user", user);
        }
        if (password != null) {
            p.setProperty("password", password);
        }
        return DriverManager.getConnection(jdbcUrl, p);
    }

    /** {@code jdbcUrl} naming database {@code db} instead of its own, keeping host, port and parameters. */
    static String withDatabase(String jdbcUrl, String db) {
        String scheme = "jdbc:postgresql://";
        if (!jdbcUrl.startsWith(scheme)) {
            throw new IllegalArgumentException("HERALD_TEST_PG_URL must start with " + scheme);
        }
        int q = jdbcUrl.indexOf('?');
        String params = q < 0 ? "" : jdbcUrl.substring(q);
        String head = q < 0 ? jdbcUrl : jdbcUrl.substring(0, q);
        int slash = head.indexOf('/', scheme.length());
        String hosts = slash < 0 ? head : head.substring(0, slash);
        return hosts + "/" + db + params;
    }

    private void startOwnServer(Path bin) throws IOException {
        boolean asRoot = "root".equals(System.getProperty("user.name"));
        dir = Files.createTempDirectory("herald-pg-");
        user = "postgres";
        password = hex(16);
        Path pwfile = dir.resolve("pwfile");
        Files.writeString(pwfile, password + "\n");
        if (asRoot) {
            UserPrincipal postgres = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
            Files.setOwner(dir, postgres);
            Files.setOwner(pwfile, postgres);
        }
        Path data = dir.resolve("data");
        Result init = run(as(asRoot, bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres", "-E", "UTF8",
                "--locale=C", "--auth-local=trust", "--auth-host=scram-sha-256", "--pwfile=" + pwfile, "--no-sync"));
        if (init.exit != 0) {
            throw new IllegalStateException("initdb failed: " + init.output);
        }
        Path log = dir.resolve("postgres.log");
        if (HOOK.compareAndSet(false, true)) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(PgProcesses::stop), "pg-processes-stop"));
        }
        for (int attempt = 1; ; attempt++) {
            int port = freePort();
            Result start = run(as(asRoot, bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", log.toString(),
                    "-w", "-t", String.valueOf(START_TIMEOUT.toSeconds()), "-o",
                    "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=" + dir
                            + " -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=16MB"
                            + (logical ? " -c wal_level=logical -c max_wal_senders=4 -c max_replication_slots=4" : ""),
                    "start"));
            Optional<Long> started = postmasterPid(data);
            if (start.exit == 0 && started.isPresent()) {
                pid = started.get();
                LIVE.add(pid);
                own = true;
                adminUrl = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
                return;
            }
            started.ifPresent(PgProcesses::stop);
            String logText = Files.exists(log) ? Files.readString(log) : "";
            if (attempt == PORT_ATTEMPTS || !logText.contains("could not bind")) {
                throw new IllegalStateException("pg_ctl start failed: " + start.output + "\n" + logText);
            }
        }
    }

    /** The postmaster's PID, first line of {@code postmaster.pid}. */
    private static Optional<Long> postmasterPid(Path data) throws IOException {
        Path file = data.resolve("postmaster.pid");
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        return Files.readAllLines(file).stream().findFirst().map(String::trim).filter(s -> !s.isEmpty()).map(Long::parseLong);
    }

    private static List<String> as(boolean asRoot, String... command) {
        List<String> out = new ArrayList<>();
        if (asRoot) {
            out.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        out.addAll(List.of(command));
        return out;
    }

    /** SIGQUIT (immediate shutdown: no checkpoint, children told to quit) to the postmaster, SIGKILL if it lingers. */
    private static void stop(long pid) {
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isPresent()) {
            run(List.of("kill", "-QUIT", String.valueOf(pid)));
            try {
                handle.get().onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                handle.get().destroyForcibly();
            }
        }
        LIVE.remove(pid);
    }

    private static Path requireBinaries() {
        Optional<Path> bin = findBinaries();
        String why = null;
        if (bin.isEmpty()) {
            why = "no PostgreSQL binaries (initdb, pg_ctl) found via pg_config, the PATH or /usr/lib/postgresql";
        } else if ("root".equals(System.getProperty("user.name")) && !onPath("runuser")) {
            why = "running as root, PostgreSQL must run as user postgres, and runuser is not on the PATH";
        }
        if (why == null) {
            return bin.get();
        }
        if ("1".equals(System.getenv("HERALD_TEST_REQUIRE_PG"))) {
            throw new IllegalStateException(why + " but HERALD_TEST_REQUIRE_PG=1");
        }
        if (SKIP_PRINTED.compareAndSet(false, true)) {
            System.out.println("Skipping the tests that need PostgreSQL: " + why
                    + " (set HERALD_TEST_PG_URL to use a server, or HERALD_TEST_REQUIRE_PG=1 to fail instead)");
        }
        Assumptions.abort(why);
        throw new AssertionError("unreachable");
    }

    private static Optional<Path> findBinaries() {
        List<Path> candidates = new ArrayList<>();
        if (onPath("pg_config")) {
            Result r = run(List.of("pg_config", "--bindir"));
            if (r.exit == 0) {
                candidates.add(Path.of(r.output.trim()));
            }
        }
        String path = System.getenv("PATH");
        if (path != null) {
            Stream.of(path.split(File.pathSeparator)).map(Path::of).forEach(candidates::add);
        }
        Path debian = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (Stream<Path> versions = Files.list(debian)) {
                versions.filter(v -> v.getFileName().toString().matches("\\d+"))
                        .sorted(Comparator.comparingInt((Path v) -> Integer.parseInt(v.getFileName().toString())).reversed())
                        .forEach(v -> candidates.add(v.resolve("bin")));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return candidates.stream()
                .filter(dir -> Files.isExecutable(dir.resolve("initdb")) && Files.isExecutable(dir.resolve("pg_ctl")))
                .findFirst();
    }

    private static boolean onPath(String binary) {
        String path = System.getenv("PATH");
        return path != null && Stream.of(path.split(File.pathSeparator)).anyMatch(dir -> Files.isExecutable(Path.of(dir, binary)));
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String hex(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
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
}
