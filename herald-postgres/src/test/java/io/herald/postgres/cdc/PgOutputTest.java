package io.herald.postgres.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.postgres.PgProcesses;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.PGReplicationStream;

/**
 * The pgoutput decoder and the value conversion on what a real PostgreSQL sends: a server of the
 * test's own with logical decoding, a publication and a slot, read through pgjdbc's replication
 * stream. Inserts, updates (with and without REPLICA IDENTITY FULL, TOAST left unchanged), deletes
 * and a truncate, with the types a postgres_changes payload carries.
 */
class PgOutputTest {
    @RegisterExtension
    static final PgProcesses PG = PgProcesses.logical();

    private Connection sql() throws Exception {
        return PG.connect();
    }

    private PGReplicationStream stream(Connection replication, String slot) throws Exception {
        return replication.unwrap(PGConnection.class).getReplicationAPI().replicationStream().logical()
                .withSlotName(slot).withSlotOption("proto_version", "1").withSlotOption("publication_names", "herald")
                .withStatusInterval(1, TimeUnit.SECONDS).start();
    }

    private Connection replicationConnection() throws Exception {
        Properties p = new Properties();
        PGProperty.USER.set(p, PG.user());
        if (PG.password() != null) {
            PGProperty.PASSWORD.set(p, PG.password());
        }
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(p, "15");
        PGProperty.REPLICATION.set(p, "database");
        PGProperty.PREFER_QUERY_MODE.set(p, "simple");
        return DriverManager.getConnection(PG.url(), p);
    }

    /** Reads messages until {@code commits} transactions were seen, relations remembered by id. */
    private static List<PgOutput.Message> read(PGReplicationStream stream, int commits) throws Exception {
        List<PgOutput.Message> out = new ArrayList<>();
        int seen = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (seen < commits) {
            ByteBuffer b = stream.readPending();
            if (b == null) {
                assertThat(System.nanoTime()).as("messages within 30 s").isLessThan(deadline);
                TimeUnit.MILLISECONDS.sleep(10);
                continue;
            }
            PgOutput.Message m = PgOutput.read(b);
            out.add(m);
            if (m instanceof PgOutput.Commit c) {
                seen++;
                stream.setFlushedLSN(org.postgresql.replication.LogSequenceNumber.valueOf(c.endLsn()));
                stream.setAppliedLSN(org.postgresql.replication.LogSequenceNumber.valueOf(c.endLsn()));
            }
        }
        return out;
    }

    private static Map<String, JsonNode> row(PgOutput.Relation r, PgOutput.Tuple t) {
        Map<String, JsonNode> out = new HashMap<>();
        for (int i = 0; i < r.columns().size(); i++) {
            PgOutput.Value v = t.values().get(i);
            if (v.kind() != PgOutput.Kind.UNCHANGED) {
                out.put(r.columns().get(i).name(), PgValues.toJson(r.columns().get(i).typeOid(), v.text()));
            }
        }
        return out;
    }

