package io.herald.bench.load;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code cdc-lag}: N ticket sockets spread over {@code --orgs} organizations, and writers committing rows
 * to the {@code bench_cdc} table of the database Herald's change capture reads; every row reaches the
 * sockets of its organization as a postgres_changes INSERT, masked per role. {@code latency_us} runs from
 * the row's {@code ts} (stamped by the writer as it sends the INSERT) to the socket's receive;
 * {@code commit_to_receive_us} from the moment the writer had the commit's answer, which leaves the
 * database's own commit time ({@code commit_latency_us}) out. Herald must run with {@code bench-cdc.yaml}
 * on the same database.
 */
@Command(name = "cdc-lag", mixinStandardHelpOptions = true,
        description = "Rows committed to PostgreSQL -> change capture -> N ticket sockets over --orgs organizations: commit-to-socket lag.")
final class CdcLag extends Scenario {
    @Mixin
    PgOptions pg;

    @Option(names = "--rows-per-second", defaultValue = "2000", description = "Rows committed per second (default: ${DEFAULT-VALUE}).")
    double rowsPerSecond;

    @Option(names = "--rows-per-txn", defaultValue = "10", description = "Rows per transaction, one INSERT each (default: ${DEFAULT-VALUE}).")
    int rowsPerTxn;

    @Option(names = "--writers", defaultValue = "2", description = "Writer threads, a database connection each (default: ${DEFAULT-VALUE}).")
    int writers;

    @Option(names = "--orgs", defaultValue = "100",
            description = "Organizations <--org>_0 .. _{K-1}: socket i joins i mod K, row n goes to n mod K (default: ${DEFAULT-VALUE}).")
    int orgs;

    @Option(names = "--roles", defaultValue = "5", description = "Distinct role sets among each organization's sockets (role0..role{K-1}).")
    int roles;

    @Option(names = "--pg-pid", description = "PostgreSQL's postmaster pid: the CPU of it and its backends is reported (database_cpu_cores).")
    Long pgPid;

    @Override
    String name() {
        return "cdc-lag";
    }

    @Override
    Set<Target> targets() {
        return EnumSet.of(Target.HERALD);
    }

    @Override
    boolean needsHeraldSecrets() {
        // nothing is published over HTTP: the rows come from the database
        return false;
    }

    @Override
    boolean needsJwtSecret() {
        return true;
    }

    @Override
    SocketPlan plan() {
        return SocketPlan.broadcast(o, roles, orgs);
    }

    @Override
    Result run() throws Exception {
        if (o.rate != 0) {
            throw new IllegalArgumentException("cdc-lag paces rows: use --rows-per-second and --rows-per-txn, not --rate");
        }
        if (orgs < 1 || roles < 1 || rowsPerTxn < 1 || writers < 1 || rowsPerSecond <= 0) {
            throw new IllegalArgumentException("--orgs, --roles, --rows-per-txn, --writers and --rows-per-second must be positive");
        }
        if (o.connections % orgs != 0) {
            throw new IllegalArgumentException("-n must be a multiple of --orgs, so every row reaches as many sockets");
        }
        double txnsPerSecond = rowsPerSecond / rowsPerTxn;
        try (Receivers receivers = receivers(0, o.connections);
             SqlWriter writer = new SqlWriter(pg, writers, rowsPerTxn, o.org, orgs)) {
            receivers.prepare();
            ConnectReport connect = receivers.connect();
            if (connect.connected() != o.connections) {
                throw new IllegalStateException(connect.failed() + " sockets did not connect: " + connect.firstError());
            }
            int perOrg = o.connections / orgs;
            // commit -> socket needs every delivery heard here; split over child processes only the stamp's latency is known
            boolean fromCommit = o.processes == 1;
            if (fromCommit) {
                receivers.onDelivery(writer);
            }
            Result r = new FanoutRun(name(), o, receivers, writer, n -> (long) rowsPerTxn * perOrg, 0,
                    new Pacing(txnsPerSecond, o.warmup, o.duration))
                    .database(pgPid)
                    .extra("rows_per_s_asked", rowsPerSecond)
                    .extra("rows_per_txn", rowsPerTxn)
                    .extra("writers", writers)
                    .extra("orgs", orgs)
                    .extra("sockets_per_org", perOrg)
                    .extra("role_sets", roles)
                    .run(connect);
            long committed = writer.loop().submit(writer::committedRowsMeasured).get();
            Histogram commit = writer.commitLatency();
            Map<String, Object> extra = new LinkedHashMap<>(r.extra());
            extra.put("rows_committed_per_s", Math.round(committed / r.seconds()));
            Result.Latency c = Result.Latency.of(commit);
            extra.put("commit_latency_us", c == null ? null : c.toMap());
            if (fromCommit) {
                Result.Latency fc = Result.Latency.of(writer.commitToReceive());
                extra.put("commit_to_receive_us", fc == null ? null : fc.toMap());
                extra.put("received_before_commit_answer", writer.receivedBeforeAnswer());
            }
            return new Result(r.scenario(), r.target(), r.connections(), r.seconds(), r.published(), r.expected(), r.received(),
                    r.deliveries(), r.deliveriesPerSecond(), r.latency(), r.serverCpuMicrosPerDelivery(), r.toolCpuShare(),
                    r.toolMaxThreadShare(), r.isVoid(), r.voidReason(), extra);
        }
    }
}
