package io.herald.server.room;

import io.herald.ErrorCode;
import io.herald.Herald;
import io.herald.HeraldException;
import io.herald.auth.Principal;
import io.herald.config.RoomsConfig;
import io.herald.room.ConnectionContext;
import io.herald.room.RoomBinding;
import io.herald.room.RoomHost;
import io.herald.room.RoomMessage;
import io.herald.server.DirectUpgrades;
import io.herald.server.FrameWriter;
import io.herald.server.Sockets;
import io.herald.server.UpgradeHandler;
import io.herald.server.WebSocketTransport;
import io.herald.server.admin.SocketDirectory;
import io.herald.server.http.ErrorHandler;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import java.security.SecureRandom;

/**
 * Room upgrades at {@code /<prefix>/<party>/<room>}: the {@link RoomAdmission} checks (party, room id,
 * credentials, access gate, onBeforeConnect, whose props reach onConnect), then a place is reserved
 * (429), the socket joins the room and the upgrade completes. A failed room start sends
 * {@code {"error":...}} and closes with 1011. Per socket: message size (1009) and rate (1008) limits.
 * One instance per event loop.
 */
public final class RoomSocketHandler extends UpgradeHandler {
    private static final char[] ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-".toCharArray();
    private static final int MAX_ID_CHARS = 256;
    private final io.vertx.core.Context context;
    private final RoomAdmission admission;
    private final ErrorHandler errors;
    private final SecureRandom random = new SecureRandom();

    private final SocketDirectory directory;

    /** A handler for the rooms under {@code prefix} whose sockets are listed in {@code directory} for the admin page. */
    public RoomSocketHandler(Herald herald, Sockets sockets, io.vertx.core.Context context, FrameWriter loop, String prefix,
                             ErrorHandler errors, SocketDirectory directory) {
        super(herald, sockets, loop, errors);
        this.directory = directory;
        this.context = context;
        this.errors = errors;
        this.admission = new RoomAdmission(herald, context, prefix);
    }

    @Override
    protected void upgrade(HttpServerRequest request) {
        // The upgrade happens after asynchronous gates and the room join; a paused request can still be upgraded.
        request.pause();
        RoomAdmission.Target target = admission.target(request);
        requireUpgrade(request, "Rooms");
        DirectUpgrades.checkHandshake(request.getHeader("Sec-WebSocket-Version"), request.getHeader("Sec-WebSocket-Key"));
        Principal principal = admission.authenticate(request, target);
        admission.admit(request, target, principal)
                .onFailure(e -> RoomAdmission.respond(request, e, errors))
                .onSuccess(admitted -> {
                    try {
                        join(request, admitted);
                    } catch (RuntimeException e) {
                        respond(request, e);
                    }
                });
    }

    private void join(HttpServerRequest request, RoomAdmission.Admitted admitted) {
        RoomBinding binding = admitted.target().binding();
        RoomHost.Reservation reservation = herald.rooms().reserve(binding, admitted.target().path().room());
        try {
            sockets.reserve();
        } catch (HeraldException e) {
            reservation.cancel();
            throw e;
        }
        String id = connectionId(request.getParam("_pk"));
        ConnectionContext context = new ConnectionContext(request.uri(), admitted.query(), admitted.principal(),
                admitted.activeOrgId(), admitted.props());
        RoomsConfig rc = herald.rooms().config();
        WebSocketTransport t = new WebSocketTransport(loop, herald.config().server().maxPendingBytes(), herald.meters(), "rooms");
        // Join before the 101, as PartyServer does: once the client sees "open" it is in the room
        // and has been sent what onConnect sent (held by the transport until the socket exists).
        Future.fromCompletionStage(reservation.join(id, t, context), this.context).onComplete(joined -> {
            if (joined.failed()) {
                if (ErrorHandler.unwrap(joined.cause()) instanceof HeraldException he && he.code() != ErrorCode.INTERNAL) {
                    // in a cluster: the room's node could not be found or reached, or the room is full there
                    sockets.release();
                    RoomAdmission.respond(request, he, errors);
                    return;
                }
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
                directory.add(t, "rooms", admitted.principal() == null ? null : admitted.principal().userId(),
                        binding.party() + "/" + admitted.target().path().room());
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
            directory.remove(t);
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
