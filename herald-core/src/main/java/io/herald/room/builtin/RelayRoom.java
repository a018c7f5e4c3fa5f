package io.herald.room.builtin;

import io.herald.room.Room;
import io.herald.room.RoomConnection;
import io.herald.room.RoomMessage;

/** Relays every message, text or binary, to everyone else in the room. */
public class RelayRoom extends Room {
    @Override
    protected void onMessage(RoomConnection connection, RoomMessage message) throws Exception {
        broadcast(message, connection.id());
    }
}
