package io.herald.room.builtin;

import static io.herald.room.builtin.YFrames.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.herald.config.ConfigException;
import io.herald.config.RoomsConfig;
import io.herald.config.RoomsConfig.YjsDocs;
import io.herald.room.builtin.YFrames.Entry;
import io.herald.yjs.Yjs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * YjsRoom's relay window ({@code rooms.yjs.relayWindowMs}): a relay outside a window goes at once;
 * updates and awareness changes inside one are held and relayed together when it ends, the updates
 * merged into one. The window here is long (1 s) so that "held" is seen by ordering, not by timing:
 * a sync step 1 is answered at once, so frames that arrive before its step 2 were sent before the
 * room handled it.
 */
class YjsRelayWindowTest {
    private static final int WINDOW_MS = 1000;
    private final Yjs yjs = Yjs.withDefaults();

    @TempDir
    Path dir;
    private YjsRooms rooms;

    @AfterEach
    void close() {
        if (rooms != null) {
            rooms.close();
        }
    }

    private YjsRooms open(int windowMs) {
        rooms = new YjsRooms(dir.resolve("rooms.db"), YjsRooms.config(new YjsDocs(null, null, null, windowMs)), YjsRoom::new);
        return rooms;
    }

    private static YSocket joined(YjsRooms rooms, String room) {
        YSocket s = rooms.join(room);
        YFrames.sync(s.next(), 0);
        return s;
    }

    /** The first edit of client 1, which each test's first socket sends to open a window. */
    private static final byte[] A0 = YFrames.typed(1, 0, 'a');

    /**
     * Opens the rooms with the 1 s window and joins two sockets to {@code room}; the first sends
     * {@link #A0}, which the second is sent at once. A window is then open.
     */
    private YSocket[] twoInAnOpenWindow(String room) {
        open(WINDOW_MS);
        YSocket a = joined(rooms, room);
        YSocket b = joined(rooms, room);
        a.send(YFrames.update(A0));
        assertThat(YFrames.sync(b.next(), 2)).as("outside a window: relayed at once").isEqualTo(A0);
        return new YSocket[] {a, b};
    }

    /** The second edit of client 1, held by the window {@link #oneHolding} opens. */
    private static final byte[] A1 = YFrames.typed(1, 1, 'b');

    /** Opens the rooms with the 1 s window; one socket joins {@code room}, sends A0 (echoed at once), then A1 (held). */
    private YSocket oneHolding(String room) {
        open(WINDOW_MS);
        YSocket a = joined(rooms, room);
        a.send(YFrames.update(A0));
        assertThat(YFrames.sync(a.next(), 2)).isEqualTo(A0);
        a.send(YFrames.update(A1));
        return a;
    }

    @Test
    void theFirstUpdateGoesAtOnceAndTheNextOnesInTheWindowGoAsOneMergedUpdateWhenItEnds() {
        YSocket[] ab = twoInAnOpenWindow("w");
        YSocket a = ab[0];
        YSocket b = ab[1];
        byte[] b0 = YFrames.typed(2, 0, 'b');
        b.send(YFrames.update(b0));
        a.send(YFrames.update(A1));
        List<byte[]> beforeMarker = b.framesUntilStep2();
        assertThat(beforeMarker).as("held: only the marker's step 2 came back").hasSize(1);

        byte[] relayed = YFrames.sync(b.next(), 2);
        assertThat(hex(relayed)).as("one update: the two held ones merged")
                .isEqualTo(hex(yjs.merge(List.of(b0, A1))));
        assertThat(YFrames.sync(a.next(), 2)).as("the sender is sent its own echo").isEqualTo(A0);
        assertThat(YFrames.sync(a.next(), 2)).isEqualTo(relayed);
        a.assertNothingSent();
        b.assertNothingSent();

        YSocket c = joined(rooms, "w");
        assertThat(hex(YFrames.sync(c.framesUntilStep2().get(0), 1))).as("the document holds all three")
                .isEqualTo(hex(yjs.merge(List.of(A0, b0, A1))));
    }

