package io.herald.cluster;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single-node {@link Broker}: handlers are called directly on the publishing thread with the
 * published object itself (its codec is never used), so a publish costs one map lookup. Thread-safe.
 * Topics with no handlers hold no memory.
 */
public final class InMemoryBroker implements Broker {
    private static final Logger log = LoggerFactory.getLogger(InMemoryBroker.class);
    private final Map<String, List<Handler<?>>> topics = new ConcurrentHashMap<>();

    @Override
    public <T> Subscription subscribe(String topic, Codec<T> codec, Handler<T> handler) {
        topics.compute(topic, (t, list) -> {
            List<Handler<?>> l = list == null ? new CopyOnWriteArrayList<>() : list;
            l.add(handler);
            return l;
        });
        AtomicBoolean open = new AtomicBoolean(true);
        return () -> {
            if (open.compareAndSet(true, false)) {
                topics.computeIfPresent(topic, (t, list) -> {
                    list.remove(handler);
                    return list.isEmpty() ? null : list;
                });
            }
        };
    }

    @Override
    public <T> CompletableFuture<Delivered> publish(String topic, T message, Codec<T> codec) {
        List<Handler<?>> handlers = topics.get(topic);
        if (handlers == null) {
            return CompletableFuture.completedFuture(Delivered.NONE);
        }
        return deliver(handlers, topic, message).thenApply(n -> new Delivered(n, 1, false));
    }

    private static <T> CompletableFuture<Integer> deliver(List<Handler<?>> handlers, String topic, T message) {
        if (handlers.size() == 1) {
            return invoke(handlers.get(0), topic, message);
        }
        CompletableFuture<Integer> sum = CompletableFuture.completedFuture(0);
        for (Handler<?> h : handlers) {
            sum = sum.thenCombine(invoke(h, topic, message), Integer::sum);
        }
        return sum;
    }

    @SuppressWarnings("unchecked")
    private static <T> CompletableFuture<Integer> invoke(Handler<?> handler, String topic, T message) {
        // every subscriber and publisher of a topic shares its codec, so they share its message type
        Handler<T> h = (Handler<T>) handler;
        try {
            return h.onMessage(topic, message).exceptionally(e -> {
                log.warn("broker handler failed on topic {}", topic, e);
                return 0;
            });
        } catch (RuntimeException e) {
            log.warn("broker handler failed on topic {}", topic, e);
            return CompletableFuture.completedFuture(0);
        }
    }

    /** Number of topics with at least one handler (for tests and metrics). */
    public int topicCount() {
        return topics.size();
    }

    @Override
    public void close() {
        topics.clear();
    }
}
