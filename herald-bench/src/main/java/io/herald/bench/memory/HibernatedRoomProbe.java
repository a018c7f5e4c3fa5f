package io.herald.bench.memory;

import io.herald.Connection;
import io.herald.EncodedMessage;
import io.herald.Meters;
import io.herald.config.RoomsConfig;
import io.herald.room.ConnectionContext;
import io.herald.room.RoomBinding;
import io.herald.room.RoomHost;
import io.herald.room.builtin.RelayRoom;
import io.herald.storage.SqliteStorage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Measures the heap a hibernated room with one open socket costs the engine, beyond the socket's
 * transport: N rooms are joined, left to hibernate, and the heap after a full GC is compared with the
 * heap holding only the N transports. {@code java -cp herald-bench.jar io.herald.bench.memory.HibernatedRoomProbe [N]}.
 */
public final class HibernatedRoomProbe {

    /** A stand-in for the edge's socket transport: what the engine holds of a socket is measured separately. */
    private static final class IdleConnection implements Connection {
        private final String id;
        private final Executor loop;

        IdleConnection(String id, Executor loop) {
            this.id = id;
            this.loop = loop;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public Executor executor() {
            return loop;
        }

        @Override
        public boolean send(EncodedMessage message) {
            return true;
        }

        @Override
        public void close(int closeCode, String reason) {
        }
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        Path dir = Files.createTempDirectory("herald-probe");
        Executor loop = Runnable::run;
        RoomsConfig config = RoomsConfig.defaults().withHibernateAfterMs(200);
        List<Connection> transports = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            transports.add(new IdleConnection("c" + i, loop));
        }
        long baseline = usedAfterGc();
        try (SqliteStorage storage = new SqliteStorage(dir.resolve("probe.db"), 1 << 20);
             RoomHost host = new RoomHost(config, List.of(RoomBinding.of("LOBBY", RelayRoom.class, RoomsConfig.Access.PUBLIC)),
                     storage, new Meters(new SimpleMeterRegistry()))) {
            RoomBinding lobby = host.binding("lobby").orElseThrow();
            List<CompletableFuture<?>> joins = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                joins.add(host.reserve(lobby, "room-" + i)
                        .join("c" + i, transports.get(i), new ConnectionContext("/parties/lobby/room-" + i, Map.of(), null, null)));
            }
            CompletableFuture.allOf(joins.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (host.loadedRooms() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            joins.clear();
            long used = usedAfterGc();
            System.out.printf("rooms=%d loaded=%d hibernations=%d%n", host.rooms(), host.loadedRooms(), host.hibernations());
            System.out.printf("heap per hibernated room with one socket (engine side): %.0f bytes%n",
                    (used - baseline) / (double) n);
        }
    }

    private static long usedAfterGc() throws InterruptedException {
        var mem = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return mem.getHeapMemoryUsage().getUsed();
    }
}
