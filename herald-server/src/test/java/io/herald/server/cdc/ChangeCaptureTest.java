package io.herald.server.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.config.CdcConfig;
import io.herald.config.HeraldConfig;
import io.herald.postgres.PgProcesses;
import io.herald.server.TestServer;
import io.herald.server.WsClient;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Change capture end to end on one node: a PostgreSQL server of the test's own with logical decoding,
 * rows written with plain SQL, and ticket sockets that receive the postgres_changes events in their
 * organization, resource scope or as the targeted user, masked per role.
 */
class ChangeCaptureTest {
    @RegisterExtension
    static final PgProcesses PG = PgProcesses.logical();
    @TempDir
    static Path dir;
    private static TestServer server;
    static final Duration WAIT = Duration.ofSeconds(30);

    static final String YAML = """
            broadcast:
              wsTicket:
                role: attendee
                requestField: eventId
                scopeTable: events
                check:
                  datasource: app
                  sql: "SELECT 1 FROM event_roles WHERE event_id = :id AND user_id = :userId"
              tables:
                applications:
                  requiredRoles: [recruiter, owner]
                  masking:
                    ssn: { type: ssn, show: { roles: [owner] } }
                event_notes: {}
                inbox: {}
                docs: {}
                quiet: { onDelete: false }
            datasources:
              app: { url: "jdbc:sqlite:%s" }
            """;

    static void createTables() throws SQLException {
        try (Connection c = PG.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE applications (id int PRIMARY KEY, organization_id text, ssn text, stage text)");
            s.execute("CREATE TABLE event_notes (id int PRIMARY KEY, event_id text, body text)");
            s.execute("CREATE TABLE inbox (id int PRIMARY KEY, org_id text NOT NULL, recipient_id text, message text)");
            s.execute("CREATE TABLE docs (id int PRIMARY KEY, org text NOT NULL, body text, note text)");
            s.execute("ALTER TABLE docs ALTER COLUMN body SET STORAGE EXTERNAL");
            s.execute("CREATE TABLE quiet (id int PRIMARY KEY, org text NOT NULL)");
            s.execute("CREATE TABLE unrelated (id int PRIMARY KEY)");
        }
    }

    static Map<String, CdcConfig.Source> sources() {
        Map<String, CdcConfig.Source> t = new LinkedHashMap<>();
        t.put("public.applications", new CdcConfig.Source("organization_id", null, null));
        t.put("event_notes", new CdcConfig.Source(null, "events:{event_id}", null));
        t.put("public.inbox", new CdcConfig.Source("org_id", null, "recipient_id"));
        t.put("public.docs", new CdcConfig.Source("org", null, null));
        t.put("public.quiet", new CdcConfig.Source("org", null, null));
        return t;
    }

