package io.herald.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.herald.ErrorCode;
import io.herald.config.ConfigException;
import io.herald.config.StorageConfig;
import io.herald.storage.FencedOutException;
import io.herald.storage.RoomStore;
import io.herald.storage.Storage;
import io.herald.storage.StorageContract;
import io.herald.storage.StorageException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The PostgreSQL adapter against the storage contract on a real server, each contract location being a
 * schema of its own, plus what is specific to it: the schema created on first start and reused after,
 * writers on two pools (two nodes) sharing one room's budget, an old and a new owner writing at once on
 * two nodes, and connection errors without the password.
 */
class PostgresStorageTest extends StorageContract {
    @RegisterExtension
    static final PgProcesses PG = PgProcesses.create();

    @Override
    protected Storage newStorage(Path location, long maxRoomBytes) {
        return PostgresStorage.open(PG.storage(schemaOf(location), maxRoomBytes));
    }

    /** One schema per contract location: the same location maps to the same schema, a fresh temp dir to a new one. */
    private static String schemaOf(Path location) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(location.toString().getBytes(StandardCharsets.UTF_8));
            return "t_" + HexFormat.of().formatHex(digest, 0, 10);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> tables(String schema) throws Exception {
        List<String> names = new ArrayList<>();
        try (Connection c = PG.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT tablename FROM pg_tables WHERE schemaname = '" + schema + "' ORDER BY 1")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    @Test
    void theSchemaIsCreatedOnFirstStartAndASecondStartReusesItWithItsData() throws Exception {
        assertThat(tables("first_start")).isEmpty();
        try (PostgresStorage s = PostgresStorage.open(PG.storage("first_start"))) {
            assertThat(tables("first_start")).containsExactly("room_kv", "rooms", "storage_version");
            s.room("chat", "r1").putString("greeting", "hello");
        }
        try (PostgresStorage again = PostgresStorage.open(PG.storage("first_start"))) {
            assertThat(again.room("chat", "r1").getString("greeting")).contains("hello");
            assertThat(again.room("chat", "r1").bytesUsed()).isEqualTo("greeting".length() + "hello".length());
        }
        try (Connection c = PG.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT version FROM first_start.storage_version")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(PostgresSchema.VERSION);
            assertThat(rs.next()).as("one version row after two starts").isFalse();
        }
    }

    @Test
    void aLayoutWrittenByANewerHeraldIsRefusedNamingTheSchema() throws Exception {
        PostgresStorage.open(PG.storage("newer")).close();
        try (Connection c = PG.connect(); Statement s = c.createStatement()) {
            s.execute("UPDATE newer.storage_version SET version = " + (PostgresSchema.VERSION + 1));
        }
        assertThatThrownBy(() -> PostgresStorage.open(PG.storage("newer"))).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("storage.schema: schema newer has storage layout " + (PostgresSchema.VERSION + 1));
    }

    @Test
    void twoNodesWritingOneRoomShareItsBudgetExactly() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(4);
        // two pools on one schema, as two Herald nodes would have
        try (PostgresStorage a = PostgresStorage.open(PG.storage("shared", 1000));
             PostgresStorage b = PostgresStorage.open(PG.storage("shared", 1000))) {
            List<CompletableFuture<Boolean>> writes = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                RoomStore room = (i % 2 == 0 ? a : b).room("p", "r");
                String key = String.format("k%02d", i);
                // 3 + 97 = 100 bytes each: at most 10 of the 40 fit
                writes.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        room.put(key, new byte[97]);
                        return true;
                    } catch (StorageException e) {
                        return false;
                    }
                }, threads));
            }
            long accepted = 0;
            for (CompletableFuture<Boolean> w : writes) {
                accepted += w.get(60, TimeUnit.SECONDS) ? 1 : 0;
            }
            assertThat(accepted).isEqualTo(10);
            assertThat(a.room("p", "r").list("")).hasSize(10);
            assertThat(b.room("p", "r").bytesUsed()).isEqualTo(1000);
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void anOldOwnerWritingAlongsideTheNewOneOnAnotherNodeLandsNoWriteAfterTheNewOnesFirst() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try (PostgresStorage nodeA = PostgresStorage.open(PG.storage("fencing"));
             PostgresStorage nodeB = PostgresStorage.open(PG.storage("fencing"))) {
            RoomStore old = nodeA.room("p", "r", 1);
            RoomStore owner = nodeB.room("p", "r", 2);
            CountDownLatch oldHasWritten = new CountDownLatch(5);
            AtomicBoolean ownerDone = new AtomicBoolean();
            // the old owner writes until the new one is done, then once more: unfenced, that write would land last
            CompletableFuture<List<Boolean>> oldWrites = CompletableFuture.supplyAsync(() -> {
                List<Boolean> accepted = new ArrayList<>();
                boolean last = false;
                for (int i = 0; !last && i < 100_000; i++) {
                    last = ownerDone.get();
                    String key = String.format("old/%06d", i);
                    try {
                        old.batch(b -> b.put("owner", bytes("1")).put(key, bytes("x")));
                        accepted.add(true);
                        oldHasWritten.countDown();
                    } catch (FencedOutException e) {
                        accepted.add(false);
                    }
                }
                return accepted;
            }, threads);
            CompletableFuture<SortedMap<String, byte[]>> seenByOwner = CompletableFuture.supplyAsync(() -> {
                try {
                    assertThat(oldHasWritten.await(60, TimeUnit.SECONDS)).isTrue();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                owner.batch(b -> b.put("owner", bytes("2")).put("new/000", bytes("y")));
                // every old write that will ever land has landed by now
                SortedMap<String, byte[]> oldKeys = owner.list("old/");
                for (int i = 1; i < 50; i++) {
                    String key = String.format("new/%03d", i);
                    owner.batch(b -> b.put("owner", bytes("2")).put(key, bytes("y")));
                }
                ownerDone.set(true);
                return oldKeys;
            }, threads);

            List<Boolean> accepted = oldWrites.get(120, TimeUnit.SECONDS);
            SortedMap<String, byte[]> oldKeysAtTakeover = seenByOwner.get(120, TimeUnit.SECONDS);
            int landed = accepted.indexOf(false);
            assertThat(landed).as("the old owner was refused").isGreaterThanOrEqualTo(5);
            assertThat(accepted.subList(landed, accepted.size())).as("and never accepted again").doesNotContain(true);
            RoomStore room = nodeA.room("p", "r");
            assertThat(room.list("old/")).hasSize(landed);
            assertThat(room.list("old/").keySet()).isEqualTo(oldKeysAtTakeover.keySet());
            assertThat(room.list("new/")).hasSize(50);
            assertThat(room.getString("owner")).contains("2");
        } finally {
            threads.shutdownNow();
        }
        try (Connection c = PG.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT fence FROM fencing.rooms WHERE party = 'p' AND room = 'r'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getLong(1)).isEqualTo(2);
        }
    }

    @Test
    void aWriteBlockedByALockHeldElsewhereFailsAfterTheStatementTimeoutInsteadOfHanging() throws Exception {
        StorageConfig base = PG.storage("locked");
        StorageConfig quick = new StorageConfig(null, base.maxRoomBytes(), base.url(), base.user(), base.password(),
                base.schema(), 2, 300L);
        try (PostgresStorage s = PostgresStorage.open(quick); Connection holder = PG.connect()) {
            s.room("p", "r").putString("k", "v1");
            holder.setAutoCommit(false);
            try (Statement lock = holder.createStatement()) {
                // what another node's long write would hold: the room's row lock
                lock.execute("SELECT 1 FROM locked.rooms WHERE party = 'p' AND room = 'r' FOR UPDATE");
                assertThatThrownBy(() -> s.room("p", "r").putString("k", "v2")).isInstanceOf(StorageException.class);
            } finally {
                holder.rollback();
            }
            s.room("p", "r").putString("k", "v3");
            assertThat(s.room("p", "r").getString("k")).contains("v3");
        }
    }

    @Test
    void aKeyWithANulCharacterIsABadRequest() {
        try (PostgresStorage s = PostgresStorage.open(PG.storage("nul"))) {
            assertThatThrownBy(() -> s.room("p", "r").putString("a\u0000b", "v")).isInstanceOf(StorageException.class)
                    .satisfies(e -> assertThat(((StorageException) e).code()).isEqualTo(ErrorCode.BAD_REQUEST));
        }
    }

    @Test
    void anUnreachableDatabaseIsAConfigErrorOnTheUrlWithoutThePassword() {
        StorageConfig closed = StorageConfig.postgres("jdbc:postgresql://127.0.0.1:1/herald?password=url-secret-123&connectTimeout=2",
                "herald", "config-secret-456", null);
        assertThatThrownBy(() -> PostgresStorage.open(closed)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("storage.url: cannot use PostgreSQL at jdbc:postgresql://127.0.0.1:1/herald as herald: ")
                .hasMessageNotContaining("url-secret-123").hasMessageNotContaining("config-secret-456");
    }

    @Test
    void aWrongPasswordIsAConfigErrorThatDoesNotRepeatIt() {
        assumeTrue(PG.checksPasswords(), "the server at HERALD_TEST_PG_URL may not check passwords");
        StorageConfig wrong = StorageConfig.postgres(PG.url(), PG.user(), "wrong-password-789", null);
        assertThatThrownBy(() -> PostgresStorage.open(wrong)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("storage.url: cannot use PostgreSQL at ")
                .hasMessageContaining("password authentication failed")
                .hasMessageNotContaining("wrong-password-789");
    }
}
