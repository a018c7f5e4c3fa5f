package io.herald.bench.load;

/**
 * The measured window, shared by every receiving loop of one process: messages whose timestamp is at
 * or after {@link #from()} go into the latency histogram, and to the {@link DeliveryHook} if one is set.
 * Timestamp 0 marks the readiness probes that precede a run. Thread-safe.
 */
final class Measurement {
    /** The payload timestamp of a probe: counted per connection, never as a delivery. */
    static final long PROBE_TS = 0;
    private volatile long from = Long.MAX_VALUE;
    private volatile DeliveryHook hook;

    long from() {
        return from;
    }

    void startAt(long micros) {
        from = micros;
    }

    /** The hook that also hears the window's deliveries, or null. */
    DeliveryHook hook() {
        return hook;
    }

    void hook(DeliveryHook h) {
        hook = h;
    }
}