    @Test
    void awarenessInTheWindowIsHeldWithTheUpdatesAndSentAfterThemWithTheLatestStatePerClient() {
        YSocket[] ab = twoInAnOpenWindow("aw");
        YSocket a = ab[0];
        YSocket b = ab[1];
        a.send(YFrames.awareness(new Entry(1, 1, "{\"cursor\":0}")));
        byte[] a1 = YFrames.typed(1, 1, 'b');
        a.send(YFrames.update(a1));
        a.send(YFrames.awareness(new Entry(1, 2, "{\"cursor\":1}"), new Entry(9, 1, "{}")));
        assertThat(b.framesUntilStep2()).as("held").hasSize(1);

        assertThat(YFrames.sync(b.next(), 2)).isEqualTo(a1);
        assertThat(YFrames.awarenessEntries(b.next())).as("one message, the latest state of each client")
                .containsExactly(new Entry(1, 2, "{\"cursor\":1}"), new Entry(9, 1, "{}"));
        b.assertNothingSent();
    }

    @Test
    void aQuietRoomRelaysAtOnceAgainOnceTheWindowHasPassed() {
        open(200);
        YSocket a = joined(rooms, "quiet");
        YSocket b = joined(rooms, "quiet");
        for (int i = 0; i < 3; i++) {
            byte[] u = YFrames.typed(1, i, 'x');
            a.send(YFrames.update(u));
            List<byte[]> frames = b.framesUntilStep2();
            assertThat(frames).as("edit %d: relayed before the marker's answer", i).hasSize(2);
            assertThat(YFrames.sync(frames.get(0), 2)).isEqualTo(u);
            sleep(400);
        }
    }

    @Test
    void aRoomAskedForFewerRelaysASecondThanWindowsFitInOneRelaysEachAtOnce() {
        open(100);  // 10 windows a second
        YSocket a = joined(rooms, "slow");
        YSocket b = joined(rooms, "slow");
        for (int i = 0; i < 5; i++) {
            a.send(YFrames.update(YFrames.typed(1, i, 'x')));
        }
        List<byte[]> frames = b.framesUntilStep2();
        assertThat(frames).as("5 relays asked for, each sent at once").hasSize(6);
        for (int i = 0; i < 5; i++) {
            assertThat(YFrames.sync(frames.get(i), 2)).isEqualTo(YFrames.typed(1, i, 'x'));
        }

        for (int i = 5; i < 40; i++) {
            a.send(YFrames.update(YFrames.typed(1, i, 'x')));
        }
        List<Integer> clocks = new java.util.ArrayList<>();
        int relays = 0;
        while (clocks.size() < 35 && relays < 35) {  // each frame brings at least one edit
            clocks.addAll(clocks(YFrames.sync(b.next(), 2)));
            relays++;
        }
        assertThat(clocks).as("every edit arrived, in order").isEqualTo(java.util.stream.IntStream.range(5, 40).boxed().toList());
        assertThat(relays).as("past 10 a second, edits share relays").isLessThan(35);
        b.assertNothingSent();
    }

    /** The clocks of the edits in one update, in order. */
    private List<Integer> clocks(byte[] update) {
        List<Integer> clocks = new java.util.ArrayList<>();
        yjs.decode(update).structs().forEach(st -> {
            for (long c = st.clock(); c < st.clock() + st.length(); c++) {
                clocks.add((int) c);
            }
        });
        return clocks;
    }

    @Test
    void aStep2InTheWindowFirstRelaysWhatIsHeldThenOnlyWhatTheDocumentStillLacks() {
        YSocket[] ab = twoInAnOpenWindow("s2");
        YSocket a = ab[0];
        YSocket b = ab[1];
        byte[] c0 = YFrames.typed(3, 0, 'c');
        a.send(YFrames.update(A1));  // held

        // a reconnecting client's whole document: A1 (which the room holds) and c0 (which it lacks)
        b.send(YFrames.step2(yjs.merge(List.of(A0, A1, c0))));
        List<byte[]> frames = b.framesUntilStep2();
        assertThat(frames).as("the held update, relayed before the diff").hasSize(2);
        assertThat(YFrames.sync(frames.get(0), 2)).isEqualTo(A1);
        assertThat(hex(YFrames.sync(b.next(), 2))).as("then, in the next window, only what the document lacked")
                .isEqualTo(hex(c0));
        b.assertNothingSent();
    }

