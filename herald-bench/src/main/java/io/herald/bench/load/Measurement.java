package io.herald.bench.load;

/**
 * The measured window, shared by every receiving loop of one process: messages whose timestamp is at
 * or after {@link #from()} go into the latency histogram. Timestamp 0 marks the readiness probes that
 * precede a run. Thread-safe.
 */
final class Measurement {
    /** The payload timestamp of a probe: counted per connection, never as a delivery. */
    static final long PROBE_TS = 0;
    private volatile long from = Long.MAX_VALUE;

    long from() {
        return from;
    }

    void startAt(long micros) {
        from = micros;
    }
}
