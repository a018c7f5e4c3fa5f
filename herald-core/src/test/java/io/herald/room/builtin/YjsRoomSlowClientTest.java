package io.herald.room.builtin;

import static io.herald.room.builtin.YFrames.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.config.RoomsConfig;
import io.herald.config.RoomsConfig.YjsDocs;
import io.herald.room.builtin.YFrames.Entry;
import io.herald.yjs.Yjs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * YjsRoom with a connection whose transport reports congestion: it is left out of relays without being
 * closed, and once it drains it gets the awareness table and one update holding everything it missed;
 * the mark is forgotten on close and flushed when the instance is dropped.
 */
class YjsRoomSlowClientTest {
    private static final long CLIENT = 7;
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

    private YjsRooms open(RoomsConfig config) {
        rooms = new YjsRooms(dir.resolve("rooms.db"), config, YjsRoom::new);
        return rooms;
    }

    /** Relays at once (no relay window): these tests count the frames each message causes. */
    private static RoomsConfig config(long hibernateAfterMs, int maxLoadedRooms) {
        return new RoomsConfig(null, hibernateAfterMs, null, null, null, null, maxLoadedRooms, null, 4, null, null,
                new YjsDocs(null, null, null, 0), null);
    }

    private static RoomsConfig defaults() {
        return config(RoomsConfig.DEFAULT_HIBERNATE_AFTER_MS, RoomsConfig.DEFAULT_MAX_LOADED_ROOMS);
    }

    /** Joins and completes the handshake: the room's step 1, then the step 2 answering an empty state vector. */
    private static YSocket synced(YjsRooms rooms, String room) {
        YSocket s = rooms.join(room);
        YFrames.sync(s.next(), 0);
        assertThat(s.framesUntilStep2()).hasSize(1);
        return s;
    }

    /** Types {@code text} as client 7 from {@code clock} on, one update per character, reading each echo. */
    private static List<byte[]> type(YSocket writer, long clock, String text) {
        List<byte[]> updates = new ArrayList<>();
        for (int i = 0; i < text.length(); i++) {
            byte[] u = YFrames.typed(CLIENT, clock + i, text.charAt(i));
            writer.send(YFrames.update(u));
            assertThat(YFrames.sync(writer.next(), 2)).isEqualTo(u);
            updates.add(u);
        }
        return updates;
    }

    /**
     * Asserts that nothing was relayed to {@code s} since its last frame read: a query awareness is
     * answered to that socket alone, after whatever the room sent it before.
     */
    private static List<Entry> assertNothingRelayed(YSocket s) {
        s.send(YFrames.queryAwareness());
        byte[] f = s.next();
        assertThat(f[0]).as("the answer to query awareness comes first, got %s", hex(f)).isEqualTo((byte) 1);
        return YFrames.awarenessEntries(f);
    }

    private double catchUps() {
        var c = rooms.meters.registry().find("herald.yjs.catchups").counter();
        return c == null ? 0 : c.count();
    }

    private byte[] stateVectorOf(List<byte[]> updates) {
        return yjs.stateVectorFromUpdate(yjs.merge(updates));
    }

    @Test
    void aCongestedConnectionIsLeftOutOpenAndThenSentOneUpdateWithEverythingItMissed() {
        open(defaults());
        YSocket writer = synced(rooms, "lag");
        YSocket slow = synced(rooms, "lag");
        List<byte[]> all = new ArrayList<>(type(writer, 0, "abc"));
        List<byte[]> received = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            received.add(YFrames.sync(slow.next(), 2));
        }

        slow.congested(true);
        all.addAll(type(writer, 3, "defghij"));
        assertNothingRelayed(slow);
        assertThat(slow.isClosed()).isFalse();

