package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server out of file descriptors: a child JVM started under {@code ulimit -n 256}, flooded with
 * connections until its accepts fail with "Too many open files". The test JVM's own limit is left alone.
 */
class DescriptorLimitTest {
    private static final Pattern DESCRIPTORS = Pattern.compile("herald_refusals_total\\{reason=\"descriptors\"} ([0-9.]+)");

    @TempDir
    Path dir;
    private Process child;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private final List<Socket> flood = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (Socket s : flood) {
            s.close();
        }
        if (child != null) {
            child.destroy();
            child.waitFor();
        }
    }

    @Test
    void atTheDescriptorLimitOpenConnectionsAreStillServedAndTheFailureIsLoggedOncePerMinute() throws Exception {
        int port = freePort();
        start(port);
        RawHttp keepAlive = await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> answeredHealth(port), c -> c != null);

        for (int i = 0; i < 400; i++) {
            Socket s = new Socket();
            flood.add(s);
            try {
                s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
            } catch (IOException backlogFull) {
                break;
            }
        }

        // accepting is retried once a second: four failures take about four seconds
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> descriptorRefusals(keepAlive) >= 4);
        assertThat(keepAlive.get("/healthz").status()).isEqualTo(200);
        assertThat(output).as("child output").noneMatch(l -> l.contains("reached at the tail of the pipeline"));
        assertThat(output.stream().filter(l -> l.contains("WARN") && l.toLowerCase(Locale.ROOT).contains("open files")))
                .as("child output %s", output).hasSizeBetween(1, 2);
        keepAlive.close();
    }

    private void start(int port) throws IOException {
        Path config = dir.resolve("herald.yaml");
        Files.writeString(config, """
                server:
                  host: 127.0.0.1
                  requestHeadTimeoutMs: 300000
                  idleTimeoutMs: 300000
                  drainDelayMs: 0
                storage:
                  path: %s
                """.formatted(dir.resolve("herald.db")));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String command = "ulimit -n 256 && exec '" + java + "' -Xmx256m -cp '" + System.getProperty("java.class.path")
                + "' io.herald.server.Main serve --config '" + config + "' --port " + port;
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("ACCESS_TOKEN", TestServer.ACCESS_TOKEN);
        pb.environment().put("JWT_SECRET", TestServer.JWT_SECRET);
        child = pb.start();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    output.add(line);
                }
            } catch (IOException e) {
                // the child ended
            }
        }, "child-output");
        reader.setDaemon(true);
        reader.start();
    }

    private static RawHttp answeredHealth(int port) {
        RawHttp c = RawHttp.connect(port);
        try {
            if (c.get("/healthz").status() == 200) {
                return c;
            }
        } catch (UncheckedIOException notYet) {
            // fall through
        }
        c.close();
        return null;
    }

    private static double descriptorRefusals(RawHttp keepAlive) {
        RawWebSocket.Response metrics = keepAlive.get("/metrics");
        assertThat(metrics.status()).isEqualTo(200);
        Matcher m = DESCRIPTORS.matcher(metrics.body());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
