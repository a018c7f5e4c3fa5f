package io.herald.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.postgres.PgProcesses;
import io.herald.redis.RedisProcesses;
import io.herald.server.NodeProject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A YjsRoom's owner SIGKILLed while real y-websocket clients on all three nodes edit: the client of
 * the killed node reconnects through a survivor, the others keep their sockets, and all converge to
 * one document holding every edit any of them made, which a fresh client also gets
 * (src/test/js-yjs/cluster/failover.mjs).
 */
class RoomClusterYjsFailoverTest {
    @RegisterExtension
    @Order(1)
    static final RedisProcesses REDIS = RedisProcesses.standalone();

    @RegisterExtension
    @Order(2)
    static final PgProcesses PG = PgProcesses.create();

    @RegisterExtension
    @Order(3)
    static final HeraldProcesses NODES = HeraldProcesses.nodes(3, () -> REDIS.url(0), PG, ClusterNode.ROOMS);

    static final NodeProject YJS = new NodeProject("src/test/js-yjs", "the room-cluster tests need");

    @BeforeAll
    static void installClients() throws Exception {
        YJS.install();
    }

    @Test
    void yWebsocketClientsConvergeWithEveryEditAfterTheOwnerIsKilled() throws Exception {
        List<HeraldProcesses.Node> nodes = List.of(NODES.node(0), NODES.node(1), NODES.node(2));
        try (ClusterScript script = ClusterScript.start(YJS, "cluster/failover.mjs", nodes, Map.of())) {
            String room = script.awaitStep("editing", Duration.ofSeconds(60)).get("room").asText();
            String owner = leaseHolder(REDIS, "doc", room);
            assertThat(owner).as("the owner of doc/%s, from its lease in Redis", room).isIn("n1", "n2", "n3");

            NODES.kill(NODES.indexOf(owner));
            script.signal("killed", owner);

            ClusterNode.waiting().atMost(Duration.ofSeconds(60))
                    .until(() -> !leaseHolder(REDIS, "doc", room).isEmpty() && !leaseHolder(REDIS, "doc", room).equals(owner));
            System.out.printf("doc/%s: owner %s SIGKILLed, the lease is now %s's%n", room, owner, leaseHolder(REDIS, "doc", room));

            String output = script.assertPasses(Duration.ofSeconds(180));
            assertThat(output).contains("yjs failover: ok");
            JsonNode done = script.awaitStep("done", Duration.ofSeconds(1));
            done.get("edits").forEach(n -> assertThat(n.asInt()).as("edits of one client").isGreaterThan(20));
            assertThat(leaseHolder(REDIS, "doc", room)).as("the lease after the failover").isNotEqualTo(owner);
        }
    }

    /**
     * The node holding the lease of {@code party}/{@code room}, read from Redis as RedisRoomLeases keeps it
     * ({@code herald:room:{<party>:<room>}} = {@code <node id>:<token>}); empty when none does.
     */
    static String leaseHolder(RedisProcesses redis, String party, String room) {
        String value = redis.command(0, "GET", "herald:room:{" + party + ":" + room + "}").trim();
        int colon = value.lastIndexOf(':');
        return colon < 0 ? "" : value.substring(0, colon);
    }
}
