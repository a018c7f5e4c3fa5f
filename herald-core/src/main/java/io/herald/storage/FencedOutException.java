package io.herald.storage;

import io.herald.ErrorCode;

/**
 * A write (or fence claim) refused because the room's stored fencing token is newer than the caller's:
 * another node has become the room's owner. Nothing was written. Its code is {@link ErrorCode#STALE_OWNER}
 * (409, close 1012): the stale owner should unload the room and close its sockets so their clients
 * reconnect to the true owner.
 */
public final class FencedOutException extends StorageException {
    private static final long serialVersionUID = 1L;

    private final long fence;
    private final long storedFence;

    /** A refusal of a write carrying {@code fence} on a room whose stored token is {@code storedFence}. */
    public FencedOutException(String party, String room, long fence, long storedFence) {
        super(ErrorCode.STALE_OWNER, "fencing token " + fence + " of room " + party + "/" + room
                + " is older than its stored token " + storedFence);
        this.fence = fence;
        this.storedFence = storedFence;
    }

    /** The token the refused write carried. */
    public long fence() {
        return fence;
    }

    /** The newer token the room had stored when the write was refused. */
    public long storedFence() {
        return storedFence;
    }
}