    @Test
    void rowChangesOfARealSlotDecodeWithTheirTypes() throws Exception {
        try (Connection c = sql(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE apps (id int PRIMARY KEY, org text NOT NULL, score numeric(10,2), ok boolean, big bigint,"
                    + " ratio float8, data jsonb, raw bytea, at timestamptz, local_at timestamp, tags text[], nums int[],"
                    + " body text, note text)");
            s.execute("ALTER TABLE apps ALTER COLUMN body SET STORAGE EXTERNAL");
            s.execute("CREATE PUBLICATION herald FOR TABLE apps");
            s.execute("SELECT pg_create_logical_replication_slot('herald_test', 'pgoutput')");
        }
        String big = "x".repeat(20_000);
        try (Connection c = sql(); Statement s = c.createStatement()) {
            s.execute("SET TIME ZONE 'Europe/Paris'");
            s.execute("INSERT INTO apps VALUES (1, 'org_1', 12345678.90, true, 9007199254740993, 0.5, '{\"a\":[1,2]}',"
                    + " '\\x00ff10', '2026-01-05 10:00:00.123456+01', '2026-01-05 10:00:00', '{\"a b\",c,NULL}', '{{1,2},{3,4}}',"
                    + " '" + big + "', 'n')");
            s.execute("UPDATE apps SET note = 'changed' WHERE id = 1");
            s.execute("ALTER TABLE apps REPLICA IDENTITY FULL");
            s.execute("UPDATE apps SET note = 'again' WHERE id = 1");
            s.execute("DELETE FROM apps WHERE id = 1");
            s.execute("TRUNCATE apps");
        }
        try (Connection r = replicationConnection(); PGReplicationStream stream = stream(r, "herald_test")) {
            List<PgOutput.Message> all = read(stream, 5);
            // as a consumer does: each row is read with the relation as last described before it
            Map<Integer, PgOutput.Relation> current = new HashMap<>();
            List<PgOutput.Message> rows = new ArrayList<>();
            List<PgOutput.Relation> shapes = new ArrayList<>();
            for (PgOutput.Message m : all) {
                if (m instanceof PgOutput.Relation rel) {
                    current.put(rel.id(), rel);
                } else if (!(m instanceof PgOutput.Begin || m instanceof PgOutput.Commit || m instanceof PgOutput.Other)) {
                    rows.add(m);
                    shapes.add(current.get(PgOutput.relationOf(m)));
                }
            }
            assertThat(rows).hasSize(5);

            PgOutput.Insert insert = (PgOutput.Insert) rows.get(0);
            PgOutput.Relation apps = shapes.get(0);
            assertThat(apps.schema()).isEqualTo("public");
            assertThat(apps.name()).isEqualTo("apps");
            assertThat(apps.columns().get(0).key()).isTrue();
            assertThat(apps.columns().get(1).key()).isFalse();
            Map<String, JsonNode> inserted = row(apps, insert.row());
            assertThat(inserted.get("id").isIntegralNumber()).isTrue();
            assertThat(inserted.get("id").asInt()).isEqualTo(1);
            assertThat(inserted.get("org").asText()).isEqualTo("org_1");
            assertThat(inserted.get("score").isTextual()).as("numeric travels as a string").isTrue();
            assertThat(inserted.get("score").asText()).isEqualTo("12345678.90");
            assertThat(inserted.get("ok").booleanValue()).isTrue();
            assertThat(inserted.get("big").longValue()).isEqualTo(9007199254740993L);
            assertThat(inserted.get("ratio").doubleValue()).isEqualTo(0.5);
            assertThat(inserted.get("data").toString()).isEqualTo("{\"a\":[1,2]}");
            assertThat(inserted.get("raw").asText()).isEqualTo("AP8Q");
            assertThat(inserted.get("at").asText()).isEqualTo("2026-01-05T09:00:00.123456Z");
            assertThat(inserted.get("local_at").asText()).isEqualTo("2026-01-05T10:00:00Z");
            assertThat(inserted.get("tags").toString()).isEqualTo("[\"a b\",\"c\",null]");
            assertThat(inserted.get("nums").toString()).isEqualTo("[[1,2],[3,4]]");
            assertThat(inserted.get("body").asText()).hasSize(20_000);

            PgOutput.Update plain = (PgOutput.Update) rows.get(1);
            assertThat(plain.old()).as("default identity, key unchanged: no old row").isNull();
            int body = 12;
            assertThat(apps.columns().get(body).name()).isEqualTo("body");
            assertThat(plain.row().values().get(body).kind()).as("the untouched TOASTed value is not sent").isEqualTo(PgOutput.Kind.UNCHANGED);
            assertThat(row(apps, plain.row()).get("note").asText()).isEqualTo("changed");

            PgOutput.Update full = (PgOutput.Update) rows.get(2);
            PgOutput.Relation fullApps = shapes.get(2);
            assertThat(fullApps.replicaIdentity()).isEqualTo('f');
            assertThat(full.oldKind()).isEqualTo('O');
            assertThat(row(fullApps, full.old()).get("note").asText()).isEqualTo("changed");
            assertThat(row(fullApps, full.old()).get("body").asText()).as("full identity: the old row has it").hasSize(20_000);
            assertThat(full.row().values().get(body).kind()).as("the new row still leaves it out").isEqualTo(PgOutput.Kind.UNCHANGED);

            PgOutput.Delete delete = (PgOutput.Delete) rows.get(3);
            assertThat(delete.oldKind()).isEqualTo('O');
            assertThat(row(fullApps, delete.old()).get("id").asInt()).isEqualTo(1);

            PgOutput.Truncate truncate = (PgOutput.Truncate) rows.get(4);
            assertThat(truncate.relationIds()).containsExactly(apps.id());
            assertThat(truncate.cascade()).isFalse();
        }
    }

    @Test
    void valuesConvertByType() {
        assertThat(PgValues.toJson(PgValues.FLOAT8, "NaN").asText()).isEqualTo("NaN");
        assertThat(PgValues.toJson(PgValues.FLOAT8, "-Infinity").asText()).isEqualTo("-Infinity");
        assertThat(PgValues.toJson(PgValues.TIMESTAMPTZ, "infinity").asText()).isEqualTo("infinity");
        assertThat(PgValues.toJson(PgValues.TIMESTAMPTZ, "2026-01-05 10:00:00+05:30").asText()).isEqualTo("2026-01-05T04:30:00Z");
        assertThat(PgValues.toJson(PgValues.INT4, null).isNull()).isTrue();
        assertThat(PgValues.toJson(1009, "{}").toString()).isEqualTo("[]");
        assertThat(PgValues.toJson(1009, "{\"q\\\"uote\",\"back\\\\slash\"}").toString()).isEqualTo("[\"q\\\"uote\",\"back\\\\slash\"]");
        assertThat(PgValues.toJson(1007, "[0:1]={5,6}").toString()).isEqualTo("[5,6]");
        assertThat(PgValues.toJson(3807, "{\"{\\\"a\\\": 1}\"}").toString()).isEqualTo("[{\"a\":1}]");
        assertThat(PgValues.toJson(2950, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11").asText()).isEqualTo("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    }

    @Test
    void truncatedOrUnknownMessagesAreRefused() {
        assertThatThrownBy(() -> PgOutput.read(ByteBuffer.wrap(new byte[] {'B', 0, 0}))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PgOutput.read(ByteBuffer.wrap(new byte[] {'Z'}))).isInstanceOf(IllegalArgumentException.class);
        assertThat(PgOutput.read(ByteBuffer.wrap(new byte[] {'Y', 0, 0, 0, 1}))).isEqualTo(new PgOutput.Other('Y'));
    }
}
