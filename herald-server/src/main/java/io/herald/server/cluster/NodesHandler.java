package io.herald.server.cluster;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.redis.NodeInfo;
import io.herald.server.http.ErrorHandler;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * {@code GET /cluster/v1/nodes} (the route checks the server credential): the live nodes as
 * {@code {"nodes":[{"id","address","started","connections":{"<primitive>":N},"roles":[...]}]}}, {@code started} in
 * ISO-8601, and {@code "cdc":{"leader":"<node id>"}} when a node reads the change-capture slot. A membership that cannot be read answers 503 {@code broker_unavailable}. Stateless; thread-safe.
 */
public final class NodesHandler implements Handler<RoutingContext> {
    private final ClusterNodes nodes;

    public NodesHandler(ClusterNodes nodes) {
        this.nodes = nodes;
    }

    @Override
    public void handle(RoutingContext ctx) {
        Future.fromCompletionStage(nodes.list(), ctx.vertx().getOrCreateContext())
                .onSuccess(list -> ctx.response().putHeader("Content-Type", "application/json").end(json(list).toBuffer()))
                .onFailure(e -> ctx.fail(ErrorHandler.unwrap(e) instanceof HeraldException he ? he
                        : new HeraldException(ErrorCode.BROKER_UNAVAILABLE, ErrorCode.BROKER_UNAVAILABLE.defaultMessage(), e)));
    }

    static JsonObject json(List<NodeInfo> list) {
        JsonArray array = new JsonArray();
        String cdcLeader = null;
        for (NodeInfo n : list) {
            JsonObject connections = new JsonObject();
            n.connections().forEach(connections::put);
            array.add(new JsonObject().put("id", n.id()).put("address", n.address())
                    .put("started", n.started().toString()).put("connections", connections).put("roles", new JsonArray(List.copyOf(n.roles()))));
            if (n.roles().contains(NodeInfo.CDC_LEADER)) {
                cdcLeader = n.id();
            }
        }
        JsonObject out = new JsonObject().put("nodes", array);
        if (cdcLeader != null) {
            out.put("cdc", new JsonObject().put("leader", cdcLeader));
        }
        return out;
    }
}
