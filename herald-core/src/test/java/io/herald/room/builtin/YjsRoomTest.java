package io.herald.room.builtin;

import static io.herald.room.builtin.YFrames.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.config.RoomsConfig;
import io.herald.config.RoomsConfig.YjsDocs;
import io.herald.room.RoomConnection;
import io.herald.room.builtin.YFrames.Entry;
import io.herald.yjs.Yjs;
import io.herald.yjs.Struct;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * YjsRoom in the engine (a RoomHost on SQLite, sockets that record frames), driven with y-websocket
 * frames built by hand and real Yjs updates from {@code vectors/yjs-scenario-text-map.json} (three
 * clients editing a Y.Text and a Y.Map; yjs 13.6.33): the sync handshake, the relay, awareness,
 * malformed input, the size limits, compaction, persistence and y-partyserver custom messages.
 */
class YjsRoomTest {
    private static final JsonNode SCENARIO = load("yjs-scenario-text-map.json");
    private static final String FINAL_SV = SCENARIO.at("/finalStateVector/hex").asText();
    private static final String MERGE_ALL = SCENARIO.at("/mergeAll/hex").asText();
    private static final String EMPTY_SV = "00";
    private static final String EMPTY_UPDATE = "0000";
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

    private YjsRooms open(RoomsConfig config, Supplier<? extends YjsRoom> room) {
        rooms = new YjsRooms(dir.resolve("rooms.db"), config, room);
        return rooms;
    }

    private YjsRooms open(YjsDocs limits) {
        return open(YjsRooms.config(limits), YjsRoom::new);
    }

    /** The default limits, with every relay at once: these tests count the frames each message causes. */
    private static YjsDocs defaults() {
        return new YjsDocs(null, null, null, 0);
    }

    /** The scenario's updates A1..C4, in the order they were made. */
    private static List<byte[]> scenarioUpdates() {
        List<byte[]> updates = new ArrayList<>();
        SCENARIO.get("updates").forEach(u -> updates.add(YFrames.hex(u.get("hex").asText())));
        return updates;
    }

    /** Joins, and reads the step 1 every socket gets first; returns the state vector it carried. */
    private static String svOnJoin(YSocket s) {
        return hex(YFrames.sync(s.next(), 0));
    }

    /** Sends a step 1 with {@code svHex} and returns the payload of the step 2 that answers it. */
    private static String step2For(YSocket s, String svHex) {
        s.send(YFrames.step1(YFrames.hex(svHex)));
        return hex(YFrames.sync(s.next(), 1));
    }

    /** Sends every update as a type-2 message and reads the echo of each. */
    private static void edit(YSocket s, List<byte[]> updates) {
        for (byte[] u : updates) {
            s.send(YFrames.update(u));
            assertThat(YFrames.sync(s.next(), 2)).isEqualTo(u);
        }
    }

    // --- sync ---

    @Test
    void aNewConnectionIsSentSyncStep1WithTheStateVectorOfTheDocument() {
        open(defaults());
        YSocket first = rooms.join("sv");
        assertThat(hex(first.next())).isEqualTo("00000100");
        edit(first, scenarioUpdates().subList(0, 1));

        YSocket second = rooms.join("sv");
        assertThat(hex(second.next())).isEqualTo("000003010105");
    }

    @Test
    void everyStep1IsAnsweredWithOneStep2HoldingWhatThePeerLacks() {
        open(defaults());
        YSocket writer = rooms.join("diff");
        svOnJoin(writer);
        assertThat(hex(writer.framesUntilStep2().get(0))).as("an empty document's step 2").isEqualTo("0001020000");
        edit(writer, scenarioUpdates());

        YSocket reader = rooms.join("diff");
        assertThat(svOnJoin(reader)).isEqualTo(FINAL_SV);
        for (JsonNode d : SCENARIO.get("diffs")) {
            assertThat(step2For(reader, d.get("stateVectorHex").asText())).as(d.get("name").asText())
                    .isEqualTo(d.get("diffHex").asText());
        }
        reader.assertNothingSent();
    }

