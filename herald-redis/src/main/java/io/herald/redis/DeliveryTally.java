package io.herald.redis;

import io.herald.cluster.Broker;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The delivery counts of one publish of {@link RedisBroker}: replies may arrive before the expected
 * nodes are known (the reply travels on another connection than the script's answer), so both are
 * kept until every expected node answered, or until the timeout, which completes with what arrived
 * and {@code partial = true}. Replies of nodes that were not expected still count.
 *
 * <p>A node that let a publish time out is a <em>suspect</em> (shared by the broker's tallies) until
 * any reply of it arrives: later publishes do not wait for a suspect, they complete as soon as the
 * others answered, partial if the suspect had not. So a crashed node costs one reply timeout, not one
 * per publish until its heartbeat expires. Thread-safe.
 */
final class DeliveryTally {
    final CompletableFuture<Broker.Delivered> result = new CompletableFuture<>();
    private final Vertx vertx;
    private final long timeoutMs;
    private final Runnable onDone;
    private final Set<String> suspects;
    private final Map<String, Integer> replies = new HashMap<>();
    private Set<String> expected;
    private Broker.Position position = Broker.Position.NONE;
    private long timer = -1;

    /** {@code onDone} runs once, when the result is completed (the broker forgets the request). */
    DeliveryTally(Vertx vertx, long timeoutMs, Set<String> suspects, Runnable onDone) {
        this.vertx = vertx;
        this.suspects = suspects;
        this.timeoutMs = timeoutMs;
        this.onDone = onDone;
    }

    void reply(String node, int count) {
        Broker.Delivered done;
        synchronized (this) {
            replies.putIfAbsent(node, count);
            done = completeIfAllAnswered();
        }
        complete(done);
    }

    /** The nodes to wait for, and where the publication landed in its stream. */
    void expect(Set<String> nodes, StreamPosition at) {
        Broker.Delivered done;
        synchronized (this) {
            expected = nodes;
            position = new Broker.Position(at.epoch(), at.offset());
            done = completeIfAllAnswered();
            if (done == null) {
                timer = vertx.setTimer(timeoutMs, id -> finish());
            }
        }
        complete(done);
    }

    /** Completes with what arrived; partial when an expected node has not answered, which becomes a suspect. */
    void finish() {
        Broker.Delivered done;
        synchronized (this) {
            boolean all = expected != null && replies.keySet().containsAll(expected);
            if (expected != null && !all && !result.isDone()) {
                expected.stream().filter(n -> !replies.containsKey(n)).forEach(suspects::add);
            }
            done = delivered(!all);
        }
        complete(done);
    }

    private Broker.Delivered completeIfAllAnswered() {
        if (expected == null) {
            return null;
        }
        boolean waiting = false;
        boolean all = true;
        for (String node : expected) {
            if (!replies.containsKey(node)) {
                all = false;
                waiting |= !suspects.contains(node);
            }
        }
        return waiting ? null : delivered(!all);
    }

    private Broker.Delivered delivered(boolean partial) {
        int count = 0;
        for (int n : replies.values()) {
            count += n;
        }
        return new Broker.Delivered(count, replies.size(), partial, position);
    }

    private void complete(Broker.Delivered done) {
        if (done != null && !result.isDone()) {
            onDone.run();
            if (timer >= 0) {
                vertx.cancelTimer(timer);
            }
            result.complete(done);
        }
    }
}
