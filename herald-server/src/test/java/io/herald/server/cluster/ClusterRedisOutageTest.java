package io.herald.server.cluster;

import static io.herald.server.cluster.ClusterNode.nextNotProbe;
import static io.herald.server.cluster.ClusterNode.waiting;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.postgres.PgProcesses;
import io.herald.redis.RedisProcesses;
import io.herald.server.TestServer;
import io.herald.server.WsClient;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two nodes while their Redis crashes and comes back: not ready and refusing publishes with 503
 * {@code broker_unavailable} meanwhile, sockets kept open, cross-node delivery resumed after.
 */
class ClusterRedisOutageTest {
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
    void whileRedisIsDownNodesAreNotReadyAndPublishesAnswer503ThenDeliveryAcrossNodesResumes() {
        WsClient member = b.member("u_1", "org_down", "owner");
        ClusterNode.probeUntilDelivered(a, "org_down", 1);
        assertThat(b.get("/readyz").statusCode()).isEqualTo(200);

        // a channel reader and a resumable broadcast socket on b, with history from before the outage
        ClusterNode.Sse reader = b.closeLater(new ClusterNode.Sse(b, "/sse/pub:lost"));
        waiting().until(() -> {
            a.publish("/channels/v1/publish", "{\"channel\":\"pub:lost\",\"event\":\"before\",\"data\":null}");
            return ClusterChannelsTest.events(reader.lines).size() >= 1;
        });
        String ticket = b.ticket(TestServer.jwt("u_2", "org_down", "owner"));
        WsClient resumable = b.openSilently("/broadcast/v1/websocket?ws_ticket=" + ticket + "&resume=1");
        String epochBefore = resumable.nextJson().get("epoch").asText();

        REDIS.kill(0);

        waiting().untilAsserted(() -> {
            HttpResponse<String> ready = b.get("/readyz");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(TestServer.json(ready.body()).get("error").asText()).isEqualTo("broker_unavailable");
        });
        waiting().untilAsserted(() -> assertThat(a.get("/readyz").statusCode()).isEqualTo(503));
        HttpResponse<String> broadcast = a.publish("/broadcast/v1/broadcast", "{\"event\":\"lost\",\"payload\":1,\"organizationId\":\"org_down\"}");
        assertThat(broadcast.statusCode()).isEqualTo(503);
        assertThat(TestServer.json(broadcast.body()).get("error").asText()).isEqualTo("broker_unavailable");
        HttpResponse<String> change = a.publish("/broadcast/v1/changes",
                "{\"table\":\"applications\",\"eventType\":\"INSERT\",\"new\":{\"id\":1},\"organizationId\":\"org_down\"}");
        assertThat(change.statusCode()).isEqualTo(503);
        HttpResponse<String> channel = a.publish("/channels/v1/publish", "{\"channel\":\"pub:down\",\"event\":\"e\",\"data\":null}");
        assertThat(channel.statusCode()).isEqualTo(503);
        assertThat(TestServer.json(channel.body()).get("error").asText()).isEqualTo("broker_unavailable");
        HttpResponse<String> lane = a.publish("/lanes/v1/publish", "{\"userId\":\"u_down\",\"type\":\"t\",\"timeoutMs\":100}");
        assertThat(lane.statusCode()).isEqualTo(503);
        assertThat(TestServer.json(lane.body()).get("error").asText()).isEqualTo("broker_unavailable");
        assertThat(member.isClosed()).as("sockets stay open while Redis is down").isFalse();

        REDIS.restart(0);

        waiting().untilAsserted(() -> {
            assertThat(a.get("/readyz").statusCode()).isEqualTo(200);
            assertThat(b.get("/readyz").statusCode()).isEqualTo(200);
        });
        // membership was lost with Redis's data: both nodes register again with their next heartbeat
        waiting().untilAsserted(() -> assertThat(a.get("/cluster/v1/nodes", "Authorization", "Bearer " + TestServer.ACCESS_TOKEN).body())
                .contains("\"id\":\"a\"").contains("\"id\":\"b\""));
        ClusterNode.probeUntilDelivered(a, "org_down", 2);
        HttpResponse<String> after = a.publish("/broadcast/v1/broadcast", "{\"event\":\"back\",\"payload\":2,\"organizationId\":\"org_down\"}");
        assertThat(after.body()).isEqualTo("{\"delivered\":2,\"nodes\":1}");
        assertThat(nextNotProbe(member).get("event").asText()).isEqualTo("back");

        // Redis lost the streams: the reader is reset, then gets the new stream's events
        a.publish("/channels/v1/publish", "{\"channel\":\"pub:lost\",\"event\":\"after\",\"data\":null}");
        waiting().until(() -> ClusterChannelsTest.events(reader.lines).stream().anyMatch(e -> e.event().equals("after")));
        List<String> names = ClusterChannelsTest.events(reader.lines).stream().map(ClusterChannelsTest.Event::event).toList();
        assertThat(names.indexOf("realtime.reset")).as(names.toString()).isBetween(names.lastIndexOf("before") + 1, names.indexOf("after") - 1);
        // the resumable socket is told that it could not be recovered, and of the new epoch, before the new events
        boolean toldNotRecovered = false;
        String epochAfter = null;
        while (true) {
            JsonNode m = resumable.nextJson();
            if ("resumed".equals(m.path("type").asText())) {
                toldNotRecovered |= !m.get("recovered").asBoolean();
            } else if ("position".equals(m.path("type").asText())) {
                epochAfter = m.get("epoch").asText();
            } else if ("back".equals(m.path("event").asText())) {
                break;
            }
        }
        assertThat(toldNotRecovered).isTrue();
        assertThat(epochAfter).isNotNull().isNotEqualTo(epochBefore);
    }
}
