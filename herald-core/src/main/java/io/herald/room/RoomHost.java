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
    /** The cluster side (leases, forwarding), null on a single node. */
    final RoomCluster cluster;

    public RoomHost(RoomsConfig config, Iterable<RoomBinding> bindings, Storage storage, Meters meters) {
        this(config, bindings, storage, meters, null, null);
    }

    /**
     * A host that, given a broker shared with other nodes and the leases of the rooms, runs only the rooms
     * whose lease it holds and forwards the sockets and requests of the others to their owners; with a
     * single-node broker or no leases it runs every room itself.
     */
    public RoomHost(RoomsConfig config, Iterable<RoomBinding> bindings, Storage storage, Meters meters,
                    io.herald.cluster.Broker broker, io.herald.cluster.RoomLeases leases) {
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
        boolean clustered = broker != null && leases != null && broker.shared();
        try {
            // in a cluster, alarms are found by the cluster's periodic scan and fired by whoever takes the room
            if (!clustered) {
                restoreAlarms();
            }
            this.cluster = clustered ? new RoomCluster(this, broker, leases) : null;
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
        if (cluster != null) {
            // the room may run on another node: its limits are checked where it runs, at the join
            return new Reservation(binding, roomId);
        }
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
        if (cluster != null) {
            return cluster.request(binding, roomId, request, 0);
        }
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
        boolean[] removed = new boolean[1];
        actors.computeIfPresent(a.key, (k, current) -> {
            if (current == a && a.places.get() == 0 && a.requests.get() == 0 && a.holds.get() == 0 && !a.alarmPending && !a.loaded) {
                removed[0] = true;
                return null;
            }
            return current;
        });
        if (removed[0] && cluster != null) {
            cluster.released(a);
        }
    }

    // --- for the cluster side

    RoomActor actor(String key) {
        return actors.get(key);
    }

    /** Whether this node runs {@code key}'s room under a valid lease. */
    boolean hosts(String key) {
        RoomActor a = actors.get(key);
        io.herald.cluster.Lease l = a == null ? null : a.lease;
        return l != null && l.valid();
    }

    Iterable<RoomBinding> bindings() {
        return parties.values();
    }

    /** Runs {@code task} on a room worker rather than the timer (it blocks on storage). */
    void offTimer(Runnable task) {
        try {
            workers.execute(task);
        } catch (RejectedExecutionException e) {
            // shutting down
        }
    }

    /**
     * The room's actor, created if needed (429 {@code overloaded} past {@code rooms.maxRooms}), held so it
     * is not removed until {@link RoomActor#unhold()}.
     */
    RoomActor holdActor(RoomBinding binding, String roomId) {
        return actors.compute(binding.party() + "/" + roomId, (k, a) -> {
            if (a == null) {
                if (actors.size() >= config.maxRooms()) {
                    throw new HeraldException(ErrorCode.OVERLOADED, "Too many rooms.");
                }
                a = newActor(k, binding, roomId);
            }
            a.holds.incrementAndGet();
            return a;
        });
    }

    /**
     * Joins a socket to the held room {@code a} of this node (429 when it is full), then routes
     * {@code session} to it; the hold ends.
     */
    CompletableFuture<Void> joinHeld(RoomActor a, String connectionId, Connection transport, ConnectionContext context, boolean moved,
                                     RoomSession session) {
        try {
            while (true) {
                int n = a.places.get();
                if (n >= config.maxConnectionsPerRoom()) {
                    throw new HeraldException(ErrorCode.TOO_MANY_REQUESTS, "The room is full.");
                }
                if (a.places.compareAndSet(n, n + 1)) {
                    break;
                }
            }
        } catch (HeraldException e) {
            a.unhold();
            removeIfIdle(a);
            return CompletableFuture.failedFuture(e);
        }
        a.unhold();
        RoomConnection c = new RoomConnection(connectionId, transport, context, moved);
        CompletableFuture<RoomConnection> joined = new CompletableFuture<>();
        if (!submit(a, () -> a.join(c, joined))) {
            joined.completeExceptionally(new HeraldException(ErrorCode.OVERLOADED, "The room is overloaded."));
        }
        return joined.handle((ok, err) -> {
            if (err != null) {
                release(a);
                throw err instanceof java.util.concurrent.CompletionException ce ? ce : new java.util.concurrent.CompletionException(err);
            }
            session.route(new LocalRoute(a, c));
            return null;
        });
    }

    /** Runs a request in the held room {@code a} of this node; the hold ends. */
    CompletableFuture<HttpResponse> requestHeld(RoomActor a, HttpRequest request) {
        a.requests.incrementAndGet();
        a.unhold();
        CompletableFuture<HttpResponse> done = new CompletableFuture<>();
        if (!submit(a, () -> a.request(request, done))) {
            a.requests.decrementAndGet();
            removeIfIdle(a);
            done.completeExceptionally(new HeraldException(ErrorCode.OVERLOADED, "The room is overloaded."));
        }
        return done;
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

    /** One connection of a room as the admin page shows it: its id, user and the state room code gave it. */
    public record Peer(String id, String userId, com.fasterxml.jackson.databind.JsonNode state) {
    }

    /**
     * One room of this node as the admin page shows it.
     *
     * @param loaded   whether its instance is in memory (false: hibernated, or busy when it was asked)
     * @param sockets  its connections
     * @param presence the first of its connections, at most as many as asked for
     */
    public record RoomView(String party, String room, boolean loaded, int sockets, java.util.List<Peer> presence) {
    }

    /**
     * Up to {@code limit} rooms of this node, sorted by party and id, each read on its own context; a room
     * that does not answer within {@code waitMs} (its code is busy) is shown from what is known outside it.
     */
    public CompletableFuture<java.util.List<RoomView>> inspect(int limit, int maxPeers, long waitMs) {
        java.util.List<RoomActor> picked = new java.util.ArrayList<>();
        for (RoomActor a : actors.values()) {
            if (picked.size() >= limit) {
                break;
            }
            picked.add(a);
        }
        picked.sort(java.util.Comparator.comparing(a -> a.key));
        java.util.List<CompletableFuture<RoomView>> views = new java.util.ArrayList<>(picked.size());
        for (RoomActor a : picked) {
            CompletableFuture<RoomView> v = new CompletableFuture<>();
            RoomView outside = new RoomView(a.binding.party(), a.name, a.loaded, a.places.get(), java.util.List.of());
            if (!submit(a, () -> v.complete(a.view(maxPeers)))) {
                v.complete(outside);
            } else {
                try {
                    timer.schedule(() -> v.complete(outside), waitMs, TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException closing) {
                    v.complete(outside);
                }
            }
            views.add(v);
        }
        return CompletableFuture.allOf(views.toArray(CompletableFuture[]::new))
                .thenApply(done -> views.stream().map(CompletableFuture::join).toList());
    }

    /**
     * Unloads room {@code roomId} of party {@code party} on this node for an operator: its instance is dropped
     * (onUnload runs) and its sockets closed with 1012. Completes with false when this node has no such room
     * loaded or connected (in a cluster it may run on another node).
     */
    public CompletableFuture<Boolean> unload(String party, String roomId) {
        RoomActor a = actors.get(party + "/" + roomId);
        if (a == null) {
            return CompletableFuture.completedFuture(false);
        }
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        if (!submit(a, () -> {
            try {
                done.complete(a.unloadByOperator());
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        })) {
            done.completeExceptionally(new HeraldException(ErrorCode.OVERLOADED, "The room is overloaded."));
        }
        return done;
    }

    /**
     * In a cluster, before this node stops: saves every room it runs and gives it to the other nodes
     * (see the class comment of the cluster side); waits up to 5 s. Nothing on a single node.
     */
    public void handOff() {
        if (cluster != null) {
            cluster.handOff(java.util.List.copyOf(actors.values()), 5_000);
        }
    }

    @Override
    public void close() {
        if (cluster != null) {
            // leases are not released: the rooms' last changes may be unsaved, so the next owner waits for the expiry
            cluster.close();
        }
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
        private final RoomBinding binding;
        private final String roomId;
        private boolean used;

        private Reservation(RoomActor actor) {
            this.actor = actor;
            this.binding = null;
            this.roomId = null;
        }

        /** In a cluster: nothing is held yet, the join finds the room's node. */
        private Reservation(RoomBinding binding, String roomId) {
            this.actor = null;
            this.binding = binding;
            this.roomId = roomId;
        }

        /**
         * Joins the room: starts it if needed, runs onConnect. Completes with the session, or fails with
         * 1011 {@code internal_error} when onStart or onConnect threw (the place is released). In a
         * cluster it may also fail before any place was taken, with 503 {@code broker_unavailable} when
         * the room's node cannot be found or reached and 429 when the room or the node's rooms are full:
         * those refusals come before the upgrade.
         */
        public CompletableFuture<RoomSession> join(String connectionId, Connection transport, ConnectionContext context) {
            used = true;
            RoomSession session = new RoomSession();
            if (actor == null) {
                return cluster.attach(session, new RoomCluster.Joiner(binding, roomId, connectionId, transport, context, false), 0)
                        .thenApply(v -> session);
            }
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
                session.route(new LocalRoute(actor, ok));
                return session;
            });
        }

        /** Gives the place back when the upgrade did not happen. */
        public void cancel() {
            if (!used) {
                used = true;
                if (actor != null) {
                    release(actor);
                }
            }
        }
    }

    /** Where a joined socket's messages and close go: its room on this node, or the node running it. */
    interface Route {
        /** Queues a received message; false when the room's queue is full. */
        boolean message(RoomMessage m);

        void closed(int code, String reason);

        /** The room's view of the socket when the room runs here, else null. */
        RoomConnection connection();
    }

    /** The route to a room of this node. */
    record LocalRoute(RoomActor actor, RoomConnection connection) implements Route {
        @Override
        public boolean message(RoomMessage m) {
            long arrived = System.nanoTime();
            return submit(actor, () -> actor.message(connection, m, arrived));
        }

        @Override
        public void closed(int code, String reason) {
            try {
                actor.serial.executeAlways(() -> actor.closed(connection, code, reason));
            } catch (RejectedExecutionException e) {
                // the worker pool is shut down: the host is closing with every room
                actor.places.decrementAndGet();
            }
        }
    }

    /**
     * A joined socket's handle: the transport feeds it the socket's messages and its close. In a cluster
     * the room may move to another node while the socket stays open; messages received while it moves
     * wait here (at most {@value #MAX_HELD}) and follow it, in order.
     */
    public static final class RoomSession {
        private static final int MAX_HELD = 1000;
        private Route route;
        private java.util.ArrayDeque<RoomMessage> held;
        private boolean closed;
        private int closeCode;
        private String closeReason;

        RoomSession() {
        }

        /** The room's view of the socket, or null when its room runs on another node. */
        public synchronized RoomConnection connection() {
            return route == null ? null : route.connection();
        }

        /** Queues a received message to the room; false when the room's queue is full (close the socket with 1013). */
        public boolean message(RoomMessage m) {
            Route r;
            synchronized (this) {
                if (route == null) {
                    if (closed) {
                        return true;
                    }
                    if (held == null) {
                        held = new java.util.ArrayDeque<>();
                    }
                    if (held.size() >= MAX_HELD) {
                        return false;
                    }
                    held.add(m);
                    return true;
                }
                r = route;
            }
            return r.message(m);
        }

        /** The socket closed; runs onClose and releases the place. */
        public void closed(int code, String reason) {
            Route r;
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
                closeCode = code;
                closeReason = reason;
                r = route;
                route = null;
            }
            if (r != null) {
                r.closed(code, reason);
            }
        }

        /** The socket is in its room through {@code r}: messages held meanwhile go there first. */
        synchronized void route(Route r) {
            if (closed) {
                r.closed(closeCode, closeReason);
                return;
            }
            route = r;
            if (held != null) {
                for (RoomMessage m : held) {
                    r.message(m);
                }
                held = null;
            }
        }

        /** The room is moving away from {@code r}: hold messages until the next route; false when closed or moved already. */
        synchronized boolean unroute(Route r) {
            if (closed || route != r) {
                return false;
            }
            route = null;
            return true;
        }

        /** The socket could not follow its room: nothing more goes anywhere. */
        synchronized void fail() {
            closed = true;
            held = null;
        }
    }
}
