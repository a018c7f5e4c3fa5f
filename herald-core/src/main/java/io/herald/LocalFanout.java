package io.herald;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last step of every delivery, for every primitive: writes one message to this node's connections,
 * one task per event loop (a fan-out to 10 000 sockets is a handful of tasks), each connection written
 * on its own loop. A send that throws is isolated (its neighbours still get the message), logged once per
 * task, and its connection closed with {@code internal_error}; delivered counts and the publish-to-write
 * latency are recorded per primitive. Hubs decide who gets what; this class only delivers. Thread-safe.
 */
public final class LocalFanout {
    private static final Logger log = LoggerFactory.getLogger(LocalFanout.class);
    private final Meters meters;

    public LocalFanout(Meters meters) {
        this.meters = meters;
    }

    /**
     * What a fan-out needs of its targets. Both functions run on the target's loop.
     *
     * @param <T> what a hub targets: a connection, or a member carrying one with what decides its message
     */
    public interface Targets<T> {
        Connection connection(T target);

        /** The message for {@code target}, or null to skip it. */
        EncodedMessage message(T target);

        /** Called on the target's loop when its send returned false or threw (a lane's ack will not come). */
        default void undelivered(T target) {
        }
    }

    /** {@code message} to each of {@code connections}; returns how many took it. */
    public CompletableFuture<Integer> toAll(String primitive, long startNanos, Iterable<? extends Connection> connections,
                                            EncodedMessage message) {
        return toEach(primitive, startNanos, connections, new Targets<Connection>() {
            @Override
            public Connection connection(Connection c) {
                return c;
            }

            @Override
            public EncodedMessage message(Connection c) {
                return message;
            }
        });
    }

    /** Groups {@code targets} by their connection's loop, then delivers as {@link #toLoops}. */
    public <T> CompletableFuture<Integer> toEach(String primitive, long startNanos, Iterable<? extends T> targets,
                                                 Targets<T> how) {
        Map<Executor, List<T>> byLoop = new HashMap<>(4);
        for (T t : targets) {
            byLoop.computeIfAbsent(how.connection(t).executor(), k -> new ArrayList<>()).add(t);
        }
        return deliver(primitive, startNanos, byLoop, List::iterator, how);
    }

    /**
     * Runs one task per loop of {@code groups}; each reads its targets on the loop (so a hub can keep a
     * per-loop array it builds there) and sends each its message. Completes with the sum of connections
     * that took it, once every loop has run (a loop shutting down counts zero); {@code startNanos} of 0
     * records no latency.
     */
    public <T> CompletableFuture<Integer> toLoops(String primitive, long startNanos,
                                                  Map<Executor, ? extends Supplier<? extends Iterable<? extends T>>> groups,
                                                  Targets<T> how) {
        return deliver(primitive, startNanos, groups, g -> g.get().iterator(), how);
    }

    private <G, T> CompletableFuture<Integer> deliver(String primitive, long startNanos, Map<Executor, ? extends G> groups,
                                                      Function<? super G, ? extends Iterator<? extends T>> members, Targets<T> how) {
        if (groups.isEmpty()) {
            return CompletableFuture.completedFuture(0);
        }
        CompletableFuture<Integer> all = null;
        for (Map.Entry<Executor, ? extends G> e : groups.entrySet()) {
            G group = e.getValue();
            CompletableFuture<Integer> part = onLoop(e.getKey(), () -> members.apply(group), how);
            all = all == null ? part : all.thenCombine(part, Integer::sum);
        }
        return all.thenApply(n -> {
            meters.delivered(primitive, n);
            if (startNanos != 0) {
                meters.fanoutLatency(primitive, System.nanoTime() - startNanos);
            }
            return n;
        });
    }

    private <T> CompletableFuture<Integer> onLoop(Executor loop, Supplier<? extends Iterator<? extends T>> members, Targets<T> how) {
        CompletableFuture<Integer> done = new CompletableFuture<>();
        try {
            loop.execute(() -> {
                int n = 0;
                RuntimeException first = null;
                int failed = 0;
                try {
                    for (Iterator<? extends T> it = members.get(); it.hasNext(); ) {
                        T t = it.next();
                        EncodedMessage m = how.message(t);
                        if (m == null) {
                            continue;
                        }
                        Connection c = how.connection(t);
                        boolean took;
                        try {
                            took = c.send(m);
                        } catch (RuntimeException e) {
                            // one broken transport must not cost its neighbours on this loop their message
                            first = first == null ? e : first;
                            failed++;
                            took = false;
                            c.close(ErrorCode.INTERNAL, "delivery failure");
                        }
                        if (took) {
                            n++;
                        } else {
                            how.undelivered(t);
                        }
                    }
                } catch (RuntimeException e) {
                    log.error("a fan-out task failed after {} deliveries", n, e);
                } finally {
                    if (first != null) {
                        log.error("{} connection(s) failed to accept a message; the first failure:", failed, first);
                    }
                    done.complete(n);
                }
            });
        } catch (RejectedExecutionException e) {
            // that loop is shutting down with its connections
            done.complete(0);
        }
        return done;
    }
}
