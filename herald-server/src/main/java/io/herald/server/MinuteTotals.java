package io.herald.server;

import io.herald.server.cluster.ClusterNodes;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The INFO line a server writes once a minute, from its meters: open connections by primitive, then what was
 * published, delivered and dropped in that minute,
 * {@code last minute: 120 published, 3400 delivered, 2 dropped (slow_consumer 2); connections: broadcast 3, rooms 1}.
 * Nothing is written for a minute in which nothing was published, delivered or dropped and the open connections
 * did not change: an idle node stays quiet, and {@code /metrics} is the continuous record. Silence it with the
 * logger {@code io.herald.server.MinuteTotals} at WARN. Confined to one thread (the timer's).
 */
final class MinuteTotals {
    static final long PERIOD_MS = 60_000;
    private static final Logger log = LoggerFactory.getLogger(MinuteTotals.class);

    private final MeterRegistry registry;
    private final Supplier<Map<String, Integer>> connections;
    private double published;
    private double delivered;
    private Map<String, Double> drops = Map.of();
    private Map<String, Integer> open = Map.of();

    MinuteTotals(MeterRegistry registry) {
        this.registry = registry;
        this.connections = ClusterNodes.connections(registry);
    }

    /** The line for the time since the previous call, or empty when nothing happened in it. */
    Optional<String> next() {
        double publishedNow = sum("herald.messages.published");
        double deliveredNow = sum("herald.deliveries");
        Map<String, Double> dropsNow = new TreeMap<>();
        for (Counter c : registry.find("herald.drops").counters()) {
            dropsNow.merge(String.valueOf(c.getId().getTag("reason")), c.count(), Double::sum);
        }
        Map<String, Integer> openNow = new TreeMap<>(connections.get());
        openNow.values().removeIf(n -> n == 0);

        long newlyPublished = Math.round(publishedNow - published);
        long newlyDelivered = Math.round(deliveredNow - delivered);
        Map<String, Long> newlyDropped = new TreeMap<>();
        dropsNow.forEach((reason, n) -> {
            long d = Math.round(n - drops.getOrDefault(reason, 0.0));
            if (d > 0) {
                newlyDropped.put(reason, d);
            }
        });
        boolean changed = !openNow.equals(open);
        published = publishedNow;
        delivered = deliveredNow;
        drops = dropsNow;
        open = openNow;
        if (newlyPublished == 0 && newlyDelivered == 0 && newlyDropped.isEmpty() && !changed) {
            return Optional.empty();
        }
        long dropped = newlyDropped.values().stream().mapToLong(Long::longValue).sum();
        return Optional.of("last minute: " + newlyPublished + " published, " + newlyDelivered + " delivered, " + dropped + " dropped"
                + (newlyDropped.isEmpty() ? "" : newlyDropped.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                        .collect(Collectors.joining(", ", " (", ")")))
                + "; connections: " + (openNow.isEmpty() ? "none" : openNow.entrySet().stream()
                        .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "))));
    }

    static void log(String line) {
        log.info("{}", line);
    }

    private double sum(String counter) {
        double total = 0;
        for (Counter c : registry.find(counter).counters()) {
            total += c.count();
        }
        return total;
    }
}
