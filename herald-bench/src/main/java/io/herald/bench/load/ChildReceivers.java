package io.herald.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Receiving sockets split over child JVMs (this jar re-executed with {@code --child}), because each
 * process here may hold at most 20 000 open files. Speaks {@link ChildMode}'s line protocol; the
 * children's counters arrive as progress lines, their histograms and CPU with the result.
 * Driven by one thread; the per-child reader threads only publish what they read.
 */
final class ChildReceivers implements Receivers {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<Child> children = new ArrayList<>();
    private final Duration timeout;

    ChildReceivers(LoadOptions o, String scenario, String[] args, int first, int count) {
        this.timeout = o.connectTimeout;
        int p = Math.min(o.processes, count);
        int start = first;
        for (int i = 0; i < p; i++) {
            int share = count / p + (i < count % p ? 1 : 0);
            children.add(new Child(command(scenario, args, start, share)));
            start += share;
        }
    }

    static List<String> command(String scenario, String[] args, int first, int count) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(io.herald.bench.Main.class.getName());
        cmd.add(scenario);
        cmd.addAll(List.of(args));
        // later occurrences win (overwritten options are allowed). The share goes in its own option, not in
        // --connections: a socket's path may depend on the run's size, which the child must then see as the parent does
        cmd.addAll(List.of("--processes", "1", "--first-socket", Integer.toString(first),
                "--child-sockets", Integer.toString(count), "--child"));
        return cmd;
    }

    @Override
    public void prepare() {
        for (Child c : children) {
            c.await(c.prepared, "prepare");
        }
    }

    @Override
    public ConnectReport connect() {
        long start = System.nanoTime();
        children.forEach(c -> c.send("connect"));
        ConnectReport total = new ConnectReport(0, 0, null, 0);
        for (Child c : children) {
            JsonNode r = c.await(c.ready, "connect");
            String error = r.path("error").isNull() ? null : r.path("error").asText();
            total = total.plus(new ConnectReport(r.get("connected").asInt(), r.get("failed").asInt(), error, 0));
        }
        return new ConnectReport(total.connected(), total.failed(), total.firstError(), System.nanoTime() - start);
    }

    @Override
    public long received() {
        long n = 0;
        for (Child c : children) {
            n += c.received;
        }
        return n;
    }

    @Override
    public long probed() {
        long n = 0;
        for (Child c : children) {
            n += c.probed;
        }
        return n;
    }

    @Override
    public void startMeasure(long fromMicros) {
        children.forEach(c -> c.send("measure " + fromMicros));
    }

    @Override
    public ReceiverReport finish() {
        children.forEach(c -> c.send("stop"));
        ReceiverReport total = new ReceiverReport(0, 0, 0, new Histogram(LoopStats.MAX_MICROS, 3), new ToolCpu.Usage(0, 0));
        for (Child c : children) {
            total = total.plus(ReceiverReport.fromJson(c.await(c.result, "report")));
        }
        return total;
    }

    @Override
    public List<Long> localThreadIds() {
        return List.of();
    }

    @Override
    public void close() {
        for (Child c : children) {
            c.close();
        }
    }

    /** One child process and what its stdout said last. */
    private final class Child {
        private final Process process;
        private final Writer stdin;
        private final CompletableFuture<JsonNode> prepared = new CompletableFuture<>();
        private final CompletableFuture<JsonNode> ready = new CompletableFuture<>();
        private final CompletableFuture<JsonNode> result = new CompletableFuture<>();
        private volatile long received;
        private volatile long probed;

        Child(List<String> command) {
            try {
                process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start a child process", e);
            }
            stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            Thread reader = new Thread(this::read, "bench-child-" + process.pid());
            reader.setDaemon(true);
            reader.start();
        }

        private void read() {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    if (line.startsWith("progress ")) {
                        String[] f = line.split(" ");
                        received = Long.parseLong(f[1]);
                        probed = Long.parseLong(f[2]);
                    } else if (line.equals("prepared")) {
                        prepared.complete(JSON.nullNode());
                    } else if (line.startsWith("ready ")) {
                        ready.complete(JSON.readTree(line.substring(6)));
                    } else if (line.startsWith("result ")) {
                        result.complete(JSON.readTree(line.substring(7)));
                    }
                }
            } catch (IOException | RuntimeException e) {
                // the child died: whoever waits hears about it below
            }
            IllegalStateException died = new IllegalStateException("child process " + process.pid() + " ended early");
            prepared.completeExceptionally(died);
            ready.completeExceptionally(died);
            result.completeExceptionally(died);
        }

        void send(String line) {
            try {
                stdin.write(line + "\n");
                stdin.flush();
            } catch (IOException e) {
                throw new UncheckedIOException("child process " + process.pid() + " is gone", e);
            }
        }

        JsonNode await(CompletableFuture<JsonNode> f, String what) {
            try {
                return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("child process " + process.pid() + " failed to " + what + ": " + e.getMessage(), e);
            }
        }

        void close() {
            try {
                stdin.close();
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroy();
                }
            } catch (IOException e) {
                process.destroy();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroy();
            }
        }
    }
}
