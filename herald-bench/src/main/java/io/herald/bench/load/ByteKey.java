package io.herald.bench.load;

import java.nio.charset.StandardCharsets;

/**
 * An incremental matcher of one fixed byte string (Knuth–Morris–Pratt): fed one byte at a time, it
 * says when the key has just been seen, whatever the reads split, with no allocation. Not thread-safe.
 */
final class ByteKey {
    private final byte[] key;
    /** fail[j]: the longest proper prefix of key[0..j] that is also its suffix. */
    private final int[] fail;
    private int matched;

    ByteKey(String key) {
        this.key = key.getBytes(StandardCharsets.UTF_8);
        this.fail = new int[this.key.length];
        for (int j = 1, k = 0; j < this.key.length; j++) {
            while (k > 0 && this.key[j] != this.key[k]) {
                k = fail[k - 1];
            }
            if (this.key[j] == this.key[k]) {
                k++;
            }
            fail[j] = k;
        }
    }

    void reset() {
        matched = 0;
    }

    /** Takes the next byte; true when it completes the key (matching then starts over). */
    boolean step(byte c) {
        while (matched > 0 && c != key[matched]) {
            matched = fail[matched - 1];
        }
        if (c == key[matched]) {
            matched++;
        }
        if (matched == key.length) {
            matched = 0;
            return true;
        }
        return false;
    }
}
