package io.herald.cluster;

import java.util.concurrent.CompletableFuture;

/**
 * Publish/subscribe of opaque byte messages by topic across every Herald node. A hub publishes an
 * event once; each node's subscription handler fans it out to that node's local connections.
 * Implementations are thread-safe; handlers may be invoked on any thread and must not block.
 */
public interface Broker extends AutoCloseable {

    /**
     * Subscribes {@code handler} to {@code topic} on this node until the returned subscription is closed.
     * A topic may have several handlers; each sees every message published after it subscribed.
     */
    Subscription subscribe(String topic, Handler handler);

    /**
     * Publishes {@code message} to every handler of {@code topic} on every node. The message array
     * must not be modified afterwards. Completes with the deliveries the handlers reported on this
     * node; a failing handler counts zero and does not fail the publish.
     */
    CompletableFuture<Integer> publish(String topic, byte[] message);

    @Override
    void close();

    /** Receives the messages of one topic. */
    @FunctionalInterface
    interface Handler {
        /** Handles one message; completes with how many connections it was written to. */
        CompletableFuture<Integer> onMessage(String topic, byte[] message);
    }

    /** An active subscription; closing it twice is harmless. */
    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }
}
