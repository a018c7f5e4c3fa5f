package io.herald.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.postgres.PgProcesses;
import io.herald.postgres.PostgresStorage;
import io.herald.redis.RedisProcesses;
import io.herald.storage.RoomStore;
import io.herald.server.TestServer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
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

    /**
     * Whether a storage transaction of some Herald node is open in PostgreSQL. Only the owner of a test's room
     * writes, a write's transaction lasts milliseconds, and a node frozen inside one keeps it open, holding
     * the room's row lock, for as long as it is frozen.
     */
    private static boolean heraldTransactionOpen() throws SQLException {
        try (Connection c = PG.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                     + " AND application_name = 'herald' AND pid <> pg_backend_pid()"
                     + " AND state IN ('active', 'idle in transaction', 'idle in transaction (aborted)')")) {
            rs.next();
            return rs.getInt(1) > 0;
        }
    }

    /**
     * SIGSTOPs node {@code i} until it is frozen inside a storage transaction ({@code insideAWrite}) or outside
     * every one: a freeze that landed on the other side is undone (SIGCONT, at once) and tried again. The
     * owner's ticker writes every 100 ms, so either side comes up within a few tries.
     */
    private void freeze(int i, boolean insideAWrite) throws SQLException {
        for (int attempt = 1; attempt <= 500; attempt++) {
            NODES.pause(i);
            paused = i;
            // a transaction the frozen node had open stays open; one it had not is not opened by anyone else
            boolean inside;
            try {
                await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20)).atMost(Duration.ofSeconds(2))
                        .until(() -> !heraldTransactionOpen());
                inside = false;
            } catch (ConditionTimeoutException e) {
                inside = true;
            }
            if (inside == insideAWrite) {
                System.out.printf("node %s frozen %s a storage write at attempt %d%n", NODES.node(i).id(), inside ? "inside" : "outside", attempt);
                return;
            }
            NODES.resume(i);
            paused = -1;
        }
        throw new AssertionError("node " + NODES.node(i).id() + " was never frozen " + (insideAWrite ? "inside" : "outside") + " a storage write");
    }

    @Test
    void anOwnerFrozenInsideAStorageWriteDoesNotKeepItsRoomFromTheNodeThatTakesTheLease() throws Exception {
        HeraldProcesses.Node first = NODES.node(0);
        String room = "frozen-" + UUID.randomUUID().toString().substring(0, 8);
        // ?beat=1: the room writes to storage every 100 ms
        HeraldProcesses.Socket writer = first.open("/parties/probe/" + room + "?_pk=writer&beat=1");
        assertThat(TestServer.json(writer.next()).get("node").asText()).isEqualTo(first.id());
        ClusterNode.waiting().until(() -> storage().room("probe", room).list("beat/" + first.id() + "/").size() >= 3);

        freeze(0, true);
        long frozenAt = System.nanoTime();
        // a client joins through another node: once the frozen owner's lease expired, that node takes the room
        HeraldProcesses.Node other = NODES.node(1);
        String[] hello = new String[1];
        List<String> refusals = new ArrayList<>();
        try {
            awaitNewOwner(other, room, first.id(), hello, refusals);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("no node took room probe/" + room + " within 45 s of its owner " + first.id()
                    + " freezing inside a storage write; a socket through " + other.id() + " got " + refusals
                    + "; Herald's open transactions in PostgreSQL: " + heraldTransactions(), e);
        }
        System.out.printf("a hello from the new owner %d ms after the owner froze inside a write, after %s%n",
                Duration.ofNanos(System.nanoTime() - frozenAt).toMillis(), refusals);
        assertThat(TestServer.json(hello[0]).get("node").asText()).isIn(NODES.node(1).id(), NODES.node(2).id());
        writer.close();
    }

    /** Opens sockets to {@code room} through {@code other} until one gets a hello from a node other than {@code frozen}. */
    private static void awaitNewOwner(HeraldProcesses.Node other, String room, String frozen, String[] hello, List<String> refusals) {
        ClusterNode.waiting().atMost(Duration.ofSeconds(45)).until(() -> {
            HeraldProcesses.Socket s;
            try {
                s = other.open("/parties/probe/" + room + "?_pk=newcomer-" + refusals.size());
            } catch (AssertionError e) {
                refusals.add("upgrade: " + e.getCause());
                return false;
            }
            String m = s.poll(Duration.ofSeconds(5));
            if (m != null && m.contains("\"hello\"") && !TestServer.json(m).get("node").asText().equals(frozen)) {
                hello[0] = m;
                return true;
            }
            refusals.add(m == null ? (s.isClosed() ? "closed without a hello" : "no hello within 5 s") : m);
            s.close();
            return false;
        });
    }

    /** Herald's sessions in PostgreSQL that are inside a transaction: state, for how long, last statement. */
    private static List<String> heraldTransactions() throws SQLException {
        List<String> open = new ArrayList<>();
        try (Connection c = PG.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT state, round(extract(epoch FROM now() - state_change) * 1000), query"
                     + " FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'herald'"
                     + " AND pid <> pg_backend_pid() AND state <> 'idle'")) {
            while (rs.next()) {
                open.add(rs.getString(1) + " for " + rs.getLong(2) + " ms after: " + rs.getString(3));
            }
        }
        return open;
    }

    private static PostgresStorage storage;

    private static PostgresStorage storage() {
        if (storage == null) {
            storage = PostgresStorage.open(PG.storage(ClusterNode.SCHEMA));
        }
        return storage;
    }

    @AfterAll
    static void closeStorage() {
        if (storage != null) {
            storage.close();
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

            // frozen between two storage writes: one frozen inside a write is the other test's case
            freeze(ownerIndex, false);
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
            // which way the stale owner learnt it was stale, its own lease renewal or a refused write, is a race
            List<String> learnt = NODES.node(ownerIndex).logLines().stream()
                    .filter(l -> l.contains(room) && (l.contains("refused") || l.contains("lease"))).toList();
            System.out.println("stale owner " + owner + ", true owner " + newOwner + ": x was told " + done.get("errors")
                    + ", its events " + done.get("xEvents") + "; the stale owner logged " + learnt);

            RoomStore store = storage().room("probe", room);
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
