package io.herald.cluster;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single-node {@link Broker}: handlers are called directly on the publishing thread with the
 * published object itself (its codec is never used), so a publish costs one map lookup, plus one
 * uncontended lock for a numbered topic. Thread-safe.
 *
 * <p>A numbered topic's stream (epoch, top offset, the last {@code size} publications) lives in memory.
 * Offsets are taken and handlers called under the stream's lock, so handlers see offset order and a
 * history read sees either a publication or its delivery, never neither. A stream's history expires
 * {@code ttlSeconds} after its last publish; the stream itself is forgotten after {@link #STREAM_IDLE}
 * without a publish or a handler (it restarts under a new epoch, as a Redis stream whose meta expired),
 * and earlier when more than {@link #MAX_STREAMS} streams are idle past their history's TTL. Expired
 * histories are dropped on their stream's next use and by a sweep every few thousand publishes, so a
 * quiet stream does not hold its last {@code size} messages for long. Topics with no handlers and no
 * stream hold no memory.
 */
public final class InMemoryBroker implements Broker {
    private static final Logger log = LoggerFactory.getLogger(InMemoryBroker.class);
    /** How long a stream's epoch and offset outlive its last publish when no handler holds its topic. */
    public static final Duration STREAM_IDLE = Duration.ofHours(24);
    /** Past this many streams, those whose history expired are forgotten at once. */
    public static final int MAX_STREAMS = 100_000;

    private final Map<String, List<Handler<?>>> topics = new ConcurrentHashMap<>();
    private final Map<String, List<GapListener>> gapListeners = new ConcurrentHashMap<>();
    /** The topics each keyed source published to ({@link #restart}); bounded like the streams. */
    private final Map<String, Set<String>> sourceTopics = new ConcurrentHashMap<>();
    private final Map<String, Stream> streams = new ConcurrentHashMap<>();
    private final AtomicInteger created = new AtomicInteger();
    private final AtomicInteger published = new AtomicInteger();
    /** Every this many numbered publishes, expired histories are dropped even from streams that went quiet. */
    private static final int SWEEP_EVERY = 4096;
    private final LongSupplier nanos;

    public InMemoryBroker() {
        this(System::nanoTime);
    }

    /** A broker on the clock {@code nanos} (for tests of expiry). */
    public InMemoryBroker(LongSupplier nanos) {
        this.nanos = nanos;
    }

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
    public <T> Subscription subscribe(String topic, Codec<T> codec, Handler<T> handler, GapListener onGap) {
        Subscription s = subscribe(topic, codec, handler);
        gapListeners.compute(topic, (t, list) -> {
            List<GapListener> l = list == null ? new CopyOnWriteArrayList<>() : list;
            l.add(onGap);
            return l;
        });
        AtomicBoolean open = new AtomicBoolean(true);
        return () -> {
            if (open.compareAndSet(true, false)) {
                s.close();
                gapListeners.computeIfPresent(topic, (t, list) -> {
                    list.remove(onGap);
                    return list.isEmpty() ? null : list;
                });
            }
        };
    }

    @Override
    public <T> CompletableFuture<Void> publishOnce(String topic, String source, List<Keyed<T>> messages, Codec<T> codec, Retention retention) {
        if (!retention.numbered()) {
            throw new IllegalArgumentException("keyed publishes need a stream: a retention of size >= 0");
        }
        Set<String> known = sourceTopics.computeIfAbsent(source, k -> ConcurrentHashMap.newKeySet());
        if (known.size() < MAX_STREAMS) {
            known.add(topic);
        }
        long now = nanos.getAsLong();
        while (true) {
            Stream s = stream(topic, now);
            synchronized (s) {
                if (s.forgotten) {
                    continue;
                }
                s.expireHistory(now);
                String mark = s.marks.get(source);
                for (Keyed<T> k : messages) {
                    if (mark != null && k.key().compareTo(mark) <= 0) {
                        continue;
                    }
                    mark = k.key();
                    deliver(topic, k.message(), s.append(k.message(), retention, now));
                }
                if (mark != null) {
                    s.marks.put(source, mark);
                }
                return CompletableFuture.completedFuture(null);
            }
        }
    }

    @Override
    public CompletableFuture<Integer> restart(String source) {
        Set<String> known = sourceTopics.remove(source);
        if (known == null) {
            return CompletableFuture.completedFuture(0);
        }
        for (String topic : known) {
            Stream s = streams.remove(topic);
            if (s != null) {
                synchronized (s) {
                    s.forgotten = true;
                }
            }
            for (GapListener l : gapListeners.getOrDefault(topic, List.of())) {
                try {
                    l.onGap(topic);
                } catch (RuntimeException e) {
                    log.warn("gap listener failed on topic {}", topic, e);
                }
            }
        }
        return CompletableFuture.completedFuture(known.size());
    }

    @Override
    public <T> CompletableFuture<Delivered> publish(String topic, T message, Codec<T> codec, Retention retention) {
        if (!retention.numbered()) {
            return deliver(topic, message, Position.NONE);
        }
        long now = nanos.getAsLong();
        if (published.incrementAndGet() % SWEEP_EVERY == 0) {
            sweep();
        }
        while (true) {
            Stream s = stream(topic, now);
            synchronized (s) {
                if (s.forgotten) {
                    continue;
                }
                s.expireHistory(now);
                Position p = s.append(message, retention, now);
                // under the lock: handlers see offset order, and a history read sees this entry or its delivery
                return deliver(topic, message, p);
            }
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> CompletableFuture<History<T>> history(String topic, Codec<T> codec, long since, int limit) {
        if (since < 0 || limit < 1) {
            throw new IllegalArgumentException("history needs since >= 0 and limit >= 1, got " + since + " / " + limit);
        }
        long now = nanos.getAsLong();
        while (true) {
            // a stream first read is created at offset 0, so the reader is given an epoch to resume from
            Stream s = stream(topic, now);
            synchronized (s) {
                if (s.forgotten) {
                    continue;
                }
                return CompletableFuture.completedFuture(read(s, since, limit, now));
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> History<T> read(Stream s, long since, int limit, long now) {
        {
            s.expireHistory(now);
            List<Entry<T>> out = new ArrayList<>();
            for (Entry<Object> e : s.history) {
                if (e.position().offset() > since && out.size() < limit) {
                    out.add((Entry<T>) e);
                }
            }
            boolean complete = since <= s.top
                    && (since == s.top || (!out.isEmpty() && out.get(0).position().offset() == since + 1
                    && out.get(out.size() - 1).position().offset() == s.top));
            return new History<>(new Position(s.epoch, s.top), out, complete);
        }
    }

    private Stream stream(String topic, long now) {
        Stream s = streams.get(topic);
        if (s != null) {
            return s;
        }
        // outside computeIfAbsent: a map must not be changed from within its own mapping function
        if (created.incrementAndGet() % 256 == 0 || streams.size() >= MAX_STREAMS) {
            sweep();
        }
        return streams.computeIfAbsent(topic, t -> {
            Stream fresh = new Stream(Position.newEpoch());
            fresh.lastPublish = now;
            return fresh;
        });
    }

    /** Forgets streams idle past {@link #STREAM_IDLE} without handlers, or past their history's TTL when there are too many. */
    private void sweep() {
        long now = nanos.getAsLong();
        boolean crowded = streams.size() >= MAX_STREAMS;
        for (Iterator<Map.Entry<String, Stream>> it = streams.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Stream> e = it.next();
            Stream s = e.getValue();
            synchronized (s) {
                s.expireHistory(now);
                long idle = now - s.lastPublish;
                boolean held = topics.containsKey(e.getKey());
                if ((!held && idle > STREAM_IDLE.toNanos()) || (crowded && idle > s.ttlNanos)) {
                    s.forgotten = true;
                    it.remove();
                }
            }
        }
    }

    private <T> CompletableFuture<Delivered> deliver(String topic, T message, Position position) {
        List<Handler<?>> handlers = topics.get(topic);
        if (handlers == null) {
            return CompletableFuture.completedFuture(Delivered.NONE.at(position));
        }
        return invokeAll(handlers, topic, message, position).thenApply(n -> new Delivered(n, 1, false, position));
    }

    private static <T> CompletableFuture<Integer> invokeAll(List<Handler<?>> handlers, String topic, T message, Position position) {
        if (handlers.size() == 1) {
            return invoke(handlers.get(0), topic, message, position);
        }
        CompletableFuture<Integer> sum = CompletableFuture.completedFuture(0);
        for (Handler<?> h : handlers) {
            sum = sum.thenCombine(invoke(h, topic, message, position), Integer::sum);
        }
        return sum;
    }

    @SuppressWarnings("unchecked")
    private static <T> CompletableFuture<Integer> invoke(Handler<?> handler, String topic, T message, Position position) {
        // every subscriber and publisher of a topic shares its codec, so they share its message type
        Handler<T> h = (Handler<T>) handler;
        try {
            return h.onMessage(topic, message, position).exceptionally(e -> {
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

    /** Number of streams held (for tests and metrics). */
    public int streamCount() {
        return streams.size();
    }

    @Override
    public void close() {
        topics.clear();
        gapListeners.clear();
        streams.clear();
        sourceTopics.clear();
    }

    /** A numbered topic's state; guarded by its own monitor. */
    private static final class Stream {
        final String epoch;
        final ArrayDeque<Entry<Object>> history = new ArrayDeque<>();
        /** The highest key each keyed source published here. */
        final Map<String, String> marks = new java.util.HashMap<>(2);
        long top;
        long lastPublish;
        long ttlNanos;
        boolean forgotten;

        Stream(String epoch) {
            this.epoch = epoch;
        }

        /** Takes the next position for {@code message} and keeps it as {@code retention} says; under the monitor. */
        Position append(Object message, Retention retention, long now) {
            Position p = new Position(epoch, ++top);
            if (retention.size() > 0) {
                history.addLast(new Entry<>(message, p));
                while (history.size() > retention.size()) {
                    history.removeFirst();
                }
            }
            lastPublish = now;
            ttlNanos = Duration.ofSeconds(retention.ttlSeconds()).toNanos();
            return p;
        }

        void expireHistory(long now) {
            if (!history.isEmpty() && now - lastPublish > ttlNanos) {
                history.clear();
            }
        }
    }
}
