package io.herald.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Runs {@code peer/yjs/yjs-edit.mjs} in one or more node processes (one document, the clients split
 * between them) and drives them over stdin/stdout: "go" once every process is synced, "total" once every
 * process stopped typing. A {@link CpuWindow} spans the first window-start to the last window-end, so the
 * server's CPU covers the clients' measured window; the node processes' CPU is read from /proc alike.
 */
final class NodeEditors {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path peer;

    /** Each process's result line, the window's CPU, and the node processes' CPU in it (total, and the busiest one's). */
    record Outcome(List<JsonNode> results, CpuWindow.Usage usage, long nodeNanos, long maxProcessNanos) {
    }

    private record Line(int process, JsonNode json) {
    }

    NodeEditors(Path peer) {
        this.peer = peer;
    }

    /** The peer folder: {@code dir} if given, else herald-bench/peer/yjs seen from the repository root or from herald-bench. */
    static Path locate(Path dir) {
        if (dir != null) {
            return dir;
        }
        for (Path p : List.of(Path.of("herald-bench", "peer", "yjs"), Path.of("peer", "yjs"))) {
            if (Files.isRegularFile(p.resolve("yjs-edit.mjs"))) {
                return p;
            }
        }
        throw new IllegalArgumentException("herald-bench/peer/yjs not found from " + Path.of("").toAbsolutePath() + ": give --peer-dir");
    }

    /** Installs the peer's locked dependencies when node_modules is missing (the lockfile is committed, node_modules is not). */
    void install() throws IOException, InterruptedException {
        if (Files.isDirectory(peer.resolve("node_modules").resolve("yjs"))) {
            return;
        }
        Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(peer.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
        if (!npm.waitFor(300, TimeUnit.SECONDS) || npm.exitValue() != 0) {
            npm.destroyForcibly();
            throw new IllegalStateException("npm ci in " + peer + " failed");
        }
    }

    /**
     * Runs {@code processes} node processes, process i with {@code args.apply(i)}; at most {@code limitSeconds} in all.
     * With {@code lead}, process 0 is started alone and the others only once it said "lead" (its first client synced),
     * so the document's first socket is that client's.
     */
    Outcome run(int processes, IntFunction<List<String>> args, List<Long> serverPids, Long redisPid, boolean lead, long limitSeconds)
            throws IOException, InterruptedException {
        BlockingQueue<Line> lines = new LinkedBlockingQueue<>();
        List<Process> nodes = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(limitSeconds);
        try {
            for (int i = 0; i < processes; i++) {
                List<String> command = new ArrayList<>(List.of("node", "yjs-edit.mjs"));
                command.addAll(args.apply(i));
                Process node = new ProcessBuilder(command).directory(peer.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
                nodes.add(node);
                follow(i, node, lines);
                if (lead && i == 0) {
                    awaitLead(nodes, lines, deadline);
                }
            }
            return drive(nodes, lines, serverPids, redisPid, deadline);
        } finally {
            nodes.forEach(Process::destroyForcibly);
        }
    }

    /** Waits for process 0's "lead" line (the only line it prints before it); anything else is a failure. */
    private static void awaitLead(List<Process> nodes, BlockingQueue<Line> lines, long deadline) throws InterruptedException {
        Line line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (line == null || line.json == null || !"lead".equals(line.json.path("event").asText())) {
            throw new IllegalStateException("yjs-edit.mjs process 0 did not sync its first client"
                    + (line == null ? " in time" : line.json == null ? " (exited, code " + nodes.get(0).waitFor() + ")" : ": " + line.json));
        }
    }

    private static Outcome drive(List<Process> nodes, BlockingQueue<Line> lines, List<Long> serverPids, Long redisPid, long deadline)
            throws IOException, InterruptedException {
        int p = nodes.size();
        int ready = 0;
        int ended = 0;
        int typed = 0;
        long edits = 0;
        CpuWindow window = null;
        CpuWindow.Usage usage = null;
        long[] node0 = new long[p];
        long nodeNanos = 0;
        long maxNanos = 0;
        List<JsonNode> results = new ArrayList<>();
        boolean[] done = new boolean[p];
        while (results.size() < p) {
            Line line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new IllegalStateException("yjs-edit.mjs did not finish in time");
            }
            if (line.json == null && done[line.process]) {
                continue;
            }
            if (line.json == null) {
                throw new IllegalStateException("yjs-edit.mjs process " + line.process + " exited (code "
                        + nodes.get(line.process).waitFor() + ") before its result; its stderr is above");
            }
            switch (line.json.path("event").asText()) {
                case "ready" -> {
                    if (++ready == p) {
                        tell(nodes, "go");
                    }
                }
                case "window-start" -> {
                    if (window == null) {
                        for (int i = 0; i < p; i++) {
                            node0[i] = ProcStat.cpuNanos(nodes.get(i).pid()).orElse(0);
                        }
                        window = new CpuWindow(serverPids, redisPid, List.of());
                    }
                }
                case "window-end" -> {
                    if (++ended == p && window != null) {
                        usage = window.stop();
                        for (int i = 0; i < p; i++) {
                            long spent = ProcStat.cpuNanos(nodes.get(i).pid()).orElse(0) - node0[i];
                            nodeNanos += spent;
                            maxNanos = Math.max(maxNanos, spent);
                        }
                    }
                }
                case "typed" -> {
                    edits += line.json.get("edits").asLong();
                    if (++typed == p) {
                        tell(nodes, "total " + edits);
                    }
                }
                case "result" -> {
                    done[line.process] = true;
                    results.add(line.json);
                }
                default -> System.err.println("yjs-edit.mjs: " + line.json);
            }
        }
        if (usage == null) {
            throw new IllegalStateException("yjs-edit.mjs reported no measured window");
        }
        return new Outcome(results, usage, nodeNanos, maxNanos);
    }

    private static void tell(List<Process> nodes, String line) throws IOException {
        for (Process node : nodes) {
            OutputStream in = node.getOutputStream();
            in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
        }
    }

    /** Feeds process {@code i}'s JSON lines to {@code lines}, then a null line when its stdout ends. */
    private static void follow(int i, Process node, BlockingQueue<Line> lines) {
        Thread t = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
                for (String s = out.readLine(); s != null; s = out.readLine()) {
                    if (s.startsWith("{")) {
                        try {
                            lines.add(new Line(i, JSON.readTree(s)));
                        } catch (IOException e) {
                            // a line cut short (the process ended while writing it): say so, the driver then fails on the exit
                            System.err.println("yjs-edit.mjs process " + i + ": a line of " + s.length() + " chars is not JSON: " + e.getMessage());
                        }
                    } else {
                        System.err.println("yjs-edit.mjs: " + s);
                    }
                }
            } catch (IOException e) {
                if (node.isAlive()) { // a stream closed by destroyForcibly after the result is expected
                    System.err.println("yjs-edit.mjs process " + i + ": " + e);
                }
            }
            lines.add(new Line(i, null));
        }, "yjs-edit-node-" + i);
        t.setDaemon(true);
        t.start();
    }
}
