package io.herald;

import java.util.concurrent.Executor;

/**
 * One client connection as the engine sees it, whatever the transport. Fan-out groups connections by
 * {@link #executor()} identity and calls {@link #send} only from that executor, so a transport may
 * keep its write path single-threaded.
 */
public interface Connection {

    /** A stable id, unique on this node. */
    String id();

    /** The event loop that owns this connection; the same object for every connection on that loop. */
    Executor executor();

    /**
     * Queues {@code message} for writing. Called only on {@link #executor()}. Returns false when the
     * connection is closed or was just closed for exceeding its outbound byte limit (the transport
     * counts that drop itself).
     */
    boolean send(EncodedMessage message);

    /**
     * True while the transport holds more unsent bytes than its soft limit, half its outbound byte limit.
     * A sender that checks this before queueing may skip the connection and catch it up later with one
     * message instead of every one it missed, rather than push it past the outbound limit, where
     * {@link #send} closes it. The gap between the two limits absorbs what is queued between the check
     * and the write. Callable from any thread; false for a transport without such a limit.
     */
    default boolean congested() {
        return false;
    }

    /** Closes the connection with a WebSocket close code and reason; callable from any thread, harmless twice. */
    void close(int closeCode, String reason);

    /** Closes the connection with the WebSocket close code of {@code code}. */
    default void close(ErrorCode code, String reason) {
        close(code.closeCode(), reason);
    }
}
