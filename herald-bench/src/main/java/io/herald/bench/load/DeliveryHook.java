package io.herald.bench.load;

/**
 * Hears every timed delivery of the measured window, on the receiving event loops, beside the latency
 * histogram: for a publisher that knows more about a message than its stamp ({@link SqlWriter} knows when
 * its transaction committed). Called from several loops at once: implementations are thread-safe and cheap.
 */
interface DeliveryHook {
    /** A message stamped {@code ts} reached a socket at {@code receivedMicros} (same clock as {@link BenchClock}). */
    void delivered(long ts, long receivedMicros);
}
