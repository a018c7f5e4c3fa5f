package io.herald.server.broadcast;

import io.herald.ErrorCode;
import io.herald.Herald;
import io.herald.HeraldException;
import io.herald.auth.Ticket;
import io.herald.broadcast.BroadcastHub;
import io.herald.broadcast.Resume;
import io.herald.broadcast.Target;
import io.herald.server.transport.DirectUpgrades;
import io.herald.server.transport.DirectWebSocket;
import io.herald.server.transport.WebSocketTransport;
import io.herald.server.admin.SocketDirectory;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code GET /broadcast/v1/websocket?ws_ticket=T[&organizationId=O][&resume=1 | &since=<epoch>:<offset>]}:
 * verifies the ticket before the upgrade (401 bad or expired, 403 other org, 400 a malformed
 * {@code resume} or {@code since}), then subscribes the socket to its org lane or its resource scope,
 * resumable as {@link Resume} says. Client frames other than the text {@code ping} are ignored. The upgrade is taken
 * below Vert.x ({@link DirectUpgrades}), where an idle socket costs a fraction of Vert.x's.
 * One instance per event loop.
 */
public final class BroadcastSocketHandler implements DirectUpgrades.Endpoint<BroadcastSocketHandler.Admission> {
    /** A verified ticket and the scope it subscribes to. */
    public record Admission(Ticket ticket, String scope, Resume resume) {
    }

    private final Herald herald;
    private final SocketDirectory directory;

    /** A handler whose sockets are listed in {@code directory} for the admin page. */
    public BroadcastSocketHandler(Herald herald, SocketDirectory directory) {
        this.herald = herald;
        this.directory = directory;
    }

    @Override
    public CompletionStage<Admission> admit(QueryStringDecoder query, HttpRequest request, WebSocketTransport transport) {
        return CompletableFuture.completedFuture(
                admit(first(query, "ws_ticket"), first(query, "organizationId"), first(query, "resume"), first(query, "since")));
    }

    private static String first(QueryStringDecoder query, String name) {
        return io.herald.server.http.UpgradeCredentials.first(query, name);
    }

    private Admission admit(String wsTicket, String org, String resume, String since) {
        Resume from = Resume.parse(resume, since);
        Ticket ticket = herald.tickets().verify(wsTicket);
        if (org != null && !org.equals(ticket.organizationId())) {
            throw new HeraldException(ErrorCode.ORGANIZATION_FORBIDDEN, "The ticket was issued for another organization.");
        }
        String scope = ticket.resourceScope().orElseGet(() -> {
            if (ticket.organizationId() == null) {
                throw new HeraldException(ErrorCode.INVALID_TICKET);
            }
            return Target.orgScope(ticket.organizationId());
        });
        return new Admission(ticket, scope, from);
    }

    @Override
    public void open(DirectWebSocket socket, Admission admission) {
        WebSocketTransport t = socket.transport();
        Pings pings = new Pings(t);
        socket.onFrame(frame -> {
            if (frame instanceof TextWebSocketFrame text && frame.isFinalFragment() && "ping".equals(text.text())) {
                pings.received();
            }
        });
        if (!herald.config().broadcast().singleUseTickets() || !herald.broker().shared()) {
            subscribe(socket, admission, pings);
            return;
        }
        // this node spent the ticket before the upgrade; the other nodes learn of it here, before any event is sent
        Duration left = Duration.between(Instant.now(), admission.ticket().expiresAt()).plusSeconds(1);
        herald.broker().claim("ticket:" + admission.ticket().id(), left).whenComplete((took, failure) -> t.executor().execute(() -> {
            if (failure != null) {
                t.close(ErrorCode.BROKER_UNAVAILABLE, "ticket could not be checked");
            } else if (!took) {
                t.close(ErrorCode.INVALID_TICKET, "The WebSocket ticket was already used.");
            } else if (!t.isClosed()) {
                subscribe(socket, admission, pings);
            }
        }));
    }

    private void subscribe(DirectWebSocket socket, Admission admission, Pings pings) {
        WebSocketTransport t = socket.transport();
        BroadcastHub.Registration registration;
        try {
            registration = herald.broadcast().subscribe(admission.scope(), admission.ticket().userId(), admission.ticket().roles(), t, admission.resume());
        } catch (HeraldException e) {
            t.close(e.code(), e.getMessage());
            return;
        }
        directory.add(t, "broadcast", admission.ticket().userId(), admission.scope());
        socket.onClosed(() -> {
            registration.close();
            directory.remove(t);
        });
        pings.subscribed();
    }

    /**
     * The socket's {@code ping}s, answered once it is subscribed: a {@code pong} tells a client its
     * subscription exists (clients and tests wait for it), so pings that arrive while the ticket is
     * still being checked across the cluster are answered after, a bounded few. Used on the socket's loop.
     */
    private static final class Pings {
        private static final int MAX_HELD = 8;
        private final WebSocketTransport transport;
        private boolean subscribed;
        private int held;

        Pings(WebSocketTransport transport) {
            this.transport = transport;
        }

        void received() {
            if (subscribed) {
                transport.sendText("pong");
            } else if (held < MAX_HELD) {
                held++;
            }
        }

        void subscribed() {
            subscribed = true;
            for (; held > 0; held--) {
                transport.sendText("pong");
            }
        }
    }

    @Override
    public String primitive() {
        return "broadcast";
    }

    @Override
    public int maxFrameBytes() {
        return herald.config().server().maxFrameBytes();
    }
}
