package io.herald.server.cluster;

import static io.herald.server.cluster.ClusterNode.nextNotProbe;
import static io.herald.server.cluster.ClusterNode.waiting;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.config.ConfigException;
import io.herald.postgres.PgProcesses;
import io.herald.redis.RedisProcesses;
import io.herald.server.HeraldServer;
import io.herald.server.TestServer;
import io.herald.server.WsClient;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two Herald servers in this JVM, nodes {@code a} and {@code b} on one real Redis: what is published
 * on one node reaches the other node's sockets, masked per role as on one node, and the publish answer
 * sums the deliveries of both.
 */
class ClusterServerTest {
    @RegisterExtension
    static final RedisProcesses REDIS = RedisProcesses.standalone();

    @RegisterExtension
    static final PgProcesses PG = PgProcesses.create();

    private static TestServer a;
    private static TestServer b;

    @BeforeAll
    static void start() {
        a = TestServer.start(ClusterNode.config(REDIS.url(0), PG, "a"));
        b = TestServer.start(ClusterNode.config(REDIS.url(0), PG, "b"));
    }

    @AfterEach
    void closeSockets() {
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

    @Test
    void aChangePublishedOnOneNodeReachesTheOtherNodesSocketsMaskedPerRoleAndTheAnswerSumsTheNodes() {
        WsClient owner = b.member("u_o", "org_x", "owner");
        WsClient recruiter = b.member("u_r", "org_x", "recruiter");
        WsClient manager = a.member("u_m", "org_x", "hiring-manager");
        ClusterNode.probeUntilDelivered(a, "org_x", 3);

        HttpResponse<String> r = a.publish("/broadcast/v1/changes", "{\"table\":\"applications\",\"eventType\":\"INSERT\","
                + "\"new\":{\"id\":\"app_1\",\"ssn\":\"123-45-6789\",\"email\":\"jane@acme.com\",\"notes\":\"internal\"},"
                + "\"organizationId\":\"org_x\"}");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"delivered\":3,\"nodes\":2}");
        JsonNode forOwner = nextNotProbe(owner).get("new");
        JsonNode forRecruiter = nextNotProbe(recruiter).get("new");
        JsonNode forManager = nextNotProbe(manager).get("new");
        assertThat(forOwner.get("ssn").asText()).isEqualTo("123-45-6789");
        assertThat(forRecruiter.get("ssn").asText()).isEqualTo("*****6789");
        assertThat(forManager.get("ssn").asText()).isEqualTo("*****6789");
        assertThat(forOwner.get("email").asText()).isEqualTo("j***@acme.com");
        // fields outside the table's list are projected away on every node
        assertThat(forRecruiter.has("notes")).isFalse();
    }

    @Test
    void aBroadcastOnOneNodeReachesTheOtherNodeAndRolesFilterItThere() {
        WsClient owner = b.member("u_o", "org_y", "owner");
        WsClient viewer = b.member("u_v", "org_y", "viewer");
        ClusterNode.probeUntilDelivered(a, "org_y", 2);

        HttpResponse<String> r = a.publish("/broadcast/v1/broadcast",
                "{\"event\":\"owners\",\"payload\":{\"n\":1},\"targetRoles\":[\"owner\"],\"organizationId\":\"org_y\"}");

        // a has no socket in the scope and so does not answer: only b reports
        assertThat(r.body()).isEqualTo("{\"delivered\":1,\"nodes\":1}");
        assertThat(nextNotProbe(owner).toString()).isEqualTo("{\"type\":\"broadcast\",\"event\":\"owners\",\"payload\":{\"n\":1}}");
        a.publish("/broadcast/v1/broadcast", "{\"event\":\"all\",\"payload\":2,\"organizationId\":\"org_y\"}");
        assertThat(nextNotProbe(viewer).get("event").asText()).as("the owners-only event skipped the viewer").isEqualTo("all");
    }

    @Test
    void aSkippedChangeAnswersAsOnOneNode() {
        HttpResponse<String> r = a.publish("/broadcast/v1/changes",
                "{\"table\":\"notes\",\"eventType\":\"DELETE\",\"old\":{\"id\":1},\"organizationId\":\"org_z\"}");

        assertThat(r.body()).isEqualTo("{\"delivered\":0,\"skipped\":\"onDelete disabled\"}");
    }

    @Test
    void everyWebSocketUpgradeNamesTheNodeThatTookIt() {
        String ticket = b.ticket(TestServer.jwt("u_where", "org_where", "owner"));
        io.herald.server.RawWebSocket.Response onB = io.herald.server.RawWebSocket.upgrade(b.port(), "/broadcast/v1/websocket?ws_ticket=" + ticket);
        assertThat(onB.status()).isEqualTo(101);
        assertThat(onB.headers()).containsEntry("x-herald-node", "b");
        io.herald.server.RawWebSocket.Response lane = io.herald.server.RawWebSocket.upgrade(a.port(),
                "/lanes/v1/websocket?token=" + TestServer.jwt("u_where", "org_where"));
        assertThat(lane.status()).isEqualTo(101);
        assertThat(lane.headers()).containsEntry("x-herald-node", "a");
    }

