package io.herald.server.broadcast;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.Herald;
import io.herald.auth.Principal;
import io.herald.server.http.JsonBodies;
import io.herald.server.http.RequestCredentials;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** {@code POST /broadcast/v1/ws-ticket}: a session asks for a short-lived WebSocket ticket. */
public final class TicketHandler implements Handler<RoutingContext> {
    private final Herald herald;
    private final JsonBodies bodies;

    public TicketHandler(Herald herald, JsonBodies bodies) {
        this.herald = herald;
        this.bodies = bodies;
    }

    @Override
    public void handle(RoutingContext ctx) {
        Principal principal = herald.sessions().authenticate(new RequestCredentials(ctx.request()), false);
        JsonNode body = bodies.read(ctx, true);
        Future.fromCompletionStage(herald.ticketIssuer().issue(principal, body), ctx.vertx().getOrCreateContext())
                .onSuccess(issued -> ctx.response()
                        .putHeader("Content-Type", "application/json")
                        .putHeader("Cache-Control", "no-store")
                        .end(new JsonObject().put("wsTicket", issued.ticket()).put("expiresIn", issued.expiresIn()).toBuffer()))
                .onFailure(ctx::fail);
    }
}
