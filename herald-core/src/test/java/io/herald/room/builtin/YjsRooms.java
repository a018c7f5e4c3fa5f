package io.herald.room.builtin;

import io.herald.Meters;
import io.herald.config.RoomsConfig;
import io.herald.room.ConnectionContext;
import io.herald.room.RoomBinding;
import io.herald.room.RoomHost;
import io.herald.storage.SqliteStorage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A {@link RoomHost} on a SQLite file with one public party, {@code yjs}, served by a {@link YjsRoom}
 * (or a subclass), and sockets joined to its rooms. Closing it closes the host, the storage and the
 * sockets; a new instance on the same file sees what the rooms stored.
 */
final class YjsRooms implements AutoCloseable {
    static final String PARTY = "yjs";
    static final long MAX_ROOM_BYTES = 10L * 1024 * 1024;

    final RoomHost host;
    final SqliteStorage storage;
    final Meters meters = new Meters(new SimpleMeterRegistry());
    private final List<YSocket> sockets = new ArrayList<>();

    YjsRooms(Path file, RoomsConfig config, Supplier<? extends YjsRoom> room) {
        this(file, config, room, MAX_ROOM_BYTES);
    }

    /** With {@code storage.maxRoomBytes} = {@code maxRoomBytes}. */
    YjsRooms(Path file, RoomsConfig config, Supplier<? extends YjsRoom> room, long maxRoomBytes) {
        this.storage = new SqliteStorage(file, maxRoomBytes);
        this.host = new RoomHost(config, List.of(new RoomBinding("YJS", room, RoomsConfig.Access.PUBLIC, null)),
                storage, meters);
    }

    /** Settings with these document limits and hibernation after {@code hibernateAfterMs}. */
    static RoomsConfig config(long hibernateAfterMs, RoomsConfig.YjsDocs yjs) {
        return new RoomsConfig(null, hibernateAfterMs, null, null, null, null, null, null, 4, null, null, yjs, null);
    }

    static RoomsConfig config(RoomsConfig.YjsDocs yjs) {
        return config(RoomsConfig.DEFAULT_HIBERNATE_AFTER_MS, yjs);
    }

    /** Joins {@code room} and waits until onConnect has run. */
    YSocket join(String room) {
        YSocket s = new YSocket();
        sockets.add(s);
        RoomBinding b = host.binding(PARTY).orElseThrow();
        try {
            s.joined(host.reserve(b, room).join(s.id(), s, new ConnectionContext("/parties/yjs/" + room, null, null, null))
                    .get(5, TimeUnit.SECONDS));
        } catch (Exception e) {
            throw new AssertionError("join of " + room + " failed", e);
        }
        return s;
    }

    @Override
    public void close() {
        host.close();
        storage.close();
        sockets.forEach(YSocket::close);
    }
}
