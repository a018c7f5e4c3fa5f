package io.herald.server.lane;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.Herald;
import io.herald.HeraldException;
import io.herald.auth.Principal;
import io.herald.lane.LaneHub;
import io.herald.lane.LaneSocket;
import io.herald.server.transport.DirectUpgrades;
import io.herald.server.transport.DirectWebSocket;
import io.herald.server.transport.WebSocketTransport;
import io.herald.server.admin.SocketDirectory;
import io.herald.server.http.UpgradeCredentials;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The lane WebSocket: authenticates the upgrade (Bearer JWT, {@code ?token=} or any session
 * credential; 401 before the upgrade), joins the user's lane (429 past the per-user cap), then handles
 * {@code subscribe} / {@code unsubscribe} / {@code ack} frames and a text {@code ping} in any case.
 * Replies {@code subscribed} / {@code unsubscribed} / {@code error} unless {@code lanes.controlReplies}
 * is off. Binary frames are ignored. The upgrade is taken below Vert.x ({@link DirectUpgrades}). One
 * instance per event loop.
 */
public final class LaneSocketHandler implements DirectUpgrades.Endpoint<LaneSocket> {
    private final ObjectMapper json = new ObjectMapper();

    private final Herald herald;
    private final SocketDirectory directory;

    /** A handler whose sockets are listed in {@code directory} for the admin page. */
    public LaneSocketHandler(Herald herald, SocketDirectory directory) {
        this.herald = herald;
        this.directory = directory;
        json.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(32).build());
    }

    @Override
    public CompletionStage<LaneSocket> admit(QueryStringDecoder query, HttpRequest request, WebSocketTransport transport) {
        Principal p = herald.sessions().authenticate(new UpgradeCredentials(request, query), true);
        return CompletableFuture.completedFuture(herald.lanes().join(p.userId(), transport));
    }

    @Override
    public void cancel(LaneSocket lane) {
        herald.lanes().leave(lane);
    }

    @Override
    public void open(DirectWebSocket socket, LaneSocket lane) {
        WebSocketTransport t = socket.transport();
        Replies out = new Replies(t, lane.ready());
        socket.onFrame(frame -> {
            if (frame instanceof TextWebSocketFrame text) {
                onText(out, lane, text.text());
            }
        });
        directory.add(t, "lanes", lane.userId(), "user:" + lane.userId());
        socket.onClosed(() -> {
            herald.lanes().leave(lane);
            directory.remove(t);
        });
    }

    @Override
    public String primitive() {
        return "lanes";
    }

    @Override
    public int maxFrameBytes() {
        return herald.lanes().config().maxFrameBytes();
    }

    @Override
    public int maxMessageBytes() {
        return herald.lanes().config().maxFrameBytes();
    }

    private void onText(Replies t, LaneSocket lane, String text) {
        if (text.trim().toLowerCase(Locale.ROOT).equals("ping")) {
            t.send("pong");
            return;
        }
        JsonNode msg;
        try {
            msg = json.readTree(text);
        } catch (IOException e) {
            msg = null;
        }
        if (msg == null || !msg.isObject()) {
            reply(t, error("bad_json", "Frames are JSON objects."));
            return;
        }
        String type = msg.path("type").asText("");
        LaneHub hub = herald.lanes();
        try {
            switch (type) {
                case "subscribe" -> reply(t, filters("subscribed", hub.subscribe(lane, msg.get("filters"))));
                case "unsubscribe" -> reply(t, filters("unsubscribed", hub.unsubscribe(lane, msg.get("filters"))));
                case "ack" -> {
                    JsonNode id = msg.get("envelopeId");
                    hub.ack(lane, id != null && id.isTextual() ? id.asText() : null, msg.get("result"));
                }
                default -> reply(t, error("unknown_type", "Unknown frame type."));
            }
        } catch (HeraldException e) {
            reply(t, error("invalid_filter", e.getMessage()));
        }
    }

    private static ObjectNode filters(String type, LaneHub.FilterReply r) {
        return JsonNodeFactory.instance.objectNode().put("type", type).put("count", r.count()).put("ignored", r.ignored());
    }

    private static ObjectNode error(String code, String message) {
        return JsonNodeFactory.instance.objectNode().put("type", "error").put("code", code).put("message", message);
    }

    private void reply(Replies t, ObjectNode frame) {
        if (herald.lanes().config().controlReplies()) {
            t.send(frame.toString());
        }
    }

    /**
     * A socket's replies, held until its lane receives publishes from every node ({@link LaneSocket#ready}):
     * a client that reads {@code subscribed} (or the pong after it) may count on the envelopes published
     * from then on, wherever. In order; on the socket's loop only.
     */
    private static final class Replies {
        private final WebSocketTransport t;
        private final java.util.concurrent.CompletableFuture<Void> ready;
        private java.util.concurrent.CompletableFuture<Void> pending;

        Replies(WebSocketTransport t, java.util.concurrent.CompletableFuture<Void> ready) {
            this.t = t;
            this.ready = ready;
        }

        void send(String text) {
            if (pending == null && ready.isDone()) {
                t.sendText(text);
                return;
            }
            if (pending == null) {
                pending = ready.handle((v, e) -> null);
            }
            // each stage hands its frame to the loop after the one before: the order of the replies holds
            pending = pending.thenRun(() -> t.executor().execute(() -> t.sendText(text)));
        }
    }
}
