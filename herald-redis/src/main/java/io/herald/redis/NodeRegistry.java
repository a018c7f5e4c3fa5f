package io.herald.redis;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Node membership in Redis: {@code <prefix>:{nodes}} (sorted set, node id scored by the expiry of
 * its last heartbeat, in ms of Redis's clock) and {@code <prefix>:{nodes}:info} (hash, node id →
 * {@code <instance token>\t}{@link NodeInfo#encode() info}). One hash tag, so both are in one slot
 * of a cluster; on isolated servers they live on the server {@link ShardRing} picks for
 * {@code nodes}. Expired members are dropped by whoever writes or reads next, so the list never
 * shows a node whose heartbeat expired. Thread-safe; every method is asynchronous.
 */
final class NodeRegistry {

    private static final LuaScript HEARTBEAT = LuaScript.load("heartbeat.lua");
    private static final LuaScript NODES = LuaScript.load("nodes.lua");

    private final Redis redis;
    private final List<String> keys;

    NodeRegistry(RedisStreams streams) {
        String prefix = streams.keys().prefix();
        this.redis = streams.server("nodes");
        this.keys = List.of(prefix + ":{nodes}", prefix + ":{nodes}:info");
    }

    /**
     * The outcome of a heartbeat: whether it was written (false: another live instance holds the id), the
     * live ids, and whether the node was registered already (false on a first beat, after its expiry, or
     * after Redis lost its data).
     */
    record Beat(boolean written, Set<String> live, boolean renewed) {
    }

    /** Writes {@code info}'s heartbeat with {@code expiryMs}, unless another instance holds its id. */
    Future<Beat> beat(NodeInfo info, String instance, long expiryMs) {
        return HEARTBEAT.run(redis, keys, info.id(), expiryMs, instance, info.encode()).map(reply -> {
            Set<String> live = new HashSet<>();
            reply.get(1).forEach(id -> live.add(id.toString()));
            return new Beat(reply.get(0).toInteger() == 1, live, reply.size() > 2 && reply.get(2).toInteger() == 1);
        });
    }

    /** The live nodes, in id order. */
    Future<List<NodeInfo>> nodes() {
        return NODES.run(redis, keys).map(reply -> {
            List<NodeInfo> nodes = new ArrayList<>();
            for (int i = 0; i + 1 < reply.size(); i += 2) {
                String id = reply.get(i).toString();
                String value = reply.get(i + 1).toString();
                int tab = value.indexOf('\t');
                NodeInfo.decode(id, tab < 0 ? "" : value.substring(tab + 1)).ifPresent(nodes::add);
            }
            return nodes;
        });
    }

    /** Which of {@code ids} still have an unexpired-or-unpruned heartbeat. */
    Future<Set<String>> present(Collection<String> ids) {
        List<String> asked = List.copyOf(ids);
        Request request = Request.cmd(Command.ZMSCORE).arg(keys.get(0));
        asked.forEach(request::arg);
        return redis.send(request).map(reply -> {
            Set<String> present = new HashSet<>();
            for (int i = 0; i < asked.size(); i++) {
                Response score = reply.get(i);
                if (score != null) {
                    present.add(asked.get(i));
                }
            }
            return present;
        });
    }

    /** Removes {@code id} at once (a clean shutdown), without waiting for its expiry. */
    Future<Void> leave(String id) {
        return redis.batch(List.of(Request.cmd(Command.ZREM).arg(keys.get(0)).arg(id), Request.cmd(Command.HDEL).arg(keys.get(1)).arg(id)))
                .mapEmpty();
    }
}
