package io.herald.bench.load;

import io.netty.channel.EventLoop;

/**
 * Sends benchmark messages for a {@link Pacer}: HTTP publishes ({@link HttpPublisher}) or room
 * sockets ({@link RoomSenders}). Every method but {@link #close} runs on {@link #loop()}.
 */
interface Publisher extends AutoCloseable {
    EventLoop loop();

    /** Sends one message stamped {@code ts}; false when no slot is free (the caller retries on its next tick). */
    boolean trySend(long ts);

    /** Called after a send slot frees up (an HTTP response), so a max-rate pacer refills at once. */
    void onSlotFree(Runnable r);

    long failed();

    /** The first failure, for the report, or null. */
    String firstError();

    /** What the server said it delivered (sum of {@code "delivered"} in publish responses), or -1 when it does not say. */
    long serverDelivered();

    /** Timestamped messages the publisher's own sockets received (room senders hear each other). */
    default long received() {
        return 0;
    }

    /** Publisher sockets that have seen a readiness probe. */
    default long probed() {
        return 0;
    }

    /** The publisher's own sockets' report, or null when it has none. */
    default ReceiverReport report() {
        return null;
    }

    default void startMeasure(long fromMicros) {
    }

    @Override
    void close();
}
