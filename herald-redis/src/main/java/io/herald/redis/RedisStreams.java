package io.herald.redis;

import io.herald.cluster.Broker;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Streams with offsets, epochs and bounded history on Redis: the engine under the Redis broker.
 *
 * <p><b>Publish.</b> One Lua script ({@code publish.lua}) per publish, atomically: {@code HINCRBY}
 * of the meta hash's {@code s} gives the next offset (so offsets of a stream are gap-free, whatever
 * the number of publishers and nodes); a meta hash without an epoch gets a new random one and any
 * old history is deleted (this is what happens after the meta hash expired or was evicted: offsets
 * restart at 1 under a new epoch); with a history size above 0 the payload is appended with
 * {@code XADD <history> MAXLEN ~ <size> <offset>-0 d <payload>} and the history gets the history
 * TTL; the meta hash gets {@link RedisConfig#metaTtl()} (30 days by default) on every publish; last
 * the {@link PublicationCodec frame} is sent with {@code PUBLISH} (standalone and isolated servers)
 * or {@code SPUBLISH} (cluster: sharded pub/sub, delivered only by the slot's shard). Since append
 * and publish happen in one script, subscribers see publications in offset order. The history is
 * trimmed approximately: it holds at least {@code historySize} entries and at most about one stream
 * macro node more ({@code stream-node-max-entries}, 100 by default).
 *
 * <p><b>Keys.</b> See {@link StreamKeys}: all names of a stream share the hash tag {@code {<stream>}},
 * so in a cluster the script's keys and its channel are in one slot. Stream ids are
 * {@code <offset>-0}, so a history read is an {@code XRANGE} from {@code <since + 1>-0}.
 *
 * <p><b>Placement.</b> STANDALONE: one server. ISOLATED: the server {@link ShardRing} picks for the
 * stream name. CLUSTER: the cluster client routes by the hash tag's slot and follows MOVED/ASK.
 *
 * <p>Works on Redis 7.0 (needs streams and, for the cluster, sharded pub/sub; no Redis 7.4
 * features). Thread-safe; every method is asynchronous (callbacks run on a Vert.x event loop, so
 * never block in them) and throws {@link IllegalArgumentException} at once for a bad stream name or
 * bound. A failed command fails the returned future and is not retried here: a publish that failed
 * on the way back may still have been applied, its offset taken and its frame delivered.
 */
public final class RedisStreams implements AutoCloseable {

    private static final LuaScript PUBLISH = LuaScript.load("publish.lua");
    private static final LuaScript HISTORY = LuaScript.load("history.lua");
    private static final LuaScript PUBLISH_ONCE = LuaScript.load("publish-once.lua");
    private static final LuaScript RESTART = LuaScript.load("restart.lua");
    /** The frame a restart sends on the stream's channel: a publication frame whose epoch no publish can have. */
    static final String RESTART_EPOCH = "~restart";

    private final List<Redis> servers;
    private final ShardRing ring;
    private final StreamKeys keys;
    private final String publishCommand;
    private final long metaTtlSeconds;

    private RedisStreams(List<Redis> servers, RedisConfig config) {
        this.servers = List.copyOf(servers);
        this.ring = new ShardRing(servers.size());
        this.keys = new StreamKeys(config.prefix());
        this.publishCommand = config.topology() == RedisConfig.Topology.CLUSTER ? "spublish" : "publish";
        this.metaTtlSeconds = config.metaTtl().toSeconds();
    }

    /** Creates the command clients for {@code config}; connections are opened on first use. */
    public static RedisStreams create(Vertx vertx, RedisConfig config) {
        List<Redis> servers = new ArrayList<>();
        if (config.topology() == RedisConfig.Topology.CLUSTER) {
            servers.add(Redis.createClient(vertx, options(config, RedisClientType.CLUSTER).setEndpoints(config.urls())));
        } else {
            for (String url : config.urls()) {
                servers.add(Redis.createClient(vertx, options(config, RedisClientType.STANDALONE).setConnectionString(url)));
            }
        }
        return new RedisStreams(servers, config);
    }

    private static RedisOptions options(RedisConfig config, RedisClientType type) {
        return new RedisOptions().setType(type).setMaxPoolSize(config.maxPoolSize()).setMaxPoolWaiting(config.maxPoolWaiting());
    }

    public StreamKeys keys() {
        return keys;
    }

    /**
     * Appends {@code payload} to {@code stream} and publishes it; completes with the publication's
     * epoch and offset. {@code historySize} 0 keeps no history (the offset still advances);
     * {@code historyTtlSeconds} is how long the history lives after the last publish.
     */
    public Future<StreamPosition> publish(String stream, byte[] payload, int historySize, long historyTtlSeconds) {
        List<String> names = List.of(keys.meta(stream), keys.history(stream), keys.channel(stream));
        return runPublish(stream, names, payload, historySize, historyTtlSeconds)
                .map(reply -> new StreamPosition(reply.get(1).toString(), reply.get(0).toLong()));
    }

    /**
     * Publishes like {@link #publish} and, in the same atomic step, reads the ids of the nodes
     * subscribed to the stream ({@link #addNode}): exactly the nodes whose pub/sub connection was
     * subscribed when the frame was sent, provided each adds itself only after its subscription was
     * confirmed and removes itself before unsubscribing.
     */
    public Future<Published> publishToNodes(String stream, byte[] payload, int historySize, long historyTtlSeconds) {
        List<String> names = List.of(keys.meta(stream), keys.history(stream), keys.channel(stream), keys.nodes(stream));
        return runPublish(stream, names, payload, historySize, historyTtlSeconds).map(reply -> {
            Set<String> nodes = new HashSet<>();
            reply.get(2).forEach(node -> nodes.add(node.toString()));
            return new Published(new StreamPosition(reply.get(1).toString(), reply.get(0).toLong()), nodes);
        });
    }

    /** The position a publish got and the nodes subscribed to its stream at that moment. */
    public record Published(StreamPosition position, Set<String> nodes) {
        public Published {
            nodes = Set.copyOf(nodes);
        }
    }

    private Future<Response> runPublish(String stream, List<String> names, byte[] payload, int historySize, long historyTtlSeconds) {
        if (historySize < 0 || (historySize > 0 && historyTtlSeconds < 1)) {
            throw new IllegalArgumentException("history size must be >= 0 and its TTL >= 1 s, got " + historySize + " / " + historyTtlSeconds);
        }
        return PUBLISH.run(server(stream), names, payload, (long) historySize, historyTtlSeconds, metaTtlSeconds, Broker.Position.newEpoch(), publishCommand);
    }

    /**
     * Appends {@code payloads} to {@code stream} in order, each unless its key (from {@code keys}, one per
     * payload, increasing) is not above the highest key {@code source} appended there before
     * ({@code publish-once.lua}); completes with how many were taken. The stream is recorded among the
     * source's ({@link #sourceStreams}) first.
     */
    public Future<Long> publishOnce(String stream, String source, List<String> keys, List<byte[]> payloads, int historySize, long historyTtlSeconds) {
        if (keys.size() != payloads.size() || keys.isEmpty()) {
            throw new IllegalArgumentException("one key per payload, at least one: " + keys.size() + " / " + payloads.size());
        }
        if (historySize < 0 || (historySize > 0 && historyTtlSeconds < 1)) {
            throw new IllegalArgumentException("history size must be >= 0 and its TTL >= 1 s, got " + historySize + " / " + historyTtlSeconds);
        }
        List<String> names = List.of(this.keys.meta(stream), this.keys.history(stream), this.keys.channel(stream));
        Object[] args = new Object[6 + 2 * keys.size()];
        args[0] = (long) historySize;
        args[1] = historyTtlSeconds;
        args[2] = metaTtlSeconds;
        args[3] = Broker.Position.newEpoch();
        args[4] = publishCommand;
        args[5] = source;
        for (int i = 0; i < keys.size(); i++) {
            args[6 + 2 * i] = keys.get(i);
            args[7 + 2 * i] = payloads.get(i);
        }
        return PUBLISH_ONCE.run(server(stream), names, args).map(Response::toLong);
    }

    /** Records {@code stream} among the streams {@code source} published to. */
    public Future<Void> addSourceStream(String source, String stream) {
        String key = keys.sourceTopics(source);
        return server(key).send(Request.cmd(Command.SADD).arg(key).arg(stream))
                .compose(r -> server(key).send(Request.cmd(Command.EXPIRE).arg(key).arg(metaTtlSeconds))).mapEmpty();
    }

    /** The streams {@code source} published to, read and forgotten in one step (so a restart is not repeated on them). */
    public Future<List<String>> takeSourceStreams(String source) {
        String key = keys.sourceTopics(source);
        return server(key).send(Request.cmd(Command.EVAL).arg("local m = redis.call('smembers', KEYS[1]) redis.call('del', KEYS[1]) return m")
                        .arg(1).arg(key))
                .map(reply -> {
                    List<String> out = new ArrayList<>();
                    reply.forEach(r -> out.add(r.toString()));
                    return out;
                });
    }

    /** Starts {@code stream} over (a new epoch at its next use, no history) and tells its subscribers ({@code restart.lua}). */
    public Future<Void> restart(String stream) {
        List<String> names = List.of(keys.meta(stream), keys.history(stream), keys.channel(stream));
        return RESTART.run(server(stream), names, publishCommand, PublicationCodec.encode(1, RESTART_EPOCH, new byte[0])).mapEmpty();
    }

    /** {@code SET <claim key> 1 NX PX ttl}: true when this call took {@code name}, false when it was taken. */
    public Future<Boolean> claim(String name, long ttlMillis) {
        if (ttlMillis < 1) {
            throw new IllegalArgumentException("a claim needs a TTL of at least 1 ms, got " + ttlMillis);
        }
        return server(name).send(Request.cmd(Command.SET).arg(keys.claim(name)).arg("1").arg("NX").arg("PX").arg(ttlMillis))
                .map(reply -> reply != null && "OK".equals(reply.toString()));
    }

    /** Records that {@code node} is subscribed to {@code stream} (see {@link #publishToNodes}). */
    public Future<Void> addNode(String stream, String node) {
        return server(stream).send(Request.cmd(Command.SADD).arg(keys.nodes(stream)).arg(node)).mapEmpty();
    }

    /** Records that {@code nodes} are no longer subscribed to {@code stream}. */
    public Future<Void> removeNodes(String stream, Collection<String> nodes) {
        if (nodes.isEmpty()) {
            return Future.succeededFuture();
        }
        Request request = Request.cmd(Command.SREM).arg(keys.nodes(stream));
        nodes.forEach(request::arg);
        return server(stream).send(request).mapEmpty();
    }

    /**
     * Sends {@code frame} as it is on {@code stream}'s channel, without offset, history or script:
     * for messages that only live nodes care about (node-to-node replies). Subscribers decode it with
     * {@link PublicationCodec}, so it must be framed like a publication.
     */
    public Future<Void> send(String stream, byte[] frame) {
        return server(stream).send(Request.cmd(publishCommand.equals("spublish") ? Command.SPUBLISH : Command.PUBLISH).arg(keys.channel(stream)).arg(frame)).mapEmpty();
    }

    /**
     * Reads up to {@code limit} publications after {@code sinceOffset} (0 = from the start) and the
     * stream's position; a stream that does not exist is created at offset 0 with a new epoch. See {@link History#truncated()} for when the caller must reset.
     */
    public Future<History> history(String stream, long sinceOffset, int limit) {
        if (sinceOffset < 0 || limit < 1) {
            throw new IllegalArgumentException("history needs sinceOffset >= 0 and limit >= 1, got " + sinceOffset + " / " + limit);
        }
        List<String> names = List.of(keys.meta(stream), keys.history(stream));
        return HISTORY.run(server(stream), names, (sinceOffset + 1) + "-0", (long) limit, Broker.Position.newEpoch(), metaTtlSeconds)
                .map(reply -> readHistory(stream, sinceOffset, reply));
    }

    /** The stream's current epoch and top offset; {@link StreamPosition#EMPTY} when Redis holds none. */
    public Future<StreamPosition> position(String stream) {
        return server(stream).send(Request.cmd(Command.HMGET).arg(keys.meta(stream)).arg("e").arg("s"))
                .map(reply -> reply.get(0) == null ? StreamPosition.EMPTY
                        : new StreamPosition(reply.get(0).toString(), reply.get(1).toLong()));
    }

    /** Closes the command clients; publications in flight fail. */
    @Override
    public void close() {
        servers.forEach(Redis::close);
    }

    private static History readHistory(String stream, long since, Response reply) {
        String epoch = reply.get(0).toString();
        StreamPosition position = epoch.isEmpty() ? StreamPosition.EMPTY : new StreamPosition(epoch, reply.get(1).toLong());
        List<Publication> publications = new ArrayList<>();
        for (Response entry : reply.get(2)) {
            publications.add(new Publication(stream, offsetOf(entry.get(0).toString()), epoch, entry.get(1).get(1).toBytes()));
        }
        boolean truncated = since > position.offset()
                || (since < position.offset() && (publications.isEmpty() || publications.get(0).offset() != since + 1));
        return new History(position, publications, truncated);
    }

    private static long offsetOf(String id) {
        int dash = id.indexOf('-');
        return Long.parseLong(dash < 0 ? id : id.substring(0, dash));
    }

    /** The client of the server that holds {@code stream} (and, in a cluster, routes by its slot). */
    Redis server(String stream) {
        return servers.get(ring.index(stream));
    }

}
