package io.herald.server.cluster;

import static io.herald.server.cluster.ClusterNode.waiting;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.config.HeraldConfig;
import io.herald.config.RoomsConfig;
import io.herald.postgres.PgProcesses;
import io.herald.redis.RedisProcesses;
import io.herald.server.TestServer;
import io.herald.server.WsClient;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Rooms on two nodes in one JVM sharing Redis and PostgreSQL: a room runs on one node, sockets that
 * arrive at the other are forwarded to it, relays reach sockets on both, the room lists and closes
 * them as its own, and plain HTTP requests reach the owner from either node.
 */
class ClusterRoomsTest {
    @RegisterExtension
    static final RedisProcesses REDIS = RedisProcesses.standalone();

    @RegisterExtension
    static final PgProcesses PG = PgProcesses.create();

    static final String ROOMS = """
            rooms:
              leaseMs: 3000
              bindings:
                - { name: LOBBY, className: io.herald.room.builtin.RelayRoom, access: public }
                - { name: PROBE, className: io.herald.server.cluster.ProbeRoom, access: public }
            """;

    private static TestServer a;
    private static TestServer b;
    private static final AtomicInteger ROOM_IDS = new AtomicInteger();

    @BeforeAll
    static void start() {
        a = TestServer.start(rooms(ClusterNode.config(REDIS.url(0), PG, "a")));
        b = TestServer.start(rooms(ClusterNode.config(REDIS.url(0), PG, "b")));
    }

    static HeraldConfig rooms(HeraldConfig c) {
        HeraldConfig withRooms = TestServer.config(ROOMS);
        return c.withRooms(withRooms.rooms());
    }

    @AfterEach
    void closeClients() {
        a.closeClients();
        b.closeClients();
    }

    @AfterAll
    static void stop() {
        if (b != null) {
            b.close();
        }
        if (a != null) {
            a.close();
        }
    }

    private static String room() {
        return "r" + ROOM_IDS.incrementAndGet() + "-" + System.nanoTime();
    }

    @Test
    void socketsOnTwoNodesShareOneRoomThatRunsOnOneOfThem() {
        String room = room();
        WsClient onA = a.openSilently("/parties/lobby/" + room + "?_pk=alice");
        WsClient onB = b.openSilently("/parties/lobby/" + room + "?_pk=bob");
        onA.send("from a");
        assertThat(onB.next()).isEqualTo("from a");
        onB.send("from b");
        assertThat(onA.next()).isEqualTo("from b");
        assertThat(a.herald().rooms().loadedRooms() + b.herald().rooms().loadedRooms()).isEqualTo(1);
        assertThat(a.herald().rooms().loadedRooms()).as("the first socket's node took the room").isEqualTo(1);
    }

    @Test
    void theOwnerListsForwardedSocketsAndSeesThemLeave() {
        String room = room();
        WsClient onA = a.openSilently("/parties/probe/" + room + "?_pk=alice");
        assertThat(onA.next()).isEqualTo("welcome alice");
        WsClient onB = b.openSilently("/parties/probe/" + room + "?_pk=bob");
        assertThat(onB.next()).isEqualTo("welcome bob");
        JsonNode viaB = json(b.get("/parties/probe/" + room));
        assertThat(ids(viaB)).containsExactlyInAnyOrder("alice", "bob");
        onB.send("put k1 v1");
        assertThat(onB.next()).isEqualTo("acked k1");
        onB.close();
        waiting().until(() -> ids(json(a.get("/parties/probe/" + room))).equals(List.of("alice")));
        JsonNode viaA = json(a.get("/parties/probe/" + room));
        assertThat(viaA.path("stored").path("k1").asText()).isEqualTo("v1");
        assertThat(viaA.path("stored").has("close:bob")).isTrue();
        onA.send("relay me");
        onA.assertNothingMore();
    }

    @Test
    void aPlainRequestThroughEitherNodeRunsOnTheOwner() {
        String room = room();
        WsClient onB = b.openSilently("/parties/probe/" + room + "?_pk=carol");
        assertThat(onB.next()).isEqualTo("welcome carol");
        HttpResponse<String> viaA = a.send("POST", "/parties/probe/" + room, "{}");
        assertThat(ids(json(viaA))).containsExactly("carol");
        assertThat(b.herald().rooms().loadedRooms()).isEqualTo(1);
        assertThat(a.herald().rooms().rooms()).as("the forwarding node keeps no actor").isZero();
    }

    @Test
    void anOwnerThatLosesItsLeaseClosesItsSocketsWith1012AndForwardedOnesFollowTheRoom() {
        String room = room();
        WsClient onA = a.openSilently("/parties/probe/" + room + "?_pk=dave");
        assertThat(onA.next()).isEqualTo("welcome dave");
        WsClient onB = b.openSilently("/parties/probe/" + room + "?_pk=erin");
        assertThat(onB.next()).isEqualTo("welcome erin");
        onB.send("put before lost");
        assertThat(onB.next()).isEqualTo("acked before");
        // as after a stall past the lease: the lease is gone, so the owner's next renewal fails, and b,
        // seeing no owner, takes the room for its own socket
        assertThat(REDIS.command(0, "DEL", "herald:room:{probe:" + room + "}").trim()).isEqualTo("1");
        assertThat(onA.awaitClose()).as("the old owner's own socket reconnects").isEqualTo(1012);
        assertThat(onB.next()).as("erin joined again where the room is now").isEqualTo("welcome erin");
        assertThat(onB.isClosed()).isFalse();
        WsClient again = a.openSilently("/parties/probe/" + room + "?_pk=dave");
        assertThat(again.next()).isEqualTo("welcome dave");
        JsonNode state = json(a.get("/parties/probe/" + room));
        assertThat(ids(state)).containsExactlyInAnyOrder("dave", "erin");
        assertThat(state.path("stored").path("before").asText()).isEqualTo("lost");
        assertThat(b.herald().rooms().loadedRooms()).isEqualTo(1);
        assertThat(a.herald().rooms().loadedRooms()).isZero();
    }

    @Test
    void aForwardedSocketStaysOpenWhenItsRoomsNodeGoesAndJoinsTheRoomWhereItIsNow() {
        String room = room();
        TestServer c = TestServer.start(rooms(ClusterNode.config(REDIS.url(0), PG, "c")));
        try {
            WsClient onC = c.openSilently("/parties/probe/" + room + "?_pk=owner-side");
            assertThat(onC.next()).isEqualTo("welcome owner-side");
            WsClient onB = b.openSilently("/parties/probe/" + room + "?_pk=frank");
            assertThat(onB.next()).isEqualTo("welcome frank");
            onB.send("put saved yes");
            assertThat(onB.next()).isEqualTo("acked saved");
            c.close();
            // once c's lease expired, b takes the room itself and joins frank again: onConnect runs on b
            assertThat(onB.next()).isEqualTo("welcome frank");
            assertThat(onB.isClosed()).isFalse();
            JsonNode state = json(b.get("/parties/probe/" + room));
            assertThat(ids(state)).containsExactly("frank");
            assertThat(state.path("stored").path("saved").asText()).isEqualTo("yes");
            assertThat(b.herald().rooms().loadedRooms()).isGreaterThanOrEqualTo(1);
            onB.send("put after moved");
            assertThat(onB.next()).isEqualTo("acked after");
        } finally {
            c.close();
        }
    }

    private static JsonNode json(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return TestServer.json(r.body());
    }

    private static List<String> ids(JsonNode probe) {
        return java.util.stream.StreamSupport.stream(probe.path("connections").spliterator(), false).map(JsonNode::asText).toList();
    }
}
