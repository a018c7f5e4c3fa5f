package io.herald.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.postgres.PgProcesses;
import io.herald.postgres.PostgresStorage;
import io.herald.redis.RedisProcesses;
import io.herald.storage.RoomStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A room's owner frozen with SIGSTOP past its lease while another node takes the room, then continued
 * with SIGCONT: the stale owner cannot write (its OwnerProbeRoom's storage ticker and a client's put are
 * fenced out: nothing it computed after the takeover is in PostgreSQL) and it closes its sockets with
 * 1012, whose partysocket clients reconnect into the true owner's room (cluster/stale.mjs).
 */
class RoomClusterStaleOwnerTest {
    @RegisterExtension
    @Order(1)
    static final RedisProcesses REDIS = RedisProcesses.standalone();

    @RegisterExtension
    @Order(2)
    static final PgProcesses PG = PgProcesses.create();

    @RegisterExtension
    @Order(3)
    static final HeraldProcesses NODES = HeraldProcesses.nodes(3, () -> REDIS.url(0), PG, ClusterNode.ROOMS);

    private int paused = -1;

    @BeforeAll
    static void installClient() throws Exception {
        RoomClusterMembershipTest.JS.install();
    }

    @AfterEach
    void continuePausedNode() {
        if (paused >= 0) {
            NODES.resume(paused);
        }
    }

    @Test
    void aStaleOwnerContinuedAfterItsLeaseWasTakenIsFencedOutAndSendsItsSocketsToTheTrueOwner() throws Exception {
        List<HeraldProcesses.Node> nodes = List.of(NODES.node(0), NODES.node(1), NODES.node(2));
        try (ClusterScript script = ClusterScript.start(RoomClusterMembershipTest.JS, "cluster/stale.mjs", nodes, Map.of())) {
            JsonNode owned = script.awaitStep("owned", Duration.ofSeconds(60));
            String owner = owned.get("owner").asText();
            String room = owned.get("room").asText();
            int ownerIndex = NODES.indexOf(owner);

            NODES.pause(ownerIndex);
            paused = ownerIndex;
            script.signal("paused", owner);
            String newOwner = script.awaitStep("taken", Duration.ofSeconds(60)).get("newOwner").asText();
            // the frozen node computed nothing since it was paused: any write of its later than now is its stale self's
            long taken = System.currentTimeMillis();
            assertThat(newOwner).isNotEqualTo(owner);
            assertThat(RoomClusterYjsFailoverTest.leaseHolder(REDIS, "probe", room)).as("the lease while %s is frozen", owner)
                    .isEqualTo(newOwner);

            NODES.resume(ownerIndex);
            paused = -1;
            script.signal("resumed", owner);

            String output = script.assertPasses(Duration.ofSeconds(150));
            assertThat(output).contains("stale owner: ok");
            JsonNode done = script.awaitStep("done", Duration.ofSeconds(1));
            System.out.println("stale owner " + owner + ", true owner " + newOwner + ": x was told " + done.get("errors")
                    + ", its events " + done.get("xEvents"));

            try (PostgresStorage storage = PostgresStorage.open(PG.storage(ClusterNode.SCHEMA))) {
                RoomStore store = storage.room("probe", room);
                assertThat(store.list("k/").keySet()).as("puts stored").contains("k/fresh-1").doesNotContain("k/stale-1");
                SortedMap<String, Long> staleBeats = new TreeMap<>();
                store.list("beat/" + owner + "/").forEach((k, v) -> {
                    long at = Long.parseLong(new String(v, StandardCharsets.UTF_8));
                    if (at > taken) {
                        staleBeats.put(k, at);
                    }
                });
                assertThat(store.list("beat/" + owner + "/")).as("the old owner's ticker wrote before it was frozen").isNotEmpty();
                assertThat(staleBeats).as("writes of the old owner after %s took its room (at %d)", newOwner, taken).isEmpty();
                assertThat(store.list("beat/" + newOwner + "/")).as("the true owner's ticker (x rejoined with ?beat=1) writes").isNotEmpty();
            }
        }
    }
}
