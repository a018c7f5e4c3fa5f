package io.herald.postgres.cdc;

import io.herald.broadcast.BroadcastHub;
import io.herald.broadcast.ChangeEvent;
import io.herald.cluster.Broker;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The changes of one replication session on their way to the broker: per scope, at most one keyed
 * publish in flight, and what queued meanwhile goes as the next batch, so a scope's changes are taken
 * in log order (the broker's command pool may use several connections) at one round trip per busy
 * period, and scopes do not wait for each other. A failed publish may have been partly taken, so the
 * session is poisoned: nothing more is published (a later change taken before an earlier one would make
 * the broker skip the earlier one on replay as already seen); the session ends and the next one
 * replays from the last confirmed position. Thread-safe.
 */
final class ScopeQueues {
    /** The most changes one publish carries (one script run holds Redis for its length). */
    private static final int MAX_BATCH = 256;

    private final BroadcastHub hub;
    private final String source;
    private final Map<String, Queue> queues = new HashMap<>();
    private Throwable poisoned;
    private int queued;

    ScopeQueues(BroadcastHub hub, String source) {
        this.hub = hub;
        this.source = source;
    }

    /** Queues {@code change} under {@code key}; completes when the broker took it. */
    CompletableFuture<Void> add(ChangeEvent change, String key) {
        CompletableFuture<Void> taken = new CompletableFuture<>();
        String scope = change.target().scopeKey();
        Queue q;
        synchronized (this) {
            if (poisoned != null) {
                taken.completeExceptionally(poisoned);
                return taken;
            }
            q = queues.computeIfAbsent(scope, Queue::new);
            q.waiting.add(new Broker.Keyed<>(change, key));
            q.futures.add(taken);
            queued++;
            if (q.inFlight) {
                return taken;
            }
            q.inFlight = true;
        }
        flush(q);
        return taken;
    }

    /** Changes queued and in flight. */
    synchronized int size() {
        return queued;
    }

    private void flush(Queue q) {
        List<Broker.Keyed<ChangeEvent>> batch;
        List<CompletableFuture<Void>> futures;
        synchronized (this) {
            if (q.waiting.isEmpty() || poisoned != null) {
                q.inFlight = false;
                if (q.waiting.isEmpty()) {
                    queues.remove(q.scope, q);
                }
                return;
            }
            int n = Math.min(MAX_BATCH, q.waiting.size());
            batch = new ArrayList<>(q.waiting.subList(0, n));
            futures = new ArrayList<>(q.futures.subList(0, n));
            q.waiting.subList(0, n).clear();
            q.futures.subList(0, n).clear();
        }
        CompletableFuture<Void> published;
        try {
            published = hub.publishOnce(source, q.scope, batch);
        } catch (RuntimeException e) {
            published = CompletableFuture.failedFuture(e);
        }
        published.whenComplete((v, failure) -> {
            List<CompletableFuture<Void>> failed = List.of();
            synchronized (this) {
                queued -= futures.size();
                if (failure != null && poisoned == null) {
                    poisoned = failure;
                }
                if (poisoned != null) {
                    failed = new ArrayList<>(q.futures);
                    queued -= q.futures.size();
                    q.waiting.clear();
                    q.futures.clear();
                }
            }
            for (CompletableFuture<Void> f : futures) {
                if (failure == null) {
                    f.complete(null);
                } else {
                    f.completeExceptionally(failure);
                }
            }
            for (CompletableFuture<Void> f : failed) {
                f.completeExceptionally(failure != null ? failure : new IllegalStateException("the session failed"));
            }
            flush(q);
        });
    }

    private static final class Queue {
        final String scope;
        final List<Broker.Keyed<ChangeEvent>> waiting = new ArrayList<>();
        final List<CompletableFuture<Void>> futures = new ArrayList<>();
        boolean inFlight;

        Queue(String scope) {
            this.scope = scope;
        }
    }
}
