package io.herald.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.bench.cdc.BenchCdc;
import io.herald.bench.cdc.PgOutputRecording;
import io.herald.config.CdcConfig;
import io.herald.postgres.PgProcesses;
import io.herald.postgres.cdc.ChangeDecoder;
import io.herald.server.HeraldServer;
import io.herald.server.config.ConfigLoader;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * cdc-lag and cdc-record at a tiny size against a PostgreSQL of the test's own with logical decoding and
 * an in-process Herald started from bench-cdc.yaml, so the change-capture tools never rot: rows written
 * by the tool reach every socket of their organization through the slot, and a recording replays into
 * its row changes. Skipped (one printed line) without PostgreSQL binaries, unless HERALD_TEST_REQUIRE_PG=1.
 * The figures themselves are not asserted.
 */
class CdcLagSmokeTest {
    private static final String ACCESS_TOKEN = "bench-smoke-access-token-0123456789";
    private static final String JWT_SECRET = "bench-smoke-jwt-secret-0123456789abcdef";

    @RegisterExtension
    static final PgProcesses PG = PgProcesses.logical();
    @TempDir
    static Path dir;
    private static HeraldServer herald;

    @BeforeAll
    static void start() throws Exception {
        try (Connection c = PG.connect(); Statement s = c.createStatement()) {
            s.execute(BenchCdc.CREATE_SQL);
        }
        Path yaml = dir.resolve("bench-cdc.yaml");
        try (InputStream in = CdcLagSmokeTest.class.getResourceAsStream("/bench-cdc.yaml")) {
            Files.copy(in, yaml);
        }
        Map<String, String> env = new HashMap<>(Map.of("ACCESS_TOKEN", ACCESS_TOKEN, "JWT_SECRET", JWT_SECRET,
                "HERALD_SERVER_PORT", "0", "HERALD_STORAGE_PATH", dir.resolve("bench.db").toString(),
                "HERALD_CDC_POSTGRES_URL", PG.url(), "HERALD_CDC_POSTGRES_USER", PG.user()));
        if (PG.password() != null) {
            env.put("HERALD_CDC_PASSWORD", PG.password());
        }
        herald = HeraldServer.start(new ConfigLoader(env).load(yaml, null).config());
    }

    @AfterAll
    static void stop() {
        if (herald != null) {
            herald.close();
        }
    }

    private static List<String> pg() {
        List<String> args = new ArrayList<>(List.of("--pg-url", PG.url(), "--pg-user", PG.user()));
        if (PG.password() != null) {
            args.addAll(List.of("--pg-password", PG.password()));
        }
        return args;
    }

    @Test
    void rowsCommittedToTheDatabaseReachEverySocketOfTheirOrganization() throws Exception {
        List<String> more = new ArrayList<>(List.of("--orgs", "5", "--rows-per-second", "100", "--rows-per-txn", "5"));
        more.addAll(pg());
        JsonNode r = LoadToolSmokeTest.run("cdc-lag", "http://127.0.0.1:" + herald.port(), more.toArray(String[]::new));
        LoadToolSmokeTest.assertDeliveredAll(r, 10);
        assertThat(r.get("sockets_per_org").asInt()).isEqualTo(2);
        assertThat(r.get("publish_errors").asLong()).isZero();
        assertThat(r.get("rows_committed_per_s").asLong()).isPositive();
        assertThat(r.get("commit_latency_us").get("p99").asLong()).isPositive();
        assertThat(r.get("commit_to_receive_us").get("count").asLong()).as("every delivery heard").isEqualTo(r.get("deliveries").asLong());
    }

    @Test
    void aRecordingOfTheSlotReplaysIntoItsRowChanges() throws Exception {
        Path out = dir.resolve("recording.bin.gz");
        List<String> args = new ArrayList<>(List.of("cdc-record", "--out", out.toString(), "--transactions", "3"));
        args.addAll(pg());
        assertThat(LoadTool.execute(args.toArray(String[]::new))).isZero();
        List<ByteBuffer> messages;
        try (InputStream in = Files.newInputStream(out)) {
            messages = PgOutputRecording.read(in);
        }
        ChangeDecoder decoder = new ChangeDecoder(Map.of("public.bench_cdc", new CdcConfig.Source("org_id", null, null)));
        int rows = 0;
        for (ByteBuffer m : messages) {
            ChangeDecoder.Change c = decoder.next(m);
            if (c != null) {
                assertThat(c.event()).as("skipped: %s", c.skipped()).isNotNull();
                rows++;
            }
        }
        assertThat(rows).isEqualTo(30);
    }
}
