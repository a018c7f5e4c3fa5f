package io.herald.server.cluster;

import static io.herald.server.cluster.ClusterNode.waiting;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.postgres.PgProcesses;
import io.herald.redis.RedisProcesses;
import io.herald.server.RawWebSocket;
import io.herald.server.TestServer;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Room sockets while Redis, where the room leases live, is down: a node cannot know who owns a room,
 * so it refuses a new room socket with 503 {@code broker_unavailable} before the upgrade, for a new room
 * and for a room another node owns; once Redis is back, room sockets are upgraded again.
 */
class RoomClusterRedisOutageTest {
    @RegisterExtension
    @Order(1)
    static final RedisProcesses REDIS = RedisProcesses.standalone();

    @RegisterExtension
    @Order(2)
    static final PgProcesses PG = PgProcesses.create();

    @RegisterExtension
    @Order(3)
    static final HeraldProcesses NODES = HeraldProcesses.nodes(2, () -> REDIS.url(0), PG, ClusterNode.ROOMS);

    private static RawWebSocket.Response upgrade(HeraldProcesses.Node node, String room) {
        return RawWebSocket.upgrade(node.port(), "/parties/probe/" + room + "?_pk=" + UUID.randomUUID());
    }

    @Test
    void withoutRedisANodeRefusesNewRoomSocketsWith503BeforeTheUpgradeAndAcceptsThemWhenRedisIsBack() {
        HeraldProcesses.Node n1 = NODES.node(0);
        HeraldProcesses.Node n2 = NODES.node(1);
        String owned = "owned-" + UUID.randomUUID().toString().substring(0, 8);
        HeraldProcesses.Socket member = n1.open("/parties/probe/" + owned + "?_pk=member");
        assertThat(TestServer.json(member.next()).get("node").asText()).isEqualTo(n1.id());
        RawWebSocket.Response before = upgrade(n2, owned);
        assertThat(before.status()).as("a socket through the non-owner while Redis is up: %s", before).isEqualTo(101);
        assertThat(before.headers()).containsEntry("x-herald-node", n2.id());

        REDIS.kill(0);
        waiting().untilAsserted(() -> {
            assertThat(n1.get("/readyz").statusCode()).isEqualTo(503);
            assertThat(n2.get("/readyz").statusCode()).isEqualTo(503);
        });

        String fresh = "fresh-" + UUID.randomUUID().toString().substring(0, 8);
        for (HeraldProcesses.Node node : List.of(n1, n2)) {
            RawWebSocket.Response r = upgrade(node, fresh);
            assertThat(r.status()).as("a socket to a new room through %s without Redis: %s", node.id(), r).isEqualTo(503);
            assertThat(TestServer.json(r.body()).get("error").asText()).isEqualTo("broker_unavailable");
        }
        RawWebSocket.Response forwarded = upgrade(n2, owned);
        assertThat(forwarded.status()).as("a socket to n1's room through n2 without Redis: %s", forwarded).isEqualTo(503);
        assertThat(TestServer.json(forwarded.body()).get("error").asText()).isEqualTo("broker_unavailable");

        REDIS.restart(0);
        waiting().untilAsserted(() -> {
            assertThat(n1.get("/readyz").statusCode()).isEqualTo(200);
            assertThat(n2.get("/readyz").statusCode()).isEqualTo(200);
        });
        String after = "after-" + UUID.randomUUID().toString().substring(0, 8);
        waiting().untilAsserted(() -> assertThat(upgrade(n2, after).status()).as("a socket once Redis is back").isEqualTo(101));
        HeraldProcesses.Socket again = n2.open("/parties/probe/" + after + "?_pk=again");
        assertThat(TestServer.json(again.next()).get("type").asText()).isEqualTo("hello");
        again.close();
        member.close();
    }
}
