package io.herald.server.broadcast;

import io.herald.ErrorCode;
import io.herald.Herald;
import io.herald.HeraldException;
import io.herald.auth.Ticket;
import io.herald.broadcast.BroadcastHub;
import io.herald.broadcast.Target;
import io.herald.server.FrameWriter;
import io.herald.server.Sockets;
import io.herald.server.UpgradeHandler;
import io.herald.server.WebSocketTransport;
import io.herald.server.http.ErrorHandler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;

/**
 * {@code GET /broadcast/v1/websocket?ws_ticket=T[&organizationId=O]}: verifies the ticket before the
 * upgrade (401 bad or expired, 403 other org), then subscribes the socket to its org lane or its
 * resource scope. Client frames other than the text {@code ping} are ignored. Takes the raw request
 * (before the router) so the socket is Vert.x's own. One instance per event loop.
 */
public final class BroadcastSocketHandler extends UpgradeHandler {
    public BroadcastSocketHandler(Herald herald, Sockets sockets, FrameWriter loop, ErrorHandler errors) {
        super(herald, sockets, loop, errors);
    }

    @Override
    protected void upgrade(HttpServerRequest request) {
        requireUpgrade(request, "Broadcast sockets");
        Ticket ticket = herald.tickets().verify(request.getParam("ws_ticket"));
        String org = request.getParam("organizationId");
        if (org != null && !org.equals(ticket.organizationId())) {
            throw new HeraldException(ErrorCode.ORGANIZATION_FORBIDDEN, "The ticket was issued for another organization.");
        }
        String scope = ticket.resourceScope().orElseGet(() -> {
            if (ticket.organizationId() == null) {
                throw new HeraldException(ErrorCode.INVALID_TICKET);
            }
            return Target.orgScope(ticket.organizationId());
        });
        sockets.reserve();
        request.toWebSocket().onComplete(ar -> {
            if (ar.failed()) {
                sockets.release();
                return;
            }
            open(ar.result(), ticket, scope);
        });
    }

    private void open(ServerWebSocket ws, Ticket ticket, String scope) {
        WebSocketTransport t = new WebSocketTransport(ws, loop, herald.config().server().maxPendingBytes(),
                herald.meters(), "broadcast");
        sockets.add(t);
        BroadcastHub.Registration registration;
        try {
            registration = herald.broadcast().subscribe(scope, ticket.userId(), ticket.roles(), t);
        } catch (HeraldException e) {
            sockets.remove(t);
            t.close(e.code(), e.getMessage());
            return;
        }
        ws.frameHandler(frame -> {
            t.touch();
            if (frame.isText() && frame.isFinal() && "ping".equals(frame.textData())) {
                t.sendText("pong");
            }
        });
        ws.pongHandler(b -> t.touch());
        ws.closeHandler(v -> {
            t.markClosed();
            registration.close();
            sockets.remove(t);
        });
        ws.exceptionHandler(t::onInboundError);
    }
}
