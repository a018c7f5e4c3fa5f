package io.herald.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.server.NodeProject;
import io.herald.server.TestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A node script of a room-cluster test running while the test acts on the nodes. The script gets the
 * nodes as arguments ({@code n1=127.0.0.1:<port> n2=...}) and talks with the test in two directions:
 * it prints {@code STEP <name> <json>} lines, which {@link #awaitStep} waits for, and it waits for the
 * files {@link #signal} writes into the folder named by {@code HERALD_SIGNALS} (its stdin is closed).
 * Its output goes to a log file, shown in every failure.
 */
final class ClusterScript implements AutoCloseable {
    private final Path signals;
    private final Path log;
    private final Process process;
    private final String name;

    private ClusterScript(String name, Path signals, Path log, Process process) {
        this.name = name;
        this.signals = signals;
        this.log = log;
        this.process = process;
    }

    /** Starts {@code node <script> <node id>=127.0.0.1:<port>... } in {@code project} with {@code env} added. */
    static ClusterScript start(NodeProject project, String script, List<HeraldProcesses.Node> nodes, Map<String, String> env,
                               String... extraArgs) throws IOException {
        Path signals = Files.createTempDirectory("herald-signals-");
        Path log = Files.createTempFile("herald-" + script.replace('/', '-') + "-", ".log");
        List<String> command = new ArrayList<>(List.of(NodeProject.NODE, script));
        nodes.forEach(n -> command.add(n.id() + "=127.0.0.1:" + n.port()));
        command.addAll(List.of(extraArgs));
        Map<String, String> all = new HashMap<>(env);
        all.put("HERALD_SIGNALS", signals.toString());
        all.put("npm_config_update_notifier", "false");
        return new ClusterScript(script, signals, log, project.start(command, all, log));
    }

    /** Waits up to {@code within} for the line {@code STEP <step> <json>} and returns the JSON; fails if the script ends first. */
    JsonNode awaitStep(String step, Duration within) {
        String prefix = "STEP " + step + " ";
        String[] found = new String[1];
        await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50)).atMost(within)
                .alias(name + ": STEP " + step)
                .until(() -> {
                    for (String line : output().split("\n")) {
                        if (line.startsWith(prefix)) {
                            found[0] = line.substring(prefix.length());
                            return true;
                        }
                    }
                    assertThat(process.isAlive()).as("%s ended (exit %s) before STEP %s:%n%s", name,
                            process.isAlive() ? "-" : process.exitValue(), step, output()).isTrue();
                    return false;
                });
        return TestServer.json(found[0]);
    }

    /** Writes the signal file {@code signal} with {@code content}; the script may be polling for it. */
    void signal(String signal, String content) {
        try {
            Path tmp = signals.resolve(signal + ".tmp");
            Files.writeString(tmp, content);
            // a rename, so the script never reads a half-written file
            Files.move(tmp, signals.resolve(signal), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits for the script to end within {@code within} and asserts it exited 0; returns its output. */
    String assertPasses(Duration within) throws InterruptedException {
        boolean ended = process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS);
        if (!ended) {
            NodeProject.kill(process);
        }
        assertThat(ended).as("%s ended within %s s:%n%s", name, within.toSeconds(), output()).isTrue();
        assertThat(process.exitValue()).as("node %s exited %d:%n%s", name, process.exitValue(), output()).isZero();
        return output();
    }

    /** What the script printed so far. */
    String output() {
        try {
            // ISO-8859-1 decodes any bytes: a line still being written must not fail the read
            return Files.readString(log, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    @Override
    public void close() throws Exception {
        NodeProject.kill(process);
        Files.deleteIfExists(log);
        try (Stream<Path> files = Files.walk(signals)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
