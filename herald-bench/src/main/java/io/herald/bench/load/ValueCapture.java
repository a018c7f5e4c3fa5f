package io.herald.bench.load;

/**
 * Copies the string value of one JSON key ({@code "key":"value"}, compact JSON as Herald writes it)
 * out of a message fed one byte at a time: the first occurrence, at most 64 bytes (longer counts as
 * not found), into an array reused for every message. One per connection, reset per message.
 */
final class ValueCapture {
    private static final int MAX = 64;
    private final ByteKey key;
    private final byte[] value = new byte[MAX];
    private int length;
    private boolean inValue;
    private boolean done;

    ValueCapture(String jsonKey) {
        this.key = new ByteKey("\"" + jsonKey + "\":\"");
    }

    void reset() {
        key.reset();
        length = 0;
        inValue = false;
        done = false;
    }

    boolean done() {
        return done;
    }

    /** Whether the message held the key with a value of 1..64 bytes. */
    boolean found() {
        return done && length > 0;
    }

    /** The value's bytes, {@code [0, length())}; valid until the next reset. */
    byte[] value() {
        return value;
    }

    int length() {
        return length;
    }

    /** Takes the next byte; true once the value has ended (or the capture gave up). */
    boolean step(byte c) {
        if (done) {
            return true;
        }
        if (inValue) {
            if (c == '"') {
                done = true;
            } else if (length < MAX) {
                value[length++] = c;
            } else {
                length = 0;
                done = true;
            }
        } else if (key.step(c)) {
            inValue = true;
        }
        return done;
    }
}
