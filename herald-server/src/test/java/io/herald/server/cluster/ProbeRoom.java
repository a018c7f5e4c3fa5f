package io.herald.server.cluster;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.room.ConnectionContext;
import io.herald.room.HttpRequest;
import io.herald.room.HttpResponse;
import io.herald.room.Room;
import io.herald.room.RoomConnection;
import io.herald.room.RoomMessage;
import io.herald.server.TestServer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * A room for cluster tests that says where it runs: onConnect and onClose store the node id of the
 * process running them ({@code HERALD_CLUSTER_NODE_ID}; "in-process" when unset), and {@code GET}
 * answers that node, the connections the room lists and what it stored. A text message
 * {@code put <key> <value>} stores the pair and answers {@code acked <key>} once the write returned;
 * {@code alarm <ms>} sets an alarm that stores {@code alarm:<node>:<n>} when it fires. Other
 * messages are relayed to everyone else.
 */
public class ProbeRoom extends Room {

    private static String node() {
        String env = System.getenv("HERALD_CLUSTER_NODE_ID");
        return env != null ? env : "in-process";
    }

    @Override
    protected void onConnect(RoomConnection connection, ConnectionContext context) throws Exception {
        storage().putString("connect:" + connection.id(), node());
        connection.send("welcome " + connection.id());
    }

    @Override
    protected void onClose(RoomConnection connection, int code, String reason) throws Exception {
        storage().putString("close:" + connection.id(), node() + " " + code);
    }

    @Override
    protected void onMessage(RoomConnection connection, RoomMessage message) throws Exception {
        if (!(message instanceof RoomMessage.Text t)) {
            broadcast(message, connection.id());
            return;
        }
        String[] words = t.text().split(" ", 3);
        switch (words[0]) {
            case "put" -> {
                storage().putString(words[1], words[2]);
                connection.send("acked " + words[1]);
            }
            case "alarm" -> {
                setAlarm(Instant.now().plusMillis(Long.parseLong(words[1])));
                connection.send("alarm set");
            }
            default -> broadcast(message, connection.id());
        }
    }

    @Override
    protected void onAlarm() throws Exception {
        String key = "alarm:" + node() + ":" + System.nanoTime();
        storage().putString(key, "fired");
    }

    @Override
    protected HttpResponse onRequest(HttpRequest request) throws Exception {
        ObjectNode out = TestServer.JSON.createObjectNode();
        out.put("node", node());
        ArrayNode ids = out.putArray("connections");
        connections().forEach(c -> ids.add(c.id()));
        ObjectNode stored = out.putObject("stored");
        storage().list("").forEach((k, v) -> stored.put(k, new String(v, StandardCharsets.UTF_8)));
        return HttpResponse.json(200, out);
    }
}
