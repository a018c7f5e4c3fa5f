package io.herald;

import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * A message already encoded to its wire bytes, shared by every connection that receives it (encode
 * once, write many). The bytes are never modified. A transport may attach its own wrapped form of the
 * bytes (a Netty buffer) once, so that is not rebuilt per connection. Thread-safe.
 */
public final class EncodedMessage {
    private final byte[] bytes;
    private final boolean text;
    private volatile Object transportKey;
    private volatile Object transportForm;

    private EncodedMessage(byte[] bytes, boolean text) {
        this.bytes = bytes;
        this.text = text;
    }

    /** A UTF-8 text message over {@code utf8}, which the caller must not modify afterwards. */
    public static EncodedMessage text(byte[] utf8) {
        return new EncodedMessage(utf8, true);
    }

    /** A binary message over {@code data}, which the caller must not modify afterwards. */
    public static EncodedMessage binary(byte[] data) {
        return new EncodedMessage(data, false);
    }

    public boolean isText() {
        return text;
    }

    public int length() {
        return bytes.length;
    }

    /** The shared bytes; callers must not modify them. */
    public byte[] bytes() {
        return bytes;
    }

    /**
     * A transport's form of these bytes (a pre-framed Netty buffer), made by {@code make} on first use
     * and kept for the first transport {@code key} that asks; another key gets a fresh form each time.
     * Two threads racing may both make one; either result is equivalent, so the race is harmless.
     */
    @SuppressWarnings("unchecked")
    public <T> T transportForm(Object key, Function<EncodedMessage, T> make) {
        Object f = transportForm;
        if (f != null && transportKey == key) {
            return (T) f;
        }
        T made = make.apply(this);
        if (f == null) {
            transportKey = key;
            transportForm = made;
        }
        return made;
    }

    @Override
    public String toString() {
        return text ? new String(bytes, StandardCharsets.UTF_8) : "binary[" + bytes.length + "]";
    }
}
