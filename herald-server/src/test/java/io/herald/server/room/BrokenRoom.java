package io.herald.server.room;

import io.herald.room.Room;

/** A room that cannot start: its onStart always throws. */
public class BrokenRoom extends Room {
    @Override
    protected void onStart() {
        throw new IllegalStateException("cannot load this room");
    }
}
