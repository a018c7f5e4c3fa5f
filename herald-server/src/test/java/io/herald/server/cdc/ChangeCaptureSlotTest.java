package io.herald.server.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.config.CdcConfig;
import io.herald.config.ConfigException;
import io.herald.config.HeraldConfig;
import io.herald.postgres.PgProcesses;
import io.herald.server.TestServer;
import io.herald.server.WsClient;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Change capture's start-up checks, each failing with what to change, and its recovery from a lost
 * replication slot: a new slot, and a new epoch for the streams it fed, so a resuming socket hears
 * {@code recovered:false}.
 */
class ChangeCaptureSlotTest {
    @RegisterExtension
    static final PgProcesses PG = PgProcesses.logical();
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String YAML = """
            broadcast:
              tables:
                items: {}
                other: {}
            """;
    private TestServer server;

    @BeforeAll
    static void tables() throws SQLException {
        sql("CREATE TABLE items (id int PRIMARY KEY, org text NOT NULL)", "CREATE TABLE other (id int PRIMARY KEY, org text NOT NULL)");
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    static void sql(String... statements) throws SQLException {
        try (Connection c = PG.connect(); Statement s = c.createStatement()) {
            for (String q : statements) {
                s.execute(q);
            }
        }
    }

    static HeraldConfig config(String slot, String publication, Map<String, CdcConfig.Source> tables) {
        return TestServer.config(YAML).withCdc(new CdcConfig(
                new CdcConfig.Postgres(PG.url(), PG.user(), PG.password(), slot, publication, tables, 200L, 300L)));
    }

    @Test
    void aDroppedSlotIsCreatedAgainAndItsStreamsStartANewEpoch() throws Exception {
        server = TestServer.start(config("herald_drop", "herald_drop", Map.of("items", new CdcConfig.Source("org", null, null))));
        await().atMost(WAIT).until(() -> server.gauge("herald.cdc.leader") == 1.0);
        String ticket = server.ticket(TestServer.jwt("u1", "org_s", "owner"));
        WsClient first = server.openSilently("/broadcast/v1/websocket?ws_ticket=" + ticket + "&resume=1");
        JsonNode position = first.nextJson();
        assertThat(position.get("type").asText()).isEqualTo("position");
        String epoch = position.get("epoch").asText();

        sql("INSERT INTO items VALUES (1, 'org_s')");
        JsonNode one = TestServer.json(first.poll(WAIT));
        assertThat(one.get("new").get("id").asInt()).isEqualTo(1);
        long offset = one.get("offset").asLong();
        first.close();

        // as an operator would: stop the reader's walsender and drop the slot before it reconnects
        await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).ignoreExceptions().until(() -> {
            sql("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = 'herald_drop' AND active",
                    "SELECT pg_drop_replication_slot('herald_drop')");
            return true;
        });
        // rows written while no slot exists are lost to change capture: that is why the epoch changes
        sql("INSERT INTO items VALUES (2, 'org_s')");
        await().atMost(WAIT).until(() -> slotActive("herald_drop"));

        String again = server.ticket(TestServer.jwt("u1", "org_s", "owner"));
        WsClient resumed = server.openSilently("/broadcast/v1/websocket?ws_ticket=" + again + "&since=" + epoch + ":" + offset);
        JsonNode r = resumed.nextJson();
        assertThat(r.get("type").asText()).isEqualTo("resumed");
        assertThat(r.get("recovered").asBoolean()).isFalse();
        JsonNode newPosition = resumed.nextJson();
        assertThat(newPosition.get("type").asText()).isEqualTo("position");
        assertThat(newPosition.get("epoch").asText()).isNotEqualTo(epoch);

        sql("INSERT INTO items VALUES (3, 'org_s')");
        JsonNode three = TestServer.json(resumed.poll(WAIT));
        assertThat(three.get("new").get("id").asInt()).isEqualTo(3);
        assertThat(three.get("offset").asLong()).isEqualTo(newPosition.get("offset").asLong() + 1);
    }

