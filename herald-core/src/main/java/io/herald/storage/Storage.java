package io.herald.storage;

/**
 * Durable key/value storage partitioned by room: each {@code (party, room)} pair sees only its own
 * keys. Implementations are thread-safe; their calls block (they are made from room workers, never
 * from event loops).
 *
 * <p><b>Fencing.</b> Each room has a stored fencing token, 0 until a fenced store writes or claims.
 * A store opened with {@link #room(String, String, long) room(party, room, fence)} has every write
 * checked against it, inside the write's transaction: a token older than the stored one is refused
 * with {@link FencedOutException} and nothing of the write is applied; an equal or newer one is
 * applied and becomes the stored token. So once a new owner (with a larger token) has written or
 * {@linkplain RoomStore#claimFence() claimed}, the previous owner can write nothing more. Reads are
 * never refused. A store opened with {@link #room(String, String)} neither checks nor moves the token.
 */
public interface Storage extends AutoCloseable {

    /** The store of one room. Cheap: may be called on every room start. */
    RoomStore room(String party, String room);

    /**
     * The store of one room whose writes carry the fencing token {@code fence} (positive; a room
     * owner's lease token, larger for each new owner). Cheap, like {@link #room(String, String)}.
     * Storages that cannot fence (the default) throw {@link UnsupportedOperationException}, so a
     * cluster never silently runs without the guarantee.
     *
     * @throws IllegalArgumentException if {@code fence} is not positive
     */
    default RoomStore room(String party, String room, long fence) {
        throw new UnsupportedOperationException(getClass().getName() + " does not support fenced writes");
    }

    @Override
    void close();
}
