package io.herald.cluster;

import java.util.concurrent.CompletableFuture;

/** An in-memory broker that a test extends to hold or fail one operation while everything else works as on one node. */
public class ForwardingBroker implements Broker {
    protected final InMemoryBroker memory = new InMemoryBroker();

    @Override
    public <T> Subscription subscribe(String topic, Codec<T> codec, Handler<T> handler) {
        return memory.subscribe(topic, codec, handler);
    }

    @Override
    public <T> Subscription subscribe(String topic, Codec<T> codec, Handler<T> handler, GapListener onGap) {
        return memory.subscribe(topic, codec, handler, onGap);
    }

    @Override
    public <T> CompletableFuture<Delivered> publish(String topic, T message, Codec<T> codec, Retention retention) {
        return memory.publish(topic, message, codec, retention);
    }

    @Override
    public <T> CompletableFuture<Void> publishOnce(String topic, String source, java.util.List<Keyed<T>> messages, Codec<T> codec,
                                                   Retention retention) {
        return memory.publishOnce(topic, source, messages, codec, retention);
    }

    @Override
    public <T> CompletableFuture<History<T>> history(String topic, Codec<T> codec, long since, int limit) {
        return memory.history(topic, codec, since, limit);
    }

    @Override
    public CompletableFuture<Integer> restart(String source) {
        return memory.restart(source);
    }

    @Override
    public void close() {
        memory.close();
    }
}