    @Test
    void updatesAndStep2sAreRelayedAsUpdatesToEveryConnectionIncludingTheSender() {
        open(defaults());
        YSocket a = rooms.join("relay");
        YSocket b = rooms.join("relay");
        svOnJoin(a);
        svOnJoin(b);
        List<byte[]> u = scenarioUpdates();

        a.send(YFrames.update(u.get(0)));
        assertThat(a.next()).isEqualTo(YFrames.update(u.get(0)));
        assertThat(b.next()).isEqualTo(YFrames.update(u.get(0)));

        b.send(YFrames.step2(u.get(3)));
        assertThat(a.next()).as("a step 2 goes on as an update").isEqualTo(YFrames.update(u.get(3)));
        assertThat(b.next()).isEqualTo(YFrames.update(u.get(3)));
    }

    @Test
    void anUpdateWhoseDependenciesAreMissingIsKeptUntilTheGapIsFilled() {
        open(defaults());
        YSocket a = rooms.join("gap");
        svOnJoin(a);
        List<byte[]> u = scenarioUpdates();
        edit(a, List.of(u.get(0), u.get(2)));
        assertThat(step2For(a, EMPTY_SV)).as("merge of A1 and A3: a Skip where A2 is missing")
                .isEqualTo(SCENARIO.at("/gapSkip/hex").asText());

        edit(a, List.of(u.get(1)));
        assertThat(yjs.stateVectorFromUpdate(YFrames.hex(step2For(a, EMPTY_SV)))).isEqualTo(YFrames.hex("01010c"));
    }

    @ParameterizedTest(name = "compactAfter {0}")
    @ValueSource(ints = {1, 4, 64})
    void compactingAfterCompactAfterIncrementsKeepsTheSameStateVectorAndDocument(int compactAfter) {
        open(new YjsDocs(null, null, compactAfter, 0));
        YSocket writer = rooms.join("compact");
        svOnJoin(writer);
        edit(writer, scenarioUpdates());

        YSocket reader = rooms.join("compact");
        assertThat(svOnJoin(reader)).isEqualTo(FINAL_SV);
        assertThat(step2For(reader, EMPTY_SV)).isEqualTo(MERGE_ALL);
    }

    // --- awareness ---

    @Test
    void awarenessAcceptsAHigherClockANullAtTheSameClockAndIgnoresStaleEntries() {
        open(defaults());
        YSocket a = rooms.join("aw");
        YSocket b = rooms.join("aw");
        svOnJoin(a);
        svOnJoin(b);

        a.send(YFrames.awareness(new Entry(10, 1, "{\"n\":1}")));
        assertThat(YFrames.awarenessEntries(b.next())).containsExactly(new Entry(10, 1, "{\"n\":1}"));
        assertThat(YFrames.awarenessEntries(a.next())).as("the sender gets its own echo").containsExactly(new Entry(10, 1, "{\"n\":1}"));

        a.send(YFrames.awareness(new Entry(10, 1, "{\"n\":2}")));  // same clock, not null
        a.send(YFrames.awareness(new Entry(10, 0, "{\"n\":0}")));  // older clock
        a.send(YFrames.awareness(new Entry(12, 0, "{}")));         // unknown client at clock 0: not above 0, as in y-protocols
        b.assertNothingSent();

        a.send(YFrames.awareness(new Entry(10, 2, "{\"n\":2}"), new Entry(10, 1, "{\"stale\":1}")));
        assertThat(YFrames.awarenessEntries(b.next())).containsExactly(new Entry(10, 2, "{\"n\":2}"));

        a.send(YFrames.awareness(new Entry(10, 2, "null")));       // removal at the same clock
        assertThat(YFrames.awarenessEntries(b.next())).containsExactly(new Entry(10, 2, "null"));
        a.send(YFrames.awareness(new Entry(10, 2, "null")));       // already gone
        a.send(YFrames.awareness(new Entry(11, 5, "null")));       // unknown client: clock recorded, nothing to tell
        a.send(YFrames.awareness(new Entry(11, 5, "{\"late\":1}")));
        b.assertNothingSent();

        a.send(YFrames.awareness(new Entry(11, 6, "{\"back\":1}")));
        assertThat(YFrames.awarenessEntries(b.next())).containsExactly(new Entry(11, 6, "{\"back\":1}"));
        b.send(YFrames.queryAwareness());
        assertThat(YFrames.awarenessEntries(b.next())).containsExactly(new Entry(11, 6, "{\"back\":1}"));

        a.send(YFrames.awareness(new Entry(11, 6, " null ")));  // JSON null, spelled otherwise
        assertThat(YFrames.awarenessEntries(b.next())).containsExactly(new Entry(11, 6, "null"));
        b.send(YFrames.queryAwareness());
        assertThat(YFrames.awarenessEntries(b.next())).isEmpty();
    }