        slow.congested(false);  // no relay follows: the room's poll finds it drained
        byte[] diff = YFrames.sync(slow.next(), 2);
        received.add(diff);
        assertNothingRelayed(slow);
        assertThat(stateVectorOf(received)).as("what the slow socket received covers the document")
                .isEqualTo(stateVectorOf(all));
        assertThat(yjs.decode(diff).structs()).as("the diff skips what was sent before the lag").hasSize(7);
        assertThat(catchUps()).isEqualTo(1);
    }

    @Test
    void aConnectionThatDrainsGetsItsCatchUpBeforeTheNextUpdateAndThenEveryUpdateAgain() {
        open(defaults());
        YSocket writer = synced(rooms, "drain");
        YSocket slow = synced(rooms, "drain");
        slow.congested(true);
        List<byte[]> missed = type(writer, 0, "xyz");

        slow.congested(false);
        byte[] next = YFrames.typed(CLIENT, 3, '!');
        writer.send(YFrames.update(next));
        assertThat(yjs.stateVectorFromUpdate(YFrames.sync(slow.next(), 2))).as("the catch-up")
                .isEqualTo(stateVectorOf(missed));
        assertThat(YFrames.sync(slow.next(), 2)).as("then the relay itself").isEqualTo(next);

        byte[] after = YFrames.typed(CLIENT, 4, '?');
        writer.send(YFrames.update(after));
        assertThat(YFrames.sync(slow.next(), 2)).isEqualTo(after);
        assertThat(catchUps()).isEqualTo(1);
    }

    @Test
    void awarenessMissedWhileLaggingArrivesAsOneMessageWithTheRemovals() {
        open(defaults());
        YSocket writer = synced(rooms, "aw");
        YSocket leaver = synced(rooms, "aw");
        YSocket slow = synced(rooms, "aw");
        writer.send(YFrames.awareness(new Entry(1, 1, "{\"a\":1}")));
        leaver.send(YFrames.awareness(new Entry(2, 1, "{\"b\":1}")));
        assertThat(YFrames.awarenessEntries(slow.next())).containsExactly(new Entry(1, 1, "{\"a\":1}"));
        assertThat(YFrames.awarenessEntries(slow.next())).containsExactly(new Entry(2, 1, "{\"b\":1}"));

        slow.congested(true);
        writer.send(YFrames.awareness(new Entry(1, 2, "{\"a\":2}")));
        leaver.leave();
        assertThat(YFrames.awarenessEntries(writer.next())).containsExactly(new Entry(1, 1, "{\"a\":1}"));
        assertThat(YFrames.awarenessEntries(writer.next())).containsExactly(new Entry(2, 1, "{\"b\":1}"));
        assertThat(YFrames.awarenessEntries(writer.next())).containsExactly(new Entry(1, 2, "{\"a\":2}"));
        assertThat(YFrames.awarenessEntries(writer.next())).as("the leaver's removal").containsExactly(new Entry(2, 1, "null"));
        assertThat(assertNothingRelayed(slow)).as("query awareness: the live states only")
                .containsExactly(new Entry(1, 2, "{\"a\":2}"));

        slow.congested(false);
        assertThat(YFrames.awarenessEntries(slow.next())).as("the table, removals included")
                .containsExactlyInAnyOrder(new Entry(1, 2, "{\"a\":2}"), new Entry(2, 1, "null"));
        assertNothingRelayed(slow);  // the document did not change: no update
        assertThat(catchUps()).isEqualTo(1);
    }

    @Test
    void aLaggingConnectionKeepsItsRoomAwakeAndIsForgottenWhenItCloses() {
        open(config(300, RoomsConfig.DEFAULT_MAX_LOADED_ROOMS));
        YSocket writer = synced(rooms, "awake");
        YSocket slow = synced(rooms, "awake");
        slow.congested(true);
        type(writer, 0, "a");

        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).until(() -> rooms.host.loadedRooms() == 1);
        slow.leave();
        await().atMost(Duration.ofSeconds(10)).until(() -> rooms.host.loadedRooms() == 0);
        assertThat(catchUps()).isZero();
        assertThat(writer.isClosed()).isFalse();
    }

    @Test
    void aRoomDroppedWhileAConnectionLagsSendsItTheCatchUpFirst() {
        open(config(RoomsConfig.DEFAULT_HIBERNATE_AFTER_MS, 1));
        YSocket writer = synced(rooms, "dropped");
        YSocket slow = synced(rooms, "dropped");
        slow.congested(true);
        List<byte[]> missed = type(writer, 0, "hello");

        rooms.join("other");  // one loaded room at most: the first is dropped
        assertThat(yjs.stateVectorFromUpdate(YFrames.sync(slow.next(), 2))).as("sent although still congested")
                .isEqualTo(stateVectorOf(missed));
        assertThat(catchUps()).isEqualTo(1);

        // the rebuilt room re-syncs and goes on: the congested socket is left out again, not closed
        byte[] more = YFrames.typed(CLIENT, 5, '!');
        writer.send(YFrames.update(more));
        assertThat(hex(YFrames.sync(writer.next(), 0))).as("the woken room's step 1").isEqualTo(hex(stateVectorOf(missed)));
        assertThat(YFrames.sync(writer.next(), 2)).isEqualTo(more);
        assertThat(YFrames.sync(slow.next(), 0)).as("its step 1 is sent directly").isNotNull();
        assertNothingRelayed(slow);
        assertThat(slow.isClosed()).isFalse();
    }

    @Test
    void aReconnectingClientsWholeDocumentIsRelayedOnlyForWhatTheRoomLacked() {
        open(defaults());
        YSocket writer = synced(rooms, "rejoin");
        YSocket other = synced(rooms, "rejoin");
        List<byte[]> known = type(writer, 0, "abc");
        for (int i = 0; i < 3; i++) {
            YFrames.sync(other.next(), 2);
        }

        // a client that reconnects answers the room's step 1 with everything it holds: here all of it known
        YSocket back = synced(rooms, "rejoin");
        back.send(YFrames.step2(yjs.merge(known)));
        assertNothingRelayed(other);

        // and here two characters the room has never seen after the three it has
        List<byte[]> offline = new ArrayList<>(known);
        offline.add(YFrames.typed(CLIENT, 3, 'd'));
        offline.add(YFrames.typed(CLIENT, 4, 'e'));
        back.send(YFrames.step2(yjs.merge(offline)));
        byte[] relayed = YFrames.sync(other.next(), 2);
        assertThat(yjs.decode(relayed).structs()).as("only the two new characters").hasSize(2);
        List<byte[]> atOther = new ArrayList<>(known);
        atOther.add(relayed);
        assertThat(stateVectorOf(atOther)).as("with what it had, the other socket holds the reconnected document")
                .isEqualTo(stateVectorOf(offline));
        assertNothingRelayed(other);
    }
}
