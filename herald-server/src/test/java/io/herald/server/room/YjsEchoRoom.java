package io.herald.server.room;

import io.herald.room.RoomConnection;
import io.herald.room.builtin.YjsRoom;

/**
 * A YjsRoom for the y-partyserver compatibility script: a {@code __YPS:} custom message is answered
 * with {@code echo:<message>} to its sender and relayed as it is to every other connection.
 */
public class YjsEchoRoom extends YjsRoom {
    @Override
    protected void onCustomMessage(RoomConnection connection, String message) {
        sendCustomMessage(connection, "echo:" + message);
        broadcastCustomMessage(message, connection.id());
    }
}
