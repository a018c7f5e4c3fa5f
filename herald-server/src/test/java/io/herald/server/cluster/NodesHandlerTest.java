package io.herald.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.server.TestServer;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code GET /cluster/v1/nodes} on a single node, without a {@code cluster} section: this node alone. */
class NodesHandlerTest {
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(TestServer.STANDARD);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aSingleNodeListsItselfWithItsAddressAndConnectionsByPrimitive() {
        server.member("u_1", "org_1", "viewer");

        HttpResponse<String> r = server.get("/cluster/v1/nodes", "Authorization", "Bearer " + TestServer.ACCESS_TOKEN);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).contains("application/json");
        JsonNode nodes = TestServer.json(r.body()).get("nodes");
        assertThat(nodes).hasSize(1);
        JsonNode self = nodes.get(0);
        assertThat(self.get("id").asText()).isEqualTo(server.herald().config().cluster().nodeId());
        assertThat(self.get("address").asText()).isEqualTo("127.0.0.1:" + server.port());
        assertThat(self.get("started").asText()).endsWith("Z");
        assertThat(self.get("connections").get("broadcast").asInt()).isEqualTo(1);
    }

    @Test
    void withoutTheServerCredentialTheListIsRefused() {
        HttpResponse<String> r = server.get("/cluster/v1/nodes", "Authorization", "Bearer not-the-token");

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(TestServer.json(r.body()).get("error").asText()).isEqualTo("invalid_credentials");
    }

    @Test
    void aSingleNodeIsReadyAndAnswersPublishesWithoutNodeCounts() {
        assertThat(server.get("/readyz").statusCode()).isEqualTo(200);
        assertThat(server.publish("/broadcast/v1/broadcast", "{\"event\":\"e\",\"payload\":1,\"organizationId\":\"org_none\"}").body())
                .isEqualTo("{\"delivered\":0}");
    }
}
