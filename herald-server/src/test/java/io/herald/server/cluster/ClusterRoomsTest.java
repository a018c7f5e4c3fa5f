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
              maxConnectionsPerRoom: 3
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
        assertThat(owner("lobby", room)).as("the first socket's node took the room").isEqualTo("a");
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
        assertThat(owner("probe", room)).isEqualTo("b");
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
        assertThat(owner("probe", room)).as("the node that followed the room took it").isEqualTo("b");
    }

    @Test
    void aForwardedSocketStaysOpenWhenItsRoomsNodeStopsAndJoinsTheRoomWhereItIsNow() {
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
            // a node that stops hands its rooms off: the lease is given back before it exits, and b, told
            // the room moved, takes it and joins frank again (onConnect runs on b)
            assertThat(owner("probe", room)).isNotEqualTo("c");
            assertThat(onB.next()).isEqualTo("welcome frank");
            assertThat(onB.isClosed()).isFalse();
            JsonNode state = json(b.get("/parties/probe/" + room));
            assertThat(ids(state)).containsExactly("frank");
            assertThat(state.path("stored").path("saved").asText()).isEqualTo("yes");
            assertThat(owner("probe", room)).isEqualTo("b");
            onB.send("put after moved");
            assertThat(onB.next()).isEqualTo("acked after");
        } finally {
            c.close();
        }
    }

    @Test
    void aRoomFullOnItsOwnerRefusesAForwardedSocketBeforeTheUpgrade() {
        String room = room();
        a.openSilently("/parties/lobby/" + room + "?_pk=x1");
        b.openSilently("/parties/lobby/" + room + "?_pk=x2");
        b.openSilently("/parties/lobby/" + room + "?_pk=x3");
        var refused = b.refusedUpgrade("/parties/lobby/" + room + "?_pk=x4");
        assertThat(refused.getResponse().statusCode()).isEqualTo(429);
    }

    @Test
    void anAlarmOfARoomWhoseNodeWentFiresOnTheNodeThatTakesIt() {
        String room = room();
        TestServer c = TestServer.start(rooms(ClusterNode.config(REDIS.url(0), PG, "c")));
        try {
            WsClient onC = c.openSilently("/parties/probe/" + room + "?_pk=setter");
            assertThat(onC.next()).isEqualTo("welcome setter");
            onC.send("alarm 1500");
            assertThat(onC.next()).isEqualTo("alarm set");
            c.close();
            // nobody connects or asks: a node's alarm scan finds the stored alarm and takes the room to fire it
            var store = b.herald().storage().room("probe", room);
            waiting().atMost(java.time.Duration.ofSeconds(30)).until(() -> !store.list("alarm:").isEmpty());
            long fired = store.list("alarm:").size();
            assertThat(fired).as("fired once").isEqualTo(1);
        } finally {
            c.close();
        }
    }

    @Test
    void eachNodeCountsTheRoomSocketsConnectedToItNotThoseOfItsRooms() {
        String room = room();
        TestServer c = TestServer.start(rooms(ClusterNode.config(REDIS.url(0), PG, "c")));
        try {
            WsClient onC = c.openSilently("/parties/probe/" + room + "?_pk=c1");
            assertThat(onC.next()).isEqualTo("welcome c1");
            WsClient onA = a.openSilently("/parties/probe/" + room + "?_pk=a1");
            assertThat(onA.next()).isEqualTo("welcome a1");
            WsClient onA2 = a.openSilently("/parties/probe/" + room + "?_pk=a2");
            assertThat(onA2.next()).isEqualTo("welcome a2");
            assertThat(owner("probe", room)).isEqualTo("c");
            assertThat(c.gauge("herald.connections", "primitive", "rooms")).as("c's own socket only").isEqualTo(1);
            onC.close();
            waiting().until(() -> c.gauge("herald.connections", "primitive", "rooms") == 0);
            assertThat(ids(json(a.get("/parties/probe/" + room)))).containsExactlyInAnyOrder("a1", "a2");
        } finally {
            c.close();
        }
    }

    /** The node holding the room's lease, as Redis has it. */
    private static String owner(String party, String room) {
        String value = REDIS.command(0, "GET", "herald:room:{" + party + ":" + room + "}").trim();
        return value.isEmpty() ? "" : value.substring(0, value.lastIndexOf(':'));
    }

    private static JsonNode json(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return TestServer.json(r.body());
    }

    private static List<String> ids(JsonNode probe) {
        return java.util.stream.StreamSupport.stream(probe.path("connections").spliterator(), false).map(JsonNode::asText).toList();
    }
}
