package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.awaitility.Awaitility;

/**
 * One {@code herald serve} of the test classpath in a JVM of its own, so a test can send it a real signal and see
 * what an operator sees: its stdout and stderr (in files of a temporary directory, which is also its working
 * directory, so its SQLite file lands there), its exit status, and its port, read from the start line. Secrets are
 * the test ones (not dev mode); nothing of the test JVM's environment configures it; it logs at INFO unless
 * {@code HERALD_LOGGING_LEVEL} is given. SIGKILLed on {@link #close} if still running. For the test thread.
 */
public final class ServeProcess implements AutoCloseable {
    /** A JVM start on a busy two-core machine can take well over 10 s. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Pattern LISTENING = Pattern.compile("Herald listening on [^\\s]+:(\\d+) ");

    private final Path dir;
    private final Process process;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private int port;

    private ServeProcess(Path dir, Process process) {
        this.dir = dir;
        this.process = process;
    }

    /** Starts {@code herald serve --config <yaml>} with {@code env} added, and waits until it answers {@code /readyz}. */
    public static ServeProcess start(String yaml, Map<String, String> env) throws IOException {
        return start(List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                // the test classpath has two logback-test.xml (this module's, herald-core's test jar): logback would
                // print its status about that to stdout, which the jar (one logback.xml) never does
                "-Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener",
                "-cp", System.getProperty("java.class.path"), "io.herald.server.Main"), yaml, env);
    }

    /** Starts {@code java -jar <jar> serve --config <yaml>} as an operator would, otherwise as {@link #start(String, Map)}. */
    public static ServeProcess startJar(Path jar, String yaml, Map<String, String> env) throws IOException {
        return start(List.of("-jar", jar.toString()), yaml, env);
    }

    private static ServeProcess start(List<String> launch, String yaml, Map<String, String> env) throws IOException {
        Path dir = Files.createTempDirectory("herald-serve-");
        Files.writeString(dir.resolve("herald.yaml"), yaml);
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(launch);
        command.addAll(List.of("serve", "--config", dir.resolve("herald.yaml").toString()));
        ProcessBuilder b = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectOutput(dir.resolve("stdout.log").toFile()).redirectError(dir.resolve("stderr.log").toFile());
        Map<String, String> e = b.environment();
        e.keySet().removeIf(k -> k.startsWith("HERALD_") || k.equals("ACCESS_TOKEN") || k.equals("JWT_SECRET"));
        e.put("ACCESS_TOKEN", TestServer.ACCESS_TOKEN);
        e.put("JWT_SECRET", TestServer.JWT_SECRET);
        e.put("HERALD_SERVER_HOST", "127.0.0.1");
        e.put("HERALD_SERVER_PORT", "0");
        // the test classpath's logback-test.xml says WARN: the start line that names the port is INFO
        e.put("HERALD_LOGGING_LEVEL", "info");
        e.putAll(env);
        ServeProcess p = new ServeProcess(dir, b.start());
        try {
            p.awaitReady();
        } catch (RuntimeException | AssertionError failure) {
            System.out.println(p.output());
            p.close();
            throw failure;
        }
        return p;
    }

    private void awaitReady() {
        Awaitility.await().atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(100)).until(() -> {
            assertThat(process.isAlive()).as("herald serve is running: %s", output()).isTrue();
            return listeningPort().isPresent();
        });
        port = listeningPort().orElseThrow();
        Awaitility.await().atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> get("/readyz").statusCode() == 200);
    }

    private Optional<Integer> listeningPort() {
        Matcher m = LISTENING.matcher(String.join("\n", stdout()));
        return m.find() ? Optional.of(Integer.parseInt(m.group(1))) : Optional.empty();
    }

    public int port() {
        return port;
    }

    /** Sends SIGTERM, as a process manager does to stop a service. */
    public void sigterm() {
        process.destroy();
    }

    /** Waits for the process to exit and returns its status (143 after SIGTERM: 128 + 15). */
    public int awaitExit() {
        try {
            assertThat(process.waitFor(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).as("exited: %s", output()).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return process.exitValue();
    }

    public HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(15)).GET().build());
    }

    /** POSTs a broadcast with the access token and returns how many sockets it reached; the answer must be 200. */
    public int publishBroadcast(String json) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/broadcast/v1/broadcast"))
                .timeout(Duration.ofSeconds(15)).header("Authorization", "Bearer " + TestServer.ACCESS_TOKEN)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build());
        assertThat(r.statusCode()).as("broadcast answer %s", r.body()).isEqualTo(200);
        return TestServer.json(r.body()).get("delivered").asInt();
    }

    /** A broadcast socket of {@code userId} in {@code org} with {@code roles}, subscribed (its pong seen). */
    public WsClient member(String userId, String org, String... roles) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/broadcast/v1/ws-ticket"))
                .timeout(Duration.ofSeconds(15)).header("Authorization", "Bearer " + TestServer.jwt(userId, org, roles))
                .POST(HttpRequest.BodyPublishers.noBody()).build());
        assertThat(r.statusCode()).as("ticket answer %s", r.body()).isEqualTo(200);
        String ticket = TestServer.json(r.body()).get("wsTicket").asText();
        WsClient socket = WsClient.open(http, URI.create("ws://127.0.0.1:" + port + "/broadcast/v1/websocket?ws_ticket=" + ticket), new WsClient());
        socket.awaitReady();
        return socket;
    }

    private HttpResponse<String> send(HttpRequest request) {
        return TestServer.send(http, request, HttpResponse.BodyHandlers.ofString());
    }

    /** What the process wrote to stdout so far, line by line. */
    public List<String> stdout() {
        return lines("stdout.log");
    }

    /** What the process wrote to stderr so far, line by line. */
    public List<String> stderr() {
        return lines("stderr.log");
    }

    private List<String> lines(String file) {
        try {
            Path f = dir.resolve(file);
            // ISO-8859-1 decodes any bytes: a line still being written must not fail the read
            return Files.exists(f) ? Files.readAllLines(f, StandardCharsets.ISO_8859_1) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Both outputs, for a failure message. */
    public String output() {
        return "--- stdout:\n" + String.join("\n", stdout()) + "\n--- stderr:\n" + String.join("\n", stderr());
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
