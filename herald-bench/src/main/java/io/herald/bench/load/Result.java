package io.herald.bench.load;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The outcome of one scenario run, printed as one JSON line and a human table. {@code void} is true
 * when the tool itself was saturated, so its figures say more about the tool than the server.
 */
public record Result(
        String scenario,
        String target,
        int connections,
        double seconds,
        long published,
        long expected,
        long received,
        long deliveries,
        double deliveriesPerSecond,
        Latency latency,
        Double serverCpuMicrosPerDelivery,
        double toolCpuShare,
        double toolMaxThreadShare,
        boolean isVoid,
        String voidReason,
        Map<String, Object> extra) {

    /** Publish-to-receive latency percentiles in microseconds, or null when nothing was measured. */
    public record Latency(long p50, long p90, long p99, long max, long count) {
        static Latency of(Histogram h) {
            return h.getTotalCount() == 0 ? null : new Latency(h.getValueAtPercentile(50), h.getValueAtPercentile(90),
                    h.getValueAtPercentile(99), h.getMaxValue(), h.getTotalCount());
        }

        /** The JSON form, keys in reading order. */
        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("p50", p50);
            m.put("p90", p90);
            m.put("p99", p99);
            m.put("max", max);
            m.put("count", count);
            return m;
        }
    }

    /** Messages that every socket should have received and did not (expected − received). */
    public long lost() {
        return expected - received;
    }

    /** The JSON line: snake_case keys, latency in microseconds. */
    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scenario", scenario);
        m.put("target", target);
        m.put("connections", connections);
        m.put("seconds", round(seconds));
        m.put("published", published);
        m.put("expected", expected);
        m.put("received", received);
        m.put("lost", lost());
        m.put("deliveries", deliveries);
        m.put("deliveries_per_s", Math.round(deliveriesPerSecond));
        m.put("latency_us", latency == null ? null
                : Map.of("p50", latency.p50, "p90", latency.p90, "p99", latency.p99, "max", latency.max, "count", latency.count));
        m.put("server_cpu_us_per_delivery", serverCpuMicrosPerDelivery == null ? null : round(serverCpuMicrosPerDelivery));
        m.put("tool_cpu_share", round(toolCpuShare));
        m.put("tool_max_thread_share", round(toolMaxThreadShare));
        m.put("void", isVoid);
        m.put("void_reason", voidReason);
        m.putAll(extra);
        try {
            return new ObjectMapper().writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A table for people. */
    public String table() {
        StringBuilder t = new StringBuilder();
        row(t, "scenario", scenario + " → " + target + ", " + connections + " sockets, " + round(seconds) + " s");
        row(t, "deliveries/s", String.format(Locale.ROOT, "%,.0f", deliveriesPerSecond));
        row(t, "latency p50/p90/p99/max", latency == null ? "-" : String.format(Locale.ROOT, "%s / %s / %s / %s ms",
                ms(latency.p50), ms(latency.p90), ms(latency.p99), ms(latency.max)));
        row(t, "published / lost", published + " / " + lost() + " (expected " + expected + ", received " + received + ")");
        row(t, "server CPU per delivery", serverCpuMicrosPerDelivery == null ? "- (give --server-pid)"
                : String.format(Locale.ROOT, "%.2f µs", serverCpuMicrosPerDelivery));
        row(t, "tool CPU", String.format(Locale.ROOT, "%.0f %% of the machine, busiest loop %.0f %% of a core",
                100 * toolCpuShare, 100 * toolMaxThreadShare));
        extra.forEach((k, v) -> row(t, k.replace('_', ' '), String.valueOf(v)));
        if (isVoid) {
            row(t, "VOID", voidReason);
        }
        return t.toString();
    }

    private static void row(StringBuilder t, String k, String v) {
        t.append(String.format(Locale.ROOT, "  %-26s %s%n", k, v));
    }

    private static String ms(long micros) {
        return String.format(Locale.ROOT, "%.2f", micros / 1000.0);
    }

    static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
