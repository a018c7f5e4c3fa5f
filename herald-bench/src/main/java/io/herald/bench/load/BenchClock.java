package io.herald.bench.load;

import java.time.Instant;

/**
 * The timestamp carried in benchmark payloads: epoch microseconds, read as an anchor once per process
 * and advanced by {@link System#nanoTime()}. Inside one process two readings differ by exactly the
 * nanoTime difference; across processes (publisher in the parent, receivers in children) the anchors
 * agree to a few microseconds because every process reads the same wall clock. Allocation-free.
 */
final class BenchClock {
    private static final long ANCHOR_NANOS = System.nanoTime();
    private static final long ANCHOR_MICROS = epochMicros(Instant.now());

    private BenchClock() {
    }

    static long micros() {
        return ANCHOR_MICROS + (System.nanoTime() - ANCHOR_NANOS) / 1_000;
    }

    private static long epochMicros(Instant t) {
        return t.getEpochSecond() * 1_000_000 + t.getNano() / 1_000;
    }
}
