package io.herald.server.broadcast;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.Herald;
import io.herald.broadcast.BroadcastEvent;
import io.herald.broadcast.ChangeEvent;
import io.herald.broadcast.PublishResult;
import io.herald.inspect.Publisher;
import io.herald.server.http.JsonBodies;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The server publish API (the route checks the server credential before reading the body): {@code POST /broadcast/v1/changes} and {@code /broadcast/v1/broadcast},
 * guarded by the server credential, answered with {@code {"delivered":N}} once the fan-out is written.
 * In a cluster {@code delivered} is the sum over the nodes that reported, and the answer adds
 * {@code "nodes":N}, and {@code "partial":true} when a node did not report in time. A broker that
 * cannot be reached answers 503 {@code broker_unavailable} (through the router's error handler).
 */
public final class PublishHandler implements Handler<RoutingContext> {
    private final Herald herald;
    private final JsonBodies bodies;
    private final Function<JsonNode, CompletableFuture<PublishResult>> publish;
    private final boolean clustered;

    private PublishHandler(Herald herald, JsonBodies bodies, Function<JsonNode, CompletableFuture<PublishResult>> publish) {
        this.herald = herald;
        this.bodies = bodies;
        this.publish = publish;
        this.clustered = herald.config().cluster().redis().enabled();
    }

    public static PublishHandler changes(Herald herald, JsonBodies bodies) {
        return new PublishHandler(herald, bodies, body -> herald.broadcast().publish(ChangeEvent.fromJson(body), Publisher.SERVER_TOKEN));
    }

    public static PublishHandler broadcasts(Herald herald, JsonBodies bodies) {
        return new PublishHandler(herald, bodies, body -> herald.broadcast().publish(BroadcastEvent.fromJson(body), Publisher.SERVER_TOKEN));
    }

    @Override
    public void handle(RoutingContext ctx) {
        JsonNode body = bodies.read(ctx, false);
        Future.fromCompletionStage(publish.apply(body), ctx.vertx().getOrCreateContext())
                .onSuccess(r -> {
                    JsonObject out = new JsonObject().put("delivered", r.delivered());
                    if (clustered && r.skipReason().isEmpty()) {
                        out.put("nodes", r.nodes());
                        if (r.partial()) {
                            out.put("partial", true);
                        }
                    }
                    r.skipReason().ifPresent(s -> out.put("skipped", s));
                    ctx.response().putHeader("Content-Type", "application/json").end(out.toBuffer());
                })
                .onFailure(ctx::fail);
    }
}
