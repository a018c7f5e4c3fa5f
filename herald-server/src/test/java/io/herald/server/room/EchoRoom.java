package io.herald.server.room;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.room.ConnectionContext;
import io.herald.room.Room;
import io.herald.room.RoomConnection;
import io.herald.room.RoomMessage;

/**
 * A room for the integration tests. On connect it tells the socket what the server made of its request
 * ({@code {"hello":..,"party","room","id","userId","org","uri"}}) and keeps that in the connection's
 * state; it answers {@code state} with the state, throws on {@code boom} (and reports the error to the
 * socket from onError), and echoes anything else as {@code echo:<text>}.
 */
public class EchoRoom extends Room {
    @Override
    protected void onConnect(RoomConnection connection, ConnectionContext context) {
        ObjectNode hello = JsonNodeFactory.instance.objectNode()
                .put("hello", true)
                .put("party", party())
                .put("room", name())
                .put("id", connection.id())
                .put("userId", connection.userId())
                .put("org", context.activeOrgId())
                .put("uri", connection.uri());
        connection.setState(hello);
        connection.send(hello.toString());
    }

    @Override
    protected void onMessage(RoomConnection connection, RoomMessage message) {
        if (message instanceof RoomMessage.Binary b) {
            connection.send(b.data());
            return;
        }
        String text = ((RoomMessage.Text) message).text();
        switch (text) {
            case "state" -> connection.send(connection.getState().toString());
            case "boom" -> throw new IllegalStateException("boom from the room");
            default -> connection.send("echo:" + text);
        }
    }

    @Override
    protected void onError(RoomConnection connection, Throwable error) {
        connection.send("error:" + error.getMessage());
    }
}
