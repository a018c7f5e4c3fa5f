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
 * heap areas). Not thread-safe.
 */
final class ServerProbe {
    private final Long pid;
    private final URI metrics;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** One reading; a figure the server does not expose is empty. */
    record Snapshot(OptionalLong cpuNanos, OptionalLong rssBytes, OptionalLong heapBytes) {
    }

    ServerProbe(LoadOptions o) {
        this.pid = o.serverPid;
        this.metrics = o.target == Target.HERALD ? o.url.resolve("/metrics") : null;
    }

    Snapshot read() {
        return new Snapshot(pid == null ? OptionalLong.empty() : ProcStat.cpuNanos(pid),
                pid == null ? OptionalLong.empty() : ProcStat.rssBytes(pid), heap());
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
