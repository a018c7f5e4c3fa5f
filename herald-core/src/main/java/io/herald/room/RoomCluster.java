package io.herald.room;

import io.herald.Connection;
import io.herald.EncodedMessage;
import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.cluster.Broker;
import io.herald.cluster.Lease;
import io.herald.cluster.LeaseRenewer;
import io.herald.cluster.RoomLeases;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster side of a {@link RoomHost}: one owner node per room, the Durable Object promise across
 * nodes. A room runs only on the node holding its {@link RoomLeases lease}; its storage writes carry the
 * lease's fencing token. A socket that arrives at another node is forwarded: that node sends the
 * owner the socket's join, frames and close ({@link RoomWire}), and the owner's room sees it as one of
 * its connections, through a {@link RemoteConnection} whose sends are gathered per node, so a relay to
 * any number of sockets on one node is one message (the frame once and their numbers).
 *
 * <p><b>Failures.</b> The owner renews its leases ({@link LeaseRenewer}); a lease lost, or a write
 * refused by the fence, unloads the room and closes its sockets with 1012 so they reconnect to the
 * true owner. Forwarding nodes check every third of a lease term that the owner is alive and still
 * holds the lease; if not, they join their sockets again wherever the room is now (on this node when
 * they take the lease), so those sockets stay open through a failover. An owner drops the sockets of
 * a node that stopped beating. Messages lost between two nodes (a broker gap, a failed send) close
 * the sockets they concerned with 1012; either side answers a message about a socket it does not know
 * by telling the other to drop it, so the two views cannot drift apart.
 *
 * <p>Alarms of rooms nobody hosts are found by a periodic scan of the stored alarm index on every
 * node; the first node to take the room's lease at the alarm's time fires it.
 */
