package io.herald.server.room;

import io.herald.ErrorCode;
import io.herald.Herald;
import io.herald.HeraldException;
import io.herald.config.RoomsConfig;
import io.herald.room.ConnectionContext;
import io.herald.room.RoomBinding;
import io.herald.room.RoomHost;
import io.herald.room.RoomMessage;
import io.herald.server.transport.DirectUpgrades;
import io.herald.server.transport.DirectWebSocket;
import io.herald.server.transport.InboundViolation;
import io.herald.server.transport.Sockets;
import io.herald.server.transport.WebSocketTransport;
import io.herald.server.admin.SocketDirectory;
import io.herald.server.http.ErrorHandler;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.vertx.core.Future;
import java.security.SecureRandom;
import java.util.concurrent.CompletionStage;

/**
 * Room upgrades at {@code /<prefix>/<party>/<room>}, taken below Vert.x like every socket
 * ({@link DirectUpgrades}): the {@link RoomAdmission} checks (party, room id, credentials, access gate,
 * onBeforeConnect, whose props reach onConnect), then the socket joins the room, all before the 101, as
 * PartyServer does: once the client sees "open" it is in the room and has been sent what onConnect sent
 * (held by the transport until the socket exists). A failed room start sends {@code {"error":...}} and
 * closes with 1011. Per socket: message size (1009) and rate (1008) limits. One instance per event loop
 * and prefix.
 */
public final class RoomSocketHandler implements DirectUpgrades.Endpoint<RoomSocketHandler.Joined> {
    private static final char[] ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-".toCharArray();
    private static final int MAX_ID_CHARS = 256;
    private static final String SETUP_FAILED = "Uncaught exception during session setup";
    private final Herald herald;
    private final io.vertx.core.Context context;
    private final RoomAdmission admission;
    private final SecureRandom random = new SecureRandom();
    private final SocketDirectory directory;
    private final Sockets sockets;

    /** A socket let into its room before the 101, or (session null) one whose room failed to start. */
    public record Joined(RoomAdmission.Admitted admitted, RoomHost.RoomSession session) {
    }

    /**
     * A handler for the rooms under {@code prefix} whose sockets are listed in {@code directory} for the admin page and
     * take their places in {@code sockets} before they join.
     */
    public RoomSocketHandler(Herald herald, io.vertx.core.Context context, String prefix, SocketDirectory directory, Sockets sockets) {
        this.herald = herald;
        this.sockets = sockets;
        this.directory = directory;
        this.context = context;
        this.admission = new RoomAdmission(herald, context, prefix);
    }

    @Override
    public CompletionStage<Joined> admit(QueryStringDecoder query, HttpRequest request, WebSocketTransport transport) {
        RoomRequestView view = RoomRequestView.of(request, query);
        RoomAdmission.Target target = admission.target(view);
        DirectUpgrades.checkHandshake(request.headers().get("Sec-WebSocket-Version"), request.headers().get("Sec-WebSocket-Key"));
        var principal = admission.authenticate(view, target);
        return admission.admit(view, target, principal).compose(admitted -> join(view, admitted, transport)).toCompletionStage();
    }

    private Future<Joined> join(RoomRequestView view, RoomAdmission.Admitted admitted, WebSocketTransport t) {
        RoomBinding binding = admitted.target().binding();
        RoomHost.Reservation reservation = herald.rooms().reserve(binding, admitted.target().path().room());
        // the place first: a server at its cap answers 429 before the room sees a join it would have to undo
        try {
            sockets.reserve();
        } catch (HeraldException e) {
            reservation.cancel();
            return Future.failedFuture(e);
        }
        String id = connectionId(view.param("_pk"));
        ConnectionContext context = new ConnectionContext(view.uri(), admitted.query(), admitted.principal(),
                admitted.activeOrgId(), admitted.props());
        return Future.fromCompletionStage(reservation.join(id, t, context), this.context).transform(joined -> {
            if (joined.succeeded()) {
                return Future.succeededFuture(new Joined(admitted, joined.result()));
            }
            if (ErrorHandler.unwrap(joined.cause()) instanceof HeraldException he && he.code() != ErrorCode.INTERNAL) {
                // in a cluster: the room's node could not be found or reached, or the room is full there
                sockets.release();
                return Future.failedFuture(he);
            }
            // PartyServer upgrades a socket whose room failed to start, then tells it why
            return Future.succeededFuture(new Joined(admitted, null));
        });
    }

    @Override
    public void cancel(Joined joined) {
        sockets.release();
        if (joined.session() != null) {
            joined.session().closed(1006, "");
        }
    }

    @Override
    public boolean reservesItsPlace() {
        return true;
    }

    @Override
    public void open(DirectWebSocket socket, Joined joined) {
        WebSocketTransport t = socket.transport();
        if (joined.session() == null) {
            t.sendText("{\"error\":\"" + SETUP_FAILED + "\"}");
            t.close(ErrorCode.INTERNAL, SETUP_FAILED);
            return;
        }
        RoomAdmission.Admitted admitted = joined.admitted();
        RoomHost.RoomSession session = joined.session();
        RoomsConfig rc = herald.rooms().config();
        directory.add(t, "rooms", admitted.principal() == null ? null : admitted.principal().userId(),
                admitted.target().binding().party() + "/" + admitted.target().path().room());
        RateLimit rate = new RateLimit(rc.messagesPerSecond(), rc.messageBurst());
        socket.onFrame(frame -> {
            if (frame instanceof TextWebSocketFrame text) {
                deliver(t, session, rate, rc, RoomMessage.text(text.text()));
            } else if (frame instanceof BinaryWebSocketFrame binary) {
                deliver(t, session, rate, rc, RoomMessage.binary(ByteBufUtil.getBytes(binary.content())));
            }
        });
        socket.onClosed(() -> {
            directory.remove(t);
            session.closed(socket.peerCloseCode(), socket.peerCloseReason());
        });
    }

    @Override
    public String primitive() {
        return "rooms";
    }

    /** The transport's limit, max(server.maxFrameBytes, rooms.maxMessageBytes); the room's own limit is checked per message (1009). */
    @Override
    public int maxFrameBytes() {
        return Math.max(herald.config().server().maxFrameBytes(), herald.rooms().config().maxMessageBytes());
    }

    @Override
    public int maxMessageBytes() {
        // fragmented messages are joined: a room sees whole messages
        return maxFrameBytes();
    }

    private static void deliver(WebSocketTransport t, RoomHost.RoomSession session, RateLimit rate, RoomsConfig rc,
                                RoomMessage message) {
        t.touch();
        if (t.isClosed()) {
            return;
        }
        if (message.bytes().length > rc.maxMessageBytes()) {
            t.violated(InboundViolation.MESSAGE_TOO_LARGE, null);
            return;
        }
        if (!rate.tryAcquire()) {
            t.violated(InboundViolation.RATE, null);
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
