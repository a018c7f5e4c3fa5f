package io.herald.cluster;

import java.util.concurrent.CompletableFuture;

/**
 * Publish/subscribe of messages by topic across every Herald node: the spine every primitive
 * publishes through. A hub publishes an event once; each node's subscription handler fans it out to
 * that node's local connections. A message travels as an object on one node and as the bytes of its
 * {@link Codec} between nodes, so the in-memory broker never encodes what it only hands over.
 * Implementations are thread-safe; handlers may be invoked on any thread and must not block.
 */
public interface Broker extends AutoCloseable {

    /**
     * Subscribes {@code handler} to {@code topic} on this node until the returned subscription is closed.
     * A topic may have several handlers; each sees every message published after it subscribed. Every
     * subscriber and publisher of a topic uses the same codec.
     */
    <T> Subscription subscribe(String topic, Codec<T> codec, Handler<T> handler);

    /**
     * Publishes {@code message} to every handler of {@code topic} on every node. The message must not
     * be modified afterwards. Completes with the deliveries the handlers reported; a failing handler
     * counts zero and does not fail the publish.
     */
    <T> CompletableFuture<Integer> publish(String topic, T message, Codec<T> codec);

    @Override
    void close();

    /** The wire form of a topic's messages, used only where a message leaves this node. Thread-safe. */
    interface Codec<T> {
        byte[] encode(T message);

        T decode(byte[] bytes);
    }

    /** Receives the messages of one topic. */
    @FunctionalInterface
    interface Handler<T> {
        /** Handles one message; completes with how many connections it was written to. */
        CompletableFuture<Integer> onMessage(String topic, T message);
    }

    /** An active subscription; closing it twice is harmless. */
    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }
}
