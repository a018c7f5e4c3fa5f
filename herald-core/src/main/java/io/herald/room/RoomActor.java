package io.herald.room;

import io.herald.Connection;
import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.Meters;
import io.herald.storage.RoomStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The actor of one room: its connections, its (possibly hibernated) {@link Room} instance, its
 * alarm. Every field below the "confined" line is touched only on {@link #serial}, the room's context.
 */
final class RoomActor implements Room.RoomContext {
    private static final Logger log = LoggerFactory.getLogger(RoomActor.class);

    final String key;
    final RoomBinding binding;
    final String name;
    final SerialExecutor serial;
    /** Sockets reserved or joined; the host unloads the actor only at zero. */
    final AtomicInteger places = new AtomicInteger();
    /** HTTP requests queued or running; like places, they keep the actor from being removed. */
    final AtomicInteger requests = new AtomicInteger();
    volatile long lastActiveNanos = System.nanoTime();
    volatile boolean loaded;
    volatile boolean alarmPending;
    /** Callers between finding the actor and joining or requesting it (in a cluster: while its lease is taken). */
    final AtomicInteger holds = new AtomicInteger();
    /** In a cluster: this node's lease on the room, null while not the owner. Written on serial (or at removal). */
    volatile io.herald.cluster.Lease lease;
    /** In a cluster: the lease being taken; guarded by this actor's monitor. */
    CompletableFuture<RoomActor> acquiring;
    private final RoomHost host;

    // confined to serial
    private Room instance;
    private final Set<RoomConnection> connections = new LinkedHashSet<>();
    private ScheduledFuture<?> alarm;
    /** When the pending alarm is due (it is stored under that time), null when none. */
    private Instant alarmAt;
    private RoomStore store;
    /** While onMessage runs: when its message reached the server (nanoTime), else 0. */
    private long handling;
    /** The {@link Room#every} tasks of the current instance, cancelled when it is dropped. */
    private final List<Ticker> tickers = new ArrayList<>();

    RoomActor(String key, RoomBinding binding, String name, RoomHost host, SerialExecutor serial) {
        this.key = key;
        this.binding = binding;
        this.name = name;
        this.host = host;
        this.serial = serial;
    }

    /** Builds the instance if hibernated or new. Throws what onStart throws (the instance is then discarded). */
    private Room ensureStarted() throws Exception {
        if (host.cluster != null && !owned()) {
            // the lease is gone: another node may run the room now, so this one must not run its code
            throw new NotOwner();
        }
        if (instance != null) {
            return instance;
        }
        Room r = binding.newRoom();
        r.attach(this);
        host.onLoading(this);
        try {
            r.onStart();
        } catch (Exception e) {
            host.onUnloaded();
            throw e;
        }
        instance = r;
        loaded = true;
        host.starts.increment();
        return r;
    }

    void join(RoomConnection c, CompletableFuture<RoomConnection> joined) {
        touch();
        Room r;
        try {
            r = ensureStarted();
        } catch (NotOwner e) {
            joined.completeExceptionally(new HeraldException(ErrorCode.BROKER_UNAVAILABLE, "The room is moving; try again."));
            return;
        } catch (Exception e) {
            log.warn("room {} failed to start: {}", key, e.toString());
            joined.completeExceptionally(new HeraldException(ErrorCode.INTERNAL, "Uncaught exception during session setup"));
            return;
        }
        try {
            c.tags(r.getConnectionTags(c, c.context()));
        } catch (Exception e) {
            // the reason goes to the log, as for any setup failure; the client gets the generic frame
            log.warn("room {} getConnectionTags failed for connection {}: {}", key, c.id(), e.toString());
            joined.completeExceptionally(new HeraldException(ErrorCode.INTERNAL, "Uncaught exception during session setup"));
            return;
        }
        connections.add(c);
        countSocket(c, 1);
        try {
            r.onConnect(c, c.context());
            joined.complete(c);
        } catch (Exception e) {
            log.warn("room {} onConnect failed: {}", key, e.toString());
            connections.remove(c);
            countSocket(c, -1);
            joined.completeExceptionally(new HeraldException(ErrorCode.INTERNAL, "Uncaught exception during session setup"));
        }
    }

    /**
     * Runs the room's onMessage for {@code m}, which reached the server at {@code arrived} (nanoTime):
     * relays it makes meanwhile record their latency from then.
     */
    void message(RoomConnection c, RoomMessage m, long arrived) {
        touch();
        if (!connections.contains(c)) {
            return;
        }
        Room r;
        try {
            r = ensureStarted();
        } catch (NotOwner e) {
            // the room moved away: this socket is being closed with 1012 and reconnects to the new owner
            return;
        } catch (Exception e) {
            // as at connect: a room that cannot start cannot serve this socket
            log.warn("room {} failed to restart: {}", key, e.toString());
            c.send("{\"error\":\"Uncaught exception during session setup\"}");
            c.close(ErrorCode.INTERNAL.closeCode(), "Uncaught exception during session setup");
            return;
        }
        handling = arrived;
        try {
            r.onMessage(c, m);
        } catch (Exception e) {
            reportError(r, c, e);
        } finally {
            handling = 0;
        }
    }

    void closed(RoomConnection c, int code, String reason) {
        touch();
        if (connections.remove(c)) {
            countSocket(c, -1);
            try {
                Room r = ensureStarted();
                try {
                    r.onClose(c, code, reason);
                } catch (Exception e) {
                    reportError(r, c, e);
                }
            } catch (NotOwner e) {
                // the room moved away: its new owner saw this socket leave when it took the room
            } catch (Exception e) {
                log.warn("room {} failed to restart for a close: {}", key, e.toString());
            }
        }
        // unload first: release() removes the actor only when it is no longer loaded
        if (connections.isEmpty()) {
            unload();
        }
        host.release(this);
    }

    /**
     * Runs a plain HTTP request through the room's onRequest. An empty room stays loaded afterwards until
     * it is idle for {@code rooms.hibernateAfterMs}, so a room polled over HTTP is not rebuilt each time.
     */
    void request(HttpRequest request, CompletableFuture<HttpResponse> done) {
        touch();
        try {
            HttpResponse response = ensureStarted().onRequest(request);
            if (response == null) {
                throw new IllegalStateException("onRequest returned null");
            }
            done.complete(response);
        } catch (NotOwner e) {
            done.completeExceptionally(new HeraldException(ErrorCode.BROKER_UNAVAILABLE, "The room is moving; try again."));
        } catch (Exception e) {
            // room code's failure: the caller gets a generic 500, the reason stays in the log
            log.warn("room {} onRequest failed for {} {}: {}", key, request.method(), request.path(), e.toString());
            done.completeExceptionally(new HeraldException(ErrorCode.INTERNAL));
        } finally {
            requests.decrementAndGet();
            host.removeIfIdle(this);
        }
    }

    /** The alarm due at {@code due} fired; a firing for an alarm since replaced or cancelled is ignored. */
    void alarm(Instant due) {
        if (!due.equals(alarmAt)) {
            return;
        }
        alarm = null;
        alarmAt = null;
        touch();
        try {
            ensureStarted().onAlarm();
        } catch (NotOwner e) {
            // the new owner fires it
            alarmPending = false;
            return;
        } catch (Exception e) {
            log.warn("room {} onAlarm failed: {}", key, e.toString());
        }
        // Deleted only now, after onAlarm: a crash before this line fires the alarm again after a
        // restart (at least once). Unless onAlarm set a new alarm, which replaced the record already.
        if (alarmAt == null) {
            alarmPending = false;
            try {
                host.alarms.delete(binding.party(), name);
            } catch (RuntimeException e) {
                log.warn("room {}: the fired alarm could not be deleted and fires again after a restart: {}", key, e.toString());
            }
        }
        if (connections.isEmpty()) {
            unload();
            host.removeIfIdle(this);
        }
    }

    /** Drops the instance if still idle (or {@code force}, for the loaded-rooms cap). */
    void hibernate(long idleNanos, boolean force) {
        if (instance != null && (force || System.nanoTime() - lastActiveNanos >= idleNanos)) {
            unload();
            host.hibernations.increment();
        }
    }

    private void unload() {
        if (instance != null) {
            try {
                instance.onUnload();
            } catch (Exception e) {
                log.warn("room {} onUnload failed: {}", key, e.toString());
            }
            instance = null;
            loaded = false;
            store = null;
            tickers.forEach(Ticker::stop);
            tickers.clear();
            host.onUnloaded();
        }
    }

    /** Schedules an alarm read from storage at start, unless the room set one of its own meanwhile. */
    void restoreAlarm(Instant at) {
        if (alarmAt == null) {
            schedule(at);
        }
    }

    /** The room as the admin page shows it, with at most {@code maxPeers} of its connections. On serial. */
    RoomHost.RoomView view(int maxPeers) {
        List<RoomHost.Peer> peers = new ArrayList<>(Math.min(maxPeers, connections.size()));
        for (RoomConnection c : connections) {
            if (peers.size() >= maxPeers) {
                break;
            }
            peers.add(new RoomHost.Peer(c.id(), c.userId(), c.getState()));
        }
        return new RoomHost.RoomView(binding.party(), name, instance != null, connections.size(), peers);
    }

    /**
     * An operator unloads the room: onUnload runs (the room saves what it keeps) and every socket is closed
     * with 1012, so clients reconnect to a fresh instance. False when there was nothing to unload. On serial.
     */
    boolean unloadByOperator() {
        List<RoomConnection> open = List.copyOf(connections);
        if (instance == null && open.isEmpty()) {
            return false;
        }
        // out of the room first: their closes then neither run onClose nor start the room again to run it
        connections.clear();
        open.forEach(c -> countSocket(c, -1));
        unload();
        for (RoomConnection c : open) {
            c.close(ErrorCode.SHUTTING_DOWN.closeCode(), "room unloaded by an operator");
        }
        host.removeIfIdle(this);
        return true;
    }

    void shutdown() {
        if (alarm != null) {
            alarm.cancel(false);
        }
    }

    private void reportError(Room r, RoomConnection c, Throwable e) {
        log.warn("room {} hook failed for connection {}: {}", key, c.id(), e.toString());
        try {
            r.onError(c, e);
        } catch (RuntimeException again) {
            log.debug("onError threw too", again);
        }
    }

    /** The gauge counts the sockets of this node: a socket of another node counts there. */
    private void countSocket(RoomConnection c, int delta) {
        if (!(c.transport() instanceof RoomCluster.RemoteConnection)) {
            host.meters.connections("rooms").addAndGet(delta);
        }
    }

    private void touch() {
        lastActiveNanos = System.nanoTime();
    }

    // --- Room.RoomContext, called from hooks on serial ---

    @Override
    public String name() {
        return name;
    }

    @Override
    public String party() {
        return binding.party();
    }

    @Override
    public void broadcast(RoomMessage message, String... exclude) {
        if (exclude.length == 0) {
            broadcast(message, c -> true);
        } else {
            Set<String> skip = Set.copyOf(java.util.Arrays.asList(exclude));
            broadcast(message, c -> !skip.contains(c.id()));
        }
    }

    @Override
    public void broadcast(RoomMessage message, Predicate<RoomConnection> to) {
        List<Connection> targets = new ArrayList<>(connections.size());
        for (RoomConnection c : connections) {
            if (to.test(c)) {
                targets.add(c.transport());
            }
        }
        // latency from the frame's arrival at the server; relays outside a message handler record none
        host.fanout.toAll("rooms", handling, targets, message.encoded());
    }

    @Override
    public Collection<RoomConnection> connections() {
        return Collections.unmodifiableCollection(new ArrayList<>(connections));
    }

    @Override
    public Optional<RoomConnection> connection(String id) {
        RoomConnection found = null;
        for (RoomConnection c : connections) {
            if (c.id().equals(id)) {
                found = c;
            }
        }
        return Optional.ofNullable(found);
    }

    @Override
    public Meters meters() {
        return host.meters;
    }

    @Override
    public RoomStore storage() {
        if (store == null) {
            io.herald.cluster.Lease l = lease;
            if (host.cluster != null && l == null) {
                throw new HeraldException(ErrorCode.STALE_OWNER, "This node no longer runs room " + key + ".");
            }
            store = host.cluster == null ? host.storage.room(binding.party(), name)
                    : new FencedStore(host.storage.room(binding.party(), name, l.token()));
        }
        return store;
    }

    private boolean owned() {
        io.herald.cluster.Lease l = lease;
        return l != null && l.valid();
    }

    void unhold() {
        holds.decrementAndGet();
    }

    /**
     * This node took the room's lease: claims the room's fencing token in storage (so no earlier owner
     * can write any more) and schedules the room's stored alarm, as its owner now. On serial.
     */
    void takeLease(io.herald.cluster.Lease l) {
        host.storage.room(binding.party(), name, l.token()).claimFence();
        lease = l;
        store = null;
        Instant at = host.alarms.get(binding.party(), name);
        if (at != null && alarmAt == null) {
            alarmPending = true;
            schedule(at);
        }
    }

    /**
     * The lease {@code l} was lost (or a write refused): drop the instance, close this node's sockets with 1012,
     * so the clients reconnect and find the room's new owner, and tell the nodes forwarding the others to join
     * them wherever the room goes next. On serial.
     */
    void leaseLost(io.herald.cluster.Lease l) {
        if (lease != l) {
            return;
        }
        host.cluster.giveUp(l);
        // onUnload may still try to save: the fence refuses it if another node owns the room by now
        unload();
        lease = null;
        if (alarm != null) {
            alarm.cancel(false);
            alarm = null;
        }
        alarmAt = null;
        alarmPending = false;
        for (RoomConnection c : List.copyOf(connections)) {
            if (c.transport() instanceof RoomCluster.RemoteConnection remote) {
                // a socket forwarded from another node follows the room, as on a hand-off: closing it with 1012 raced
                // that node's own check, which would have moved it had it seen the lease gone first
                remote.moved();
                closed(c, 1001, "moved");
            } else {
                c.close(1012, "Service restart");
            }
        }
        host.removeIfIdle(this);
    }

    /**
     * This node stops: saves the room (onUnload), gives the lease {@code l} back, then closes the local
     * sockets with 1012 and tells the nodes forwarding the others to join them wherever the room goes
     * next (after the release, so they find it free). On serial.
     */
    void handOff(io.herald.cluster.Lease l) {
        if (lease != l) {
            return;
        }
        unload();
        lease = null;
        if (alarm != null) {
            // stored: the next owner, or another node's alarm scan, fires it
            alarm.cancel(false);
            alarm = null;
        }
        alarmAt = null;
        alarmPending = false;
        host.cluster.releaseNow(l);
        for (RoomConnection c : List.copyOf(connections)) {
            if (c.transport() instanceof RoomCluster.RemoteConnection remote) {
                remote.moved();
                // it leaves this node's room (the lease is gone: onClose does not run here)
                closed(c, 1001, "moved");
            } else {
                c.close(1012, "Service restart");
            }
        }
    }

    /** Thrown inside the actor when a hook would run without the lease. */
    private static final class NotOwner extends Exception {
        NotOwner() {
            super("not the room's owner", null, false, false);
        }
    }

    /** The room's store in a cluster: a write the fence refuses unloads the room (another node owns it). */
    private final class FencedStore implements RoomStore {
        private final RoomStore store;

        FencedStore(RoomStore store) {
            this.store = store;
        }

        private <T> T fenced(java.util.function.Supplier<T> write) {
            try {
                return write.get();
            } catch (io.herald.storage.FencedOutException e) {
                host.cluster.fencedOut(RoomActor.this);
                throw e;
            }
        }

        @Override
        public Optional<byte[]> get(String key) {
            return store.get(key);
        }

        @Override
        public void put(String key, byte[] value) {
            fenced(() -> {
                store.put(key, value);
                return null;
            });
        }

        @Override
        public boolean delete(String key) {
            return fenced(() -> store.delete(key));
        }

        @Override
        public java.util.SortedMap<String, byte[]> list(String prefix) {
            return store.list(prefix);
        }

        @Override
        public void batch(java.util.function.Consumer<Batch> ops) {
            fenced(() -> {
                store.batch(ops);
                return null;
            });
        }

        @Override
        public long bytesUsed() {
            return store.bytesUsed();
        }

        @Override
        public long maxBytes() {
            return store.maxBytes();
        }
    }

    @Override
    public io.herald.config.RoomsConfig settings() {
        return host.config();
    }

    @Override
    public void setAlarm(Instant at) {
        if (host.cluster != null && !owned()) {
            // the room's alarm is its owner's: a node that lost the room must not move it
            throw new HeraldException(ErrorCode.STALE_OWNER, "This node no longer runs room " + key + ".");
        }
        // stored first: if that fails, the room keeps the alarm it had and the caller sees why
        if (at != null) {
            host.alarms.put(binding.party(), name, at);
        } else if (alarmAt != null) {
            host.alarms.delete(binding.party(), name);
        }
        if (alarm != null) {
            alarm.cancel(false);
            alarm = null;
        }
        alarmAt = null;
        alarmPending = false;
        if (at != null) {
            schedule(at);
        }
    }

    private void schedule(Instant at) {
        alarmAt = at;
        alarmPending = true;
        long delay = Math.max(0, at.toEpochMilli() - System.currentTimeMillis());
        alarm = host.timer.schedule(() -> host.fireAlarm(this, at), delay, TimeUnit.MILLISECONDS);
    }

    @Override
    public Room.Repeating every(Duration period, Runnable task) {
        Ticker t = new Ticker(task);
        long ms = Math.max(1, period.toMillis());
        t.future = host.timer.scheduleAtFixedRate(t::tick, ms, ms, TimeUnit.MILLISECONDS);
        tickers.add(t);
        return t;
    }

    /**
     * One {@link Room#every} task: the timer queues a tick on the room's context unless one is still
     * queued, so a busy room gets at most one waiting tick per task and its queue cannot fill with them.
     */
    private final class Ticker implements Room.Repeating {
        private final Runnable task;
        private final AtomicBoolean queued = new AtomicBoolean();
        private volatile boolean stopped;
        private ScheduledFuture<?> future;

        Ticker(Runnable task) {
            this.task = task;
        }

        /** On the timer thread. */
        private void tick() {
            if (!stopped && queued.compareAndSet(false, true) && !RoomHost.submit(RoomActor.this, this::run)) {
                queued.set(false);
            }
        }

        /** On the room's context. */
        private void run() {
            queued.set(false);
            if (stopped) {
                return;
            }
            try {
                task.run();
            } catch (RuntimeException e) {
                log.warn("room {} repeating task failed: {}", key, e.toString());
            }
        }

        void stop() {
            stopped = true;
            if (future != null) {
                future.cancel(false);
            }
        }

        @Override
        public void cancel() {
            stop();
            tickers.remove(this);
        }
    }

    @Override
    public <T> CompletableFuture<T> offload(Callable<T> work) {
        // Hooks already run on a room worker, not an event loop: running the work here blocks only
        // this room, and keeps every later hook behind it, which is the ordering the API promises.
        try {
            return CompletableFuture.completedFuture(work.call());
        } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
