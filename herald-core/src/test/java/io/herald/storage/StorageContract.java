package io.herald.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SortedMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The behaviour every {@link Storage} adapter must show: per-room key/value with prefix listing in key
 * order, all-or-nothing batches, isolation between (party, room) pairs, size limits and the per-room
 * byte budget refused with {@link StorageException} without losing anything, durability across a
 * close and reopen, and fencing tokens: a write older than the room's newest token refused whole. Adapters extend it and say how to open a store at a location. Public, in
 * herald-core's test-jar, so adapters in other modules (herald-postgres) run it too.
 */
public abstract class StorageContract {
    protected static final long BUDGET = 10L * 1024 * 1024;

    /** A fresh directory per test; locations are paths in it, so each test starts from empty storage. */
    @TempDir
    protected Path dir;
    private Storage storage;

    /**
     * Opens the adapter at {@code location} with a per-room budget of {@code maxRoomBytes}; opening the
     * same location again must see what was written before.
     */
    protected abstract Storage newStorage(Path location, long maxRoomBytes);

    @BeforeEach
    void open() {
        storage = newStorage(dir.resolve("rooms.db"), BUDGET);
    }

    @AfterEach
    void close() {
        storage.close();
    }

    private RoomStore room(String room) {
        return storage.room("party", room);
    }

    protected static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    protected static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void aMissingKeyReadsAsEmpty() {
        assertThat(room("r").get("nothing")).isEmpty();
        assertThat(room("r").list("")).isEmpty();
    }

    @Test
    void putThenGetReturnsTheValueAndAPutReplacesIt() {
        RoomStore s = room("r");
        s.put("k", bytes("one"));
        assertThat(s.get("k")).map(StorageContract::text).contains("one");
        s.putString("k", "two");
        assertThat(s.getString("k")).contains("two");
        assertThat(s.list("")).containsOnlyKeys("k");
    }

    @Test
    void binaryValuesRoundTripByteForByte() {
        byte[] value = new byte[256];
        for (int i = 0; i < value.length; i++) {
            value[i] = (byte) i;
        }
        room("r").put("bin", value);
        assertThat(room("r").get("bin")).hasValueSatisfying(v -> assertThat(v).containsExactly(value));
    }

    @Test
    void deleteRemovesTheKeyAndReportsWhetherItExisted() {
        RoomStore s = room("r");
        s.putString("k", "v");
        assertThat(s.delete("k")).isTrue();
        assertThat(s.get("k")).isEmpty();
        assertThat(s.delete("k")).isFalse();
    }

    @Test
    void listReturnsOnlyKeysWithThePrefixInKeyOrder() {
        RoomStore s = room("r");
        for (String k : new String[] {"msg/10", "b", "msg/02", "msg0", "msg/01", "ms", "msg/", "a"}) {
            s.putString(k, "v:" + k);
        }
        SortedMap<String, byte[]> msgs = s.list("msg/");
        assertThat(msgs.keySet()).containsExactly("msg/", "msg/01", "msg/02", "msg/10");
        assertThat(text(msgs.get("msg/02"))).isEqualTo("v:msg/02");
        assertThat(s.list("").keySet()).containsExactly("a", "b", "ms", "msg/", "msg/01", "msg/02", "msg/10", "msg0");
        assertThat(s.list("zzz")).isEmpty();
    }

    @Test
    void listTreatsSqlWildcardsInThePrefixLiterally() {
        RoomStore s = room("r");
        s.putString("a%b", "1");
        s.putString("a_b", "2");
        s.putString("axb", "3");
        assertThat(s.list("a%").keySet()).containsExactly("a%b");
        assertThat(s.list("a_").keySet()).containsExactly("a_b");
    }

    @Test
    void aBatchAppliesEveryOperationTogether() {
        RoomStore s = room("r");
        s.putString("gone", "x");
        s.batch(b -> b.put("a", bytes("1")).put("b", bytes("2")).delete("gone").put("a", bytes("3")));
        assertThat(s.getString("a")).contains("3");
        assertThat(s.getString("b")).contains("2");
        assertThat(s.get("gone")).isEmpty();
    }