final class RoomCluster implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RoomCluster.class);
    static final String CHANNEL = "rooms";
    /** How long a forwarded join or HTTP request may wait for the owner's answer. */
    private static final long ANSWER_TIMEOUT_MS = 10_000;
    /** How often a join or request is sent on after the node it went to was no longer the owner. */
    private static final int MAX_ROUTE_ATTEMPTS = 5;

    private final RoomHost host;
    private final Broker broker;
    private final RoomLeases leases;
    private final LeaseRenewer renewer;
    private final String self;
    private final Duration term;
    private final Broker.Subscription inbox;
    private final ScheduledFuture<?> checks;
    private final ScheduledFuture<?> alarmScan;

    // forwarding side: sockets on this node whose room runs on another node
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, Forwarded> forwarded = new ConcurrentHashMap<>();
    private final Map<Long, CompletableFuture<Void>> joins = new ConcurrentHashMap<>();
    private final Map<Long, CompletableFuture<HttpResponse>> requests = new ConcurrentHashMap<>();

    // owner side: sockets of other nodes in the rooms of this node
    private final Map<String, NodeLink> links = new ConcurrentHashMap<>();
    /** Alarms of rooms not hosted here that this node will try to fire: room key to time. */
    private final Map<String, Instant> wakes = new ConcurrentHashMap<>();
    /** When each node was last heard from (nanoTime): a node missing from the live list is dead only if also silent. */
    private final Map<String, Long> heard = new ConcurrentHashMap<>();

    RoomCluster(RoomHost host, Broker broker, RoomLeases leases) {
        this.host = host;
        this.broker = broker;
        this.leases = leases;
        this.self = leases.nodeId();
        this.term = Duration.ofMillis(host.config().leaseMs());
        this.renewer = new LeaseRenewer(host.timer, this::lost);
        this.inbox = broker.inbox(CHANNEL, new Broker.Inbox() {
            @Override
            public void onMessage(String fromNode, byte[] body) {
                receive(fromNode, body);
            }

            @Override
            public void onGap(String fromNode) {
                gap(fromNode);
            }
        });
        long period = Math.max(100, term.toMillis() / 3);
        this.checks = host.timer.scheduleWithFixedDelay(this::check, period, period, TimeUnit.MILLISECONDS);
        long scan = Math.max(500, term.toMillis() / 2);
        this.alarmScan = host.timer.scheduleWithFixedDelay(() -> host.offTimer(this::scanAlarms), 0, scan, TimeUnit.MILLISECONDS);
    }

    // ---------------------------------------------------------------- ownership

    /** The room runs on another node. */
    static final class Elsewhere extends RuntimeException {
        final String node;

        Elsewhere(String node) {
            super("room hosted by node " + node, null, false, false);
            this.node = node;
        }
    }

    /**
     * Completes with the room's actor once this node holds the room's lease (taking it when no node
     * does), or fails with {@link Elsewhere} naming the owner, or with 503 {@code broker_unavailable}.
     * The actor is held (not removed) until the caller calls {@link RoomActor#unhold()}.
     */
    CompletableFuture<RoomActor> own(RoomActor a) {
        CompletableFuture<RoomActor> result;
        synchronized (a) {
            Lease l = a.lease;
            if (l != null && l.valid()) {
                return CompletableFuture.completedFuture(a);
            }
            if (a.acquiring == null) {
                a.acquiring = acquire(a, 0);
                a.acquiring.whenComplete((ok, err) -> {
                    synchronized (a) {
                        a.acquiring = null;
                    }
                });
            }
            result = a.acquiring;
        }
        return result;
    }

    private CompletableFuture<RoomActor> acquire(RoomActor a, int attempt) {
        if (!broker.available()) {
            return CompletableFuture.failedFuture(new HeraldException(ErrorCode.BROKER_UNAVAILABLE));
        }
        return leases.acquire(a.binding.party(), a.name).thenCompose(acq -> {
            if (acq instanceof RoomLeases.Acquired got) {
                CompletableFuture<RoomActor> taken = new CompletableFuture<>();
                try {
                    a.serial.executeAlways(() -> {
                        try {
                            a.takeLease(got.lease());
                            renewer.keep(got.lease());
                            taken.complete(a);
                        } catch (RuntimeException e) {
                            got.lease().release();
                            taken.completeExceptionally(e);
                        }
                    });
                } catch (RejectedExecutionException e) {
                    got.lease().release();
                    taken.completeExceptionally(new HeraldException(ErrorCode.OVERLOADED, "The server is shutting down."));
                }
                return taken;
            }
            RoomLeases.Owner owner = ((RoomLeases.HeldBy) acq).owner();
            if (!owner.nodeId().equals(self)) {
                return CompletableFuture.failedFuture(new Elsewhere(owner.nodeId()));
            }
            // This node's own lease, from an actor being removed (its release is on the way) or from this
            // node's former process, whose rooms' state is lost with it: wait until it is gone.
            if ((attempt + 1) * 100L > term.toMillis() + 5_000) {
                return CompletableFuture.failedFuture(new HeraldException(ErrorCode.BROKER_UNAVAILABLE, "The room is moving; try again."));
            }
            CompletableFuture<RoomActor> later = new CompletableFuture<>();
            host.timer.schedule(() -> acquire(a, attempt + 1).whenComplete((ok, err) -> {
                if (err != null) {
                    later.completeExceptionally(unwrap(err));
                } else {
                    later.complete(ok);
                }
            }), Math.min(100L * (attempt + 1), 500), TimeUnit.MILLISECONDS);
            return later;
        });
    }

    /** A kept lease was lost (on the timer): the room unloads and its sockets are moved. */
    private void lost(Lease lease, LeaseRenewer.Loss why) {
        log.warn("node {} lost the lease of room {}/{} ({}): unloading it, its sockets reconnect to the new owner",
                self, lease.party(), lease.room(), why);
        RoomActor a = host.actor(lease.party() + "/" + lease.room());
        if (a != null) {
            a.serial.executeAlways(() -> a.leaseLost(lease));
        }
    }

    /** A write of {@code a} was refused by the fence: another node owns the room now. */
    void fencedOut(RoomActor a) {
        Lease l = a.lease;
        if (l != null) {
            log.warn("node {}: storage refused a write of room {} (a newer owner holds it); unloading it", self, a.key);
            renewer.stop(l);
            a.serial.executeAlways(() -> a.leaseLost(l));
        }
    }

    /** The actor was removed from the host (idle): its lease goes back at once. */
    void released(RoomActor a) {
        Lease l;
        synchronized (a) {
            l = a.lease;
            a.lease = null;
        }
        if (l != null) {
            giveUp(l);
        }
    }

    /** Stops renewing {@code l} and deletes it if it is still ours (a failed delete leaves it to expire). */
    void giveUp(Lease l) {
        renewer.stop(l);
        l.release().exceptionally(e -> {
            log.debug("release of {}/{} failed, it expires: {}", l.party(), l.room(), e.toString());
            return false;
        });
    }

    // ---------------------------------------------------------------- joining

    /** What a socket needs to join a room, wherever the room runs. */
    record Joiner(RoomBinding binding, String room, String connectionId, Connection transport, ConnectionContext context,
                  boolean moved) {
        /** The same socket, joining again after its room moved. */
        Joiner again() {
            return new Joiner(binding, room, connectionId, transport, context, true);
        }
    }

    /**
     * Routes {@code session}'s socket into its room: joins it here when this node owns (or takes) the
     * room, else forwards it to the owner. Completes when the socket is in the room (the session routed),
     * or fails with a {@link HeraldException}: 503 without the broker, 429 when the room or the rooms are
     * full, 1011 when the room failed to start or threw in onConnect.
     */
    CompletableFuture<Void> attach(RoomHost.RoomSession session, Joiner j, int attempt) {
        if (!broker.available()) {
            // without the broker this node can neither know the owner nor keep a lease: no new sockets
            return CompletableFuture.failedFuture(new HeraldException(ErrorCode.BROKER_UNAVAILABLE));
        }
        RoomActor a;
        try {
            a = host.holdActor(j.binding(), j.room());
        } catch (HeraldException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        own(a).whenComplete((owned, err) -> {
            if (err == null) {
                host.joinHeld(a, j.connectionId(), j.transport(), j.context(), j.moved(), session).whenComplete((ok, e) -> {
                    if (e != null) {
                        done.completeExceptionally(unwrap(e));
                    } else {
                        done.complete(null);
                    }
                });
                return;
            }
            a.unhold();
            host.removeIfIdle(a);
            Throwable cause = unwrap(err);
            if (!(cause instanceof Elsewhere elsewhere)) {
                done.completeExceptionally(cause);
                return;
            }
            forward(session, j, elsewhere.node).whenComplete((ok, e) -> {
                Throwable c = e == null ? null : unwrap(e);
                if (c == null) {
                    done.complete(null);
                } else if (c instanceof Elsewhere && attempt + 1 < MAX_ROUTE_ATTEMPTS) {
                    // the owner we asked was no longer the owner: ask the lease again
                    attach(session, j, attempt + 1).whenComplete((ok2, e2) -> {
                        if (e2 != null) {
                            done.completeExceptionally(unwrap(e2));
                        } else {
                            done.complete(null);
                        }
                    });
                } else {
                    done.completeExceptionally(c instanceof Elsewhere
                            ? new HeraldException(ErrorCode.BROKER_UNAVAILABLE, "The room is moving; try again.") : c);
                }
            });
        });
        return done;
    }

    /** Sends the join to {@code owner} and routes the session through it once the owner let the socket in. */
    private CompletableFuture<Void> forward(RoomHost.RoomSession session, Joiner j, String owner) {
        long fid = ids.incrementAndGet();
        Forwarded f = new Forwarded(fid, j, owner, session);
        CompletableFuture<Void> answer = new CompletableFuture<>();
        joins.put(fid, answer);
        // registered before the join is sent: what the owner sends the socket during onConnect comes first
        forwarded.put(fid, f);
        ScheduledFuture<?> timeout = host.timer.schedule(() -> answer.completeExceptionally(
                new HeraldException(ErrorCode.BROKER_UNAVAILABLE, "The room's node did not answer.")), ANSWER_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        broker.send(owner, CHANNEL, RoomWire.join(j.binding().party(), j.room(), fid, j.connectionId(), j.context(), j.moved()))
                .whenComplete((ok, e) -> {
                    if (e != null) {
                        answer.completeExceptionally(new HeraldException(ErrorCode.BROKER_UNAVAILABLE));
                    }
                });
        return answer.whenComplete((ok, e) -> {
            timeout.cancel(false);
            joins.remove(fid);
            if (e != null) {
                forwarded.remove(fid, f);
                if (!(unwrap(e) instanceof Elsewhere)) {
                    // the owner may have let it in after all (a late answer): tell it to drop the socket
                    broker.send(owner, CHANNEL, RoomWire.leave(fid, 1006, "join abandoned"));
                }
            } else {
                // counted where the socket is: the owner does not count the sockets of other nodes
                f.routed = true;
                host.meters.connections("rooms").incrementAndGet();
                session.route(f);
            }
        });
    }

    /** Forgets a forwarded socket (it closed, or moves); false when it was forgotten already. */
    private boolean drop(Forwarded f) {
        if (!forwarded.remove(f.fid, f)) {
            return false;
        }
        if (f.routed) {
            host.meters.connections("rooms").decrementAndGet();
        }
        return true;
    }

    /**
     * A socket on this node whose room runs on {@link #owner}: the session's route there. Its sends and
     * close come back from the owner through this node's inbox.
     */
    final class Forwarded implements RoomHost.Route {
        final long fid;
        final Joiner joiner;
        final String owner;
        final RoomHost.RoomSession session;
        volatile boolean moved;
        /** Set once the owner let the socket in; it then counts among this node's room connections. */
        volatile boolean routed;

        Forwarded(long fid, Joiner joiner, String owner, RoomHost.RoomSession session) {
            this.fid = fid;
            this.joiner = joiner;
            this.owner = owner;
            this.session = session;
        }

        String roomKey() {
            return joiner.binding().party() + "/" + joiner.room();
        }

        @Override
        public boolean message(RoomMessage m) {
            broker.send(owner, CHANNEL, RoomWire.message(fid, m)).whenComplete((ok, e) -> {
                if (e != null) {
                    lostLink(this);
                }
            });
            return true;
        }

        @Override
        public void closed(int code, String reason) {
            if (drop(this)) {
                broker.send(owner, CHANNEL, RoomWire.leave(fid, code, reason));
            }
        }

        @Override
        public RoomConnection connection() {
            return null;
        }
    }

    /** Frames to or from the owner of {@code f} were lost: the socket closes with 1012 and reconnects. */
    private void lostLink(Forwarded f) {
        if (drop(f)) {
            broker.send(f.owner, CHANNEL, RoomWire.leave(f.fid, 1012, "lost frames"));
            f.joiner.transport().close(1012, "Service restart");
        }
    }

    /**
     * Joins the sockets of {@code group}, forwarded to an owner that died or lost the room, wherever the
     * room is now; each stays open (messages it sends meanwhile wait in its session). A socket that cannot
     * be joined again closes with 1012.
     */
    private void move(List<Forwarded> group) {
        for (Forwarded f : group) {
            if (f.moved || !drop(f)) {
                continue;
            }
            f.moved = true;
            // the old owner may still be alive (it lost the lease): it must drop the socket too
            broker.send(f.owner, CHANNEL, RoomWire.leave(f.fid, 1012, "room moved"));
            if (!f.session.unroute(f)) {
                continue;
            }
            attach(f.session, f.joiner.again(), 0).whenComplete((ok, e) -> {
                if (e != null) {
                    log.debug("socket {} of room {} could not follow the room: {}", f.joiner.connectionId(), f.roomKey(), e.toString());
                    f.session.fail();
                    f.joiner.transport().close(1012, "Service restart");
                }
            });
        }
    }

    // ---------------------------------------------------------------- HTTP requests

    /** Runs {@code request} on the room's owner: here when this node owns or takes the room. */
    CompletableFuture<HttpResponse> request(RoomBinding binding, String room, HttpRequest request, int attempt) {
        RoomActor a;
        try {
            a = host.holdActor(binding, room);
        } catch (HeraldException e) {
            return CompletableFuture.failedFuture(e);
        }
        return own(a).handle((owned, err) -> {
            if (err == null) {
                return host.requestHeld(a, request);
            }
            a.unhold();
            host.removeIfIdle(a);
            Throwable cause = unwrap(err);
            if (!(cause instanceof Elsewhere elsewhere)) {
                return CompletableFuture.<HttpResponse>failedFuture(cause);
            }
            return forwardRequest(binding, room, request, elsewhere.node).handle((r, e) -> {
                Throwable c = e == null ? null : unwrap(e);
                if (c == null) {
                    return CompletableFuture.completedFuture(r);
                }
                if (c instanceof Elsewhere && attempt + 1 < MAX_ROUTE_ATTEMPTS) {
                    return request(binding, room, request, attempt + 1);
                }
                return CompletableFuture.<HttpResponse>failedFuture(c instanceof Elsewhere
                        ? new HeraldException(ErrorCode.BROKER_UNAVAILABLE, "The room is moving; try again.") : c);
            }).thenCompose(f -> f);
        }).thenCompose(f -> f);
    }

    private CompletableFuture<HttpResponse> forwardRequest(RoomBinding binding, String room, HttpRequest request, String owner) {
        long rid = ids.incrementAndGet();
        CompletableFuture<HttpResponse> answer = new CompletableFuture<>();
        requests.put(rid, answer);
        ScheduledFuture<?> timeout = host.timer.schedule(() -> answer.completeExceptionally(
                new HeraldException(ErrorCode.BROKER_UNAVAILABLE, "The room's node did not answer.")), ANSWER_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        broker.send(owner, CHANNEL, RoomWire.request(binding.party(), room, rid, request)).whenComplete((ok, e) -> {
            if (e != null) {
                answer.completeExceptionally(new HeraldException(ErrorCode.BROKER_UNAVAILABLE));
            }
        });
        return answer.whenComplete((r, e) -> {
            timeout.cancel(false);
            requests.remove(rid);
        });
    }

    // ---------------------------------------------------------------- the inbox

    private void receive(String from, byte[] body) {
        heard.put(from, System.nanoTime());
        RoomWire.Frame f;
        try {
            f = RoomWire.read(body);
        } catch (IllegalArgumentException e) {
            log.warn("undecodable room message from node {}: {}", from, e.getMessage());
            return;
        }
        switch (f.type) {
            case RoomWire.JOIN -> remoteJoin(from, f);
            case RoomWire.MESSAGE -> remoteMessage(from, f);
            case RoomWire.LEAVE -> remoteLeave(from, f.id, f.code, f.reason);
            case RoomWire.REQUEST -> remoteRequest(from, f);
            case RoomWire.JOINED -> answer(joins.get(f.id), null);
            case RoomWire.REFUSED -> answer(joins.get(f.id), new HeraldException(f.error, f.reason.isEmpty() ? null : f.reason));
            case RoomWire.NOT_OWNER -> {
                answer(joins.get(f.id), new Elsewhere(from));
                CompletableFuture<HttpResponse> r = requests.get(f.id);
                if (r != null) {
                    r.completeExceptionally(new Elsewhere(from));
                }
            }
            case RoomWire.RELAY -> relay(from, f);
            case RoomWire.MOVED -> {
                Forwarded fw = forwarded.get(f.id);
                if (fw != null && fw.owner.equals(from)) {
                    move(List.of(fw));
                }
            }
            case RoomWire.CLOSE -> {
                Forwarded fw = forwarded.get(f.id);
                if (fw != null && fw.owner.equals(from)) {
                    fw.joiner.transport().close(f.code, f.reason);
                }
            }
            case RoomWire.RESPONSE -> {
                CompletableFuture<HttpResponse> r = requests.get(f.id);
                if (r != null) {
                    r.complete(f.response);
                }
            }
            case RoomWire.REQUEST_FAILED -> {
                CompletableFuture<HttpResponse> r = requests.get(f.id);
                if (r != null) {
                    r.completeExceptionally(new HeraldException(f.error, f.reason.isEmpty() ? null : f.reason));
                }
            }
            default -> log.warn("unexpected room message type {} from node {}", f.type, from);
        }
    }

    private static void answer(CompletableFuture<Void> pending, Throwable failure) {
        if (pending != null) {
            if (failure == null) {
                pending.complete(null);
            } else {
                pending.completeExceptionally(failure);
            }
        }
    }

    /** The owner's relay to sockets on this node: one write task per event loop, the frame encoded once. */
    private void relay(String from, RoomWire.Frame f) {
        List<Connection> targets = new ArrayList<>(f.ids.length);
        List<Long> unknown = null;
        for (long fid : f.ids) {
            Forwarded fw = forwarded.get(fid);
            if (fw != null && fw.owner.equals(from)) {
                targets.add(fw.joiner.transport());
            } else if (fw == null) {
                unknown = unknown == null ? new ArrayList<>() : unknown;
                unknown.add(fid);
            }
        }
        EncodedMessage m = f.text ? EncodedMessage.text(f.bytes) : EncodedMessage.binary(f.bytes);
        host.fanout.toAll("rooms", 0, targets, m);
        if (unknown != null) {
            // sockets the owner still lists but this node no longer has (their leave was lost)
            for (long fid : unknown) {
                broker.send(from, CHANNEL, RoomWire.leave(fid, 1006, "unknown connection"));
            }
        }
    }

    private void remoteJoin(String from, RoomWire.Frame f) {
        Optional<RoomBinding> binding = host.binding(f.party);
        if (binding.isEmpty()) {
            broker.send(from, CHANNEL, RoomWire.refused(f.id, ErrorCode.NOT_FOUND, "No such party."));
            return;
        }
        NodeLink link = links.computeIfAbsent(from, NodeLink::new);
        RemoteConnection remote = new RemoteConnection(link, f.id, f.connectionId);
        RoomActor a;
        try {
            a = host.holdActor(binding.get(), f.room);
        } catch (HeraldException e) {
            broker.send(from, CHANNEL, RoomWire.refused(f.id, e.code(), e.getMessage()));
            return;
        }
        own(a).whenComplete((owned, err) -> {
            if (err != null) {
                a.unhold();
                host.removeIfIdle(a);
                Throwable c = unwrap(err);
                broker.send(from, CHANNEL, c instanceof Elsewhere ? RoomWire.notOwner(f.id)
                        : RoomWire.refused(f.id, c instanceof HeraldException he ? he.code() : ErrorCode.INTERNAL, c.getMessage()));
                return;
            }
            RoomHost.RoomSession session = new RoomHost.RoomSession();
            link.remotes.put(f.id, new Remote(remote, session));
            host.joinHeld(a, f.connectionId, remote, f.context, f.moved, session).whenComplete((ok, e) -> {
                if (e != null) {
                    link.remotes.remove(f.id);
                    Throwable c = unwrap(e);
                    broker.send(from, CHANNEL, RoomWire.refused(f.id, c instanceof HeraldException he ? he.code() : ErrorCode.INTERNAL,
                            c instanceof HeraldException ? c.getMessage() : "Uncaught exception during session setup"));
                } else {
                    // through the link, so it comes after what onConnect sent the socket
                    link.send(RoomWire.joined(f.id));
                }
            });
        });
    }

    private void remoteMessage(String from, RoomWire.Frame f) {
        NodeLink link = links.get(from);
        Remote r = link == null ? null : link.remotes.get(f.id);
        if (r == null) {
            // a socket this node does not (or no longer) host: the forwarding node must drop it
            broker.send(from, CHANNEL, RoomWire.close(f.id, 1012, "Service restart"));
            return;
        }
        RoomMessage m = f.text ? RoomMessage.text(new String(f.bytes, java.nio.charset.StandardCharsets.UTF_8)) : RoomMessage.binary(f.bytes);
        if (!r.session.message(m)) {
            r.remote.close(ErrorCode.OVERLOADED.closeCode(), "room overloaded");
        }
    }

    private void remoteLeave(String from, long fid, int code, String reason) {
        NodeLink link = links.get(from);
        Remote r = link == null ? null : link.remotes.remove(fid);
        if (r != null) {
            r.session.closed(code, reason);
        }
    }

    private void remoteRequest(String from, RoomWire.Frame f) {
        Optional<RoomBinding> binding = host.binding(f.party);
        if (binding.isEmpty()) {
            broker.send(from, CHANNEL, RoomWire.requestFailed(f.id, ErrorCode.NOT_FOUND, "No such party."));
            return;
        }
        RoomActor a;
        try {
            a = host.holdActor(binding.get(), f.room);
        } catch (HeraldException e) {
            broker.send(from, CHANNEL, RoomWire.requestFailed(f.id, e.code(), e.getMessage()));
            return;
        }
        own(a).thenCompose(owned -> host.requestHeld(a, f.request)).whenComplete((response, err) -> {
            if (err == null) {
                broker.send(from, CHANNEL, RoomWire.response(f.id, response));
                return;
            }
            Throwable c = unwrap(err);
            if (c instanceof Elsewhere) {
                a.unhold();
                host.removeIfIdle(a);
                broker.send(from, CHANNEL, RoomWire.notOwner(f.id));
            } else {
                broker.send(from, CHANNEL, RoomWire.requestFailed(f.id, c instanceof HeraldException he ? he.code() : ErrorCode.INTERNAL,
                        c instanceof HeraldException ? c.getMessage() : null));
            }
        });
    }

    /** Messages from {@code from} (every node when null) may have been lost: reset what depended on them. */
    private void gap(String from) {
        log.info("room messages from {} may have been lost: resetting the sockets forwarded between them and node {}",
                from == null ? "other nodes" : "node " + from, self);
        for (Forwarded f : List.copyOf(forwarded.values())) {
            if (from == null || f.owner.equals(from)) {
                lostLink(f);
            }
        }
        for (NodeLink link : List.copyOf(links.values())) {
            if (from == null || link.node.equals(from)) {
                link.drop(1012, "Service restart", true);
            }
        }
    }

    // ---------------------------------------------------------------- checks

    /** Every third of a lease term: drop the sockets of dead nodes, follow rooms whose owner changed. */
    private void check() {
        try {
            if (!broker.available()) {
                // cut off: this node cannot reach the owners, so its forwarded sockets reconnect elsewhere;
                // the rooms it runs go on for their own sockets while their leases hold (the renewer's watch)
                for (Forwarded f : List.copyOf(forwarded.values())) {
                    lostLink(f);
                }
                return;
            }
            Set<String> live = broker.liveNodes();
            for (NodeLink link : List.copyOf(links.values())) {
                if (dead(link.node, live)) {
                    log.info("node {} stopped beating: its {} sockets leave their rooms on node {}", link.node, link.remotes.size(), self);
                    link.drop(1006, "node lost", false);
                    links.remove(link.node, link);
                }
            }
            Map<String, List<Forwarded>> byRoom = new HashMap<>();
            for (Forwarded f : forwarded.values()) {
                byRoom.computeIfAbsent(f.roomKey() + "\n" + f.owner, k -> new ArrayList<>()).add(f);
            }
            for (List<Forwarded> group : byRoom.values()) {
                Forwarded first = group.get(0);
                if (dead(first.owner, live)) {
                    move(group);
                    continue;
                }
                leases.owner(first.joiner.binding().party(), first.joiner.room()).whenComplete((owner, e) -> {
                    if (e == null && (owner.isEmpty() || !owner.get().nodeId().equals(first.owner))) {
                        move(group);
                    }
                });
            }
        } catch (RuntimeException e) {
            log.warn("room ownership check failed", e);
        }
    }

    /**
     * Whether {@code node} is gone: missing from the live list and silent for a lease term. The list is
     * only as fresh as the last heartbeat, so a node that just joined is missing from it for a while.
     */
    private boolean dead(String node, Set<String> live) {
        if (live.contains(node)) {
            return false;
        }
        Long last = heard.get(node);
        return last == null || System.nanoTime() - last > term.toNanos();
    }

    /** Reads the alarm index (off the timer: it is a storage read) and arranges a wake for each alarm due soon. */
    private void scanAlarms() {
        long horizon = System.currentTimeMillis() + Math.max(1000, term.toMillis());
        for (RoomBinding b : host.bindings()) {
            Map<String, Instant> due;
            try {
                due = host.alarms.pending(b.party());
            } catch (RuntimeException e) {
                log.debug("alarm scan of {} failed: {}", b.party(), e.toString());
                continue;
            }
            for (Map.Entry<String, Instant> e : due.entrySet()) {
                String key = b.party() + "/" + e.getKey();
                Instant at = e.getValue();
                if (at.toEpochMilli() > horizon || host.hosts(key) || at.equals(wakes.put(key, at))) {
                    continue;
                }
                long delay = Math.max(0, at.toEpochMilli() - System.currentTimeMillis());
                host.timer.schedule(() -> wake(b, e.getKey(), key, at), delay, TimeUnit.MILLISECONDS);
            }
        }
    }

    /**
     * An alarm of a room not hosted here is due: take the room if nobody hosts it (taking it loads its
     * stored alarm, which then fires here); if another node hosts it, that node fires it.
     */
    private void wake(RoomBinding b, String room, String key, Instant at) {
        wakes.remove(key, at);
        RoomActor a;
        try {
            a = host.holdActor(b, room);
        } catch (HeraldException e) {
            return;
        }
        own(a).whenComplete((ok, e) -> {
            a.unhold();
            host.removeIfIdle(a);
        });
    }

    /**
     * Gives every room of this node to the others before it stops: sockets forwarded from here leave
     * their rooms and close with 1012; each room this node runs is saved and unloaded (onUnload), its
     * lease released, its local sockets closed with 1012 and the nodes forwarding sockets to it told to
     * join them wherever the room goes next, so those stay open. Waits up to {@code timeoutMs}.
     */
    void handOff(Iterable<RoomActor> actors, long timeoutMs) {
        for (Forwarded f : List.copyOf(forwarded.values())) {
            if (drop(f)) {
                f.session.fail();
                broker.send(f.owner, CHANNEL, RoomWire.leave(f.fid, 1012, "Service restart"));
                f.joiner.transport().close(1012, "Service restart");
            }
        }
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (RoomActor a : actors) {
            Lease l = a.lease;
            if (l == null) {
                continue;
            }
            CompletableFuture<Void> handed = new CompletableFuture<>();
            done.add(handed);
            try {
                a.serial.executeAlways(() -> {
                    try {
                        a.handOff(l);
                    } finally {
                        handed.complete(null);
                    }
                });
            } catch (RejectedExecutionException e) {
                handed.complete(null);
            }
        }
        try {
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            log.warn("not every room was handed off in time; the others move when their leases expire");
        }
    }

    /** Releases {@code l} now (the room was saved): the next owner need not wait for the expiry. Blocks briefly. */
    void releaseNow(Lease l) {
        renewer.stop(l);
        try {
            l.release().get(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            log.debug("release of {}/{} failed, it expires: {}", l.party(), l.room(), e.toString());
        }
    }

    @Override
    public void close() {
        checks.cancel(false);
        alarmScan.cancel(false);
        inbox.close();
        renewer.close();
    }

    static Throwable unwrap(Throwable e) {
        while (e instanceof CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    // ---------------------------------------------------------------- owner side

    /** A socket of another node in a room of this node. */
    record Remote(RemoteConnection remote, RoomHost.RoomSession session) {
    }

    /**
     * Another node, as the rooms of this node see it: the "event loop" of its sockets. A fan-out runs its
     * task for this node here, at once, gathering every send of the task; when the task ends each frame
     * goes out once with the numbers of the sockets it is for.
     */
    final class NodeLink implements Executor {
        final String node;
        final Map<Long, Remote> remotes = new ConcurrentHashMap<>();
        private final ThreadLocal<Batch> gathering = new ThreadLocal<>();

        NodeLink(String node) {
            this.node = node;
        }

        @Override
        public void execute(Runnable task) {
            if (gathering.get() != null) {
                task.run();
                return;
            }
            Batch b = new Batch();
            gathering.set(b);
            try {
                task.run();
            } finally {
                gathering.remove();
                b.flush();
            }
        }

        void relay(long fid, EncodedMessage m) {
            Batch b = gathering.get();
            if (b == null) {
                send(RoomWire.relay(m.isText(), m.bytes(), new long[] {fid}, 1));
            } else {
                b.add(fid, m);
            }
        }

        void close(long fid, int code, String reason) {
            Batch b = gathering.get();
            byte[] frame = RoomWire.close(fid, code, reason);
            if (b == null) {
                send(frame);
            } else {
                b.raw(frame);
            }
        }

        void send(byte[] frame) {
            broker.send(node, CHANNEL, frame).whenComplete((ok, e) -> {
                if (e != null) {
                    // what the node's sockets were sent is incomplete now: they leave and reconnect
                    drop(1012, "Service restart", true);
                }
            });
        }

        /** Every socket of the node leaves its room; with {@code tell}, the node is asked to close them. */
        void drop(int code, String reason, boolean tell) {
            for (Map.Entry<Long, Remote> e : List.copyOf(remotes.entrySet())) {
                if (remotes.remove(e.getKey(), e.getValue())) {
                    if (tell) {
                        broker.send(node, CHANNEL, RoomWire.close(e.getKey(), code, reason));
                    }
                    e.getValue().session.closed(code, reason);
                }
            }
        }

        /** The sends of one fan-out task, in order: consecutive sends of one frame become one relay. */
        private final class Batch {
            private final List<Object> items = new ArrayList<>(2);
            private EncodedMessage current;
            private long[] fids;
            private int count;

            void add(long fid, EncodedMessage m) {
                if (m != current) {
                    end();
                    current = m;
                    fids = new long[8];
                    count = 0;
                }
                if (count == fids.length) {
                    fids = java.util.Arrays.copyOf(fids, count * 2);
                }
                fids[count++] = fid;
            }

            void raw(byte[] frame) {
                end();
                items.add(frame);
            }

            private void end() {
                if (current != null) {
                    items.add(RoomWire.relay(current.isText(), current.bytes(), fids, count));
                    current = null;
                }
            }

            void flush() {
                end();
                for (Object item : items) {
                    send((byte[]) item);
                }
            }
        }
    }

    /** A socket on another node, as the room sees it: sends and closes go through its node's link. */
    final class RemoteConnection implements Connection {
        private final NodeLink link;
        private final long fid;
        private final String id;
        private volatile boolean closed;

        RemoteConnection(NodeLink link, long fid, String id) {
            this.link = link;
            this.fid = fid;
            this.id = id;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public Executor executor() {
            return link;
        }

        @Override
        public boolean send(EncodedMessage message) {
            if (closed) {
                return false;
            }
            link.relay(fid, message);
            return true;
        }

        @Override
        public void close(int closeCode, String reason) {
            if (!closed) {
                closed = true;
                link.close(fid, closeCode, reason);
            }
        }

        /** Tells the socket's node to join it wherever the room goes next. */
        void moved() {
            if (!closed) {
                closed = true;
                link.remotes.remove(fid);
                link.send(RoomWire.moved(fid));
            }
        }

        @Override
        public String toString() {
            return "RemoteConnection[" + link.node + "#" + fid + "]";
        }
    }
}
