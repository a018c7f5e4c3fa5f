package io.herald.server.cluster;

import static io.herald.server.cluster.ClusterNode.waiting;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.postgres.PgProcesses;
import io.herald.redis.RedisProcesses;
import io.herald.server.TestServer;
import io.herald.server.WsClient;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Three Herald nodes as separate JVM processes on one real Redis: broadcasts, channels and lanes
 * published on node 1 reach clients on every node, masked per role exactly as one node masks them,
 * and the publish answers count every node.
 */
class ThreeNodeProcessTest {
    @RegisterExtension
    @Order(1)
    static final RedisProcesses REDIS = RedisProcesses.standalone();

    @RegisterExtension
    @Order(2)
    static final PgProcesses PG = PgProcesses.create();

    @RegisterExtension
    @Order(3)
    static final HeraldProcesses NODES = HeraldProcesses.nodes(3, () -> REDIS.url(0), PG);

    private static final String CHANGE = "{\"table\":\"applications\",\"eventType\":\"INSERT\","
            + "\"new\":{\"id\":\"app_1\",\"ssn\":\"123-45-6789\",\"email\":\"jane@acme.com\",\"notes\":\"internal\"},"
            + "\"organizationId\":\"%s\"}";

    @Test
    void aChangePublishedOnNode1ReachesEverySocketOnEveryNodeMaskedPerRoleAsOnOneNode() {
        HeraldProcesses.Node n1 = NODES.node(0);
        HeraldProcesses.Node n2 = NODES.node(1);
        HeraldProcesses.Node n3 = NODES.node(2);
        Map<String, HeraldProcesses.Socket> cluster = new LinkedHashMap<>();
        cluster.put("owner", n1.member("u_o", "org_p", "owner"));
        cluster.put("recruiter", n2.member("u_r", "org_p", "recruiter"));
        cluster.put("hiring-manager", n3.member("u_m", "org_p", "hiring-manager"));
        HeraldProcesses.Socket viewer = n3.member("u_v", "org_p", "viewer");
        n1.probeUntilDelivered("org_p", 4);

        HttpResponse<String> r = n1.publish("/broadcast/v1/changes", CHANGE.formatted("org_p"));

        // the viewer lacks the table's roles: node 3 reports only its hiring manager, each node one socket
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"delivered\":3,\"nodes\":3}");
        Map<String, String> received = new LinkedHashMap<>();
        cluster.forEach((role, socket) -> received.put(role, socket.nextNotProbe().toString()));

        // the same change on one in-process node, to the same roles: every frame must be identical
        Map<String, String> single = new LinkedHashMap<>();
        try (TestServer one = TestServer.start(ClusterNode.CONFIG)) {
            Map<String, WsClient> sockets = new LinkedHashMap<>();
            cluster.keySet().forEach(role -> sockets.put(role, one.member("u_" + role, "org_p", role)));
            assertThat(one.publishChange(CHANGE.formatted("org_p"))).isEqualTo(3);
            sockets.forEach((role, socket) -> single.put(role, socket.nextJson().toString()));
        }
        assertThat(received).isEqualTo(single);
        JsonNode owner = TestServer.json(received.get("owner")).get("new");
        JsonNode recruiter = TestServer.json(received.get("recruiter")).get("new");
        JsonNode manager = TestServer.json(received.get("hiring-manager")).get("new");
        assertThat(owner.get("ssn").asText()).isEqualTo("123-45-6789");
        assertThat(recruiter.get("ssn").asText()).isEqualTo("*****6789");
        assertThat(manager.get("ssn").asText()).isEqualTo("*****6789");
        assertThat(manager.get("email").asText()).isEqualTo("j***@acme.com");
        assertThat(recruiter.has("notes")).as("fields outside the table's list are projected away").isFalse();

        n1.publish("/broadcast/v1/broadcast", "{\"event\":\"all\",\"payload\":1,\"organizationId\":\"org_p\"}");
        assertThat(viewer.nextNotProbe().get("event").asText()).as("the change skipped the viewer").isEqualTo("all");
        cluster.values().forEach(WsClient::close);
        viewer.close();
    }

    @Test
    void aChannelEventPublishedOnNode1ReachesSseReadersOnNodes2And3WithTheSameId() {
        try (SseStream on2 = NODES.node(1).sse("/sse/pub:three", null);
             SseStream on3 = NODES.node(2).sse("/sse/pub:three", null)) {
            NODES.node(0).probeChannelUntilDelivered("pub:three", 2);

            HttpResponse<String> r = NODES.node(0).publish("/channels/v1/publish",
                    "{\"channel\":\"pub:three\",\"event\":\"news\",\"data\":{\"headline\":\"hello\"}}");

            assertThat(r.statusCode()).isEqualTo(200);
            JsonNode answer = TestServer.json(r.body());
            assertThat(answer.get("delivered").asInt()).isEqualTo(2);
            String id = answer.get("id").asText();
            for (SseStream sse : List.of(on2, on3)) {
                waiting().untilAsserted(() -> assertThat(sse.named("news")).singleElement()
                        .isEqualTo(new SseStream.Event(id, "news", "{\"headline\":\"hello\"}")));
            }
        }
    }

    @Test
    void aLanePublishOnNode1ReachesTheUsersSocketsOnNodes2And3AndCollectsBothAcks() throws Exception {
        String token = TestServer.jwt("u_lane", "org_1");
        List<HeraldProcesses.Socket> sockets = new ArrayList<>();
        for (HeraldProcesses.Node node : List.of(NODES.node(1), NODES.node(2))) {
            HeraldProcesses.Socket c = node.open("/lanes/v1/websocket?token=" + token);
            c.awaitPong();
            c.send("{\"type\":\"subscribe\",\"filters\":[{\"type\":\"chat\"}]}");
            assertThat(c.nextJson().get("type").asText()).isEqualTo("subscribed");
            sockets.add(c);
        }
        // nodes 2 and 3 join the user's topic in Redis asynchronously: probe until a publish reaches both
        waiting().until(() -> {
            HttpResponse<String> r = NODES.node(0).publish("/lanes/v1/publish",
                    "{\"userId\":\"u_lane\",\"type\":\"chat\",\"payload\":{\"probe\":true},\"timeoutMs\":100}");
            return r.statusCode() == 200 && TestServer.json(r.body()).get("clientCount").asInt() == 2;
        });

        CompletableFuture<HttpResponse<String>> published = CompletableFuture.supplyAsync(() -> NODES.node(0).publish(
                "/lanes/v1/publish", "{\"userId\":\"u_lane\",\"type\":\"chat\",\"payload\":{\"text\":\"hi\"},\"timeoutMs\":10000}"));
        for (int i = 0; i < sockets.size(); i++) {
            HeraldProcesses.Socket c = sockets.get(i);
            JsonNode envelope;
            do {
                envelope = c.nextJson();
            } while (!envelope.path("payload").path("text").asText().equals("hi"));
            c.send("{\"type\":\"ack\",\"envelopeId\":\"" + envelope.get("envelopeId").asText()
                    + "\",\"result\":{\"node\":\"" + NODES.node(i + 1).id() + "\"}}");
        }

        HttpResponse<String> r = published.get(30, TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode result = TestServer.json(r.body());
        assertThat(result.get("clientCount").asInt()).isEqualTo(2);
        List<String> from = new ArrayList<>();
        result.get("results").forEach(n -> from.add(n.get("node").asText()));
        assertThat(from).containsExactlyInAnyOrder("n2", "n3");
        sockets.forEach(WsClient::close);
    }
}
