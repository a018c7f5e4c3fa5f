package io.herald.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.postgres.PgProcesses;
import io.herald.postgres.PostgresStorage;
import io.herald.redis.RedisProcesses;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The owner of a room SIGKILLed under partysocket clients typing on all three nodes: its lease
 * expires, a survivor takes the room and loads it from PostgreSQL, the killed node's client reconnects
 * through a survivor, the survivors' clients keep their sockets (re-joined to the new owner), and every
 * put acknowledged to a client is in storage (cluster/failover.mjs checks the room's view; this test
 * reads the database behind Herald's back).
 */
class RoomClusterFailoverTest {
    @RegisterExtension
    @Order(1)
    static final RedisProcesses REDIS = RedisProcesses.standalone();

    @RegisterExtension
    @Order(2)
    static final PgProcesses PG = PgProcesses.create();

    @RegisterExtension
    @Order(3)
    static final HeraldProcesses NODES = HeraldProcesses.nodes(3, () -> REDIS.url(0), PG, ClusterNode.ROOMS);

    @BeforeAll
    static void installClient() throws Exception {
        RoomClusterMembershipTest.JS.install();
    }

    @Test
    void killingTheOwnerMovesTheRoomToASurvivorWithEveryAckedPutAndKeepsTheSurvivorsSocketsOpen() throws Exception {
        List<HeraldProcesses.Node> nodes = List.of(NODES.node(0), NODES.node(1), NODES.node(2));
        try (ClusterScript script = ClusterScript.start(RoomClusterMembershipTest.JS, "cluster/failover.mjs", nodes, Map.of())) {
            JsonNode typing = script.awaitStep("typing", Duration.ofSeconds(60));
            String owner = typing.get("owner").asText();

            NODES.kill(NODES.indexOf(owner));
            script.signal("killed", owner);

            String output = script.assertPasses(Duration.ofSeconds(150));
            assertThat(output).contains("failover: ok");
            JsonNode done = script.awaitStep("done", Duration.ofSeconds(1));
            assertThat(done.get("owner").asText()).as("the new owner").isNotEqualTo(owner);
            List<String> acked = new ArrayList<>();
            done.get("acked").forEach(k -> acked.add("k/" + k.asText()));
            assertThat(done.get("ackedAtSignal").asInt()).as("puts acked before the kill").isGreaterThanOrEqualTo(30);

            System.out.printf("Owner %s SIGKILLed: new owner %s; %d puts acked, %d of them before the kill%n", owner,
                    done.get("owner").asText(), acked.size(), done.get("ackedAtSignal").asInt());
            try (PostgresStorage storage = PostgresStorage.open(PG.storage(ClusterNode.SCHEMA))) {
                Set<String> stored = storage.room("probe", done.get("room").asText()).list("k/").keySet();
                assertThat(stored).as("every put acknowledged to a client is in PostgreSQL").containsAll(acked);
            }
        }
    }
}