    @Test
    void aBatchWithOneTooLargeValueWritesNothing() {
        RoomStore s = room("r");
        s.putString("keep", "old");
        byte[] tooLarge = new byte[RoomStore.MAX_VALUE_BYTES + 1];
        assertThatThrownBy(() -> s.batch(b -> b.put("new", bytes("1")).delete("keep").put("big", tooLarge)))
                .isInstanceOf(StorageException.class)
                .satisfies(e -> assertThat(((StorageException) e).code()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE));
        assertThat(s.get("new")).isEmpty();
        assertThat(s.get("big")).isEmpty();
        assertThat(s.getString("keep")).contains("old");
    }

    @Test
    void aBatchWhoseBuilderThrowsWritesNothing() {
        RoomStore s = room("r");
        assertThatThrownBy(() -> s.batch(b -> {
            b.put("half", bytes("1"));
            throw new IllegalStateException("room code failed mid-batch");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(s.get("half")).isEmpty();
    }

    @Test
    void eachPartyAndRoomPairSeesOnlyItsOwnKeys() {
        RoomStore a = storage.room("chat", "r1");
        RoomStore b = storage.room("chat", "r2");
        RoomStore c = storage.room("notes", "r1");
        RoomStore d = storage.room("chat/r1", "");
        a.putString("k", "a");
        b.putString("k", "b");
        c.putString("k", "c");
        assertThat(a.getString("k")).contains("a");
        assertThat(b.getString("k")).contains("b");
        assertThat(c.getString("k")).contains("c");
        assertThat(d.get("k")).isEmpty();
        b.delete("k");
        assertThat(a.getString("k")).contains("a");
        assertThat(c.list("").keySet()).containsExactly("k");
        assertThat(b.list("")).isEmpty();
    }

    @Test
    void keysUpTo2KiBAreAcceptedAndLongerOnesRefused() {
        RoomStore s = room("r");
        String max = "k".repeat(RoomStore.MAX_KEY_BYTES);
        s.putString(max, "v");
        assertThat(s.getString(max)).contains("v");
        assertThatThrownBy(() -> s.putString(max + "k", "v")).isInstanceOf(StorageException.class)
                .satisfies(e -> assertThat(((StorageException) e).code()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE));
        // counted in UTF-8 bytes, not characters: 1025 two-byte characters are 2050 bytes
        assertThatThrownBy(() -> s.putString("é".repeat(1025), "v")).isInstanceOf(StorageException.class);
        assertThat(s.list("").keySet()).containsExactly(max);
    }

    @Test
    void anEmptyKeyIsRefused() {
        assertThatThrownBy(() -> room("r").putString("", "v")).isInstanceOf(StorageException.class)
                .satisfies(e -> assertThat(((StorageException) e).code()).isEqualTo(ErrorCode.BAD_REQUEST));
    }

    @Test
    void valuesUpTo128KiBAreAcceptedAndLargerOnesRefused() {
        RoomStore s = room("r");
        byte[] max = new byte[RoomStore.MAX_VALUE_BYTES];
        Arrays.fill(max, (byte) 7);
        s.put("max", max);
        assertThat(s.get("max")).hasValueSatisfying(v -> assertThat(v).hasSize(RoomStore.MAX_VALUE_BYTES));
        assertThatThrownBy(() -> s.put("max", new byte[RoomStore.MAX_VALUE_BYTES + 1]))
                .isInstanceOf(StorageException.class)
                .satisfies(e -> assertThat(((StorageException) e).code()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE));
        assertThat(s.get("max")).hasValueSatisfying(v -> assertThat(v).containsExactly(max));
    }

    @Test
    void bytesUsedCountsKeysAndValuesAndFollowsReplacesAndDeletes() {
        RoomStore s = room("r");
        assertThat(s.bytesUsed()).isZero();
        s.put("ab", new byte[10]);
        assertThat(s.bytesUsed()).isEqualTo(12);
        s.put("ab", new byte[4]);
        assertThat(s.bytesUsed()).isEqualTo(6);
        s.batch(b -> b.put("é", new byte[3]).put("c", new byte[1]));
        assertThat(s.bytesUsed()).isEqualTo(6 + 5 + 2);
        s.delete("ab");
        assertThat(s.bytesUsed()).isEqualTo(7);
        assertThat(room("other").bytesUsed()).isZero();
    }

    @Test
    void aWritePastTheRoomBudgetIsRefusedAndNothingIsLost() {
        storage.close();
        storage = newStorage(dir.resolve("small.db"), 1000);
        RoomStore s = room("r");
        s.put("a", new byte[600]);
        assertThatThrownBy(() -> s.put("b", new byte[500])).isInstanceOf(StorageException.class)
                .satisfies(e -> assertThat(((StorageException) e).code()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE));
        assertThatThrownBy(() -> s.batch(b -> b.put("c", new byte[100]).put("d", new byte[350])))
                .isInstanceOf(StorageException.class);
        assertThat(s.list("").keySet()).containsExactly("a");
        assertThat(s.get("a")).hasValueSatisfying(v -> assertThat(v).hasSize(600));
        assertThat(s.bytesUsed()).isEqualTo(601);
        // replacing within the budget, and freeing space by deleting in the same batch, are allowed
        s.put("a", new byte[900]);
        s.batch(b -> b.delete("a").put("b", new byte[990]));
        assertThat(s.list("").keySet()).containsExactly("b");
        assertThat(s.bytesUsed()).isEqualTo(991);
        // the budget is per room
        room("other").put("a", new byte[900]);
        assertThat(room("other").bytesUsed()).isEqualTo(901);
    }

    @Test
    void whatWasWrittenSurvivesACloseAndReopenOfTheSameLocation() {
        RoomStore s = room("r");
        s.putString("a", "1");
        s.batch(b -> b.put("b", bytes("2")).put("c", bytes("3")));
        s.delete("c");
        storage.close();

        storage = newStorage(dir.resolve("rooms.db"), BUDGET);
        RoomStore again = room("r");
        assertThat(again.list("").keySet()).containsExactly("a", "b");
        assertThat(again.getString("b")).contains("2");
        assertThat(again.bytesUsed()).isEqualTo(4);
    }

    @Test
    void theBudgetStillHoldsAfterAReopen() {
        storage.close();
        storage = newStorage(dir.resolve("budget.db"), 100);
        room("r").put("a", new byte[80]);
        storage.close();

        storage = newStorage(dir.resolve("budget.db"), 100);
        assertThat(room("r").bytesUsed()).isEqualTo(81);
        assertThatThrownBy(() -> room("r").put("b", new byte[30])).isInstanceOf(StorageException.class);
        assertThat(room("r").get("b")).isEmpty();
    }

    private RoomStore fenced(String room, long fence) {
        return storage.room("party", room, fence);
    }

    private static void assertFencedOut(Runnable write, long fence, long stored) {
        assertThatThrownBy(write::run).isInstanceOf(FencedOutException.class)
                .satisfies(e -> assertThat(((StorageException) e).code()).isEqualTo(ErrorCode.STALE_OWNER))
                .satisfies(e -> assertThat(((FencedOutException) e).fence()).isEqualTo(fence))
                .satisfies(e -> assertThat(((FencedOutException) e).storedFence()).isEqualTo(stored));
    }

    @Test
    void aWriteWithAnOlderTokenIsRefusedAndNothingOfItsBatchIsWritten() {
        RoomStore old = fenced("r", 1);
        old.putString("keep", "old");
        fenced("r", 2).putString("owner", "new");
        long used = room("r").bytesUsed();

        assertFencedOut(() -> old.batch(b -> b.put("a", bytes("1")).delete("keep").put("owner", bytes("old"))), 1, 2);
        assertFencedOut(() -> old.putString("b", "2"), 1, 2);
        assertFencedOut(() -> old.delete("keep"), 1, 2);
        assertThat(room("r").list("").keySet()).containsExactly("keep", "owner");
        assertThat(room("r").getString("owner")).contains("new");
        assertThat(room("r").bytesUsed()).isEqualTo(used);
    }

    @Test
    void aStaleOwnerHearsThatItIsStaleEvenWhenItsWriteIsAlsoOverTheBudget() {
        fenced("r", 2).putString("k", "v");
        assertFencedOut(() -> fenced("r", 1).put("big", new byte[RoomStore.MAX_VALUE_BYTES]), 1, 2);
    }

    @Test
    void writesWithTheStoredTokenAreAcceptedFromAnyStoreOfIt() {
        fenced("r", 3).putString("a", "1");
        fenced("r", 3).batch(b -> b.put("b", bytes("2")).delete("a"));
        fenced("r", 3).putString("a", "3");
        assertThat(room("r").list("").keySet()).containsExactly("a", "b");
    }

    @Test
    void aNewerTokenIsAcceptedAndFromThenOnTheOlderOneIsRefused() {
        RoomStore first = fenced("r", 1);
        first.putString("k", "1");
        RoomStore second = fenced("r", 5);
        second.putString("k", "5");
        assertFencedOut(() -> first.putString("k", "1 again"), 1, 5);
        // a token between the two is stale too: only the newest owner writes
        assertFencedOut(() -> fenced("r", 4).putString("k", "4"), 4, 5);
        fenced("r", 6).putString("k", "6");
        assertFencedOut(() -> second.putString("k", "5 again"), 5, 6);
        assertThat(room("r").getString("k")).contains("6");
    }

    @Test
    void claimingTheFenceRefusesTheOlderOwnerBeforeTheNewerOneWritesAnything() {
        RoomStore old = fenced("r", 1);
        old.putString("k", "old");
        RoomStore owner = fenced("r", 2);
        owner.claimFence();
        owner.claimFence();
        assertFencedOut(() -> old.putString("k", "lost"), 1, 2);
        assertThat(room("r").getString("k")).contains("old");
        // a claim by an owner that is itself stale is refused and lowers nothing
        assertFencedOut(old::claimFence, 1, 2);
        owner.putString("k", "new");
        assertThat(room("r").getString("k")).contains("new");
    }

    @Test
    void aClaimOnANeverWrittenRoomUsesNoBudgetAndListsNoKey() {
        fenced("fresh", 7).claimFence();
        assertThat(room("fresh").bytesUsed()).isZero();
        assertThat(room("fresh").list("")).isEmpty();
        assertFencedOut(() -> fenced("fresh", 6).putString("k", "v"), 6, 7);
        assertThat(room("fresh").list("")).isEmpty();
    }

    @Test
    void theTokenTakesNoShareOfTheRoomBudget() {
        storage.close();
        storage = newStorage(dir.resolve("fenced-budget.db"), 100);
        RoomStore s = fenced("r", 9);
        s.claimFence();
        s.put("a", new byte[99]);
        assertThat(s.bytesUsed()).isEqualTo(100);
        assertThat(s.list("").keySet()).containsExactly("a");
        assertThatThrownBy(() -> s.put("b", new byte[0])).isInstanceOf(StorageException.class)
                .satisfies(e -> assertThat(((StorageException) e).code()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE));
    }

    @Test
    void readsOfAFencedOutOwnerAreNeverRefused() {
        RoomStore old = fenced("r", 1);
        old.putString("k", "v");
        fenced("r", 2).claimFence();
        assertThat(old.getString("k")).contains("v");
        assertThat(old.list("").keySet()).containsExactly("k");
        assertThat(old.bytesUsed()).isEqualTo(2);
    }

    @Test
    void unfencedWritesNeitherCheckNorMoveTheToken() {
        fenced("r", 5).putString("k", "5");
        room("r").putString("k", "unfenced");
        room("r").batch(b -> b.put("j", bytes("x")).delete("j"));
        fenced("r", 5).putString("k", "5 again");
        assertFencedOut(() -> fenced("r", 4).putString("k", "4"), 4, 5);
        assertThatThrownBy(() -> room("r").claimFence()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void eachRoomHasItsOwnToken() {
        fenced("r1", 10).claimFence();
        fenced("r2", 1).putString("k", "v");
        storage.room("other", "r1", 1).putString("k", "v");
        assertThat(room("r2").getString("k")).contains("v");
    }

    @Test
    void theTokenSurvivesACloseAndReopen() {
        fenced("r", 3).putString("k", "v");
        fenced("s", 4).claimFence();
        storage.close();
        storage = newStorage(dir.resolve("rooms.db"), BUDGET);
        assertFencedOut(() -> fenced("r", 2).putString("k", "lost"), 2, 3);
        assertFencedOut(() -> fenced("s", 3).putString("k", "lost"), 3, 4);
        assertThat(room("r").getString("k")).contains("v");
    }

    @Test
    void aTokenThatIsNotPositiveIsRefused() {
        assertThatThrownBy(() -> storage.room("party", "r", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> storage.room("party", "r", -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
