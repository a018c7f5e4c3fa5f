package io.herald.bench.load;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * Reads the server's cost from outside: CPU time and RSS from {@code /proc/<pid>} (when the pid is
 * given) and, for Herald, heap in use from {@code GET /metrics} ({@code jvm_memory_used_bytes} of the
 * heap areas). {@link #readAfterGc} and {@link #readThenLiveHeap} ask the server for a full GC
 * ({@code jcmd <pid> GC.run}) before reading the heap, so their heap figure is the live heap. Not thread-safe.
 */
final class ServerProbe {
    private final Long pid;
    private final URI metrics;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static final Duration GC_TIMEOUT = Duration.ofSeconds(60);

    /** One reading; a figure the server does not expose is empty; {@code afterGc}: the heap was read after a full GC. */
    record Snapshot(OptionalLong cpuNanos, OptionalLong rssBytes, OptionalLong heapBytes, boolean afterGc) {
    }

    ServerProbe(LoadOptions o) {
        this.pid = o.serverPid;
        this.metrics = o.target == Target.HERALD ? o.url.resolve("/metrics") : null;
    }

    Snapshot read() {
        return new Snapshot(pid == null ? OptionalLong.empty() : ProcStat.cpuNanos(pid),
                pid == null ? OptionalLong.empty() : ProcStat.rssBytes(pid), heap(), false);
    }

    /**
     * The server at rest: a full GC first, then CPU, RSS and the live heap. Without {@code --server-pid} (or when
     * jcmd fails) the heap is read as it is and {@code afterGc} is false.
     */
    Snapshot readAfterGc() throws InterruptedException {
        boolean gc = pid != null && metrics != null && gc(pid);
        return new Snapshot(pid == null ? OptionalLong.empty() : ProcStat.cpuNanos(pid),
                pid == null ? OptionalLong.empty() : ProcStat.rssBytes(pid), heap(), gc);
    }

    /**
     * CPU and RSS as they are, garbage included (what the process holds), then the live heap after a full GC, so
     * that garbage left by the connects does not count as heap per socket.
     */
    Snapshot readThenLiveHeap() throws InterruptedException {
        OptionalLong cpu = pid == null ? OptionalLong.empty() : ProcStat.cpuNanos(pid);
        OptionalLong rss = pid == null ? OptionalLong.empty() : ProcStat.rssBytes(pid);
        boolean gc = pid != null && metrics != null && gc(pid);
        return new Snapshot(cpu, rss, heap(), gc);
    }

    /** {@code jcmd <pid> GC.run} from this JVM's JDK (or the PATH's): a System.gc() in the server, a full collection. */
    private static boolean gc(long pid) throws InterruptedException {
        java.nio.file.Path jdk = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "jcmd");
        String jcmd = java.nio.file.Files.isExecutable(jdk) ? jdk.toString() : "jcmd";
        try {
            Process p = new ProcessBuilder(jcmd, Long.toString(pid), "GC.run").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(GC_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private OptionalLong heap() {
        if (metrics == null) {
            return OptionalLong.empty();
        }
        try {
            String text = http.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            double sum = 0;
            boolean found = false;
            for (String line : text.split("\n")) {
                if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                    sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                    found = true;
                }
            }
            return found ? OptionalLong.of((long) sum) : OptionalLong.empty();
        } catch (java.io.IOException | RuntimeException e) {
            return OptionalLong.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalLong.empty();
        }
    }

    /** {@code (after − before) / n}, or null when either reading is missing. */
    static Long perEach(OptionalLong before, OptionalLong after, long n) {
        return before.isPresent() && after.isPresent() && n > 0 ? (after.getAsLong() - before.getAsLong()) / n : null;
    }
}
