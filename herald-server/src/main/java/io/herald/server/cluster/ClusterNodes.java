package io.herald.server.cluster;

import io.herald.redis.NodeInfo;
import io.herald.redis.RedisBroker;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The live nodes of this Herald cluster: read from Redis membership when the node runs on a
 * {@link RedisBroker}, else this one node. Thread-safe.
 */
public final class ClusterNodes {
    private final Supplier<CompletableFuture<List<NodeInfo>>> nodes;

    private ClusterNodes(Supplier<CompletableFuture<List<NodeInfo>>> nodes) {
        this.nodes = nodes;
    }

    /** The nodes of {@code broker}'s cluster, as their last heartbeats described them. */
    public static ClusterNodes of(RedisBroker broker) {
        return new ClusterNodes(broker::nodes);
    }

    /** A single node, {@code id}, whose address is known once it listens. */
    public static ClusterNodes single(String id, Supplier<String> address, Instant started, Supplier<Map<String, Integer>> connections) {
        return single(id, address, started, connections, java.util.Set::of);
    }

    /** A single node, {@code id}, holding {@code roles}. */
    public static ClusterNodes single(String id, Supplier<String> address, Instant started, Supplier<Map<String, Integer>> connections,
                                      Supplier<java.util.Set<String>> roles) {
        return new ClusterNodes(() -> CompletableFuture.completedFuture(
                List.of(new NodeInfo(id, address.get(), started, connections.get(), roles.get()))));
    }

    /** The live nodes in id order; fails with the broker's error when membership cannot be read. */
    public CompletableFuture<List<NodeInfo>> list() {
        return nodes.get();
    }

    /**
     * Open connections by primitive, read from the {@code herald.connections} gauges of {@code registry}
     * (fast: meant for a heartbeat on an event loop).
     */
    public static Supplier<Map<String, Integer>> connections(MeterRegistry registry) {
        return () -> {
            Map<String, Integer> byPrimitive = new TreeMap<>();
            for (Gauge g : registry.find("herald.connections").gauges()) {
                String primitive = g.getId().getTag("primitive");
                if (primitive != null) {
                    byPrimitive.merge(primitive, (int) g.value(), Integer::sum);
                }
            }
            return byPrimitive;
        };
    }
}
