package io.herald.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

/**
 * The SQLite adapter against the storage contract, plus what is specific to it (WAL file, lazy open,
 * threads, a file of the layout before fencing tokens).
 */
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

    @Test
    void aFileWrittenBeforeFencingTokensOpensWithItsDataAndItsRoomsAtTokenZero() throws Exception {
        Path file = dir.resolve("before-fencing.db");
        // the layout SqliteStorage created before room_fence existed, byte for byte the same DDL
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            st.execute("PRAGMA journal_mode=WAL");
            st.execute("CREATE TABLE IF NOT EXISTS room_kv (party TEXT NOT NULL, room TEXT NOT NULL, k TEXT NOT NULL,"
                    + " v BLOB NOT NULL, PRIMARY KEY (party, room, k)) WITHOUT ROWID");
            st.execute("INSERT INTO room_kv VALUES ('p', 'r', 'k', CAST('old' AS BLOB))");
        }
        try (SqliteStorage s = new SqliteStorage(file, BUDGET)) {
            assertThat(s.room("p", "r").getString("k")).contains("old");
            assertThat(s.room("p", "r").bytesUsed()).isEqualTo(4);
            s.room("p", "r", 2).putString("k", "fenced");
            s.room("p", "r").putString("j", "unfenced");
            assertThat(s.room("p", "r").list("").keySet()).containsExactly("j", "k");
        }
        try (SqliteStorage again = new SqliteStorage(file, BUDGET)) {
            assertThat(again.room("p", "r").getString("k")).contains("fenced");
            assertThatThrownBy(() -> again.room("p", "r", 1).putString("k", "stale")).isInstanceOf(FencedOutException.class);
        }
    }
}
