package io.herald.bench.load;

/**
 * Finds the benchmark timestamp {@code "ts":<digits>} in a message fed one byte at a time: the first
 * occurrence, read until the number ends. Allocation-free; one per connection, reset per message.
 */
final class TimestampScan {
    private final ByteKey key = new ByteKey("\"ts\":");
    private boolean inNumber;
    private boolean done;
    private long ts = -1;

    void reset() {
        key.reset();
        inNumber = false;
        done = false;
        ts = -1;
    }

    /** Whether the timestamp has ended: the rest of the message need not be looked at for it. */
    boolean done() {
        return done;
    }

    /** The timestamp found so far, or -1. */
    long value() {
        return ts;
    }

    /** Takes the next byte of the message; true once the timestamp has ended. */
    boolean step(byte c) {
        if (inNumber) {
            if (c >= '0' && c <= '9') {
                ts = (ts < 0 ? 0 : ts * 10) + (c - '0');
            } else {
                done = true;
            }
        } else if (key.step(c)) {
            inNumber = true;
        }
        return done;
    }
}
