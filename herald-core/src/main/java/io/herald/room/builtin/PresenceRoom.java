package io.herald.room.builtin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.room.ConnectionContext;
import io.herald.room.RoomConnection;
import io.herald.room.RoomMessage;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A relay room that also tells everyone who is here and replays recent messages:
 * <ul>
 * <li>on every join, leave and {@code {"type":"presence:set","meta":{...}}}, everyone gets
 *     {@code {"type":"presence","peers":[{"id","userId","name","meta"}...]}};</li>
 * <li>the last {@code rooms.presence.history} text messages it relayed are kept in storage (they
 *     survive reconnects, hibernation and restarts) and a new connection first gets
 *     {@code {"type":"history","messages":[...]}} (oldest first, as received), when there is any.</li>
 * </ul>
 * Binary messages are relayed but not kept; {@code presence:set} messages are not relayed.
 */
public class PresenceRoom extends RelayRoom {
    static final String HISTORY_KEY = "presence:history";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Deque<String> history = new ArrayDeque<>();

    @Override
    protected void onStart() throws IOException {
        history.clear();
        var stored = storage().get(HISTORY_KEY);
        if (stored.isPresent()) {
            for (JsonNode m : JSON.readTree(stored.get())) {
                history.addLast(m.asText());
            }
        }
    }

    @Override
    protected void onConnect(RoomConnection connection, ConnectionContext context) {
        if (!history.isEmpty()) {
            ObjectNode h = JsonNodeFactory.instance.objectNode().put("type", "history");
            ArrayNode messages = h.putArray("messages");
            history.forEach(messages::add);
            connection.send(h.toString());
        }
        broadcastPresence();
    }

    @Override
    protected void onMessage(RoomConnection connection, RoomMessage message) throws Exception {
        if (message instanceof RoomMessage.Text text) {
            JsonNode meta = presenceSet(text.text());
            if (meta != null) {
                ObjectNode state = JsonNodeFactory.instance.objectNode();
                state.set("meta", meta);
                connection.setState(state);
                broadcastPresence();
                return;
            }
            // relay before keeping: a message that cannot be kept is still delivered
            super.onMessage(connection, message);
            remember(text.text());
            return;
        }
        super.onMessage(connection, message);
    }

    @Override
    protected void onClose(RoomConnection connection, int code, String reason) {
        broadcastPresence();
    }

    private static JsonNode presenceSet(String text) {
        if (!text.startsWith("{") || !text.contains("presence:set")) {
            return null;
        }
        try {
            JsonNode n = JSON.readTree(text);
            return n.isObject() && "presence:set".equals(n.path("type").asText()) ? n.path("meta") : null;
        } catch (IOException e) {
            return null;
        }
    }

    private void remember(String text) throws IOException {
        int max = settings().presence().history();
        if (max == 0) {
            return;
        }
        if (JSON.writeValueAsBytes(new String[] {text}).length > io.herald.storage.RoomStore.MAX_VALUE_BYTES) {
            // too large to be kept even alone: leave the history as it is rather than emptying it
            return;
        }
        history.addLast(text);
        while (history.size() > max) {
            history.removeFirst();
        }
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        history.forEach(a::add);
        byte[] bytes = JSON.writeValueAsBytes(a);
        while (bytes.length > io.herald.storage.RoomStore.MAX_VALUE_BYTES && history.size() > 1) {
            history.removeFirst();
            a.remove(0);
            bytes = JSON.writeValueAsBytes(a);
        }
        storage().put(HISTORY_KEY, bytes);
    }

    private void broadcastPresence() {
        ObjectNode p = JsonNodeFactory.instance.objectNode().put("type", "presence");
        ArrayNode peers = p.putArray("peers");
        for (RoomConnection c : connections()) {
            ObjectNode peer = peers.addObject();
            peer.put("id", c.id());
            peer.put("userId", c.userId());
            peer.put("name", c.user().flatMap(u -> u.displayName()).orElse(null));
            JsonNode meta = c.getState().path("meta");
            peer.set("meta", meta.isMissingNode() ? JsonNodeFactory.instance.nullNode() : meta);
        }
        broadcast(p.toString());
    }
}
