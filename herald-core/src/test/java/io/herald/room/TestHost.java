package io.herald.room;

import io.herald.Meters;
import io.herald.config.RoomsConfig;
import io.herald.storage.SqliteStorage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A {@link RoomHost} on a SQLite file for engine tests, with a shortcut to reserve and join a room
 * through a {@link TestConnection}. Closing it closes the host, the storage and every connection.
 */
final class TestHost implements AutoCloseable {
    final RoomHost host;
    final SqliteStorage storage;
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<TestConnection> transports = new ArrayList<>();

    TestHost(Path dir, RoomsConfig config, RoomBinding... bindings) {
        this.storage = new SqliteStorage(dir.resolve("rooms.db"), 10L * 1024 * 1024);
        this.host = new RoomHost(config, List.of(bindings), storage, new Meters(registry));
    }

    /** Settings with a hibernation delay, a per-room cap and a cap on loaded rooms. */
    static RoomsConfig config(long hibernateAfterMs, int maxConnectionsPerRoom, int maxLoadedRooms, int maxRooms) {
        return new RoomsConfig(null, hibernateAfterMs, maxConnectionsPerRoom, null, null, null, maxLoadedRooms, maxRooms,
                4, null, null, null, null);
    }

    static RoomsConfig config(long hibernateAfterMs) {
        return config(hibernateAfterMs, 1000, 1000, 1000);
    }

    static RoomBinding binding(String name, java.util.function.Supplier<? extends Room> factory) {
        return new RoomBinding(name, factory, RoomsConfig.Access.PUBLIC, null);
    }

    /** A joined socket: its session (to feed messages and the close) and its transport (what it was sent). */
    record Member(RoomHost.RoomSession session, TestConnection transport) {
        String id() {
            return session.connection().id();
        }

        void send(String text) {
            if (!session.message(RoomMessage.text(text))) {
                throw new AssertionError("the room's queue refused a message");
            }
        }

        void leave() {
            session.closed(1000, "bye");
        }
    }

    /** Starts joining {@code room} of {@code party} as {@code connectionId}. */
    CompletableFuture<RoomHost.RoomSession> joining(String party, String room, String connectionId, TestConnection t) {
        RoomBinding b = host.binding(party).orElseThrow();
        return host.reserve(b, room).join(connectionId, t, new ConnectionContext("/parties/" + party + "/" + room, null, null, null));
    }

    /** Joins and waits until onConnect has run. */
    Member join(String party, String room, String connectionId) {
        TestConnection t = transport();
        try {
            return new Member(joining(party, room, connectionId, t).get(5, TimeUnit.SECONDS), t);
        } catch (Exception e) {
            throw new AssertionError("join of " + party + "/" + room + " failed", e);
        }
    }

    TestConnection transport() {
        TestConnection t = new TestConnection();
        transports.add(t);
        return t;
    }

    @Override
    public void close() {
        host.close();
        storage.close();
        transports.forEach(TestConnection::close);
    }
}
