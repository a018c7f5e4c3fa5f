package io.herald.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The SQLite adapter against the storage contract, plus what is specific to it (WAL file, lazy open, threads). */
class SqliteStorageTest extends StorageContract {

    @Override
    protected Storage newStorage(Path location, long maxRoomBytes) {
        return new SqliteStorage(location, maxRoomBytes);
    }

    @Test
    void theFileIsCreatedOnFirstUseInWalMode() throws Exception {
        Path file = dir.resolve("sub/dir/lazy.db");
        try (SqliteStorage s = new SqliteStorage(file, BUDGET)) {
            s.room("p", "r");
            assertThat(file).doesNotExist();
            s.room("p", "r").putString("k", "v");
            assertThat(file).exists();
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("PRAGMA journal_mode")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualToIgnoringCase("wal");
        }
        assertThat(Files.size(file)).isPositive();
    }

    @Test
    void concurrentWritersToManyRoomsLoseNothing() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (SqliteStorage s = new SqliteStorage(dir.resolve("threads.db"), BUDGET)) {
            List<CompletableFuture<Void>> writers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                String room = "room-" + t;
                writers.add(CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < 50; i++) {
                        s.room("p", room).putString(String.format("k%03d", i), room + ":" + i);
                        s.room("p", "shared").putString(room + "/" + i, "x");
                    }
                }, pool));
            }
            CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            for (int t = 0; t < 4; t++) {
                assertThat(s.room("p", "room-" + t).list("")).hasSize(50);
                assertThat(s.room("p", "room-" + t).getString("k049")).contains("room-" + t + ":49");
            }
            assertThat(s.room("p", "shared").list("")).hasSize(200);
        } finally {
            pool.shutdownNow();
        }
    }
}
