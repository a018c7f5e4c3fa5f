package io.herald.server.lane;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.ErrorCode;
import io.herald.Herald;
import io.herald.HeraldException;
import io.herald.auth.Principal;
import io.herald.lane.LaneHub;
import io.herald.lane.LaneSocket;
import io.herald.server.FrameWriter;
import io.herald.server.Sockets;
import io.herald.server.UpgradeHandler;
import io.herald.server.WebSocketTransport;
import io.herald.server.http.ErrorHandler;
import io.herald.server.http.RequestCredentials;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The lane WebSocket: authenticates the upgrade (Bearer JWT, {@code ?token=} or any session
 * credential; 401 before the upgrade), joins the user's lane (429 past the per-user cap), then handles
 * {@code subscribe} / {@code unsubscribe} / {@code ack} frames and a text {@code ping} in any case.
 * Replies {@code subscribed} / {@code unsubscribed} / {@code error} unless {@code lanes.controlReplies}
 * is off. Binary frames are ignored. One instance per event loop.
 */
public final class LaneSocketHandler extends UpgradeHandler {
    private final ObjectMapper json = new ObjectMapper();

    public LaneSocketHandler(Herald herald, Sockets sockets, FrameWriter loop, ErrorHandler errors) {
        super(herald, sockets, loop, errors);
        json.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(32).build());
    }

    @Override
    protected void upgrade(HttpServerRequest request) {
        requireUpgrade(request, "Lane sockets");
        Principal p = herald.sessions().authenticate(new RequestCredentials(request), true);
        LaneHub hub = herald.lanes();
        WebSocketTransport t = new WebSocketTransport(loop, herald.config().server().maxPendingBytes(), herald.meters(), "lanes");
        LaneSocket lane = hub.join(p.userId(), t);
        try {
            sockets.reserve();
        } catch (HeraldException e) {
            hub.leave(lane);
            throw e;
        }
        request.toWebSocket().onComplete(ar -> {
            if (ar.failed()) {
                sockets.release();
                hub.leave(lane);
                return;
            }
            open(ar.result(), t, lane);
        });
    }

    private void open(ServerWebSocket ws, WebSocketTransport t, LaneSocket lane) {
        sockets.add(t);
        t.attach(ws);
        int maxFrame = herald.lanes().config().maxFrameBytes();
        ws.textMessageHandler(text -> {
            t.touch();
            // a char is at most 3 UTF-8 bytes: only a long frame needs encoding to be measured
            if (text.length() > maxFrame || (text.length() * 3L > maxFrame && text.getBytes(StandardCharsets.UTF_8).length > maxFrame)) {
                t.close(ErrorCode.PAYLOAD_TOO_LARGE, "frame too large");
                return;
            }
            onText(t, lane, text);
        });
        ws.binaryMessageHandler(b -> t.touch());
        ws.pongHandler(b -> t.touch());
        ws.exceptionHandler(t::onInboundError);
        ws.closeHandler(v -> {
            t.markClosed();
            sockets.remove(t);
            herald.lanes().leave(lane);
        });
    }

    private void onText(WebSocketTransport t, LaneSocket lane, String text) {
        if (text.trim().toLowerCase(Locale.ROOT).equals("ping")) {
            t.sendText("pong");
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

    private void reply(WebSocketTransport t, ObjectNode frame) {
        if (herald.lanes().config().controlReplies()) {
            t.sendText(frame.toString());
        }
    }
}
