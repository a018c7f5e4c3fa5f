package io.herald.redis;

import io.herald.cluster.Broker;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One topic's handlers on this node, as {@link RedisBroker} keeps them: all share the codec of the
 * first, a message is decoded once and handed to each; a handler that throws or fails counts zero.
 * Thread-safe.
 */
final class LocalTopic {
    private static final Logger LOG = LoggerFactory.getLogger(LocalTopic.class);

    final Broker.Codec<?> codec;
    final List<Entry> entries = new CopyOnWriteArrayList<>();

    LocalTopic(Broker.Codec<?> codec) {
        this.codec = codec;
    }

    CompletableFuture<Integer> deliver(String topic, byte[] body, Broker.Position position) {
        Object message;
        try {
            message = codec.decode(body);
        } catch (RuntimeException e) {
            LOG.warn("broker message on topic {} could not be decoded", topic, e);
            return CompletableFuture.completedFuture(0);
        }
        CompletableFuture<Integer> sum = CompletableFuture.completedFuture(0);
        for (Entry entry : entries) {
            sum = sum.thenCombine(invoke(entry.handler(), topic, message, position), Integer::sum);
        }
        return sum;
    }

    @SuppressWarnings("unchecked")
    private static <T> CompletableFuture<Integer> invoke(Broker.Handler<?> handler, String topic, Object message, Broker.Position position) {
        try {
            return ((Broker.Handler<T>) handler).onMessage(topic, (T) message, position).exceptionally(e -> {
                LOG.warn("broker handler failed on topic {}", topic, e);
                return 0;
            });
        } catch (RuntimeException e) {
            LOG.warn("broker handler failed on topic {}", topic, e);
            return CompletableFuture.completedFuture(0);
        }
    }

    /** A handler and the listener told of its topic's gaps. */
    record Entry(Broker.Handler<?> handler, Broker.GapListener onGap) {
    }
}
