package io.herald.server.cluster;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.room.ConnectionContext;
import io.herald.room.HttpRequest;
import io.herald.room.HttpResponse;
import io.herald.room.Room;
import io.herald.room.RoomConnection;
import io.herald.room.RoomMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A room for the room-cluster tests that tells which node runs its code. Every reply names the node
 * ({@code HERALD_CLUSTER_NODE_ID} of the process) and the instance (a random id per {@link #onStart}),
 * so a test sees whether one node or several ran the room.
 *
 * <p>On connect the socket is sent {@code {"type":"hello","node","instance","id","connections":[ids]}}
 * and the others {@code {"type":"joined","id","node"}}; on close the others get
 * {@code {"type":"left","id","code","node"}}. The instance keeps a log of its connects and closes
 * ({@code "connect <id>"}, {@code "close <id> <code>"}), after {@code "start <node> <n>"}, n being the
 * number of {@code k/} keys it found in storage when it was built. Messages:
 * <ul>
 *   <li>{@code put:<key>}: stores {@code k/<key>} = node id, then answers {@code acked <key>} to the sender and
 *       {@code saw <key>} to the others (the answer leaves only after the write returned);</li>
 *   <li>{@code who}: answers {@code {"type":"who","node","instance","connections":[ids],"log":[...]}};</li>
 *   <li>{@code alarm:<ms>}: sets the durable alarm that far ahead and answers {@code alarm set <node>}.</li>
 * </ul>
 * A socket connecting with {@code ?beat=1} starts a ticker that stores {@code beat/<node>/<instance>/<n>} =
 * the wall-clock millis every 100 ms, so a stale owner's writes (or their refusal) can be seen in storage.
 * onAlarm stores {@code fired/<node>/<instance>/<nanos>} and broadcasts {@code alarm fired <node>}. An
 * exception in a hook is reported to the socket as {@code error <class simple name>}.
 *
 * <p>HTTP: {@code GET} answers {@code {"node","instance","connections":[ids],"log":[...]}} plus
 * {@code "keys":[...]} of the stored keys starting with {@code ?prefix=} when given; {@code POST}
 * stores the body as {@code posted}, broadcasts {@code posted <body>} and answers 201 {@code {"node"}}.
 */
public class OwnerProbeRoom extends Room {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final String NODE = System.getenv().getOrDefault("HERALD_CLUSTER_NODE_ID", "single");

    private final String instance = UUID.randomUUID().toString().substring(0, 8);
    private final List<String> log = new ArrayList<>();
    private Repeating beat;
    private long beats;

    @Override
    protected void onStart() {
        // what the instance found in storage when it was built: a new owner loads the room from there
        log.add("start " + NODE + " " + storage().list("k/").size());
    }

    @Override
    protected void onConnect(RoomConnection connection, ConnectionContext context) {
        log.add("connect " + connection.id());
        ObjectNode hello = JSON.objectNode().put("type", "hello").put("node", NODE).put("instance", instance)
                .put("id", connection.id());
        hello.set("connections", ids());
        connection.send(hello.toString());
        broadcast(JSON.objectNode().put("type", "joined").put("id", connection.id()).put("node", NODE).toString(), connection.id());
        if ("1".equals(context.query().get("beat")) && beat == null) {
            beat = every(Duration.ofMillis(100), () -> storage().putString(
                    "beat/" + NODE + "/" + instance + "/" + String.format("%08d", beats++), Long.toString(System.currentTimeMillis())));
        }
    }

    @Override
    protected void onClose(RoomConnection connection, int code, String reason) {
        log.add("close " + connection.id() + " " + code);
        broadcast(JSON.objectNode().put("type", "left").put("id", connection.id()).put("code", code).put("node", NODE).toString());
    }

    @Override
    protected void onMessage(RoomConnection connection, RoomMessage message) {
        if (!(message instanceof RoomMessage.Text t)) {
            return;
        }
        String text = t.text();
        if (text.startsWith("put:")) {
            String key = text.substring(4);
            storage().putString("k/" + key, NODE);
            connection.send("acked " + key);
            broadcast("saw " + key, connection.id());
        } else if (text.equals("who")) {
            connection.send(describe().put("type", "who").toString());
        } else if (text.startsWith("alarm:")) {
            setAlarm(Instant.now().plusMillis(Long.parseLong(text.substring(6))));
            connection.send("alarm set " + NODE);
        }
    }

    @Override
    protected void onAlarm() {
        storage().putString("fired/" + NODE + "/" + instance + "/" + System.nanoTime(), Long.toString(System.currentTimeMillis()));
        broadcast("alarm fired " + NODE);
    }

    @Override
    protected void onError(RoomConnection connection, Throwable error) {
        connection.send("error " + error.getClass().getSimpleName());
    }

    @Override
    protected HttpResponse onRequest(HttpRequest request) {
        return switch (request.method()) {
            case "GET" -> {
                ObjectNode body = describe();
                String prefix = request.query().get("prefix");
                if (prefix != null) {
                    ArrayNode keys = body.putArray("keys");
                    storage().list(prefix).keySet().forEach(keys::add);
                }
                yield HttpResponse.json(200, body);
            }
            case "POST" -> {
                storage().putString("posted", request.bodyText());
                broadcast("posted " + request.bodyText());
                yield HttpResponse.json(201, JSON.objectNode().put("node", NODE));
            }
            default -> HttpResponse.text(405, "no");
        };
    }

    private ObjectNode describe() {
        ObjectNode body = JSON.objectNode().put("node", NODE).put("instance", instance);
        body.set("connections", ids());
        ArrayNode events = body.putArray("log");
        log.forEach(events::add);
        return body;
    }

    private ArrayNode ids() {
        ArrayNode ids = JSON.arrayNode();
        connections().forEach(c -> ids.add(c.id()));
        return ids;
    }
}
