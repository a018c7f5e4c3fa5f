package io.herald.storage;

/**
 * Durable key/value storage partitioned by room: each {@code (party, room)} pair sees only its own
 * keys. Implementations are thread-safe; their calls block (they are made from room workers, never
 * from event loops).
 */
public interface Storage extends AutoCloseable {

    /** The store of one room. Cheap: may be called on every room start. */
    RoomStore room(String party, String room);

    @Override
    void close();
}
