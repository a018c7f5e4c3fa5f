package io.herald.server.room;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.config.HeraldConfig;
import io.herald.config.RoomsConfig;
import io.herald.config.RoomsConfig.Access;
import io.herald.config.RoomsConfig.Binding;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built-in PresenceRoom through a real server: presence on join, leave and presence:set with
 * partysocket's {@code _pk} as the peer id and the JWT's name, relay, and a bounded history that a new
 * connection gets first and that survives reconnects and a server restart.
 */
class PresenceRoomTest {
    private static final int HISTORY = 3;

    @TempDir
    static Path dir;
    private static RoomServer server;

    static HeraldConfig config(Path storage) {
        RoomsConfig rooms = new RoomsConfig(List.of(
                new Binding("PRESENCE_ROOM", "io.herald.room.builtin.PresenceRoom", null),
                new Binding("LOBBY", "io.herald.room.builtin.RelayRoom", Access.PUBLIC)),
                null, null, null, null, null, null, null, null, null, new RoomsConfig.Presence(HISTORY), null, null);
        return RoomServer.config(storage, rooms, Map.of());
    }

    @BeforeAll
    static void start() {
        server = RoomServer.start(config(dir.resolve("herald.db")));
    }

    @AfterEach
    void closeClients() {
        server.closeClients();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String as(String userId, String name, String pk) {
        return "?_pk=" + pk + "&token=" + RoomServer.jwt(userId, Map.of("org1", List.of("member")), Map.of("name", name));
    }

    private static List<String> peerIds(JsonNode presence) {
        assertThat(presence.get("type").asText()).isEqualTo("presence");
        List<String> ids = new ArrayList<>();
        presence.get("peers").forEach(p -> ids.add(p.get("id").asText()));
        return ids;
    }

    @Test
    void everyoneGetsPresenceOnEveryJoinAndLeaveWithPkIdsUserIdsAndNames() {
        RoomClient ada = server.connect("/parties/presence-room/join-leave" + as("u1", "Ada", "ada-1"));
        assertThat(peerIds(ada.nextJson())).containsExactly("ada-1");

        RoomClient bob = server.connect("/realtime/presence-room/join-leave" + as("u2", "Bob", "bob-1"));
        JsonNode seenByBob = bob.nextJson();
        assertThat(peerIds(seenByBob)).containsExactly("ada-1", "bob-1");
        assertThat(ada.nextJson()).isEqualTo(seenByBob);
        JsonNode peer = seenByBob.get("peers").get(1);
        assertThat(peer.get("userId").asText()).isEqualTo("u2");
        assertThat(peer.get("name").asText()).isEqualTo("Bob");
        assertThat(peer.get("meta").isNull()).isTrue();

        bob.close();
        assertThat(peerIds(ada.nextJson())).containsExactly("ada-1");
    }

    @Test
    void presenceSetUpdatesTheMetaForEveryoneAndIsNeitherRelayedNorKept() {
        RoomClient ada = server.connect("/parties/presence-room/meta" + as("u1", "Ada", "ada"));
        ada.next();
        RoomClient bob = server.connect("/parties/presence-room/meta" + as("u2", "Bob", "bob"));
        bob.next();
        ada.next();

        ada.send("{\"type\":\"presence:set\",\"meta\":{\"cursor\":3}}");
        JsonNode update = bob.nextJson();
        assertThat(peerIds(update)).containsExactly("ada", "bob");
        assertThat(update.get("peers").get(0).get("meta").get("cursor").asInt()).isEqualTo(3);
        assertThat(ada.nextJson()).isEqualTo(update);
        bob.assertNothingMore();

        RoomClient carol = server.connect("/parties/presence-room/meta" + as("u3", "Carol", "carol"));
        JsonNode first = carol.nextJson();
        assertThat(first.get("type").asText()).as("no history: presence:set is not kept").isEqualTo("presence");
        assertThat(first.get("peers").get(0).get("meta").get("cursor").asInt()).as("meta kept with the connection").isEqualTo(3);
    }

    @Test
    void messagesAreRelayedToOthersAndANewConnectionGetsTheHistoryFirst() {
        RoomClient ada = server.connect("/parties/presence-room/history" + as("u1", "Ada", "ada"));
        RoomClient bob = server.connect("/parties/presence-room/history" + as("u2", "Bob", "bob"));
        ada.send("hello");
        ada.send("{\"type\":\"chat\",\"text\":\"hi\"}");
        ada.sendBinary((byte) 9);
        assertThat(bob.nextSkippingPresence()).isEqualTo("hello");
        assertThat(bob.nextSkippingPresence()).isEqualTo("{\"type\":\"chat\",\"text\":\"hi\"}");
        assertThat(bob.nextSkippingPresence()).isEqualTo("binary:09");
        assertThat(ada.pollSkippingPresence(java.time.Duration.ofMillis(300))).as("nothing echoed to the sender").isNull();
    }

    @Test
    void theHistoryHoldsTheLastTextMessagesOldestFirstAndComesBeforePresence() {
        RoomClient ada = server.connect("/parties/presence-room/kept" + as("u1", "Ada", "ada"));
        ada.next();
        RoomClient witness = server.connect("/parties/presence-room/kept" + as("u9", "Wit", "witness"));
        witness.next();
        for (String m : List.of("one", "two", "three", "four")) {
            ada.send(m);
        }
        ada.sendBinary((byte) 1);
        // relayed to the witness: the room has handled them all before bob's join, which is queued after
        assertThat(List.of(witness.nextSkippingPresence(), witness.nextSkippingPresence(), witness.nextSkippingPresence(),
                witness.nextSkippingPresence(), witness.nextSkippingPresence())).containsExactly("one", "two", "three", "four", "binary:01");
        RoomClient bob = server.connect("/parties/presence-room/kept" + as("u2", "Bob", "bob"));
        JsonNode history = bob.nextJson();
        assertThat(history.get("type").asText()).isEqualTo("history");
        assertThat(history.get("messages")).extracting(JsonNode::asText).containsExactly("two", "three", "four");
        assertThat(peerIds(bob.nextJson())).containsExactly("ada", "witness", "bob");
    }

    @Test
    void aTextMessageTooLargeToKeepIsStillRelayedAndTheHistoryIsKept() {
        RoomClient ada = server.connect("/parties/presence-room/large" + as("u1", "Ada", "ada"));
        RoomClient bob = server.connect("/parties/presence-room/large" + as("u2", "Bob", "bob"));
        ada.send("small");
        assertThat(bob.nextSkippingPresence()).isEqualTo("small");
        String large = "L".repeat(200 * 1024);
        ada.send(large);
        assertThat(bob.nextSkippingPresence()).isEqualTo(large);
        ada.send("after");
        assertThat(bob.nextSkippingPresence()).isEqualTo("after");

        RoomClient carol = server.connect("/parties/presence-room/large" + as("u3", "Carol", "carol"));
        assertThat(carol.nextJson().get("messages")).extracting(JsonNode::asText).containsExactly("small", "after");
    }

    @Test
    void aReconnectWithTheSamePkRejoinsTheSameRoomAsTheSamePeer() {
        RoomClient first = server.connect("/parties/presence-room/reconnect" + as("u1", "Ada", "same-id"));
        first.next();
        RoomClient watcher = server.connect("/parties/presence-room/reconnect" + as("u2", "Bob", "watcher"));
        assertThat(peerIds(watcher.nextJson())).containsExactly("same-id", "watcher");
        first.send("before the drop");
        assertThat(watcher.next()).isEqualTo("before the drop");
        first.close();
        // the room handles a close asynchronously: wait until it has, or the reconnect overlaps the
        // old socket (which docs/rooms.md "Duplicate connection ids" covers separately)
        assertThat(peerIds(watcher.nextJson())).containsExactly("watcher");

        RoomClient again = server.connect("/parties/presence-room/reconnect" + as("u1", "Ada", "same-id"));
        assertThat(again.nextJson().get("messages")).extracting(JsonNode::asText).containsExactly("before the drop");
        assertThat(peerIds(again.nextJson())).containsExactly("watcher", "same-id");
    }

    @Test
    void anonymousIsRefusedWith401BecausePresenceRoomsDefaultToAuthenticated() {
        assertThat(server.refusedStatus("/parties/presence-room/anon?_pk=x")).isEqualTo(401);
    }

    @Test
    void theHistorySurvivesAServerRestartOnTheSameStorageFile() {
        Path storage = dir.resolve("restart.db");
        try (RoomServer before = RoomServer.start(config(storage))) {
            RoomClient ada = before.connect("/parties/presence-room/durable" + as("u1", "Ada", "ada"));
            ada.next();
            RoomClient bob = before.connect("/parties/presence-room/durable" + as("u2", "Bob", "bob"));
            bob.next();
            ada.send("kept across restarts");
            ada.send("{\"n\":2}");
            // relayed to bob: the room's hook for each has run, and it keeps a message in the same hook
            assertThat(bob.nextSkippingPresence()).isEqualTo("kept across restarts");
            assertThat(bob.nextSkippingPresence()).isEqualTo("{\"n\":2}");
            // a join queued after both hooks sees both kept
            RoomClient dan = before.connect("/parties/presence-room/durable" + as("u4", "Dan", "dan"));
            assertThat(dan.nextJson().get("messages")).hasSize(2);
        }
        try (RoomServer after = RoomServer.start(config(storage))) {
            RoomClient carol = after.connect("/parties/presence-room/durable" + as("u3", "Carol", "carol"));
            JsonNode history = carol.nextJson();
            assertThat(history.get("type").asText()).isEqualTo("history");
            assertThat(history.get("messages")).extracting(JsonNode::asText).containsExactly("kept across restarts", "{\"n\":2}");
            assertThat(peerIds(carol.nextJson())).containsExactly("carol");
        }
    }
}
