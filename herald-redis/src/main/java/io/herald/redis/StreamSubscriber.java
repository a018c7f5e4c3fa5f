package io.herald.redis;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The subscriber side of {@link RedisStreams}: one {@link PubSubConnection} per Redis server that
 * can deliver a stream's publications, and the routing of each stream to it. STANDALONE: the one
 * server, classic pub/sub. ISOLATED: the server {@link ShardRing} picks, classic pub/sub (the same
 * choice the publisher makes). CLUSTER: the master that owns the stream's slot, sharded pub/sub.
 *
 * <p><b>Cluster slot map.</b> Read with {@code CLUSTER SLOTS} at start, and kept current by the
 * connections: when a slot moves, its old master sends an {@code sunsubscribe} for each of our
 * channels in it (Redis 7.0 does so when {@code CLUSTER SETSLOT <slot> NODE} takes the slot away),
 * and a subscription sent to a master that no longer owns the slot is answered {@code MOVED}. Then
 * the streams are re-homed: the map is read again (from the old master first, which knows whom it
 * gave the slot to; or set from the {@code MOVED} answer), a connection is opened to a master not
 * seen before, the streams are subscribed there, and those that were subscribed before are reported
 * to {@link PubSubConnection.Listener#onResubscribed}, since publications made between the move and
 * the new subscription were not received. A stale map is retried with the reconnect backoff. A
 * master that owns no slot any more is closed once it carries no stream. Not handled: a master that
 * is removed (or dies for good) while still carrying streams keeps them until it comes back.
 *
 * <p>Thread-safe; every connection lives on the context that called {@link #start}, and the
 * listener is called there.
 */
public final class StreamSubscriber implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StreamSubscriber.class);

    private final Vertx vertx;
    private final Context context;
    private final RedisConfig config;
    private final StreamKeys keys;
    private final PubSubConnection.Listener listener;
    private final ReconnectBackoff backoff;
    private final PubSubProbe probe;
    private final List<PubSubConnection> fixed;
    private final ShardRing ring;
    /** Cluster: the connection of each master seen, by URL. */
    private final Map<String, PubSubConnection> masters = new ConcurrentHashMap<>();
    /** Cluster: the URL of each slot's master ({@code null}: none known). */
    private volatile String[] slotOwner;
    private volatile List<PubSubConnection> owning = List.of();
    /** Streams being re-homed; an unsubscribe removes a stream so that the re-homing drops it. */
    private final Set<String> rehoming = ConcurrentHashMap.newKeySet();
    private Future<Void> refreshing;
    private volatile boolean closed;

    private StreamSubscriber(Vertx vertx, Context context, RedisConfig config, PubSubConnection.Listener listener,
                             ReconnectBackoff backoff, PubSubProbe probe) {
        this.vertx = vertx;
        this.context = context;
        this.config = config;
        this.keys = new StreamKeys(config.prefix());
        this.listener = listener;
        this.backoff = backoff;
        this.probe = probe;
        List<PubSubConnection> connections = new ArrayList<>();
        if (config.topology() != RedisConfig.Topology.CLUSTER) {
            for (String url : config.urls()) {
                connections.add(PubSubConnection.open(vertx, context, url, false, keys, listener, backoff, probe, null));
            }
        }
        this.fixed = List.copyOf(connections);
        this.ring = new ShardRing(Math.max(1, fixed.size()));
    }

    /** Opens the pub/sub connections for {@code config} with the default {@link PubSubProbe}. */
    public static Future<StreamSubscriber> start(Vertx vertx, RedisConfig config, PubSubConnection.Listener listener,
                                                 ReconnectBackoff backoff) {
        return start(vertx, config, listener, backoff, PubSubProbe.DEFAULT);
    }

    /** Opens the pub/sub connections for {@code config}; in a cluster, fails if no seed answers {@code CLUSTER SLOTS}. */
    public static Future<StreamSubscriber> start(Vertx vertx, RedisConfig config, PubSubConnection.Listener listener,
                                                 ReconnectBackoff backoff, PubSubProbe probe) {
        Context context = vertx.getOrCreateContext();
        StreamSubscriber subscriber = new StreamSubscriber(vertx, context, config, listener, backoff, probe);
        if (config.topology() != RedisConfig.Topology.CLUSTER) {
            return Future.succeededFuture(subscriber);
        }
        Promise<StreamSubscriber> started = Promise.promise();
        context.runOnContext(v -> clusterSlots(vertx, config.urls(), 0)
                .map(slots -> {
                    subscriber.apply(slots);
                    return subscriber;
                })
                .onComplete(started));
        return started.future();
    }

    private static Future<Response> clusterSlots(Vertx vertx, List<String> nodes, int next) {
        Redis node = Redis.createClient(vertx, new RedisOptions().setConnectionString(nodes.get(next)));
        return node.send(Request.cmd(Command.CLUSTER).arg("SLOTS"))
                .eventually(node::close)
                .recover(e -> next + 1 < nodes.size() ? clusterSlots(vertx, nodes, next + 1) : Future.failedFuture(e));
    }

    /** Takes a {@code CLUSTER SLOTS} reply as the slot map; opens connections to new masters, closes idle ones of former masters. */
    private void apply(Response slots) {
        String[] owner = new String[KeySlot.SLOTS];
        for (Response range : slots) {
            String url = "redis://" + range.get(2).get(0).toString() + ":" + range.get(2).get(1).toInteger();
            for (int slot = range.get(0).toInteger(); slot <= range.get(1).toInteger(); slot++) {
                owner[slot] = url;
            }
        }
        install(owner);
    }

    private void install(String[] owner) {
        Set<String> urls = new LinkedHashSet<>();
        for (String url : owner) {
            if (url != null) {
                urls.add(url);
            }
        }
        List<PubSubConnection> now = new ArrayList<>();
        for (String url : urls) {
            now.add(masters.computeIfAbsent(url, u -> PubSubConnection.open(vertx, context, u, true, keys, listener, backoff, probe, this::rehome)));
        }
        slotOwner = owner;
        owning = List.copyOf(now);
        masters.forEach((url, connection) -> {
            if (!urls.contains(url)) {
                connection.streams().onSuccess(streams -> {
                    if (streams.isEmpty() && !contains(slotOwner, url) && masters.remove(url, connection)) {
                        LOG.info("{} owns no slot and carries no stream any more; closing its pub/sub connection", url);
                        connection.close();
                    }
                });
            }
        });
    }

    private static boolean contains(String[] owner, String url) {
        for (String u : owner) {
            if (url.equals(u)) {
                return true;
            }
        }
        return false;
    }

    /** Reads the slot map again, asking {@code first} before the known masters and the seeds; concurrent calls share one read. */
    private Future<Void> refreshSlots(String first) {
        if (refreshing != null) {
            return refreshing;
        }
        Set<String> nodes = new LinkedHashSet<>();
        nodes.add(first);
        nodes.addAll(masters.keySet());
        nodes.addAll(config.urls());
        Future<Void> read = clusterSlots(vertx, List.copyOf(nodes), 0)
                .compose(slots -> {
                    Promise<Void> applied = Promise.promise();
                    context.runOnContext(v -> {
                        apply(slots);
                        applied.complete();
                    });
                    return applied.future();
                });
        refreshing = read;
        read.onComplete(r -> context.runOnContext(v -> {
            if (refreshing == read) {
                refreshing = null;
            }
        }));
        return read;
    }

    /** See {@link PubSubConnection.Rehoming}; runs on this subscriber's context. */
    private Future<Void> rehome(PubSubConnection from, Set<String> streams, Set<String> gap, String movedTo) {
        Promise<Void> done = Promise.promise();
        rehoming.addAll(streams);
        context.runOnContext(v -> rehomeAttempt(from, streams, gap, movedTo, 0, done));
        return done.future();
    }

    private void rehomeAttempt(PubSubConnection from, Set<String> streams, Set<String> gap, String movedTo, int attempt,
                               Promise<Void> done) {
        if (closed) {
            done.tryFail("stream subscriber closed");
            return;
        }
        int slot = KeySlot.of(keys.channel(streams.iterator().next()));
        Future<Void> map;
        if (movedTo != null) {
            String[] owner = slotOwner.clone();
            owner[slot] = movedTo;
            install(owner);
            map = Future.succeededFuture();
        } else {
            map = refreshSlots(from.url());
        }
        map.onComplete(r -> context.runOnContext(v -> {
            List<String> wanted = streams.stream().filter(rehoming::contains).toList();
            if (wanted.isEmpty()) {
                done.tryComplete();
                return;
            }
            String url = slotOwner[slot];
            PubSubConnection target = url == null ? null : masters.get(url);
            // the old master's own map is the first one asked and knows the new owner; after a few stale
            // answers subscribe where the map says anyway: a master without the slot answers MOVED
            if (r.failed() || target == null || (target == from && movedTo == null && attempt < 3)) {
                long delay = backoff.delayMillis(attempt);
                LOG.debug("slot {} has no new owner yet ({}); asking again in {} ms", slot,
                        r.failed() ? r.cause().getMessage() : url, delay);
                vertx.setTimer(delay, t -> context.runOnContext(w -> rehomeAttempt(from, streams, gap, null, attempt + 1, done)));
                return;
            }
            target.subscribe(wanted).onComplete(s -> context.runOnContext(w -> {
                wanted.forEach(rehoming::remove);
                if (s.failed()) {
                    done.tryFail(s.cause());
                    return;
                }
                Set<String> missed = new LinkedHashSet<>(gap);
                missed.retainAll(wanted);
                if (!missed.isEmpty()) {
                    LOG.info("re-homed {} streams of slot {} from {} to {}", wanted.size(), slot, from.url(), target.url());
                    listener.onResubscribed(missed);
                }
                done.tryComplete();
            }));
        }));
    }

    /** Subscribes {@code stream}; completes once its server confirmed. */
    public Future<Void> subscribe(String stream) {
        return connectionOf(stream).subscribe(List.of(stream));
    }

    /** Subscribes {@code streams}, each on its server, in as few commands as the batch rules allow; completes once all are confirmed. */
    public Future<Void> subscribe(Collection<String> streams) {
        Map<PubSubConnection, List<String>> byConnection = new LinkedHashMap<>();
        streams.forEach(s -> byConnection.computeIfAbsent(connectionOf(s), c -> new ArrayList<>()).add(s));
        List<Future<Void>> confirmations = new ArrayList<>();
        byConnection.forEach((connection, owned) -> confirmations.add(connection.subscribe(owned)));
        return Future.all(confirmations).mapEmpty();
    }

    public Future<Void> unsubscribe(String stream) {
        rehoming.remove(stream);
        return connectionOf(stream).unsubscribe(List.of(stream));
    }

    /** The pub/sub connection that carries {@code stream} (in a cluster: per the current slot map). */
    public PubSubConnection connectionOf(String stream) {
        if (config.topology() != RedisConfig.Topology.CLUSTER) {
            return fixed.get(ring.index(stream));
        }
        String url = slotOwner[KeySlot.of(keys.channel(stream))];
        PubSubConnection connection = url == null ? null : masters.get(url);
        if (connection == null) {
            throw new IllegalStateException("no master owns the slot of " + stream);
        }
        return connection;
    }

    /** The pub/sub connections in use: one per server, or in a cluster one per master that owns slots. */
    public List<PubSubConnection> connections() {
        return config.topology() == RedisConfig.Topology.CLUSTER ? owning : fixed;
    }

    @Override
    public void close() {
        closed = true;
        fixed.forEach(PubSubConnection::close);
        masters.values().forEach(PubSubConnection::close);
    }
}