    private static boolean slotActive(String slot) throws SQLException {
        try (Connection c = PG.connect(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT active FROM pg_replication_slots WHERE slot_name = '" + slot + "'")) {
            return r.next() && r.getBoolean(1);
        }
    }

    @Test
    void theSlotOutlivesTheServerAndChangesMadeMeanwhileArrive() throws Exception {
        Map<String, CdcConfig.Source> tables = Map.of("public.other", new CdcConfig.Source("org", null, null));
        server = TestServer.start(config("herald_keep", "herald_keep", tables));
        await().atMost(WAIT).until(() -> server.gauge("herald.cdc.leader") == 1.0);
        await().atMost(WAIT).until(() -> slotActive("herald_keep"));
        server.close();
        server = null;
        sql("INSERT INTO other VALUES (1, 'org_k')");

        server = TestServer.start(config("herald_keep", "herald_keep", tables));
        // the row written while Herald was down is read from where the slot stood
        await().atMost(WAIT).until(() -> server.counter("herald.cdc.events", "table", "public.other", "op", "INSERT") == 1.0);
        WsClient member = server.member("u1", "org_k", "owner");
        sql("INSERT INTO other VALUES (2, 'org_k')");
        assertThat(TestServer.json(member.poll(WAIT)).get("new").get("id").asInt()).isEqualTo(2);
        assertThat(server.counter("herald.cdc.events", "table", "public.other", "op", "INSERT")).isEqualTo(2.0);
    }

    @Test
    void anotherNodeTakesOverWhenTheReaderStopsAndMissesNothing() throws Exception {
        Map<String, CdcConfig.Source> tables = Map.of("items", new CdcConfig.Source("org", null, null));
        server = TestServer.start(config("herald_two", "herald_two", tables));
        await().atMost(WAIT).until(() -> server.gauge("herald.cdc.leader") == 1.0);
        try (TestServer second = TestServer.start(config("herald_two", "herald_two", tables))) {
            WsClient member = second.member("u2", "org_two", "owner");
            // the first holds the lock for as long as it runs
            assertThat(second.gauge("herald.cdc.leader")).isZero();
            server.close();
            server = null;
            // written while nobody reads: the next reader starts where the first confirmed
            sql("INSERT INTO items VALUES (200, 'org_two')");
            long stopped = System.nanoTime();
            await().atMost(WAIT).until(() -> second.gauge("herald.cdc.leader") == 1.0);
            System.out.printf("change capture: the second node read the slot %d ms after the first stopped%n",
                    (System.nanoTime() - stopped) / 1_000_000);
            assertThat(TestServer.json(member.poll(WAIT)).get("new").get("id").asInt()).isEqualTo(200);
            JsonNode nodes = TestServer.json(second.get("/cluster/v1/nodes", "Authorization", "Bearer " + TestServer.ACCESS_TOKEN).body());
            assertThat(nodes.get("cdc").get("leader").asText()).isEqualTo(nodes.get("nodes").get(0).get("id").asText());
        }
    }

    @Test
    void aMissingPublicationIsCreatedAndOneLackingATableIsNamed() throws Exception {
        Map<String, CdcConfig.Source> both = Map.of("items", new CdcConfig.Source("org", null, null),
                "other", new CdcConfig.Source("org", null, null));
        server = TestServer.start(config("herald_pub", "herald_made", both));
        try (Connection c = PG.connect(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT count(*) FROM pg_publication_tables WHERE pubname = 'herald_made'")) {
            r.next();
            assertThat(r.getInt(1)).isEqualTo(2);
        }
        server.close();
        server = null;

        sql("CREATE PUBLICATION herald_partial FOR TABLE items");
        assertThatThrownBy(() -> TestServer.start(config("herald_pub", "herald_partial", both)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("cdc.postgres.publication")
                .hasMessageContaining("ALTER PUBLICATION herald_partial ADD TABLE \"public\".\"other\"");
    }

    @Test
    void aTableMissingFromTheDatabaseIsNamed() {
        assertThatThrownBy(() -> TestServer.start(TestServer.config(YAML + "    nowhere: {}\n").withCdc(new CdcConfig(
                new CdcConfig.Postgres(PG.url(), PG.user(), PG.password(), "herald_x", "herald_x",
                        Map.of("nowhere", new CdcConfig.Source("org", null, null)), null, null)))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("cdc.postgres.tables.public.nowhere")
                .hasMessageContaining("no table public.nowhere");
    }

    @Test
    void aRoleWithoutReplicationIsNamedWithTheStatementThatFixesIt() throws SQLException {
        sql("CREATE ROLE plain LOGIN PASSWORD 'plain-password'", "GRANT SELECT ON items TO plain");
        assertThatThrownBy(() -> TestServer.start(TestServer.config(YAML).withCdc(new CdcConfig(
                new CdcConfig.Postgres(PG.url(), "plain", "plain-password", "herald_r", "herald_r",
                        Map.of("items", new CdcConfig.Source("org", null, null)), null, null)))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("cdc.postgres.user")
                .hasMessageContaining("ALTER ROLE \"plain\" WITH REPLICATION");
    }

    @Test
    void aTableWithoutBroadcastRulesIsRefusedWithTheKeyToAdd() {
        assertThatThrownBy(() -> TestServer.config(YAML).withCdc(new CdcConfig(
                new CdcConfig.Postgres(PG.url(), null, null, null, null, Map.of("public.ghosts", new CdcConfig.Source("org", null, null)),
                        null, null))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("cdc.postgres.tables.public.ghosts")
                .hasMessageContaining("add broadcast.tables.ghosts");
    }
}
