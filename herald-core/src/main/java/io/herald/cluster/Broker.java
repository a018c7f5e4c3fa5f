package io.herald.cluster;

import java.util.List;
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
 *
 * <p><b>Streams.</b> Every publish with a {@link Retention} takes the next {@link Position} of its
 * topic's stream (an epoch and an offset, gap-free within the epoch, the same on every node), and the
 * broker keeps the last {@link Retention#size()} publications for {@link #history}. Handlers see each
 * message with its position, in offset order. A stream whose state was lost (expired, or the broker's
 * store lost it) starts again at offset 1 under a new epoch, so a cursor of the old epoch is never
 * mistaken for one of the new.
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
     * Completes once this node's subscription to {@code topic} (made before the call) receives what any
     * node publishes: a subscriber that promises delivery to its client waits for it. A single-node
     * broker's subscriptions take effect at once. Never fails: a subscription that could not be made is
     * reported as a gap later.
     */
    default CompletableFuture<Void> ready(String topic) {
        return CompletableFuture.completedFuture(null);
    }

    /**
     * Publishes {@code message} to every handler of {@code topic} on every node. The message must not
     * be modified afterwards. Completes with the deliveries the handlers reported; a failing handler
     * counts zero and does not fail the publish. A broker that cannot reach the other nodes fails the
     * future with {@code HeraldException(BROKER_UNAVAILABLE)}: a publication is never dropped silently.
     */
    default <T> CompletableFuture<Delivered> publish(String topic, T message, Codec<T> codec) {
        return publish(topic, message, codec, Retention.NONE);
    }

    /**
     * Publishes like {@link #publish(String, Object, Codec)} as the next position of {@code topic}'s
     * stream, keeping it in the topic's history as {@code retention} says. With {@link Retention#NONE}
     * a broker may skip the stream (handlers then see {@link Position#NONE}). Every publisher of a topic
     * passes the same retention.
     */
    <T> CompletableFuture<Delivered> publish(String topic, T message, Codec<T> codec, Retention retention);

    /**
     * Publishes {@code messages} to every handler of {@code topic} on every node, in order, each as the
     * next position of the topic's stream (kept as {@code retention} says), except those whose key is not
     * above the highest key {@code source} published to this stream before: a source that publishes
     * again what it may already have published (a replay after a crash) publishes nothing twice. Keys of
     * one source compare as strings; the source keeps them increasing and makes one call per topic at a
     * time. Completes once the broker took every message (numbered, kept, sent to the nodes), without
     * waiting for delivery counts. Fails with {@code HeraldException(BROKER_UNAVAILABLE)} when it could
     * not: then some of the messages may have been taken, so the source must not publish later keys to
     * the topic before it published these again.
     */
    default <T> CompletableFuture<Void> publishOnce(String topic, String source, List<Keyed<T>> messages, Codec<T> codec, Retention retention) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException(getClass().getName() + " has no keyed publishes"));
    }

    /**
     * Starts every stream {@code source} published to ({@link #publishOnce}) over under a new epoch,
     * its history dropped, and tells the subscribers of those topics on every node of a gap: what the
     * source published before can no longer be trusted to be complete (it lost its own position), so a
     * socket resuming there must be told {@code recovered:false}. Completes with the number of streams.
     */
    default CompletableFuture<Integer> restart(String source) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException(getClass().getName() + " has no keyed publishes"));
    }

    /**
     * The publications of {@code topic} after offset {@code since} that its history still holds (at
     * most {@code limit}, oldest first) and the stream's latest position. On the node that asks, every
     * publication after the returned top reaches the handlers subscribed before this call, so a
     * subscriber that subscribes, then reads the history, and skips live messages at or below what it
     * replayed, misses nothing and sees nothing twice.
     */
    <T> CompletableFuture<History<T>> history(String topic, Codec<T> codec, long since, int limit);

    /**
     * Takes {@code key} for {@code ttl} across every node sharing this broker: completes with true for
     * the one call that took it, false for every other call until it expires (a single-use ticket
     * spent on one node is spent on all). A single-node broker has no other node to ask: it completes
     * with true, and the caller's own record decides. Fails with
     * {@code HeraldException(BROKER_UNAVAILABLE)} when the other nodes cannot be reached.
     */
    default CompletableFuture<Boolean> claim(String key, java.time.Duration ttl) {
        return CompletableFuture.completedFuture(true);
    }

    /**
     * Sends {@code body} to the {@link Inbox} of {@code channel} on node {@code nodeId}: the node-to-node
     * path (a room's owner and the nodes forwarding to it), without stream, history or delivery counts.
     * Messages from this node to one node arrive in the order they were sent, or the receiving inbox is
     * told of a gap ({@link Inbox#onGap}) before the next one; a message is never delivered twice.
     * Completes once the transport took the message; fails with {@code HeraldException(BROKER_UNAVAILABLE)}
     * when it could not (the message may or may not arrive). A single-node broker delivers only to itself.
     */
    default CompletableFuture<Void> send(String nodeId, String channel, byte[] body) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException(getClass().getName() + " has no node-to-node messages"));
    }

    /** Receives what other nodes {@link #send} on {@code channel}, until the returned subscription is closed; one inbox per channel. */
    default Subscription inbox(String channel, Inbox inbox) {
        throw new UnsupportedOperationException(getClass().getName() + " has no node-to-node messages");
    }

    /** The ids of the nodes that were alive at the last check, this one included. */
    default java.util.Set<String> liveNodes() {
        return java.util.Set.of(nodeId());
    }

    /** This node's id among the nodes sharing the broker ({@code local} on one node): where replies to it are sent. */
    default String nodeId() {
        return "local";
    }

    /**
     * Whether other nodes share this broker's streams (a cluster): a hub then keeps its replay state in
     * the broker's history instead of in this process.
     */
    default boolean shared() {
        return false;
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
     * lower bound; {@code position}, the publication's place in its stream ({@link Position#NONE} without one).
     */
    record Delivered(int count, int nodes, boolean partial, Position position) {
        /** Nothing was delivered, and no node was expected to deliver. */
        public static final Delivered NONE = new Delivered(0, 0, false);

        public Delivered {
            if (count < 0 || nodes < 0 || position == null) {
                throw new IllegalArgumentException("negative delivery count " + count + " / " + nodes);
            }
        }

        /** A publish of a topic without a stream. */
        public Delivered(int count, int nodes, boolean partial) {
            this(count, nodes, partial, Position.NONE);
        }

        /** The same counts, at {@code p}. */
        public Delivered at(Position p) {
            return new Delivered(count, nodes, partial, p);
        }

        /** The counts alone, as a publish without a stream would report them. */
        public Delivered counts() {
            return new Delivered(count, nodes, partial);
        }
    }

    /** A publication's place in its topic's stream; {@link #NONE} for a topic without a stream. */
    record Position(String epoch, long offset) {
        public static final Position NONE = new Position("", 0);
        private static final char[] EPOCH_CHARS = "0123456789abcdefghijklmnopqrstuvwxyz".toCharArray();

        /** A new stream's epoch: 10 random lower-case letters and digits, so an old cursor never matches it. */
        public static String newEpoch() {
            char[] epoch = new char[10];
            java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
            for (int i = 0; i < epoch.length; i++) {
                epoch[i] = EPOCH_CHARS[random.nextInt(EPOCH_CHARS.length)];
            }
            return new String(epoch);
        }

        public Position {
            if (epoch == null || offset < 0) {
                throw new IllegalArgumentException("bad position " + epoch + ":" + offset);
            }
        }
    }

    /** How many of a topic's publications the broker keeps, for how long after the last publish; size 0 keeps none but still numbers them. */
    record Retention(int size, long ttlSeconds) {
        /** No stream: no offsets, no history. */
        public static final Retention NONE = new Retention(-1, 0);

        public Retention {
            if (size < -1 || (size > 0 && ttlSeconds < 1)) {
                throw new IllegalArgumentException("history size must be >= 0 and its TTL >= 1 s, got " + size + " / " + ttlSeconds);
            }
        }

        /** Whether publications get positions. */
        public boolean numbered() {
            return size >= 0;
        }
    }

    /** A message and its key for {@link #publishOnce}. */
    record Keyed<T>(T message, String key) {
        public Keyed {
            if (message == null || key == null || key.isEmpty()) {
                throw new IllegalArgumentException("a keyed message needs a message and a non-empty key");
            }
        }
    }

    /** One publication read back from a history. */
    record Entry<T>(T message, Position position) {
    }

    /**
     * What {@link #history} found: the stream's latest position ({@link Position#NONE} when it has none),
     * the publications after the asked offset, and {@code complete} when they are every publication after
     * it up to {@code top} (false when the history no longer holds some of them, or the limit cut them).
     */
    record History<T>(Position top, List<Entry<T>> entries, boolean complete) {
        public History {
            entries = List.copyOf(entries);
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

    /** Receives node-to-node messages of one channel; called on a broker thread, in the order each sender sent; must not block. */
    interface Inbox {
        void onMessage(String fromNode, byte[] body);

        /**
         * Messages from {@code fromNode} (from any node when null) may have been lost: drop what was
         * derived from that node's messages. Called in order with the messages.
         */
        default void onGap(String fromNode) {
        }
    }

    /** Receives the messages of one topic. */
    @FunctionalInterface
    interface Handler<T> {
        /** Handles one message at {@code position} of its stream; completes with how many connections it was written to. */
        CompletableFuture<Integer> onMessage(String topic, T message, Position position);
    }

    /** An active subscription; closing it twice is harmless. */
    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }
}
