package io.herald.redis;

/**
 * Where a stream stands: its epoch and its top offset. A stream that never got a publication (or
 * whose meta hash is gone) has the empty epoch and offset 0. Offsets only compare within one epoch;
 * a new epoch means the offsets restarted at 1 and any earlier position is void.
 */
public record StreamPosition(String epoch, long offset) {

    public static final StreamPosition EMPTY = new StreamPosition("", 0);

    public StreamPosition {
        if (epoch == null || offset < 0) {
            throw new IllegalArgumentException("bad stream position " + epoch + "/" + offset);
        }
    }
}
