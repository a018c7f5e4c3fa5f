package io.herald.redis;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The subscriber side of {@link RedisStreams}: one {@link PubSubConnection} per Redis server that
 * can deliver a stream's publications, and the routing of each stream to it. STANDALONE: the one
 * server, classic pub/sub. ISOLATED: the server {@link ShardRing} picks, classic pub/sub (the same
 * choice the publisher makes). CLUSTER: the master that owns the stream's slot, sharded pub/sub; the
 * slot map is read once with {@code CLUSTER SLOTS} at start (not yet refreshed when slots move).
 *
 * <p>Thread-safe; the listener is called on the context of the connection that received the
 * message (all of them are opened on the context that called {@link #start}).
 */
public final class StreamSubscriber implements AutoCloseable {

    private final List<PubSubConnection> connections;
    private final int[] slotOwner;
    private final ShardRing ring;
    private final StreamKeys keys;

    private StreamSubscriber(List<PubSubConnection> connections, int[] slotOwner, StreamKeys keys) {
        this.connections = List.copyOf(connections);
        this.slotOwner = slotOwner;
        this.ring = new ShardRing(connections.size());
        this.keys = keys;
    }

    /** Opens the pub/sub connections for {@code config}; in a cluster, fails if no seed answers {@code CLUSTER SLOTS}. */
    public static Future<StreamSubscriber> start(Vertx vertx, RedisConfig config, PubSubConnection.Listener listener,
                                                 ReconnectBackoff backoff) {
        StreamKeys keys = new StreamKeys(config.prefix());
        if (config.topology() != RedisConfig.Topology.CLUSTER) {
            List<PubSubConnection> connections = new ArrayList<>();
            for (String url : config.urls()) {
                connections.add(PubSubConnection.open(vertx, url, false, keys, listener, backoff));
            }
            return Future.succeededFuture(new StreamSubscriber(connections, null, keys));
        }
        return clusterSlots(vertx, config.urls(), 0).map(slots -> {
            Map<String, Integer> masters = new LinkedHashMap<>();
            int[] owner = new int[KeySlot.SLOTS];
            Arrays.fill(owner, -1);
            for (Response range : slots) {
                String url = "redis://" + range.get(2).get(0).toString() + ":" + range.get(2).get(1).toInteger();
                int index = masters.computeIfAbsent(url, u -> masters.size());
                for (int slot = range.get(0).toInteger(); slot <= range.get(1).toInteger(); slot++) {
                    owner[slot] = index;
                }
            }
            List<PubSubConnection> connections = new ArrayList<>();
            masters.keySet().forEach(url -> connections.add(PubSubConnection.open(vertx, url, true, keys, listener, backoff)));
            return new StreamSubscriber(connections, owner, keys);
        });
    }

    private static Future<Response> clusterSlots(Vertx vertx, List<String> seeds, int next) {
        Redis seed = Redis.createClient(vertx, new RedisOptions().setConnectionString(seeds.get(next)));
        return seed.send(Request.cmd(Command.CLUSTER).arg("SLOTS"))
                .eventually(seed::close)
                .recover(e -> next + 1 < seeds.size() ? clusterSlots(vertx, seeds, next + 1) : Future.failedFuture(e));
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
        return connectionOf(stream).unsubscribe(List.of(stream));
    }

    /** The pub/sub connection that carries {@code stream}. */
    public PubSubConnection connectionOf(String stream) {
        if (slotOwner == null) {
            return connections.get(ring.index(stream));
        }
        int owner = slotOwner[KeySlot.of(keys.channel(stream))];
        if (owner < 0) {
            throw new IllegalStateException("no master owns the slot of " + stream);
        }
        return connections.get(owner);
    }

    public List<PubSubConnection> connections() {
        return connections;
    }

    @Override
    public void close() {
        connections.forEach(PubSubConnection::close);
    }
}