    @ParameterizedTest(name = "state [{0}]")
    @ValueSource(strings = {"{\"a\":", "{} x", "", "undefined", "{'a':1}", "[1,]"})
    void anAwarenessStateThatIsNotJsonClosesTheSocketWith1003AndNothingOfTheFrameIsApplied(String state) {
        open(defaults());
        YSocket a = rooms.join("aw-bad");
        YSocket b = rooms.join("aw-bad");
        svOnJoin(a);
        svOnJoin(b);

        a.send(YFrames.awareness(new Entry(50, 1, "{}"), new Entry(51, 1, state)));
        assertThat(a.awaitClose()).isEqualTo(1003);
        b.assertNothingSent();
        b.send(YFrames.queryAwareness());
        assertThat(YFrames.awarenessEntries(b.next())).as("clients JSON.parse every state relayed to them").isEmpty();
    }

    @Test
    void theAwarenessOfAClosedConnectionIsBroadcastAsNullAtItsClockToTheOthers() {
        open(defaults());
        YSocket a = rooms.join("leave");
        YSocket b = rooms.join("leave");
        svOnJoin(a);
        svOnJoin(b);
        a.send(YFrames.awareness(new Entry(20, 3, "{\"name\":\"a\"}"), new Entry(21, 1, "{}"), new Entry(22, 1, "{}")));
        a.send(YFrames.awareness(new Entry(22, 1, "null")));
        b.send(YFrames.awareness(new Entry(30, 1, "{\"name\":\"b\"}")));
        assertThat(b.framesUntilStep2()).hasSize(4);

        a.leave();
        assertThat(YFrames.awarenessEntries(b.next()))
                .containsExactlyInAnyOrder(new Entry(20, 3, "null"), new Entry(21, 1, "null"));

        YSocket c = rooms.join("leave");
        svOnJoin(c);
        assertThat(YFrames.awarenessEntries(c.next())).as("the states a new connection is sent")
                .containsExactly(new Entry(30, 1, "{\"name\":\"b\"}"));
    }

    @Test
    void queryAwarenessIsAnsweredWithEveryKnownState() {
        open(defaults());
        YSocket a = rooms.join("query");
        svOnJoin(a);
        a.send(YFrames.queryAwareness());
        assertThat(hex(a.next())).as("no states yet: an empty update").isEqualTo("010100");

        a.send(YFrames.awareness(new Entry(40, 1, "{\"a\":1}"), new Entry(41, 7, "{\"b\":[1,2]}")));
        a.next();
        YSocket b = rooms.join("query");
        svOnJoin(b);
        b.next();
        b.send(YFrames.queryAwareness());
        assertThat(YFrames.awarenessEntries(b.next()))
                .containsExactlyInAnyOrder(new Entry(40, 1, "{\"a\":1}"), new Entry(41, 7, "{\"b\":[1,2]}"));
    }

    // --- bad input and limits ---

    @ParameterizedTest(name = "frame [{0}]")
    @ValueSource(strings = {"", "80", "00", "0002", "00020501", "0002 03 ffffff", "0002 02 0100", "01", "01 04 010a0105",
        "01 03 01 0a 01", "0100 05"})
    void aMalformedFrameClosesTheSocketWith1003AndChangesNothing(String frame) {
        open(defaults());
        YSocket a = rooms.join("bad");
        YSocket b = rooms.join("bad");
        svOnJoin(a);
        svOnJoin(b);
        edit(b, scenarioUpdates().subList(0, 1));
        a.next();

        a.send(YFrames.hex(frame));
        assertThat(a.awaitClose()).isEqualTo(1003);
        assertThat(step2For(b, EMPTY_SV)).isEqualTo(hex(scenarioUpdates().get(0)));
        b.assertNothingSent();
    }

