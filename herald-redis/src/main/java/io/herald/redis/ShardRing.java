package io.herald.redis;

import java.nio.charset.StandardCharsets;

/**
 * Places streams on isolated Redis servers: jump consistent hash (Lamping and Veach, 2014) over the
 * FNV-1a 64-bit hash of the stream name's UTF-8 bytes, as Centrifuge's {@code consistentIndex} does.
 * Growing the ring from n to n + 1 servers moves only about 1/(n + 1) of the streams, all of them
 * to the new server. Immutable and thread-safe.
 */
public final class ShardRing {

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private final int size;

    public ShardRing(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("a shard ring needs at least one server, got " + size);
        }
        this.size = size;
    }

    public int size() {
        return size;
    }

    /** The index, in {@code [0, size)}, of the server holding {@code stream}. */
    public int index(String stream) {
        return size == 1 ? 0 : jump(fnv1a64(stream.getBytes(StandardCharsets.UTF_8)), size);
    }

    static long fnv1a64(byte[] bytes) {
        long hash = FNV_OFFSET;
        for (byte b : bytes) {
            hash ^= b & 0xff;
            hash *= FNV_PRIME;
        }
        return hash;
    }

    static int jump(long key, int buckets) {
        long b = -1;
        long j = 0;
        while (j < buckets) {
            b = j;
            key = key * 2862933555777941757L + 1;
            j = (long) ((b + 1) * ((double) (1L << 31) / (double) ((key >>> 33) + 1)));
        }
        return (int) b;
    }
}
