package io.herald.bench.load;

import io.herald.bench.cdc.BenchCdc;
import io.herald.bench.cdc.PgOutputRecording;
import io.herald.postgres.cdc.PgOutput;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code cdc-record}: records what a real replication slot sends for a fixed workload on {@code bench_cdc},
 * for {@code CdcPipelineBenchmark} to replay. Each transaction inserts 6 rows in one statement, updates 3
 * live rows and deletes the oldest, all in organization {@code --org}: 10 row changes of the three kinds
 * a table sees, in the proportions of a busy one. The database needs {@code wal_level = logical}; the
 * command creates the table if missing and a publication and a slot of its own, and drops both after.
 */
@Command(name = "cdc-record", mixinStandardHelpOptions = true,
        description = "Records the pgoutput messages of a fixed workload on bench_cdc from a real slot, for CdcPipelineBenchmark.")
final class CdcRecord implements Callable<Integer> {
    private static final String SLOT = "herald_bench_record";
    private static final String PUBLICATION = "herald_bench_record";
    static final int INSERTS = 6;
    static final int UPDATES = 3;
    static final int DELETES = 1;

    @Mixin
    PgOptions pg;

    @Option(names = "--out", required = true, description = "The recording to write (gzip).")
    Path out;

    @Option(names = "--transactions", defaultValue = "100", description = "Transactions of 10 row changes (default: ${DEFAULT-VALUE}).")
    int transactions;

    @Option(names = "--org", defaultValue = "org_bench", description = "The organization of every row.")
    String org;

    @Override
    public Integer call() throws Exception {
        try (Connection c = pg.connect(false)) {
            prepare(c);
            try {
                write(c);
                List<byte[]> messages = read();
                PgOutputRecording.write(out, messages);
                System.out.println("cdc-record: " + messages.size() + " messages, " + transactions * (INSERTS + UPDATES + DELETES)
                        + " row changes in " + transactions + " transactions -> " + out);
            } finally {
                try (Statement s = c.createStatement()) {
                    s.execute("SELECT pg_drop_replication_slot('" + SLOT + "')");
                    s.execute("DROP PUBLICATION " + PUBLICATION);
                }
            }
        }
        return 0;
    }

    private void prepare(Connection c) throws Exception {
        try (Statement s = c.createStatement()) {
            s.execute(BenchCdc.CREATE_SQL);
            try (ResultSet r = s.executeQuery("SELECT 1 FROM pg_replication_slots WHERE slot_name = '" + SLOT + "'")) {
                if (r.next()) {
                    s.execute("SELECT pg_drop_replication_slot('" + SLOT + "')");
                }
            }
            s.execute("DROP PUBLICATION IF EXISTS " + PUBLICATION);
            s.execute("CREATE PUBLICATION " + PUBLICATION + " FOR TABLE " + BenchCdc.TABLE);
            // the slot starts here: the workload below is all it will send
            s.execute("SELECT pg_create_logical_replication_slot('" + SLOT + "', 'pgoutput')");
        }
    }

    /** The workload: per transaction 6 inserts (one statement), 3 updates and 1 delete. */
    private void write(Connection c) throws Exception {
        List<Long> live = new ArrayList<>();
        long n = 0;
        c.setAutoCommit(false);
        try (PreparedStatement insert = c.prepareStatement(BenchCdc.insertSql(INSERTS) + " RETURNING id");
             PreparedStatement update = c.prepareStatement("UPDATE " + BenchCdc.TABLE
                     + " SET stage = ?, score = score + 1, notes = ?, updated_at = now(), ts = ? WHERE org_id = ? AND id = ?");
             PreparedStatement delete = c.prepareStatement("DELETE FROM " + BenchCdc.TABLE + " WHERE org_id = ? AND id = ?")) {
            for (int t = 0; t < transactions; t++) {
                for (int i = 0; i < INSERTS; i++) {
                    BenchCdc.bindRow(insert, i, org, n++, BenchClock.micros());
                }
                try (ResultSet ids = insert.executeQuery()) {
                    while (ids.next()) {
                        live.add(ids.getLong(1));
                    }
                }
                for (int k = 0; k < UPDATES; k++) {
                    long id = live.get((t * 7 + k * 3) % live.size());
                    update.setString(1, k % 2 == 0 ? "interview" : "offer");
                    update.setString(2, "Updated in transaction " + t + "; strong on systems design.");
                    update.setLong(3, BenchClock.micros());
                    update.setString(4, org);
                    update.setLong(5, id);
                    update.executeUpdate();
                }
                delete.setString(1, org);
                delete.setLong(2, live.remove(0));
                delete.executeUpdate();
                c.commit();
            }
        } finally {
            c.setAutoCommit(true);
        }
    }

    /** Reads the slot until every transaction's commit came, keeping every message as sent. */
    private List<byte[]> read() throws Exception {
        List<byte[]> messages = new ArrayList<>();
        try (Connection replication = pg.connect(true);
             PGReplicationStream stream = replication.unwrap(PGConnection.class).getReplicationAPI().replicationStream().logical()
                     .withSlotName(SLOT).withSlotOption("proto_version", "1").withSlotOption("publication_names", PUBLICATION)
                     .withStatusInterval(1, TimeUnit.SECONDS).start()) {
            int commits = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (commits < transactions) {
                ByteBuffer b = stream.readPending();
                if (b == null) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("only " + commits + " of " + transactions + " transactions came within 60 s");
                    }
                    Thread.sleep(5);
                    continue;
                }
                byte[] m = new byte[b.remaining()];
                b.duplicate().get(m);
                messages.add(m);
                if (PgOutput.read(b) instanceof PgOutput.Commit commit) {
                    commits++;
                    stream.setFlushedLSN(LogSequenceNumber.valueOf(commit.endLsn()));
                    stream.setAppliedLSN(LogSequenceNumber.valueOf(commit.endLsn()));
                }
            }
        }
        return messages;
    }
}
