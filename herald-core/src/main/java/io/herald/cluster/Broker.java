package io.herald.cluster;

import java.util.concurrent.CompletableFuture;

/**
 * Publish/subscribe of messages by topic across every Herald node: the spine every primitive
 * publishes through. A hub publishes an event once; each node's subscription handler fans it out to
 * that node's local connections. A message travels as an object on one node and as the bytes of its
 * {@link Codec} between nodes, so the in-memory broker never encodes what it only hands over.
 * Implementations are thread-safe; handlers may be invoked on any thread and must not block.
 *
 * <p>Across nodes a subscription takes effect asynchronously: a publish made on the same node after
 * {@link #subscribe} returned reaches the new handler, a publish made on another node at the same
 * moment may not. Publications lost while a node was cut off from the others are reported to the
 * topic's {@link GapListener}s.
 */
public interface Broker extends AutoCloseable {

    /**
     * Subscribes {@code handler} to {@code topic} on this node until the returned subscription is closed.
     * A topic may have several handlers; each sees every message published after it subscribed. Every
     * subscriber and publisher of a topic uses the same codec.
     */
    <T> Subscription subscribe(String topic, Codec<T> codec, Handler<T> handler);

    /**
     * Subscribes like {@link #subscribe(String, Codec, Handler)} and tells {@code onGap} whenever this
     * node may have missed publications of {@code topic} (after a broker connection was lost and
     * restored), so the subscriber can reset what it derived from the messages. A single-node broker
     * never loses a publication and ignores {@code onGap}.
     */
    default <T> Subscription subscribe(String topic, Codec<T> codec, Handler<T> handler, GapListener onGap) {
        return subscribe(topic, codec, handler);
    }

    /**
     * Publishes {@code message} to every handler of {@code topic} on every node. The message must not
     * be modified afterwards. Completes with the deliveries the handlers reported; a failing handler
     * counts zero and does not fail the publish. A broker that cannot reach the other nodes fails the
     * future with {@code HeraldException(BROKER_UNAVAILABLE)}: a publication is never dropped silently.
     */
    <T> CompletableFuture<Delivered> publish(String topic, T message, Codec<T> codec);

    /** This node's id among the nodes sharing the broker ({@code local} on one node): where replies to it are sent. */
    default String nodeId() {
        return "local";
    }

    /** Whether the broker can currently reach every node (for readiness checks); a single-node broker always can. */
    default boolean available() {
        return true;
    }

    @Override
    void close();

    /**
     * What a publish reached: {@code count} deliveries reported by the handlers of {@code nodes} nodes;
     * {@code partial} when some node expected to answer did not do so in time, so {@code count} is a
     * lower bound.
     */
    record Delivered(int count, int nodes, boolean partial) {
        /** Nothing was delivered, and no node was expected to deliver. */
        public static final Delivered NONE = new Delivered(0, 0, false);

        public Delivered {
            if (count < 0 || nodes < 0) {
                throw new IllegalArgumentException("negative delivery count " + count + " / " + nodes);
            }
        }
    }

    /** Told that publications of a topic may have been missed on this node. */
    @FunctionalInterface
    interface GapListener {
        void onGap(String topic);
    }

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
