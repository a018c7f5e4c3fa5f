package io.herald.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.postgres.PgProcesses;
import io.herald.redis.RedisProcesses;
import io.herald.server.NodeProject;
import io.herald.server.TestServer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Rooms on three Herald node processes, nothing failing: one room is one room whichever node its
 * clients connect to. Real partysocket clients on three nodes share one presence list and relay, the
 * room's code (onConnect, onClose, connections()) runs once on its owner, every 101 names the node
 * the socket is connected to, and a plain HTTP request through a node that does not own the room is
 * answered by the room on its owner.
 */
class RoomClusterMembershipTest {
    @RegisterExtension
    @Order(1)
    static final RedisProcesses REDIS = RedisProcesses.standalone();

    @RegisterExtension
    @Order(2)
    static final PgProcesses PG = PgProcesses.create();

    @RegisterExtension
    @Order(3)
    static final HeraldProcesses NODES = HeraldProcesses.nodes(3, () -> REDIS.url(0), PG, ClusterNode.ROOMS);

    static final NodeProject JS = new NodeProject("src/test/js", "the room-cluster tests need");

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void installClient() throws Exception {
        JS.install();
    }

    private static List<HeraldProcesses.Node> all() {
        return List.of(NODES.node(0), NODES.node(1), NODES.node(2));
    }

    @Test
    void partysocketClientsOnThreeNodesShareOneRoomWhoseCodeRunsOnItsOwner() throws Exception {
        try (ClusterScript script = ClusterScript.start(JS, "cluster/membership.mjs", all(), Map.of())) {
            String output = script.assertPasses(Duration.ofSeconds(90));
            assertThat(output).contains("membership: ok");
            JsonNode owner = script.awaitStep("owner", Duration.ofSeconds(1));
            assertThat(owner.get("node").asText()).as("the room's owner").isIn("n1", "n2", "n3");
            assertThat(owner.get("connections")).as("the owner's connections once one socket left").hasSize(2);
        }
    }

    @Test
    void anHttpRequestThroughANodeThatDoesNotOwnTheRoomIsAnsweredByTheRoomOnItsOwner() {
        String room = "http-" + UUID.randomUUID().toString().substring(0, 8);
        // node 2 is asked first: it takes the room
        JsonNode first = describe(NODES.node(1), room);
        String owner = first.get("node").asText();
        String instance = first.get("instance").asText();
        assertThat(owner).as("the node the first request reached took the room").isEqualTo(NODES.node(1).id());
        HeraldProcesses.Socket socket = NODES.node(NODES.indexOf(owner)).open("/parties/probe/" + room + "?_pk=watcher");
        assertThat(TestServer.json(socket.next()).get("node").asText()).isEqualTo(owner);

        List<String> answeredBy = new ArrayList<>();
        for (HeraldProcesses.Node node : List.of(NODES.node(0), NODES.node(2))) {
            JsonNode d = describe(node, room);
            answeredBy.add(d.get("node").asText() + "/" + d.get("instance").asText());
            assertThat(d.get("connections").toString()).as("the owner's connections, asked through %s", node.id())
                    .isEqualTo("[\"watcher\"]");

            HttpResponse<String> posted = send(HttpRequest.newBuilder(node.uri("/parties/probe/" + room))
                    .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString("via " + node.id())).build());
            assertThat(posted.statusCode()).as("POST through %s: %s", node.id(), posted.body()).isEqualTo(201);
            assertThat(TestServer.json(posted.body()).get("node").asText()).as("POST through %s ran on", node.id()).isEqualTo(owner);
            assertThat(socket.next()).as("the broadcast of the POST through %s", node.id()).isEqualTo("posted via " + node.id());
        }
        assertThat(answeredBy).as("GETs through the two other nodes").containsOnly(owner + "/" + instance);
        socket.close();
    }

    @Test
    void theSocketOfANonOwnerNodeThatDiesLeavesTheRoomOnItsOwnerAndTheRestartedNodeJoinsItAgain() throws Exception {
        String room = "dies-" + UUID.randomUUID().toString().substring(0, 8);
        HeraldProcesses.Node owner = NODES.node(0);
        HeraldProcesses.Socket staying = owner.open("/parties/probe/" + room + "?_pk=staying");
        assertThat(TestServer.json(staying.next()).get("node").asText()).isEqualTo(owner.id());
        HeraldProcesses.Socket doomed = NODES.node(2).open("/parties/probe/" + room + "?_pk=doomed");
        assertThat(TestServer.json(doomed.next()).get("node").asText()).isEqualTo(owner.id());
        assertThat(describe(NODES.node(1), room).get("connections").toString()).isEqualTo("[\"staying\",\"doomed\"]");

        NODES.kill(2);

        // the dead node's socket leaves the room: onClose runs on the owner, connections() shrinks
        List<String> seen = new ArrayList<>();
        ClusterNode.waiting().atMost(Duration.ofSeconds(60)).until(() -> {
            String m = staying.poll(Duration.ofMillis(200));
            if (m != null) {
                seen.add(m);
            }
            return m != null && m.contains("\"left\"") && TestServer.json(m).get("id").asText().equals("doomed");
        });
        JsonNode after = describe(NODES.node(1), room);
        assertThat(after.get("node").asText()).isEqualTo(owner.id());
        assertThat(after.get("connections").toString()).as("after %s died; the owner's socket saw %s", NODES.node(2).id(), seen)
                .isEqualTo("[\"staying\"]");
        assertThat(after.get("log").toString()).contains("close doomed ");

        NODES.restart(2);
        // a socket through the restarted node joins the room on its owner; a client reconnects after a 1012
        // (the nodes reset what was forwarded between them once they see the restarted instance), so one
        // closed with 1012 before its hello is opened again, a few times at most
        List<String> attempts = new ArrayList<>();
        HeraldProcesses.Socket back = null;
        String first = null;
        while (first == null && attempts.size() < 3) {
            back = NODES.node(2).open("/parties/probe/" + room + "?_pk=back");
            first = back.poll(Duration.ofSeconds(10));
            if (first == null) {
                assertThat(back.isClosed()).as("a socket through the restarted node got no hello within 10 s and stayed open").isTrue();
                int code = back.awaitClose();
                attempts.add("closed " + code);
                assertThat(code).as("the close of a socket through the restarted node before its hello").isEqualTo(1012);
            }
        }
        System.out.println("sockets through the restarted node before one joined: " + attempts);
        assertThat(first).as("a hello through the restarted node after %s", attempts).isNotNull();
        JsonNode hello = TestServer.json(first);
        assertThat(hello.get("node").asText()).as("the restarted node's socket joins the room on its owner").isEqualTo(owner.id());
        assertThat(hello.get("connections").toString()).isEqualTo("[\"staying\",\"back\"]");
        back.close();
        staying.close();
    }

    private JsonNode describe(HeraldProcesses.Node node, String room) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(node.uri("/parties/probe/" + room)).timeout(Duration.ofSeconds(10)).GET().build());
        assertThat(r.statusCode()).as("GET /parties/probe/%s through %s: %s", room, node.id(), r.body()).isEqualTo(200);
        return TestServer.json(r.body());
    }

    private HttpResponse<String> send(HttpRequest request) {
        return TestServer.send(http, request, HttpResponse.BodyHandlers.ofString());
    }
}
