package io.herald;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server's meters under one roof, so names and tags are defined once: connections by primitive,
 * messages published, deliveries, drops, Yjs catch-ups, auth failures by reason and the fan-out latency
 * histogram. Thread-safe; meters are created on first use and cached.
 */
public final class Meters {
    /** The primitives meters are tagged with ({@code primitive} tag). */
    public static final java.util.List<String> PRIMITIVES = java.util.List.of("broadcast", "rooms", "channels", "lanes");
    /**
     * The fan-out latency histogram's buckets (Prometheus {@code le}, then {@code +Inf}): 13 service levels in 1-2.5-5
     * steps from half a millisecond (a local fan-out to a few sockets) to 5 s (a broker or a saturated loop).
     * Micrometer's percentile histogram exposed 92 buckets per primitive for 10 µs..10 s, more series than a
     * p50/p99 panel needs.
     */
    public static final java.util.List<Duration> FANOUT_BUCKETS = java.util.List.of(
            Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofNanos(2_500_000), Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5));
    private final MeterRegistry registry;
    private final Map<String, AtomicInteger> connections = new ConcurrentHashMap<>();
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    // the per-publish counters, looked up by primitive alone: no key string built on the hot path
    private final Map<String, Counter> published = new ConcurrentHashMap<>();
    private final Map<String, Counter> delivered = new ConcurrentHashMap<>();

    public Meters(MeterRegistry registry) {
        this.registry = registry;
    }

    public MeterRegistry registry() {
        return registry;
    }

    /**
     * Registers the drop counters of every primitive at zero, so a dashboard's drop rate reads 0 rather than
     * "no data" before the first drop (the other meters exist once their primitive is used).
     */
    public void registerDropCounters() {
        for (String p : PRIMITIVES) {
            drops(p, "slow_consumer");
        }
    }

    /** The live-connection gauge of a primitive (broadcast, rooms, channels, lanes). */
    public AtomicInteger connections(String primitive) {
        return connections.computeIfAbsent(primitive, p -> {
            AtomicInteger value = new AtomicInteger();
            Gauge.builder("herald.connections", value, AtomicInteger::get)
                    .description("Open connections by primitive").tag("primitive", p).register(registry);
            return value;
        });
    }

    public void published(String primitive) {
        published.computeIfAbsent(primitive,
                p -> counter("herald.messages.published", "Messages published", "primitive", p)).increment();
    }

    public void delivered(String primitive, int n) {
        if (n > 0) {
            delivered.computeIfAbsent(primitive,
                    p -> counter("herald.deliveries", "Messages written to connections", "primitive", p)).increment(n);
        }
    }

    public void dropped(String primitive, String reason) {
        drops(primitive, reason).increment();
    }

    private Counter drops(String primitive, String reason) {
        return counter("herald.drops", "Connections dropped or messages not delivered", "primitive", primitive, "reason", reason);
    }

    /** Counts catch-ups: Yjs connections left out of relays while congested, each sent the one diff it lacked. */
    public void yjsCatchUps(int connections) {
        counter("herald.yjs.catchups", "Lagging Yjs connections caught up with one diff").increment(connections);
    }

    /**
     * Counts a connection or request refused by a server limit or timeout ({@code max_http_connections},
     * {@code per_address}, {@code request_head_timeout}, {@code idle_timeout}, {@code descriptors}, ...).
     */
    public void refused(String reason) {
        counter("herald.refusals", "Connections or requests refused by a limit or timeout", "reason", reason).increment();
    }

    public void authFailure(String reason) {
        counter("herald.auth.failures", "Refused credentials by reason", "reason", reason).increment();
    }

    /** Records the time from publish to the last local write of its fan-out. */
    public void fanoutLatency(String primitive, long nanos) {
        timers.computeIfAbsent(primitive, p -> Timer.builder("herald.fanout.latency")
                        .description("Publish to last local write")
                        .tag("primitive", p)
                        .serviceLevelObjectives(FANOUT_BUCKETS.toArray(Duration[]::new))
                        .register(registry))
                .record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    private Counter counter(String name, String description, String... tags) {
        String key = name + String.join("|", tags);
        Counter c = counters.get(key);
        if (c == null) {
            c = counters.computeIfAbsent(key, k -> Counter.builder(name).description(description).tags(tags).register(registry));
        }
        return c;
    }
}
