package io.herald.redis;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One dedicated pub/sub connection to one Redis server, owning the set of streams subscribed on it.
 *
 * <p>Subscribes with {@code SUBSCRIBE}, or with {@code SSUBSCRIBE} when {@code sharded} (Redis
 * Cluster), in batches of at most {@value #BATCH_LIMIT} channels; sharded batches hold the channels
 * of one slot only, because a multi-slot {@code SSUBSCRIBE} fails with {@code CROSSSLOT}. Frames
 * received are decoded ({@link PublicationCodec}) and handed to the listener.
 *
 * <p>The Vert.x Redis client neither reconnects nor resubscribes by itself. This class does: when
 * the connection ends (server restart, {@code CLIENT KILL}, network) it reconnects after a
 * {@link ReconnectBackoff} delay, again and again, subscribes every stream it owns, and once Redis
 * confirmed them all calls {@link Listener#onResubscribed} with those streams: publications made
 * while the connection was down were lost for them, so the owner must check their positions.
 *
 * <p><b>Silent failures.</b> A connection that receives nothing for the {@link PubSubProbe}'s
 * interval is sent a {@code PING}; when nothing at all arrives within its timeout the connection is
 * treated as lost and goes through the same reconnect and resubscribe, so a half-open socket or a
 * frozen Redis ends in {@link Listener#onResubscribed} like a closed one. Any traffic counts as an
 * answer, not only the {@code PONG}: the client drops the promise of a waiting command when a push
 * message arrives first, and under RESP2 hands it the message instead, so such replies are passed on
 * as messages. Each connection attempt (TCP connect and the {@code HELLO} handshake) is abandoned
 * after {@value #CONNECT_TIMEOUT_MS} ms, because a frozen server's kernel still accepts the TCP
 * connection and the client has no handshake timeout of its own.
 *
 * <p><b>Slot moves.</b> When a cluster slot moves to another master, Redis 7 sends the old owner's
 * sharded subscribers an {@code sunsubscribe} push for each channel of the slot, and an
 * {@code SSUBSCRIBE} on a master that does not own the slot fails with {@code MOVED <slot>
 * <host:port>}. Either way the streams concerned leave this connection and go to the
 * {@link Rehoming} given at open (the {@link StreamSubscriber}), which subscribes them on the new
 * owner; waiting subscribe futures complete once that is done. Without one, they are only logged.
 * An {@code sunsubscribe} that answers this connection's own {@code SUNSUBSCRIBE} is not a move.
 *
 * <p>Confined to the Vert.x context it was opened on: the listener is called there, and the public
 * methods may be called from anywhere (they hop to that context).
 */
public final class PubSubConnection implements AutoCloseable {

    /** Most channels per (S)SUBSCRIBE command, as in Centrifuge. */
    public static final int BATCH_LIMIT = 512;

    /** How long one connection attempt, TCP connect plus {@code HELLO}, may take. */
    static final long CONNECT_TIMEOUT_MS = 2_000;

    private static final Logger LOG = LoggerFactory.getLogger(PubSubConnection.class);

    /** Receives what arrives on the connection, on its context. */
    public interface Listener {
        void onPublication(Publication publication);

        /** After a reconnect, every owned stream is subscribed again; these streams may have missed publications. */
        void onResubscribed(Set<String> streams);
    }

    /** Takes over streams whose cluster slot this connection's server no longer serves. */
    interface Rehoming {
        /**
         * Subscribes {@code streams} (all of one slot) on the master that owns their slot now:
         * {@code movedTo} when Redis named it ({@code MOVED}), else as the cluster says. Reports
         * {@code gap} (the streams that were subscribed here, so may have missed publications) to the
         * listener once they are subscribed there; the future completes then.
         */
        Future<Void> rehome(PubSubConnection from, Set<String> streams, Set<String> gap, String movedTo);
    }

    private final Vertx vertx;
    private final Context context;
    private final RedisOptions options;
    private final String url;
    private final boolean sharded;
    private final StreamKeys keys;
    private final Listener listener;
    private final ReconnectBackoff backoff;
    private final PubSubProbe probe;
    private final Rehoming rehoming;
    private final Set<String> streams = new LinkedHashSet<>();
    /** Streams Redis confirmed on this connection at least once (and not unsubscribed since): a move means a gap for them. */
    private final Set<String> confirmed = new HashSet<>();
    private final Map<String, Promise<Void>> unconfirmed = new HashMap<>();
    /** Per channel, how many (S)UNSUBSCRIBE confirmations this connection still expects for its own requests. */
    private final Map<String, Integer> unsubscribing = new HashMap<>();
    private final Map<Integer, Eviction> evictions = new LinkedHashMap<>();
    private Redis client;
    private RedisConnection connection;
    private volatile boolean connected;
    private boolean connecting;
    private boolean connectedBefore;
    private boolean closed;
    private int failures;
    private int generation;
    private int attempts;
    private long lastReceivedNanos;
    /** A PING was sent and nothing was received since. */
    private boolean probing;
    private long probeTimer = -1;
    private volatile long reconnects;
    private volatile long probes;

    private PubSubConnection(Vertx vertx, Context context, String url, boolean sharded, StreamKeys keys,
                             Listener listener, ReconnectBackoff backoff, PubSubProbe probe, Rehoming rehoming) {
        this.vertx = vertx;
        this.context = context;
        this.options = new RedisOptions().setType(RedisClientType.STANDALONE).setConnectionString(url).setMaxPoolSize(1);
        options.getNetClientOptions().setConnectTimeout((int) CONNECT_TIMEOUT_MS);
        this.url = url;
        this.sharded = sharded;
        this.keys = keys;
        this.listener = listener;
        this.backoff = backoff;
        this.probe = probe;
        this.rehoming = rehoming;
    }

    /**
     * Opens a pub/sub connection to {@code url} on the current Vert.x context (or a new one) with the
     * default {@link PubSubProbe}; it keeps trying to connect in the background, so subscriptions may
     * be made at once.
     */
    public static PubSubConnection open(Vertx vertx, String url, boolean sharded, StreamKeys keys,
                                        Listener listener, ReconnectBackoff backoff) {
        return open(vertx, url, sharded, keys, listener, backoff, PubSubProbe.DEFAULT);
    }

    /** As {@link #open(Vertx, String, boolean, StreamKeys, Listener, ReconnectBackoff)}, probing quiet connections with {@code probe}. */
    public static PubSubConnection open(Vertx vertx, String url, boolean sharded, StreamKeys keys,
                                        Listener listener, ReconnectBackoff backoff, PubSubProbe probe) {
        return open(vertx, vertx.getOrCreateContext(), url, sharded, keys, listener, backoff, probe, null);
    }

    static PubSubConnection open(Vertx vertx, Context context, String url, boolean sharded, StreamKeys keys,
                                 Listener listener, ReconnectBackoff backoff, PubSubProbe probe, Rehoming rehoming) {
        PubSubConnection connection = new PubSubConnection(vertx, context, url, sharded, keys, listener, backoff, probe, rehoming);
        connection.onContext(connection::connect);
        return connection;
    }

    public String url() {
        return url;
    }

    /** Whether the connection is open now (it may still be resubscribing); readable from any thread. */
    public boolean connected() {
        return connected;
    }

    /** How many times the connection was established again after the first time; readable from any thread. */
    public long reconnects() {
        return reconnects;
    }

    /** How many probe {@code PING}s were sent; readable from any thread. */
    public long probes() {
        return probes;
    }

    /** Subscribes {@code streams}; completes once Redis confirmed each (possibly after a reconnect or a slot move). */
    public Future<Void> subscribe(Collection<String> streams) {
        List<String> wanted = List.copyOf(streams);
        Promise<Void> done = Promise.promise();
        onContext(() -> {
            List<Future<Void>> confirmations = new ArrayList<>();
            List<String> added = new ArrayList<>();
            for (String stream : wanted) {
                String channel = keys.channel(stream);
                boolean isNew = this.streams.add(stream);
                if (isNew) {
                    added.add(channel);
                }
                Promise<Void> waiting = unconfirmed.get(channel);
                if (waiting != null) {
                    confirmations.add(waiting.future());
                } else if (isNew) {
                    Promise<Void> promise = Promise.promise();
                    unconfirmed.put(channel, promise);
                    confirmations.add(promise.future());
                }
            }
            if (connection != null) {
                send(connection, added, sharded ? Command.SSUBSCRIBE : Command.SUBSCRIBE);
            }
            Future.all(confirmations).<Void>mapEmpty().onComplete(done);
        });
        return done.future();
    }

    /** Unsubscribes {@code streams}; completes when the command was written (or at once if not connected). */
    public Future<Void> unsubscribe(Collection<String> streams) {
        List<String> unwanted = List.copyOf(streams);
        Promise<Void> done = Promise.promise();
        onContext(() -> {
            List<String> channels = new ArrayList<>();
            for (String stream : unwanted) {
                if (this.streams.remove(stream)) {
                    confirmed.remove(stream);
                    String channel = keys.channel(stream);
                    channels.add(channel);
                    Promise<Void> waiting = unconfirmed.remove(channel);
                    if (waiting != null) {
                        waiting.tryFail("unsubscribed before Redis confirmed the subscription");
                    }
                }
            }
            if (connection != null) {
                // Redis confirms each channel with an (s)unsubscribe push, which must not be taken for a slot move
                channels.forEach(channel -> unsubscribing.merge(channel, 1, Integer::sum));
                send(connection, channels, sharded ? Command.SUNSUBSCRIBE : Command.UNSUBSCRIBE);
            }
            done.complete();
        });
        return done.future();
    }

    /** A snapshot of the streams this connection owns (subscribed, or waiting for Redis to confirm). */
    public Future<Set<String>> streams() {
        Promise<Set<String>> result = Promise.promise();
        onContext(() -> result.complete(Set.copyOf(streams)));
        return result.future();
    }

    /** Closes the connection and stops reconnecting; owned streams are forgotten. */
    @Override
    public void close() {
        onContext(() -> {
            closed = true;
            connected = false;
            cancelProbe();
            if (connection != null) {
                connection.close();
                connection = null;
            }
            if (client != null) {
                client.close();
                client = null;
            }
            unconfirmed.values().forEach(p -> p.tryFail("pub/sub connection closed"));
            unconfirmed.clear();
            streams.clear();
            confirmed.clear();
        });
    }

    private void connect() {
        if (closed || connecting || connection != null) {
            return;
        }
        connecting = true;
        int attempt = ++attempts;
        // a client per attempt: closing it is the only way to abandon a handshake that never ends
        Redis attemptClient = Redis.createClient(vertx, options);
        long deadline = vertx.setTimer(CONNECT_TIMEOUT_MS, t -> onContext(() -> {
            if (connecting && attempts == attempt) {
                connecting = false;
                attemptClient.close();
                LOG.debug("pub/sub connection to {} not ready after {} ms; trying again", url, CONNECT_TIMEOUT_MS);
                retryLater();
            }
        }));
        attemptClient.connect().onComplete(result -> onContext(() -> {
            vertx.cancelTimer(deadline);
            if (!connecting || attempts != attempt) {
                // abandoned (timed out or closed meanwhile)
                if (result.succeeded()) {
                    result.result().close();
                }
                attemptClient.close();
                return;
            }
            connecting = false;
            if (result.failed()) {
                LOG.debug("pub/sub connection to {} failed: {}", url, result.cause().getMessage());
                attemptClient.close();
                retryLater();
            } else {
                attach(attemptClient, result.result());
            }
        }));
    }

    private void attach(Redis attemptClient, RedisConnection conn) {
        if (closed) {
            conn.close();
            attemptClient.close();
            return;
        }
        client = attemptClient;
        connection = conn;
        connected = true;
        unsubscribing.clear();
        int attached = ++generation;
        conn.handler(reply -> onContext(() -> {
            if (connection == conn) {
                heard(conn);
                onReply(conn, reply);
            }
        }));
        conn.endHandler(v -> onContext(() -> dropped(conn, "ended")));
        conn.exceptionHandler(e -> onContext(() -> dropped(conn, String.valueOf(e.getMessage()))));
        boolean reconnected = connectedBefore;
        if (reconnected) {
            reconnects++;
        }
        connectedBefore = true;
        probing = false;
        heard(conn);
        scheduleProbe(conn, probe.interval().toMillis());
        Set<String> owned = Set.copyOf(streams);
        List<Future<Void>> confirmations = new ArrayList<>();
        List<String> channels = new ArrayList<>();
        for (String stream : owned) {
            String channel = keys.channel(stream);
            channels.add(channel);
            confirmations.add(unconfirmed.computeIfAbsent(channel, c -> Promise.promise()).future());
        }
        send(conn, channels, sharded ? Command.SSUBSCRIBE : Command.SUBSCRIBE);
        // join, not all: a stream unsubscribed or moved away meanwhile must not hold back the others' report
        Future.join(confirmations).onComplete(ok -> onContext(() -> {
            if (generation == attached && connection == conn) {
                failures = 0;
                Set<String> resubscribed = new LinkedHashSet<>(owned);
                resubscribed.retainAll(confirmed);
                if (reconnected && !resubscribed.isEmpty()) {
                    listener.onResubscribed(resubscribed);
                }
            }
        }));
    }

    private void dropped(RedisConnection conn, String why) {
        if (connection != conn) {
            return;
        }
        LOG.debug("pub/sub connection to {} lost ({}); reconnecting", url, why);
        connection = null;
        connected = false;
        probing = false;
        cancelProbe();
        conn.close();
        if (client != null) {
            client.close();
            client = null;
        }
        for (String stream : streams) {
            unconfirmed.computeIfAbsent(keys.channel(stream), c -> Promise.promise());
        }
        retryLater();
    }

    private void retryLater() {
        if (closed) {
            return;
        }
        long delay = backoff.delayMillis(failures++);
        vertx.setTimer(delay, t -> onContext(this::connect));
    }

    /** Notes traffic on {@code conn}: whatever arrives answers an outstanding probe. */
    private void heard(RedisConnection conn) {
        lastReceivedNanos = System.nanoTime();
        if (probing) {
            probing = false;
            scheduleProbe(conn, probe.interval().toMillis());
        }
    }

    private void cancelProbe() {
        if (probeTimer != -1) {
            vertx.cancelTimer(probeTimer);
            probeTimer = -1;
        }
    }

    private void scheduleProbe(RedisConnection conn, long delayMillis) {
        cancelProbe();
        probeTimer = vertx.setTimer(Math.max(1, delayMillis), t -> onContext(() -> probeIfQuiet(conn)));
    }

    /** Sends a PING when nothing arrived for the probe interval; otherwise looks again when the interval would be over. */
    private void probeIfQuiet(RedisConnection conn) {
        if (connection != conn) {
            return;
        }
        long interval = probe.interval().toMillis();
        long quiet = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastReceivedNanos);
        if (quiet < interval) {
            scheduleProbe(conn, interval - quiet);
            return;
        }
        probes++;
        probing = true;
        conn.send(Request.cmd(Command.PING)).onComplete(reply -> onContext(() -> {
            if (connection != conn) {
                return;
            }
            // an error reply is an answer too: the server is alive; a broken socket is reported by the end handler
            heard(conn);
            if (reply.succeeded() && reply.result() != null && reply.result().type() != ResponseType.SIMPLE) {
                // RESP2: a message that arrived before the PONG was handed to the PING's promise
                onReply(conn, reply.result());
            }
        }));
        probeTimer = vertx.setTimer(probe.timeout().toMillis(), t -> onContext(() -> {
            if (probeTimer == t) {
                probeTimer = -1;
            }
            if (connection == conn && probing) {
                LOG.warn("pub/sub connection to {} received nothing within {} ms of a PING; treating it as lost",
                        url, probe.timeout().toMillis());
                dropped(conn, "probe timed out");
            }
        }));
    }

    private void onReply(RedisConnection conn, Response reply) {
        if (reply == null) {
            return;
        }
        if (reply.type() == ResponseType.ERROR) {
            if (!redirected(reply.toString())) {
                LOG.warn("pub/sub error from {}: {}", url, reply);
            }
            return;
        }
        if ((reply.type() != ResponseType.PUSH && reply.type() != ResponseType.MULTI) || reply.size() < 2) {
            return;
        }
        String kind = reply.get(0).toString();
        String channel = reply.get(1).toString();
        switch (kind) {
            case "message", "smessage" -> deliver(channel, reply.size() > 2 ? reply.get(2) : null);
            case "subscribe", "ssubscribe" -> {
                String stream = keys.streamOf(channel);
                if (stream != null && streams.contains(stream)) {
                    confirmed.add(stream);
                }
                Promise<Void> waiting = unconfirmed.remove(channel);
                if (waiting != null) {
                    waiting.tryComplete();
                }
            }
            case "sunsubscribe", "unsubscribe" -> unsubscribed(channel);
            default -> LOG.debug("ignored pub/sub reply {} from {}", kind, url);
        }
    }

    private void unsubscribed(String channel) {
        Integer requested = unsubscribing.get(channel);
        if (requested != null) {
            if (requested <= 1) {
                unsubscribing.remove(channel);
            } else {
                unsubscribing.put(channel, requested - 1);
            }
            return;
        }
        String stream = keys.streamOf(channel);
        if (stream == null || !streams.contains(stream)) {
            return;
        }
        if (sharded && rehoming != null) {
            LOG.info("{} unsubscribed {} without being asked (its slot moved); subscribing it where the slot lives now", url, channel);
            evict(stream, null);
        } else {
            LOG.warn("{} unsubscribed {} without being asked; not re-homed", url, channel);
        }
    }

    /** Handles {@code MOVED}/{@code ASK} for an {@code SSUBSCRIBE}: the slot's streams go elsewhere. */
    private boolean redirected(String error) {
        String[] parts = error.split(" ");
        if (!sharded || rehoming == null || parts.length < 3 || !(parts[0].equals("MOVED") || parts[0].equals("ASK"))) {
            return false;
        }
        int slot;
        try {
            slot = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            return false;
        }
        // ASK means the slot is being migrated: ask the cluster again (with backoff) rather than follow it
        String movedTo = parts[0].equals("MOVED") ? "redis://" + parts[2] : null;
        List<String> moving = streams.stream().filter(s -> KeySlot.of(keys.channel(s)) == slot).toList();
        LOG.info("{} answered {}; re-homing {} streams of slot {}", url, error, moving.size(), slot);
        moving.forEach(stream -> evict(stream, movedTo));
        return true;
    }

    private static final class Eviction {
        final Set<String> streams = new LinkedHashSet<>();
        final Set<String> gap = new LinkedHashSet<>();
        final List<Promise<Void>> waiting = new ArrayList<>();
        String movedTo;
    }

    /** Removes {@code stream} from this connection and hands it to the rehoming, with the others of its slot evicted in the same turn. */
    private void evict(String stream, String movedTo) {
        String channel = keys.channel(stream);
        streams.remove(stream);
        int slot = KeySlot.of(channel);
        boolean first = evictions.isEmpty();
        Eviction eviction = evictions.computeIfAbsent(slot, s -> new Eviction());
        eviction.streams.add(stream);
        if (confirmed.remove(stream)) {
            eviction.gap.add(stream);
        }
        Promise<Void> waiting = unconfirmed.remove(channel);
        if (waiting != null) {
            eviction.waiting.add(waiting);
        }
        if (movedTo != null) {
            eviction.movedTo = movedTo;
        }
        if (first) {
            // Redis sends one push per channel: gather a slot's channels into one re-homing
            context.runOnContext(v -> {
                List<Map.Entry<Integer, Eviction>> due = new ArrayList<>(evictions.entrySet());
                evictions.clear();
                for (Map.Entry<Integer, Eviction> e : due) {
                    Eviction ev = e.getValue();
                    Future<Void> done = rehoming.rehome(this, Set.copyOf(ev.streams), Set.copyOf(ev.gap), ev.movedTo);
                    ev.waiting.forEach(done::onComplete);
                }
            });
        }
    }

    private void deliver(String channel, Response body) {
        String stream = keys.streamOf(channel);
        if (stream == null || body == null || !streams.contains(stream)) {
            return;
        }
        PublicationCodec.decode(stream, body.toBytes()).ifPresentOrElse(listener::onPublication,
                () -> LOG.warn("undecodable frame on {} from {}", channel, url));
    }

    private void send(RedisConnection conn, List<String> channels, Command command) {
        for (List<String> batch : batches(channels, sharded)) {
            Request request = Request.cmd(command);
            batch.forEach(request::arg);
            conn.send(request).onFailure(e -> onContext(() -> dropped(conn, "write failed: " + e.getMessage())));
        }
    }

    /** Channels in batches of at most {@link #BATCH_LIMIT}; when sharded, each batch within one slot. */
    static List<List<String>> batches(List<String> channels, boolean sharded) {
        Map<Integer, List<String>> groups = new LinkedHashMap<>();
        for (String channel : channels) {
            groups.computeIfAbsent(sharded ? KeySlot.of(channel) : 0, s -> new ArrayList<>()).add(channel);
        }
        List<List<String>> batches = new ArrayList<>();
        for (List<String> group : groups.values()) {
            for (int from = 0; from < group.size(); from += BATCH_LIMIT) {
                batches.add(group.subList(from, Math.min(group.size(), from + BATCH_LIMIT)));
            }
        }
        return batches;
    }

    private void onContext(Runnable action) {
        if (Vertx.currentContext() == context) {
            action.run();
        } else {
            context.runOnContext(v -> action.run());
        }
    }
}