    @ParameterizedTest(name = "frame [{0}]")
    @ValueSource(strings = {"05", "020009 6e6f20616363657373", "0003 01 00", "text:hello", "text:__YPS"})
    void unknownMessagesAreIgnoredAndTheSocketStaysOpen(String frame) {
        open(defaults());
        YSocket a = rooms.join("ignored");
        svOnJoin(a);
        if (frame.startsWith("text:")) {
            a.sendText(frame.substring(5));
        } else {
            a.send(YFrames.hex(frame));
        }
        a.assertNothingSent();
        assertThat(a.isClosed()).isFalse();
    }

    @Test
    void anUpdateOverMaxUpdateBytesIsRefusedWithPermissionDeniedAndClose1009() {
        open(new YjsDocs(64, null, null, 0));
        YSocket a = rooms.join("too-big");
        YSocket b = rooms.join("too-big");
        svOnJoin(a);
        svOnJoin(b);
        byte[] small = YFrames.inserted(5, "fits");
        edit(b, List.of(small));
        a.next();

        a.send(YFrames.update(YFrames.inserted(6, "x".repeat(100))));
        assertThat(YFrames.permissionDenied(a.next())).isEqualTo("update too large");
        assertThat(a.awaitClose()).isEqualTo(1009);
        assertThat(step2For(b, EMPTY_SV)).as("the document is unchanged").isEqualTo(hex(small));
        b.assertNothingSent();

        edit(b, List.of(YFrames.inserted(7, "later")));
        assertThat(yjs.decodeStateVector(YFrames.hex(svOnJoin(rooms.join("too-big"))))).containsOnlyKeys(5L, 7L);
    }

    @Test
    void anUpdateThatWouldGrowTheDocumentPastMaxDocumentBytesIsRefusedTheSameWay() {
        open(new YjsDocs(null, 300L, null, 0));
        YSocket a = rooms.join("doc-limit");
        svOnJoin(a);
        edit(a, List.of(YFrames.inserted(1, "a".repeat(100)), YFrames.inserted(2, "b".repeat(100))));
        String before = step2For(a, EMPTY_SV);

        a.send(YFrames.update(YFrames.inserted(3, "c".repeat(100))));
        assertThat(YFrames.permissionDenied(a.next())).isEqualTo("document too large");
        assertThat(a.awaitClose()).isEqualTo(1009);

        YSocket b = rooms.join("doc-limit");
        svOnJoin(b);
        assertThat(step2For(b, EMPTY_SV)).isEqualTo(before);
        edit(b, List.of(YFrames.inserted(4, "d")));
    }

    @Test
    void theStorageBudgetOfTheRoomAlsoCapsTheDocument() {
        // maxDocumentBytes is 50 MiB, but storage.maxRoomBytes leaves room for 300 bytes (64 KiB are kept for keys)
        rooms = new YjsRooms(dir.resolve("rooms.db"), YjsRooms.config(defaults()), YjsRoom::new, 64 * 1024 + 300);
        YSocket a = rooms.join("budget");
        svOnJoin(a);
        edit(a, List.of(YFrames.inserted(1, "a".repeat(200))));
        a.send(YFrames.update(YFrames.inserted(2, "b".repeat(200))));
        assertThat(YFrames.permissionDenied(a.next())).isEqualTo("document too large");
        assertThat(a.awaitClose()).isEqualTo(1009);
    }

    // --- persistence ---

    @Test
    void theDocumentSurvivesTheRoomUnloadingAndANewHostOnTheSameFile() {
        open(defaults());
        YSocket a = rooms.join("saved");
        svOnJoin(a);
        edit(a, scenarioUpdates());
        a.leave();
        await().atMost(Duration.ofSeconds(5)).until(() -> rooms.host.loadedRooms() == 0);
        rooms.close();

        open(defaults());
        YSocket fresh = rooms.join("saved");
        assertThat(svOnJoin(fresh)).isEqualTo(FINAL_SV);
        assertThat(step2For(fresh, EMPTY_SV)).isEqualTo(MERGE_ALL);
    }

