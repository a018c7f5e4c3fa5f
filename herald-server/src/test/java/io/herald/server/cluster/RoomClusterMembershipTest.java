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

    private JsonNode describe(HeraldProcesses.Node node, String room) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(node.uri("/parties/probe/" + room)).timeout(Duration.ofSeconds(10)).GET().build());
        assertThat(r.statusCode()).as("GET /parties/probe/%s through %s: %s", room, node.id(), r.body()).isEqualTo(200);
        return TestServer.json(r.body());
    }

    private HttpResponse<String> send(HttpRequest request) {
        return TestServer.send(http, request, HttpResponse.BodyHandlers.ofString());
    }
}
