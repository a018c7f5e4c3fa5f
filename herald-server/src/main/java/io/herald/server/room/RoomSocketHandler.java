package io.herald.server.room;

import io.herald.ErrorCode;
import io.herald.Herald;
import io.herald.HeraldException;
import io.herald.auth.Principal;
import io.herald.auth.Ticket;
import io.herald.config.RoomsConfig;
import io.herald.room.AccessGate;
import io.herald.room.ConnectRequest;
import io.herald.room.ConnectionContext;
import io.herald.room.Refusal;
import io.herald.room.RoomBinding;
import io.herald.room.RoomHost;
import io.herald.room.RoomMessage;
import io.herald.server.DirectUpgrades;
import io.herald.server.FrameWriter;
import io.herald.server.Sockets;
import io.herald.server.UpgradeHandler;
import io.herald.server.WebSocketTransport;
import io.herald.server.http.ErrorHandler;
import io.herald.server.http.RequestCredentials;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Room upgrades at {@code /<prefix>/<party>/<room>}: resolves the party (404), decodes the room id
 * (400), authenticates (session, {@code ?token=}, API key or {@code ?ws_ticket=}), runs the party's
 * access gate and its static onBeforeConnect, reserves a place (429), then upgrades and joins the
 * room. A failed room start sends {@code {"error":...}} and closes with 1011. Per socket: message size
 * (1009) and rate (1008) limits. One instance per event loop.
 */
public final class RoomSocketHandler extends UpgradeHandler {
    private static final Logger log = LoggerFactory.getLogger(RoomSocketHandler.class);
    private static final char[] ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-".toCharArray();
    private static final int MAX_ID_CHARS = 256;
    private final io.vertx.core.Context context;
    private final String prefix;
    private final SecureRandom random = new SecureRandom();

    public RoomSocketHandler(Herald herald, Sockets sockets, io.vertx.core.Context context, FrameWriter loop, String prefix,
                             ErrorHandler errors) {
        super(herald, sockets, loop, errors);
        this.context = context;
        this.prefix = prefix;
    }

    @Override
    protected void upgrade(HttpServerRequest request) {
        // The upgrade happens after asynchronous gates and the room join; a paused request can still be upgraded.
        request.pause();
        RoomPath path = RoomPath.parse(request.path(), prefix);
        RoomHost rooms = herald.rooms();
        RoomBinding binding = rooms.binding(path.party())
                .orElseThrow(() -> new HeraldException(ErrorCode.NOT_FOUND, "Unknown party."));
        requireUpgrade(request, "Rooms");
        DirectUpgrades.checkHandshake(request.getHeader("Sec-WebSocket-Version"), request.getHeader("Sec-WebSocket-Key"));
        AccessGate gate = herald.roomGate(binding.party()).orElseThrow();
        Principal principal = authenticate(request, gate.isPublic());
        String requestedOrg = request.getParam("organizationId");
        if (requestedOrg != null && principal != null && !principal.isMemberOf(requestedOrg)) {
            throw new HeraldException(ErrorCode.ORGANIZATION_FORBIDDEN);
        }
        Supplier<String> activeOrg = () -> activeOrg(principal, requestedOrg);
        Future.fromCompletionStage(gate.check(principal, path.room(), activeOrg), context)
                .onFailure(e -> respond(request, e))
                .onSuccess(ok -> {
                    try {
                        admit(request, binding, path, principal, activeOrg);
                    } catch (RuntimeException e) {
                        respond(request, e);
                    }
                });
    }