    @Test
    void aDocumentLargerThanOneStorageValueIsSavedInChunksAndReloaded() {
        open(defaults());
        YSocket a = rooms.join("chunks");
        svOnJoin(a);
        edit(a, List.of(YFrames.inserted(1, "a".repeat(200_000)), YFrames.inserted(2, "b".repeat(200_000))));
        String doc = step2For(a, EMPTY_SV);
        a.leave();
        await().atMost(Duration.ofSeconds(5)).until(() -> rooms.host.loadedRooms() == 0);
        assertThat(rooms.storage.room(YjsRooms.PARTY, "chunks").getString("yjs:doc")).contains("4");
        rooms.close();

        open(defaults());
        YSocket fresh = rooms.join("chunks");
        svOnJoin(fresh);
        assertThat(step2For(fresh, EMPTY_SV)).isEqualTo(doc);
    }

    @Test
    void anEditLargerThanOneStorageValueToALargerDocumentIsSavedWholeInChunksAndReloaded() {
        open(defaults());
        YSocket a = rooms.join("big-inc");
        svOnJoin(a);
        edit(a, List.of(YFrames.inserted(1, "a".repeat(700_000))));
        a.leave();
        await().atMost(Duration.ofSeconds(5)).until(() -> rooms.host.loadedRooms() == 0);

        // 150 KB is under a quarter of the 700 KB document, but over one storage value (128 KiB)
        YSocket b = rooms.join("big-inc");
        svOnJoin(b);
        edit(b, List.of(YFrames.inserted(2, "b".repeat(150_000))));
        String doc = step2For(b, EMPTY_SV);
        b.leave();
        await().atMost(Duration.ofSeconds(5)).until(() -> rooms.host.loadedRooms() == 0);
        var store = rooms.storage.room(YjsRooms.PARTY, "big-inc");
        assertThat(store.getString("yjs:incs")).isEmpty();
        rooms.close();

        open(defaults());
        YSocket fresh = rooms.join("big-inc");
        svOnJoin(fresh);
        assertThat(step2For(fresh, EMPTY_SV)).isEqualTo(doc);
    }

    @Test
    void aSmallEditToALargeSavedDocumentIsSavedAsAnIncrementAndTheReloadHasBoth() {
        open(defaults());
        YSocket a = rooms.join("incs");
        svOnJoin(a);
        edit(a, List.of(YFrames.inserted(1, "a".repeat(200_000))));
        a.leave();
        await().atMost(Duration.ofSeconds(5)).until(() -> rooms.host.loadedRooms() == 0);
        var store = rooms.storage.room(YjsRooms.PARTY, "incs");
        assertThat(store.getString("yjs:doc")).as("the first save writes the document whole").contains("2");
        assertThat(store.getString("yjs:incs")).isEmpty();

        YSocket b = rooms.join("incs");
        svOnJoin(b);
        edit(b, List.of(YFrames.inserted(2, "b")));
        String doc = step2For(b, EMPTY_SV);
        b.leave();
        await().atMost(Duration.ofSeconds(5)).until(() -> rooms.host.loadedRooms() == 0);
        assertThat(store.getString("yjs:incs")).as("a one-letter edit is appended, not the 200 KB rewritten").contains("1");
        assertThat(store.get("yjs:inc:000000")).hasValueSatisfying(v -> assertThat(v.length).isLessThan(100));
        rooms.close();

        open(defaults());
        YSocket fresh = rooms.join("incs");
        svOnJoin(fresh);
        assertThat(step2For(fresh, EMPTY_SV)).isEqualTo(doc);

        edit(fresh, List.of(YFrames.inserted(3, "c".repeat(100_000))));
        String grown = step2For(fresh, EMPTY_SV);
        fresh.leave();
        await().atMost(Duration.ofSeconds(5)).until(() -> rooms.host.loadedRooms() == 0);
        var again = rooms.storage.room(YjsRooms.PARTY, "incs");
        assertThat(again.getString("yjs:incs")).as("past a quarter of the document it is rewritten whole").isEmpty();
        assertThat(again.get("yjs:inc:000000")).isEmpty();
        assertThat(again.getString("yjs:doc")).contains("3");
        rooms.close();

        open(defaults());
        YSocket last = rooms.join("incs");
        svOnJoin(last);
        assertThat(step2For(last, EMPTY_SV)).isEqualTo(grown);
    }