    @Test
    void aChannelEventPublishedOnOneNodeReachesAnSseSubscriberOnTheOther() {
        try (ClusterNode.Sse sse = b.closeLater(new ClusterNode.Sse(b, "/sse/pub:cluster"))) {
            waiting().until(() -> {
                HttpResponse<String> r = a.publish("/channels/v1/publish", "{\"channel\":\"pub:cluster\",\"event\":\"probe\",\"data\":null}");
                return r.statusCode() == 200 && TestServer.json(r.body()).get("delivered").asInt() == 1;
            });

            HttpResponse<String> r = a.publish("/channels/v1/publish",
                    "{\"channel\":\"pub:cluster\",\"event\":\"news\",\"data\":{\"headline\":\"hello\"}}");

            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(TestServer.json(r.body()).get("delivered").asInt()).isEqualTo(1);
            waiting().untilAsserted(() -> assertThat(sse.lines).contains("event: news")
                    .anySatisfy(line -> assertThat(line).startsWith("data:").contains("hello")));
        }
    }

    @Test
    void aLanePublishOnOneNodeReachesTheUsersSocketsOnBothNodesAndCollectsBothAcks() throws Exception {
        String token = TestServer.jwt("u_lane", "org_1");
        WsClient onA = a.open("/lanes/v1/websocket?token=" + token);
        WsClient onB = b.open("/lanes/v1/websocket?token=" + token);
        for (WsClient c : List.of(onA, onB)) {
            c.send("{\"type\":\"subscribe\",\"filters\":[{\"type\":\"chat\"}]}");
            assertThat(c.nextJson().get("type").asText()).isEqualTo("subscribed");
        }
        // "subscribed" is answered once B's subscription to the user's topic in Redis took effect: no probing needed
        java.util.concurrent.CompletableFuture<HttpResponse<String>> published = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> a.publish("/lanes/v1/publish",
                        "{\"userId\":\"u_lane\",\"type\":\"chat\",\"payload\":{\"text\":\"hi\"},\"timeoutMs\":10000}"));
        for (WsClient c : List.of(onA, onB)) {
            JsonNode envelope;
            do {
                envelope = c.nextJson();
            } while (!envelope.path("payload").path("text").asText().equals("hi"));
            String node = c == onA ? "a" : "b";
            c.send("{\"type\":\"ack\",\"envelopeId\":\"" + envelope.get("envelopeId").asText() + "\",\"result\":{\"node\":\"" + node + "\"}}");
        }

        HttpResponse<String> r = published.get(20, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode result = TestServer.json(r.body());
        assertThat(result.get("clientCount").asInt()).isEqualTo(2);
        List<String> from = new ArrayList<>();
        result.get("results").forEach(n -> from.add(n.get("node").asText()));
        assertThat(from).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void aLaneSubscribedOnOneNodeReceivesAPublishMadeOnTheOtherRightAfterTheReply() {
        for (int i = 0; i < 10; i++) {
            String user = "u_race_" + i + "_" + System.nanoTime();
            WsClient onB = b.openSilently("/lanes/v1/websocket?token=" + TestServer.jwt(user, "org_1"));
            onB.send("{\"type\":\"subscribe\",\"filters\":[{\"type\":\"chat\"}]}");
            assertThat(onB.nextJson().get("type").asText()).isEqualTo("subscribed");
            HttpResponse<String> r = a.publish("/lanes/v1/publish",
                    "{\"userId\":\"" + user + "\",\"type\":\"chat\",\"payload\":{\"n\":" + i + "},\"timeoutMs\":100}");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(TestServer.json(r.body()).get("clientCount").asInt()).as("attempt %d: %s", i, r.body()).isEqualTo(1);
            assertThat(onB.nextJson().path("payload").path("n").asInt()).isEqualTo(i);
            onB.close();
        }
    }

    @Test
    void theNodeListShowsBothNodesWithTheirAddressesAndConnections() {
        b.member("u_n", "org_n", "viewer");

        waiting().untilAsserted(() -> {
            HttpResponse<String> r = a.get("/cluster/v1/nodes", "Authorization", "Bearer " + TestServer.ACCESS_TOKEN);
            assertThat(r.statusCode()).isEqualTo(200);
            JsonNode nodes = TestServer.json(r.body()).get("nodes");
            List<String> ids = new ArrayList<>();
            nodes.forEach(n -> ids.add(n.get("id").asText()));
            assertThat(ids).containsExactly("a", "b");
            assertThat(nodes.get(0).get("address").asText()).isEqualTo("127.0.0.1:" + a.port());
            assertThat(nodes.get(1).get("address").asText()).isEqualTo("127.0.0.1:" + b.port());
            assertThat(nodes.get(1).get("connections").path("broadcast").asInt()).isEqualTo(1);
            assertThat(nodes.get(0).get("started").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        });
    }

    @Test
    void theNodeListNeedsTheServerCredential() {
        assertThat(a.get("/cluster/v1/nodes").statusCode()).isEqualTo(401);
        assertThat(a.get("/cluster/v1/nodes", "Authorization", "Bearer wrong").statusCode()).isEqualTo(401);
    }

    @Test
    void aSecondServerWithALiveNodesIdRefusesToStart() {
        assertThatThrownBy(() -> HeraldServer.start(ClusterNode.config(REDIS.url(0), PG, "a")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("cluster.nodeId")
                .hasMessageContaining("already used by a live node");
    }
}