    private void admit(HttpServerRequest request, RoomBinding binding, RoomPath path, Principal principal, Supplier<String> activeOrg) {
        String org = lenient(activeOrg);
        Map<String, String> query = new HashMap<>();
        request.params().forEach(e -> query.putIfAbsent(e.getKey(), e.getValue()));
        Optional<Refusal> refusal;
        try {
            Map<String, String> headers = new HashMap<>();
            request.headers().forEach(e -> headers.putIfAbsent(e.getKey().toLowerCase(java.util.Locale.ROOT), e.getValue()));
            refusal = binding.beforeConnect(new ConnectRequest(binding.party(), path.room(), request.uri(), query, headers, principal, org));
        } catch (RuntimeException e) {
            log.warn("onBeforeConnect of {} threw: {}", binding.party(), e.toString());
            throw new HeraldException(ErrorCode.INTERNAL);
        }
        if (refusal.isPresent()) {
            ErrorHandler.send(request.response(), refusal.get().status(), "connection_refused", refusal.get().message());
            return;
        }
        RoomHost.Reservation reservation = herald.rooms().reserve(binding, path.room());
        try {
            sockets.reserve();
        } catch (HeraldException e) {
            reservation.cancel();
            throw e;
        }
        String id = connectionId(request.getParam("_pk"));
        ConnectionContext context = new ConnectionContext(request.uri(), query, principal, org);
        RoomsConfig rc = herald.rooms().config();
        WebSocketTransport t = new WebSocketTransport(loop, herald.config().server().maxPendingBytes(), herald.meters(), "rooms");
        // Join before the 101, as PartyServer does: once the client sees "open" it is in the room
        // and has been sent what onConnect sent (held by the transport until the socket exists).
        Future.fromCompletionStage(reservation.join(id, t, context), this.context).onComplete(joined -> {
            if (joined.failed()) {
                request.toWebSocket().onComplete(ar -> {
                    sockets.release();
                    if (ar.succeeded()) {
                        ar.result().writeFinalTextFrame(new io.vertx.core.json.JsonObject()
                                .put("error", "Uncaught exception during session setup").encode());
                        ar.result().close((short) ErrorCode.INTERNAL.closeCode(), "Uncaught exception during session setup");
                    }
                });
                return;
            }
            RoomHost.RoomSession session = joined.result();
            request.toWebSocket().onComplete(ar -> {
                if (ar.failed()) {
                    sockets.release();
                    t.markClosed();
                    session.closed(1006, "");
                    return;
                }
                open(ar.result(), t, session, rc);
            });
        });
    }

    private void open(ServerWebSocket ws, WebSocketTransport t, RoomHost.RoomSession session, RoomsConfig rc) {
        sockets.add(t);
        t.attach(ws);
        RateLimit rate = new RateLimit(rc.messagesPerSecond(), rc.messageBurst());
        ws.textMessageHandler(text -> deliver(t, session, rate, rc, RoomMessage.text(text)));
        ws.binaryMessageHandler(b -> deliver(t, session, rate, rc, RoomMessage.binary(b.getBytes())));
        ws.pongHandler(b -> t.touch());
        ws.exceptionHandler(t::onInboundError);
        ws.closeHandler(v -> {
            t.markClosed();
            sockets.remove(t);
            Short code = ws.closeStatusCode();
            session.closed(code == null ? 1005 : code, ws.closeReason() == null ? "" : ws.closeReason());
        });
    }

    private static void deliver(WebSocketTransport t, RoomHost.RoomSession session, RateLimit rate, RoomsConfig rc,
                                RoomMessage message) {
        t.touch();
        if (t.isClosed()) {
            return;
        }
        if (message.bytes().length > rc.maxMessageBytes()) {
            t.close(ErrorCode.PAYLOAD_TOO_LARGE, "message too large");
            return;
        }
        if (!rate.tryAcquire()) {
            t.close(ErrorCode.TOO_MANY_REQUESTS, "rate limit");
            return;
        }
        if (!session.message(message)) {
            t.close(ErrorCode.OVERLOADED, "room overloaded");
        }
    }

    private Principal authenticate(HttpServerRequest request, boolean publicRoom) {
        String ticket = request.getParam("ws_ticket");
        if (ticket != null) {
            Ticket t = herald.tickets().verify(ticket);
            if (t.resourceScope().isPresent()) {
                // a resource ticket grants one broadcast scope, not a session
                throw new HeraldException(ErrorCode.FORBIDDEN, "A resource-scoped ticket does not open rooms.");
            }
            Map<String, List<String>> orgs = t.organizationId() == null ? Map.of() : Map.of(t.organizationId(), t.roles());
            return new Principal(t.userId(), orgs, t.organizationId(), t.name(), Map.of());
        }
        RequestCredentials creds = new RequestCredentials(request);
        if (publicRoom && !herald.sessions().hasCredentials(creds)) {
            return null;
        }
        return herald.sessions().authenticate(creds, true);
    }

    private static String activeOrg(Principal p, String requested) {
        if (p == null) {
            throw new HeraldException(ErrorCode.UNAUTHENTICATED);
        }
        return p.activeOrg(requested);
    }

    private static String lenient(Supplier<String> activeOrg) {
        try {
            return activeOrg.get();
        } catch (HeraldException e) {
            return null;
        }
    }

    private String connectionId(String pk) {
        if (pk != null && !pk.isEmpty() && pk.length() <= MAX_ID_CHARS) {
            return pk;
        }
        char[] id = new char[21];
        for (int i = 0; i < id.length; i++) {
            id[i] = ID_ALPHABET[random.nextInt(ID_ALPHABET.length)];
        }
        return new String(id);
    }
}