    @Test
    void aHibernatedRoomReloadsTheDocumentAndSendsStep1ToTheSocketsStillOpen() {
        open(YjsRooms.config(300, defaults()), YjsRoom::new);
        YSocket a = rooms.join("sleepy");
        svOnJoin(a);
        scenarioUpdates().forEach(u -> a.send(YFrames.update(u)));
        List<byte[]> frames = a.framesUntilStep2();  // the echoes, and a step 1 if the room slept meanwhile
        assertThat(hex(YFrames.sync(frames.get(frames.size() - 1), 1))).isEqualTo(MERGE_ALL);
        await().atMost(Duration.ofSeconds(10)).until(() -> rooms.host.loadedRooms() == 0);

        a.send(YFrames.step1(YFrames.hex(EMPTY_SV)));
        assertThat(hex(YFrames.sync(a.next(), 0))).as("the woken room's step 1").isEqualTo(FINAL_SV);
        assertThat(hex(YFrames.sync(a.next(), 1))).isEqualTo(MERGE_ALL);
        a.assertNothingSent();
    }

    @Test
    void aDocumentOfTenThousandEditsLoadsAndAnswersAFreshStep1WithOneStep2() {
        int edits = 10_000;
        open(defaults());
        YSocket writer = rooms.join("long");
        svOnJoin(writer);
        for (int i = 0; i < edits; i++) {
            writer.send(YFrames.update(YFrames.typed(7, i, (char) ('a' + i % 26))));
            if (i % 1000 == 999) {  // stay under the room's queue of 10 000 events
                for (int echo = 0; echo < 1000; echo++) {
                    YFrames.sync(writer.next(), 2);
                }
            }
        }
        writer.leave();
        await().atMost(Duration.ofSeconds(10)).until(() -> rooms.host.loadedRooms() == 0);
        rooms.close();

        open(defaults());
        YSocket fresh = rooms.join("long");
        assertThat(svOnJoin(fresh)).isEqualTo("0107904e");  // {7: 10000}
        List<byte[]> frames = fresh.framesUntilStep2();
        assertThat(frames).as("one step 2, nothing before it").hasSize(1);
        byte[] doc = YFrames.sync(frames.get(0), 1);
        assertThat(yjs.decode(doc).structs()).extracting(Struct::length).containsOnly(1L).hasSize(edits);
        fresh.assertNothingSent();
    }

    // --- y-partyserver custom messages ---

    /** Echoes a custom message to its sender and tells the others who sent what. */
    static final class CustomMessageRoom extends YjsRoom {
        @Override
        protected void onCustomMessage(RoomConnection connection, String message) {
            sendCustomMessage(connection, "echo:" + message);
            broadcastCustomMessage(connection.id() + " said " + message, connection.id());
        }
    }

    @Test
    void aYpsPrefixedTextFrameReachesOnCustomMessageWithoutThePrefix() {
        open(YjsRooms.config(defaults()), CustomMessageRoom::new);
        YSocket a = rooms.join("custom");
        YSocket b = rooms.join("custom");
        svOnJoin(a);
        svOnJoin(b);

        a.sendText("__YPS:hello {\"x\":1}");
        assertThat(a.nextText()).isEqualTo("__YPS:echo:hello {\"x\":1}");
        assertThat(b.nextText()).isEqualTo("__YPS:" + a.connectionId() + " said hello {\"x\":1}");
        a.sendText("__YPS:");
        assertThat(a.nextText()).isEqualTo("__YPS:echo:");
        a.sendText("not prefixed");
        a.assertNothingSent();
    }

    private static JsonNode load(String name) {
        try (InputStream in = YjsRoomTest.class.getResourceAsStream("/vectors/" + name)) {
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
