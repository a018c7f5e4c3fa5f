package io.herald.storage;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.SortedMap;
import java.util.function.Consumer;

/**
 * One room's durable key/value store. Every write is committed before it returns (it survives a
 * crash of the process). Limits: keys up to {@link #MAX_KEY_BYTES}, values up to
 * {@link #MAX_VALUE_BYTES}, and a per-room byte budget; a write past a limit throws
 * {@link StorageException} and changes nothing. A store opened with a fencing token (see {@link Storage})
 * also refuses every write with {@link FencedOutException} once a newer token was stored for its room.
 * Blocking; call from the room's worker, not an event loop.
 */
public interface RoomStore {
    int MAX_KEY_BYTES = 2048;
    int MAX_VALUE_BYTES = 128 * 1024;

    Optional<byte[]> get(String key);

    void put(String key, byte[] value);

    /** Returns whether the key existed. */
    boolean delete(String key);

    /** Every entry whose key starts with {@code prefix}, in key order (empty prefix: all). */
    SortedMap<String, byte[]> list(String prefix);

    /** Applies every operation of {@code ops} atomically: all or none. */
    void batch(Consumer<Batch> ops);

    /** Bytes used by this room (keys + values). */
    long bytesUsed();

    /** This room's byte budget (keys + values); a write past it is refused. */
    long maxBytes();

    /**
     * Raises the room's stored fencing token to this store's token without writing data, so the previous
     * owner is refused from now on even before this one writes. A new owner calls it when it loads the
     * room. Idempotent.
     *
     * @throws FencedOutException if the stored token is newer than this store's: the caller is itself stale
     * @throws IllegalStateException if this store was opened without a fencing token
     */
    default void claimFence() {
        throw new IllegalStateException("this room store was opened without a fencing token");
    }

    default Optional<String> getString(String key) {
        return get(key).map(b -> new String(b, StandardCharsets.UTF_8));
    }

    default void putString(String key, String value) {
        put(key, value.getBytes(StandardCharsets.UTF_8));
    }

    /** The operations of an atomic batch. */
    interface Batch {
        Batch put(String key, byte[] value);

        Batch delete(String key);
    }

    /** One operation of a batch as an adapter applies it: a put, or a delete when {@code value} is null. */
    record Op(String key, byte[] value) {
        /** The operations {@code ops} records, in order, for an adapter to apply in one transaction. */
        public static java.util.List<Op> collect(java.util.function.Consumer<Batch> ops) {
            java.util.List<Op> list = new java.util.ArrayList<>();
            ops.accept(new Batch() {
                @Override
                public Batch put(String key, byte[] value) {
                    list.add(new Op(key, value));
                    return this;
                }

                @Override
                public Batch delete(String key) {
                    list.add(new Op(key, null));
                    return this;
                }
            });
            return list;
        }
    }
}
