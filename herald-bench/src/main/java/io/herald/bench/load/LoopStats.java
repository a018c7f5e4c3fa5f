package io.herald.bench.load;

import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * What the connections of one event loop received: counts (single writer, published with
 * {@code lazySet} so the publisher can read progress without a lock) and a latency histogram in
 * microseconds that only the loop touches; read the histogram from the loop itself.
 */
final class LoopStats {
    /** One minute: anything slower is recorded as one minute. */
    static final long MAX_MICROS = 60_000_000L;
    private final Measurement measurement;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong probed = new AtomicLong();
    private final AtomicLong closed = new AtomicLong();
    private final Histogram latency = new Histogram(MAX_MICROS, 3);
    private long receivedCount;
    private long probedCount;
    private long closedCount;
    private volatile int lastCloseCode;

    LoopStats(Measurement measurement) {
        this.measurement = measurement;
    }

    /** A data message with timestamp {@code ts} arrived at {@code nowMicros}; returns whether it was a probe. */
    boolean onMessage(long ts, long nowMicros) {
        if (ts == Measurement.PROBE_TS) {
            return true;
        }
        received.lazySet(++receivedCount);
        if (ts >= measurement.from()) {
            latency.recordValue(Math.min(MAX_MICROS, Math.max(0, nowMicros - ts)));
            DeliveryHook hook = measurement.hook();
            if (hook != null) {
                hook.delivered(ts, nowMicros);
            }
        }
        return false;
    }

    /** A connection saw its first probe. */
    void onProbed() {
        probed.lazySet(++probedCount);
    }

    void onClosed() {
        closed.lazySet(++closedCount);
    }

    /** The server closed a connection with {@code code} (1013: Herald dropped a slow consumer). */
    void onCloseCode(int code) {
        lastCloseCode = code;
    }

    int lastCloseCode() {
        return lastCloseCode;
    }

    long received() {
        return received.get();
    }

    long probed() {
        return probed.get();
    }

    long closed() {
        return closed.get();
    }

    /** The histogram; call on the owning loop. */
    Histogram latency() {
        return latency;
    }
}