    static HeraldConfig config(String slot) throws SQLException {
        String app = dir.resolve("app.db").toString();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + app); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS event_roles (event_id TEXT NOT NULL, user_id TEXT NOT NULL)");
            s.execute("DELETE FROM event_roles");
            s.execute("INSERT INTO event_roles VALUES ('evt_1', 'u_att')");
        }
        return TestServer.config(YAML.formatted(app)).withCdc(new CdcConfig(
                new CdcConfig.Postgres(PG.url(), PG.user(), PG.password(), slot, "herald", sources(), 200L, 500L)));
    }

    @BeforeAll
    static void start() throws SQLException {
        createTables();
        server = TestServer.start(config("herald_one"));
        awaitLeader(server);
    }

    static void awaitLeader(TestServer s) {
        await().atMost(WAIT).until(() -> s.gauge("herald.cdc.leader") == 1.0);
    }

    @AfterEach
    void closeSockets() {
        server.closeClients();
    }

    @AfterAll
    static void stop() {
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

    static JsonNode next(WsClient socket) {
        String m = socket.poll(WAIT);
        assertThat(m).as("an event within %s", WAIT).isNotNull();
        return TestServer.json(m);
    }

    @Test
    void rowsReachTheirOrganizationMaskedPerRole() throws SQLException {
        WsClient owner = server.member("u_owner", "org_a", "owner");
        WsClient recruiter = server.member("u_rec", "org_a", "recruiter");
        WsClient viewer = server.member("u_view", "org_a", "viewer");
        WsClient otherOrg = server.member("u_other", "org_b", "owner");

        sql("INSERT INTO applications VALUES (1, 'org_a', '123-45-6789', 'applied')");
        JsonNode o = next(owner);
        assertThat(o.get("type").asText()).isEqualTo("postgres_changes");
        assertThat(o.get("table").asText()).isEqualTo("applications");
        assertThat(o.get("schema").asText()).isEqualTo("public");
        assertThat(o.get("eventType").asText()).isEqualTo("INSERT");
        assertThat(o.get("new").toString()).isEqualTo("{\"id\":1,\"organization_id\":\"org_a\",\"ssn\":\"123-45-6789\",\"stage\":\"applied\"}");
        assertThat(o.get("old").isNull()).isTrue();
        JsonNode r = next(recruiter);
        assertThat(r.get("new").get("ssn").asText()).isEqualTo("*****6789");

        sql("UPDATE applications SET stage = 'interview' WHERE id = 1");
        JsonNode u = next(owner);
        assertThat(u.get("eventType").asText()).isEqualTo("UPDATE");
        assertThat(u.get("new").get("stage").asText()).isEqualTo("interview");
        assertThat(u.get("old").toString()).as("without REPLICA IDENTITY FULL old holds the key").isEqualTo("{\"id\":1}");
        assertThat(next(recruiter).get("new").get("ssn").asText()).isEqualTo("*****6789");

        sql("ALTER TABLE applications REPLICA IDENTITY FULL", "UPDATE applications SET stage = 'offer' WHERE id = 1");
        JsonNode full = next(owner);
        assertThat(full.get("old").toString()).isEqualTo("{\"id\":1,\"organization_id\":\"org_a\",\"ssn\":\"123-45-6789\",\"stage\":\"interview\"}");
        assertThat(next(recruiter).get("old").get("ssn").asText()).as("old is masked like new").isEqualTo("*****6789");

        sql("DELETE FROM applications WHERE id = 1", "ALTER TABLE applications REPLICA IDENTITY DEFAULT");
        JsonNode d = next(owner);
        assertThat(d.get("eventType").asText()).isEqualTo("DELETE");
        assertThat(d.get("new").isNull()).isTrue();
        assertThat(d.get("old").get("id").asInt()).isEqualTo(1);
        assertThat(next(recruiter).get("eventType").asText()).isEqualTo("DELETE");

        viewer.assertNothingMore();
        otherOrg.assertNothingMore();
    }

    @Test
    void rowsReachTheirResourceScopeAndTheirUser() throws SQLException {
        WsClient attendee = server.connect(server.ticket(TestServer.jwt("u_att", "org_c", "member"), "{\"eventId\":\"evt_1\"}"));
        WsClient alice = server.member("alice", "org_c", "member");
        WsClient bob = server.member("bob", "org_c", "member");

        sql("INSERT INTO event_notes VALUES (1, 'evt_1', 'hello')", "INSERT INTO event_notes VALUES (2, 'evt_2', 'elsewhere')",
                "INSERT INTO inbox VALUES (1, 'org_c', 'alice', 'for alice')");
        JsonNode note = next(attendee);
        assertThat(note.get("table").asText()).isEqualTo("event_notes");
        assertThat(note.get("new").get("body").asText()).isEqualTo("hello");
        JsonNode mail = next(alice);
        assertThat(mail.get("table").asText()).isEqualTo("inbox");
        assertThat(mail.get("new").get("message").asText()).isEqualTo("for alice");

        // the scope column is not part of the key: with REPLICA IDENTITY FULL the old row has it, so deletes route too
        sql("ALTER TABLE event_notes REPLICA IDENTITY FULL", "UPDATE event_notes SET body = 'edited' WHERE id = 1",
                "DELETE FROM event_notes WHERE id = 1", "UPDATE inbox SET message = 'read' WHERE id = 1", "DELETE FROM inbox WHERE id = 1");
        JsonNode edited = next(attendee);
        assertThat(edited.get("eventType").asText()).isEqualTo("UPDATE");
        assertThat(edited.get("old").toString()).isEqualTo("{\"id\":1,\"event_id\":\"evt_1\",\"body\":\"hello\"}");
        JsonNode deleted = next(attendee);
        assertThat(deleted.get("eventType").asText()).isEqualTo("DELETE");
        assertThat(deleted.get("old").toString()).isEqualTo("{\"id\":1,\"event_id\":\"evt_1\",\"body\":\"edited\"}");
        JsonNode read = next(alice);
        assertThat(read.get("eventType").asText()).isEqualTo("UPDATE");
        assertThat(read.get("old").toString()).isEqualTo("{\"id\":1}");
        // the inbox's delete names neither organization nor user in its old key: skipped, not guessed
        attendee.assertNothingMore();
        alice.assertNothingMore();
        bob.assertNothingMore();
        sql("ALTER TABLE event_notes REPLICA IDENTITY DEFAULT");
    }

    @Test
    void aRowWithoutItsScopeIsSkippedAndCounted() throws SQLException {
        WsClient member = server.member("u_m", "org_d", "owner");
        double before = server.counter("herald.cdc.skipped", "reason", "null_scope");
        sql("INSERT INTO applications VALUES (20, NULL, NULL, 'orphan')", "INSERT INTO applications VALUES (21, 'org_d', NULL, 'next')");
        assertThat(next(member).get("new").get("id").asInt()).isEqualTo(21);
        assertThat(server.counter("herald.cdc.skipped", "reason", "null_scope")).isEqualTo(before + 1);
        assertThat(server.counter("herald.cdc.events", "table", "public.applications", "op", "INSERT")).isGreaterThanOrEqualTo(1);

        // a delete whose old row is its key only cannot be routed to an organization: counted, not guessed
        double notInOld = server.counter("herald.cdc.skipped", "reason", "scope_not_in_old_row");
        sql("DELETE FROM applications WHERE id = 21", "INSERT INTO applications VALUES (22, 'org_d', NULL, 'after')");
        assertThat(next(member).get("new").get("id").asInt()).isEqualTo(22);
        assertThat(server.counter("herald.cdc.skipped", "reason", "scope_not_in_old_row")).isEqualTo(notInOld + 1);
        member.assertNothingMore();
    }

    @Test
    void aTransactionArrivesWholeInCommitOrderAndARolledBackOneNever() throws SQLException {
        WsClient member = server.member("u_t", "org_t", "owner");
        try (Connection c = PG.connect()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("INSERT INTO applications VALUES (30, 'org_t', NULL, 'gone')");
                c.rollback();
                for (int i = 0; i < 50; i++) {
                    s.execute("INSERT INTO applications VALUES (" + (100 + i) + ", 'org_t', NULL, 's" + i + "')");
                }
                s.execute("UPDATE applications SET stage = 'last' WHERE id = 100");
                c.commit();
            }
        }
        List<String> got = new ArrayList<>();
        for (int i = 0; i < 51; i++) {
            JsonNode e = next(member);
            got.add(e.get("eventType").asText() + ":" + e.get("new").get("id").asInt());
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            expected.add("INSERT:" + (100 + i));
        }
        expected.add("UPDATE:100");
        assertThat(got).isEqualTo(expected);
        member.assertNothingMore();
    }

    @Test
    void anUnchangedLargeValueComesFromTheOldRowOrIsNamedUnchanged() throws SQLException {
        WsClient member = server.member("u_doc", "org_doc", "owner");
        String big = "x".repeat(20_000);
        sql("INSERT INTO docs VALUES (1, 'org_doc', '" + big + "', 'n1')");
        assertThat(next(member).get("new").get("body").asText()).hasSize(20_000);

        sql("UPDATE docs SET note = 'n2' WHERE id = 1");
        JsonNode plain = next(member);
        assertThat(plain.get("new").has("body")).as("the log does not repeat the value").isFalse();
        assertThat(plain.get("new").get("note").asText()).isEqualTo("n2");
        assertThat(plain.get("unchanged").toString()).isEqualTo("[\"body\"]");

        sql("ALTER TABLE docs REPLICA IDENTITY FULL", "UPDATE docs SET note = 'n3' WHERE id = 1");
        JsonNode full = next(member);
        assertThat(full.get("new").get("body").asText()).as("taken from the old row").isEqualTo(big);
        assertThat(full.has("unchanged")).isFalse();
        sql("ALTER TABLE docs REPLICA IDENTITY DEFAULT");
    }

    @Test
    void aTruncateReachesEveryScopeOfTheTable() throws SQLException {
        WsClient a = server.member("u_tr1", "org_tr1", "owner");
        WsClient b = server.connect(server.ticket(TestServer.jwt("u_att", "org_x", "member"), "{\"eventId\":\"evt_1\"}"));
        WsClient viewer = server.member("u_tr2", "org_tr2", "viewer");
        sql("TRUNCATE docs");
        for (WsClient s : List.of(a, b, viewer)) {
            assertThat(next(s).toString()).isEqualTo("{\"type\":\"postgres_changes\",\"table\":\"docs\",\"schema\":\"public\","
                    + "\"eventType\":\"TRUNCATE\",\"new\":null,\"old\":null}");
        }
        // the table's role filter applies: only the owner may see applications
        sql("TRUNCATE applications");
        assertThat(next(a).get("table").asText()).isEqualTo("applications");
        b.assertNothingMore();
        viewer.assertNothingMore();

        // a table that does not publish deletions does not publish a truncate
        sql("INSERT INTO quiet VALUES (1, 'org_tr1')");
        assertThat(next(a).get("table").asText()).isEqualTo("quiet");
        sql("TRUNCATE quiet", "INSERT INTO quiet VALUES (2, 'org_tr1')");
        assertThat(next(a).get("eventType").asText()).isEqualTo("INSERT");
    }

    @Test
    void theNodesEndpointNamesTheLeader() {
        JsonNode nodes = TestServer.json(server.get("/cluster/v1/nodes", "Authorization", "Bearer " + TestServer.ACCESS_TOKEN).body());
        assertThat(nodes.get("cdc").get("leader").asText()).isEqualTo(nodes.get("nodes").get(0).get("id").asText());
        assertThat(nodes.get("nodes").get(0).get("roles").toString()).isEqualTo("[\"cdc-leader\"]");
    }

    @Test
    void lagIsMeasuredByHeartbeatsThatAlsoMoveAnIdleSlotOn() {
        double seen = server.counter("herald.cdc.heartbeats");
        await().atMost(WAIT).until(() -> server.counter("herald.cdc.heartbeats") >= seen + 2);
        assertThat(server.gauge("herald.cdc.lag.seconds")).isBetween(0.0, WAIT.toSeconds() * 1.0);
        // heartbeats every 200 ms: the slot's confirmed position keeps up with an otherwise idle database
        await().atMost(WAIT).until(() -> {
            try (Connection c = PG.connect(); Statement s = c.createStatement();
                 var r = s.executeQuery("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn) FROM pg_replication_slots"
                         + " WHERE slot_name = 'herald_one'")) {
                return r.next() && r.getLong(1) < 100_000;
            }
        });
        String metrics = server.get("/metrics", "Authorization", "Bearer " + TestServer.ACCESS_TOKEN).body();
        assertThat(metrics).contains("herald_cdc_lag_bytes ", "herald_cdc_lag_seconds ", "herald_cdc_leader 1.0",
                "herald_cdc_heartbeats_total ");
    }

    @Test
    void eventsAreCountedByTableAndOperation() throws SQLException {
        WsClient member = server.member("u_count", "org_count", "owner");
        double before = server.counter("herald.cdc.events", "table", "public.quiet", "op", "INSERT");
        sql("INSERT INTO quiet VALUES (100, 'org_count')");
        assertThat(next(member).get("new").get("id").asInt()).isEqualTo(100);
        assertThat(server.counter("herald.cdc.events", "table", "public.quiet", "op", "INSERT")).isEqualTo(before + 1);
        String metrics = server.get("/metrics", "Authorization", "Bearer " + TestServer.ACCESS_TOKEN).body();
        assertThat(metrics).contains("herald_cdc_events_total{op=\"INSERT\",table=\"public.quiet\"}");
    }
}
