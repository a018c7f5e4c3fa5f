package io.herald.bench.load;

import io.herald.bench.cdc.BenchCdc;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * The publisher of {@code cdc-lag}: each message is one transaction committed to PostgreSQL, a single
 * {@code INSERT} of {@code rowsPerTxn} rows into {@code bench_cdc} in autocommit, which Herald's change
 * capture then reads from its slot. Row {@code n} of the run goes to organization {@code n mod orgs}, so a
 * transaction's rows spread over consecutive organizations. JDBC blocks, so transactions run on
 * {@code writers} threads with a connection each; at most two per writer wait, and a pacer asking for
 * more is told no slot is free (it shows as {@code publisher_behind}).
 *
 * <p>Each row's {@code ts} is stamped by the writer thread just before it sends the statement, not
 * when the pacer asked: what the sockets measure is then send → commit → slot → Herald → socket, and not
 * the time a transaction waited for a writer. Stamps are unique per transaction, so the moment its
 * commit was answered can be looked up by stamp: as a {@link DeliveryHook} the writer turns each
 * delivery into commit → socket ({@link #commitToReceive}), which leaves out how long the database took
 * to commit (measured on its own, {@link #commitLatency}). Probes (ts 0) are written the same way. The
 * pacing runs on an event loop of its own, as the other publishers' do.
 */
final class SqlWriter implements Publisher, DeliveryHook {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("bench-sql-pace", true),
            NioIoHandler.newFactory());
    private final EventLoop loop = group.next();
    private final ExecutorService writers;
    private final int maxInFlight;
    private final int rowsPerTxn;
    private final String org;
    private final int orgs;
    private final String insertSql;
    private final List<Connection> connections = new ArrayList<>();
    private final ThreadLocal<Writer> writer;
    private final Histogram commits = new Histogram(LoopStats.MAX_MICROS, 3);
    /** The last stamp given out: stamps only grow, so two transactions never share one. */
    private final AtomicLong lastStamp = new AtomicLong();
    /** When each window transaction's commit was answered, by stamp. */
    private final Map<Long, Long> answered = new ConcurrentHashMap<>();
    private final Histogram fromCommit = new ConcurrentHistogram(LoopStats.MAX_MICROS, 3);
    /** Deliveries heard before their commit's answer was recorded, resolved when the figures are read. */
    private final ConcurrentLinkedQueue<long[]> early = new ConcurrentLinkedQueue<>();
    private long beforeAnswer;
    private volatile long measureFrom = Long.MAX_VALUE;
    // loop-confined
    private Runnable onSlotFree = () -> { };
    private int inFlight;
    private long nextRow;
    private long failed;
    private long committedRows;
    private long committedRowsMeasured;
    private String firstError;

    /** A connection and its prepared INSERT, one per writer thread. */
    private record Writer(Connection connection, PreparedStatement insert) {
    }

    SqlWriter(PgOptions pg, int writerThreads, int rowsPerTxn, String org, int orgs) {
        this.rowsPerTxn = rowsPerTxn;
        this.org = org;
        this.orgs = orgs;
        this.maxInFlight = 2 * writerThreads;
        this.insertSql = BenchCdc.insertSql(rowsPerTxn);
        this.writers = Executors.newFixedThreadPool(writerThreads, new DefaultThreadFactory("bench-sql-writer", true));
        this.writer = ThreadLocal.withInitial(() -> {
            try {
                Connection c = pg.connect(false);
                synchronized (connections) {
                    connections.add(c);
                }
                return new Writer(c, c.prepareStatement(insertSql));
            } catch (SQLException e) {
                throw new IllegalStateException("cannot connect to " + pg.url + ": " + e.getMessage(), e);
            }
        });
    }

    @Override
    public EventLoop loop() {
        return loop;
    }

    @Override
    public boolean trySend(long ts) {
        if (inFlight >= maxInFlight) {
            return false;
        }
        inFlight++;
        long first = nextRow;
        nextRow += rowsPerTxn;
        boolean probe = ts == Measurement.PROBE_TS;
        writers.execute(() -> {
            String error = null;
            long stamp = probe ? Measurement.PROBE_TS : lastStamp.accumulateAndGet(BenchClock.micros(), (last, now) -> Math.max(last + 1, now));
            try {
                Writer w = writer.get();
                for (int i = 0; i < rowsPerTxn; i++) {
                    BenchCdc.bindRow(w.insert(), i, BenchCdc.org(org, orgs, first + i), first + i, stamp);
                }
                w.insert().executeUpdate();
                long done = BenchClock.micros();
                if (!probe && stamp >= measureFrom) {
                    answered.put(stamp, done);
                    synchronized (commits) {
                        commits.recordValue(Math.min(LoopStats.MAX_MICROS, Math.max(0, done - stamp)));
                    }
                }
            } catch (SQLException | RuntimeException e) {
                error = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse(e.toString());
            }
            String failure = error;
            loop.execute(() -> {
                inFlight--;
                if (failure != null) {
                    failed++;
                    if (firstError == null) {
                        firstError = failure;
                    }
                } else if (!probe) {
                    committedRows += rowsPerTxn;
                    if (stamp >= measureFrom) {
                        committedRowsMeasured += rowsPerTxn;
                    }
                }
                onSlotFree.run();
            });
        });
        return true;
    }

    @Override
    public void onSlotFree(Runnable r) {
        onSlotFree = r;
    }

    @Override
    public long failed() {
        return failed;
    }

    @Override
    public String firstError() {
        return firstError;
    }

    @Override
    public long serverDelivered() {
        return -1;
    }

    @Override
    public void startMeasure(long fromMicros) {
        measureFrom = fromMicros;
    }

    /** Rows committed by transactions stamped in the window; call on {@link #loop()}. */
    long committedRowsMeasured() {
        return committedRowsMeasured;
    }

    /** Send → commit answered, µs, of the transactions stamped in the window (a copy). */
    Histogram commitLatency() {
        synchronized (commits) {
            return commits.copy();
        }
    }

    @Override
    public void delivered(long ts, long receivedMicros) {
        Long at = answered.get(ts);
        if (at == null) {
            // the database sends a commit to its slot as it answers the client: the socket can be first
            early.add(new long[] {ts, receivedMicros});
        } else {
            fromCommit.recordValue(Math.min(LoopStats.MAX_MICROS, Math.max(0, receivedMicros - at)));
        }
    }

    /**
     * Commit answered → socket, µs, of the window's deliveries (a copy); a delivery that came before its
     * commit's answer counts as 0. Call once every transaction has been answered (after the drain).
     */
    synchronized Histogram commitToReceive() {
        for (long[] e = early.poll(); e != null; e = early.poll()) {
            Long at = answered.get(e[0]);
            if (at != null) {
                beforeAnswer += e[1] < at ? 1 : 0;
                fromCommit.recordValue(Math.min(LoopStats.MAX_MICROS, Math.max(0, e[1] - at)));
            }
        }
        return fromCommit.copy();
    }

    /** Deliveries that reached their socket before the writer had its commit's answer (after {@link #commitToReceive}). */
    synchronized long receivedBeforeAnswer() {
        return beforeAnswer;
    }

    @Override
    public void close() {
        writers.shutdown();
        try {
            writers.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (connections) {
            for (Connection c : connections) {
                try {
                    c.close();
                } catch (SQLException ignored) {
                    // closing after the run: nothing left to lose
                }
            }
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
