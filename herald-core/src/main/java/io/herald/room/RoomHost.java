package io.herald.room;

import io.herald.Connection;
import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.LocalFanout;
import io.herald.Meters;
import io.herald.config.RoomsConfig;
import io.herald.storage.Storage;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the rooms of every party: one {@link RoomActor} per (party, room id) on a shared worker pool,
 * admission under the per-room and total caps, hibernation of idle rooms and of the least recently
 * active ones past {@code rooms.maxLoadedRooms}, plain HTTP requests to rooms, and alarms, which it
 * keeps in storage and restores when it starts. Thread-safe; owns its pool and timer.
 */
public final class RoomHost implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RoomHost.class);
    private static final int MAX_QUEUED_PER_ROOM = 10_000;
    final Storage storage;
    final Meters meters;
    /** Relays of every room on this node go out through it. */
    final LocalFanout fanout;
    final ScheduledExecutorService timer;
    final LongAdder starts = new LongAdder();
    final LongAdder hibernations = new LongAdder();
    final StoredAlarms alarms;
    private final AtomicInteger loadedCount = new AtomicInteger();
    private final ThreadPoolExecutor workers;
    private final RoomsConfig config;
    private final Map<String, RoomBinding> parties = new LinkedHashMap<>();
    private final Map<String, RoomActor> actors = new ConcurrentHashMap<>();

    public RoomHost(RoomsConfig config, Iterable<RoomBinding> bindings, Storage storage, Meters meters) {
        this.config = config;
        this.storage = storage;
        this.alarms = new StoredAlarms(storage);
        this.meters = meters;
        this.fanout = new LocalFanout(meters);
        for (RoomBinding b : bindings) {
            if (parties.putIfAbsent(b.party(), b) != null) {
                throw new io.herald.config.ConfigException("rooms.bindings", "party name '" + b.party() + "' is bound twice");
            }
        }
        AtomicInteger n = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(config.workers(), config.workers(), 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> daemon(r, "herald-room-" + n.incrementAndGet()));
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> daemon(r, "herald-rooms-timer"));
        t.setRemoveOnCancelPolicy(true);
        this.timer = t;
        long period = Math.max(50, Math.min(1000, config.hibernateAfterMs() / 2));
        timer.scheduleAtFixedRate(this::hibernateIdle, period, period, TimeUnit.MILLISECONDS);
        meters.connections("rooms");
        try {
            restoreAlarms();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Wakes, at their time, the rooms whose alarms were stored before this host started (a restart):
     * one read of each party's alarm index. Runs before the host takes any socket or request, so each
     * restored alarm is the first task of its room. A storage that cannot be read stops the start-up
     * rather than losing the alarms silently.
     */
    private void restoreAlarms() {
        int restored = 0;
        for (RoomBinding b : parties.values()) {
            for (Map.Entry<String, Instant> e : alarms.pending(b.party()).entrySet()) {
                // not counted against maxRooms: these rooms were admitted before the restart
                RoomActor a = actors.computeIfAbsent(b.party() + "/" + e.getKey(), k -> newActor(k, b, e.getKey()));
                a.alarmPending = true;
                Instant at = e.getValue();
                submit(a, () -> a.restoreAlarm(at));
                restored++;
            }
        }
        if (restored > 0) {
            log.info("restored {} stored room alarms", restored);
        }
    }

    private RoomActor newActor(String key, RoomBinding binding, String roomId) {
        return new RoomActor(key, binding, roomId, this, new SerialExecutor(workers, MAX_QUEUED_PER_ROOM));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread th = new Thread(r, name);
        th.setDaemon(true);
        return th;
    }

    /** The binding of a party URL name. */
    public Optional<RoomBinding> binding(String party) {
        return Optional.ofNullable(parties.get(party));
    }

    public RoomsConfig config() {
        return config;
    }

    /**
     * Reserves a place for one socket in a room, before the upgrade.
     *
     * @throws HeraldException 429 when the room is full, 1013/429 {@code overloaded} when the room cap is reached
     */
    public Reservation reserve(RoomBinding binding, String roomId) {
        String key = binding.party() + "/" + roomId;
        RoomActor actor = actors.compute(key, (k, a) -> {
            if (a == null) {
                if (actors.size() >= config.maxRooms()) {
                    throw new HeraldException(ErrorCode.OVERLOADED, "Too many rooms.");
                }
                a = newActor(k, binding, roomId);
            }
            if (a.places.get() >= config.maxConnectionsPerRoom()) {
                throw new HeraldException(ErrorCode.TOO_MANY_REQUESTS, "The room is full.");
            }
            a.places.incrementAndGet();
            return a;
        });
        return new Reservation(actor);
    }

    /**
     * Sends a plain HTTP request to the room {@code roomId} of {@code binding}: loads the room if needed
     * (onStart) and runs its {@link Room#onRequest} on the room's context, in order with its other hooks.
     * Completes with the room's response, or fails with {@link HeraldException}: 500 when the room threw,
     * 429 {@code overloaded} when the room cap is reached or the room's queue is full.
     */
    public CompletableFuture<HttpResponse> request(RoomBinding binding, String roomId, HttpRequest request) {
        RoomActor actor;
        try {
            actor = actors.compute(binding.party() + "/" + roomId, (k, a) -> {
                if (a == null) {
                    if (actors.size() >= config.maxRooms()) {
                        throw new HeraldException(ErrorCode.OVERLOADED, "Too many rooms.");
                    }
                    a = newActor(k, binding, roomId);
                }
                a.requests.incrementAndGet();
                return a;
            });
        } catch (HeraldException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<HttpResponse> done = new CompletableFuture<>();
        if (!submit(actor, () -> actor.request(request, done))) {
            actor.requests.decrementAndGet();
            removeIfIdle(actor);
            done.completeExceptionally(new HeraldException(ErrorCode.OVERLOADED, "The room is overloaded."));
        }
        return done;
    }

    void release(RoomActor a) {
        a.places.decrementAndGet();
        removeIfIdle(a);
    }

    void removeIfIdle(RoomActor a) {
        actors.computeIfPresent(a.key, (k, current) ->
                current == a && a.places.get() == 0 && a.requests.get() == 0 && !a.alarmPending && !a.loaded ? null : current);
    }

    void onLoading(RoomActor loading) {
        if (loadedCount.incrementAndGet() > config.maxLoadedRooms()) {
            RoomActor oldest = null;
            for (RoomActor a : actors.values()) {
                if (a != loading && a.loaded && (oldest == null || a.lastActiveNanos < oldest.lastActiveNanos)) {
                    oldest = a;
                }
            }
            if (oldest != null) {
                RoomActor victim = oldest;
                submit(victim, () -> victim.hibernate(0, true));
            }
        }
    }

    void onUnloaded() {
        loadedCount.decrementAndGet();
    }

    void fireAlarm(RoomActor a, Instant due) {
        submit(a, () -> a.alarm(due));
    }

    private void hibernateIdle() {
        long idle = TimeUnit.MILLISECONDS.toNanos(config.hibernateAfterMs());
        long now = System.nanoTime();
        for (RoomActor a : actors.values()) {
            if (a.loaded && now - a.lastActiveNanos >= idle) {
                submit(a, () -> {
                    a.hibernate(idle, false);
                    removeIfIdle(a);
                });
            }
        }
    }

    /** Queues {@code task} on the room's context; false when its queue is full or the pool is shut down. */
    static boolean submit(RoomActor a, Runnable task) {
        try {
            a.serial.execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /** How many times a room instance was built (first start and every wake from hibernation). */
    public long starts() {
        return starts.sum();
    }

    /** How many times an idle room instance was dropped. */
    public long hibernations() {
        return hibernations.sum();
    }

    /** Rooms whose instance is in memory. */
    public int loadedRooms() {
        return loadedCount.get();
    }

    /** Rooms with sockets, pending alarms or requests, or loaded (loaded or hibernated). */
    public int rooms() {
        return actors.size();
    }

    @Override
    public void close() {
        actors.values().forEach(RoomActor::shutdown);
        timer.shutdownNow();
        workers.shutdown();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A place held in a room for one socket, between the gate and the upgrade. */
    public final class Reservation {
        private final RoomActor actor;
        private boolean used;

        private Reservation(RoomActor actor) {
            this.actor = actor;
        }

        /**
         * Joins the room: starts it if needed, runs onConnect. Completes with the session, or fails
         * with 1011 {@code internal_error} when onStart or onConnect threw (the place is released).
         */
        public CompletableFuture<RoomSession> join(String connectionId, Connection transport, ConnectionContext context) {
            used = true;
            RoomConnection c = new RoomConnection(connectionId, transport, context);
            CompletableFuture<RoomConnection> joined = new CompletableFuture<>();
            if (!submit(actor, () -> actor.join(c, joined))) {
                joined.completeExceptionally(new HeraldException(ErrorCode.OVERLOADED, "The room is overloaded."));
            }
            return joined.handle((ok, err) -> {
                if (err != null) {
                    release(actor);
                    throw err instanceof java.util.concurrent.CompletionException ce ? ce : new java.util.concurrent.CompletionException(err);
                }
                return new RoomSession(actor, ok);
            });
        }

        /** Gives the place back when the upgrade did not happen. */
        public void cancel() {
            if (!used) {
                used = true;
                release(actor);
            }
        }
    }

    /** A joined socket's handle: the transport feeds it the socket's messages and its close. */
    public static final class RoomSession {
        private final RoomActor actor;
        private final RoomConnection connection;

        RoomSession(RoomActor actor, RoomConnection connection) {
            this.actor = actor;
            this.connection = connection;
        }

        public RoomConnection connection() {
            return connection;
        }

        /** Queues a received message to the room; false when the room's queue is full (close the socket with 1013). */
        public boolean message(RoomMessage m) {
            long arrived = System.nanoTime();
            return submit(actor, () -> actor.message(connection, m, arrived));
        }

        /** The socket closed; runs onClose and releases the place. */
        public void closed(int code, String reason) {
            try {
                actor.serial.executeAlways(() -> actor.closed(connection, code, reason));
            } catch (RejectedExecutionException e) {
                // the worker pool is shut down: the host is closing with every room
                actor.places.decrementAndGet();
            }
        }
    }
}