    @Test
    void aSocketThatJoinsDuringTheWindowIsSyncedWithoutTheHeldUpdateAndThenSentIt() {
        oneHolding("late");
        YSocket late = rooms.join("late");
        assertThat(hex(YFrames.sync(late.next(), 0))).as("the state vector of what was relayed").isEqualTo("010101");
        List<byte[]> frames = late.framesUntilStep2();
        assertThat(hex(YFrames.sync(frames.get(0), 1))).isEqualTo(hex(A0));
        assertThat(YFrames.sync(late.next(), 2)).as("the held update when the window ends").isEqualTo(A1);
    }

    @Test
    void aSocketCongestedWhenTheWindowEndsIsLeftOutAndCaughtUpWithOneDiffOnceItDrains() {
        YSocket[] ab = twoInAnOpenWindow("lag");
        YSocket a = ab[0];
        YSocket slow = ab[1];
        byte[] a1 = YFrames.typed(1, 1, 'b');
        byte[] a2 = YFrames.typed(1, 2, 'c');
        a.send(YFrames.update(a1));
        a.send(YFrames.update(a2));
        slow.congested(true);
        assertThat(YFrames.sync(a.next(), 2)).isEqualTo(A0);
        assertThat(hex(YFrames.sync(a.next(), 2))).as("the window's relay").isEqualTo(hex(yjs.merge(List.of(a1, a2))));

        slow.congested(false);
        assertThat(hex(YFrames.sync(slow.next(), 2))).as("the catch-up: what it lacks beyond a0")
                .isEqualTo(hex(yjs.merge(List.of(a1, a2))));
        slow.assertNothingSent();
    }

    @Test
    void whatTheWindowHoldsIsSavedWhenTheLastSocketLeavesAndSurvivesANewHost() {
        YSocket a = oneHolding("keep");
        a.leave();
        await().atMost(Duration.ofSeconds(10)).until(() -> rooms.host.loadedRooms() == 0);
        rooms.close();

        open(WINDOW_MS);
        YSocket fresh = rooms.join("keep");
        assertThat(hex(YFrames.sync(fresh.next(), 0))).isEqualTo("010102");
        assertThat(hex(YFrames.sync(fresh.framesUntilStep2().get(0), 1))).isEqualTo(hex(yjs.merge(List.of(A0, A1))));
    }

    @Test
    void heldUpdatesCountTowardsTheDocumentLimit() {
        rooms = new YjsRooms(dir.resolve("rooms.db"),
                YjsRooms.config(new YjsDocs(null, 100L, null, WINDOW_MS)), YjsRoom::new);
        YSocket a = joined(rooms, "full");
        byte[] first = YFrames.inserted(1, "x".repeat(25));
        assertThat(first.length * 2).as("two fit, three do not").isLessThanOrEqualTo(100).isGreaterThan(100 - first.length);
        a.send(YFrames.update(first));
        YFrames.sync(a.next(), 2);
        a.send(YFrames.update(YFrames.inserted(2, "y".repeat(25))));  // held
        a.send(YFrames.update(YFrames.inserted(3, "z".repeat(25))));
        assertThat(YFrames.permissionDenied(a.next())).isEqualTo("document too large");
        assertThat(a.awaitClose()).isEqualTo(1009);
    }

    @Test
    void theWindowIsZeroToOneSecond() {
        assertThat(new YjsDocs(null, null, null, null).relayWindowMs()).isEqualTo(YjsDocs.DEFAULT_RELAY_WINDOW_MS);
        assertThat(new YjsDocs(null, null, null, 0).relayWindowMs()).isZero();
        assertThatThrownBy(() -> new YjsDocs(null, null, null, -1)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("rooms.yjs.relayWindowMs");
        assertThatThrownBy(() -> new YjsDocs(null, null, null, 1001)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("rooms.yjs.relayWindowMs");
        assertThat(RoomsConfig.defaults().yjs().relayWindowMs()).isEqualTo(YjsDocs.DEFAULT_RELAY_WINDOW_MS);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
