package io.herald.server.admin;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import java.util.ArrayDeque;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The admin page's sparklines: once a second, deliveries and drops per second and the p99 fan-out latency of
 * that second, computed from the engine's Micrometer meters ({@code herald.deliveries}, {@code herald.drops},
 * {@code herald.fanout.latency}) as differences between two readings. Keeps the last {@value #POINTS}
 * seconds. Thread-safe: one timer samples, any thread reads.
 */
public final class MeterSamples {
    public static final int POINTS = 60;

    private final MeterRegistry registry;
    private final ArrayDeque<Point> points = new ArrayDeque<>(POINTS);
    private double lastDeliveries = -1;
    private double lastDrops;
    private long lastCount;
    /** Cumulative fan-outs at or under each bucket bound (ms), summed over primitives, at the last sample. */
    private TreeMap<Double, Double> lastBuckets = new TreeMap<>();

    /**
     * One second.
     *
     * @param p99FanoutMs the 99th percentile of the fan-outs that finished in it (a bucket bound), null when none did
     */
    public record Point(long atMillis, double deliveriesPerSec, double dropsPerSec, Double p99FanoutMs) {
    }

    public MeterSamples(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Takes one reading; {@code seconds} since the previous one scales the rates. */
    public synchronized void sample(double seconds) {
        double deliveries = sum(registry.find("herald.deliveries").counters());
        double drops = sum(registry.find("herald.drops").counters());
        long count = 0;
        TreeMap<Double, Double> buckets = new TreeMap<>();
        for (Timer t : registry.find("herald.fanout.latency").timers()) {
            HistogramSnapshot s = t.takeSnapshot();
            count += s.count();
            for (CountAtBucket b : s.histogramCounts()) {
                buckets.merge(b.bucket(TimeUnit.MILLISECONDS), b.count(), Double::sum);
            }
        }
        if (lastDeliveries >= 0) {
            double per = Math.max(seconds, 0.001);
            add(new Point(System.currentTimeMillis(), Math.max(0, deliveries - lastDeliveries) / per,
                    Math.max(0, drops - lastDrops) / per, p99(buckets, count - lastCount)));
        }
        lastDeliveries = deliveries;
        lastDrops = drops;
        lastCount = count;
        lastBuckets = buckets;
    }

    /**
     * The smallest bucket bound under which 99% of the {@code n} fan-outs since the last reading fall: bucket
     * counts are cumulative since start, so their differences are the last second's histogram.
     */
    private Double p99(TreeMap<Double, Double> buckets, long n) {
        if (n <= 0) {
            return null;
        }
        double wanted = Math.ceil(n * 0.99);
        Double last = null;
        for (var b : buckets.entrySet()) {
            double within = b.getValue() - lastBuckets.getOrDefault(b.getKey(), 0.0);
            last = b.getKey();
            if (within >= wanted) {
                return b.getKey();
            }
        }
        // beyond the largest bound: the largest bound is the best the histogram can say
        return last;
    }

    private void add(Point p) {
        if (points.size() == POINTS) {
            points.removeFirst();
        }
        points.addLast(p);
    }

    /** The kept seconds, oldest first. */
    public synchronized List<Point> points() {
        return List.copyOf(points);
    }

    private static double sum(Iterable<Counter> counters) {
        double total = 0;
        for (Counter c : counters) {
            total += c.count();
        }
        return total;
    }
}
