package io.herald.postgres.cdc;

import io.herald.broadcast.BroadcastHub;
import io.herald.broadcast.ChangeEvent;
import io.herald.config.CdcConfig;
import io.herald.config.ConfigException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Change capture from PostgreSQL: reads the database's logical replication stream (the built-in
 * {@code pgoutput} plugin, protocol 1) from a slot Herald keeps, turns each row change of a configured
 * table into the postgres_changes event the publish API would make of it, and publishes it through the
 * {@link BroadcastHub}, where the table's rules (roles, fields, masks) apply once per role set.
 *
 * <p><b>One reader per slot.</b> A node reads only while it holds {@code pg_try_advisory_lock} on an
 * ordinary connection (its "control" connection); the others try again every
 * {@code leaderRetryMs}, so a node that dies (its session, and the lock with it, ends) is replaced within
 * that time plus a connect. The slot itself admits one reader, which guards the lock.
 *
 * <p><b>No loss, nothing twice.</b> The slot's confirmed position moves past a transaction only once the
 * broker took every event of it (in a cluster, appended to its Redis history), in log order. After a
 * crash PostgreSQL sends again from the confirmed position; each event is published under the key
 * {@code <commit LSN>:<index in the transaction>}, and the broker skips a key it took before
 * ({@link io.herald.cluster.Broker#publishOnce}). A TRUNCATE goes to every scope and is not keyed: a
 * crash may repeat it.
 *
 * <p><b>Slot lost.</b> A slot found missing (dropped) or {@code wal_status = lost} is created again at the
 * current position; the changes in between are gone, so every stream this source fed starts a new epoch
 * (resuming sockets get {@code recovered:false} and reload), with a WARN.
 *
 * <p>Runs on one platform thread of its own (pgjdbc's replication stream blocks); publishes complete on
 * the broker's threads. {@link #start} checks the database first and fails with a
 * {@link ConfigException} a person can act on.
 */
public final class PostgresCdc implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PostgresCdc.class);
    /** The prefix of Herald's heartbeat messages in the log. */
    static final String HEARTBEAT_PREFIX = "herald";
    /** Past this many changes on their way to the broker, reading waits. */
    private static final int MAX_IN_FLIGHT = 20_000;
    private static final long IDLE_POLL_MS = 2;

    private final CdcConfig.Postgres config;
    private final BroadcastHub hub;
    private final String source;
    private final long lockKey;
    private final CdcMeters meters;
    private final Thread thread;
    /** Released by {@link #close}: the wait between attempts to lead ends at once. */
    private final CountDownLatch closing = new CountDownLatch(1);
    private volatile boolean closed;
    private volatile boolean leader;

    private PostgresCdc(CdcConfig.Postgres config, BroadcastHub hub, MeterRegistry registry) {
        this.config = config;
        this.hub = hub;
        this.source = "cdc-" + config.slot();
        this.lockKey = lockKey(config.slot());
        this.meters = new CdcMeters(registry, () -> leader);
        this.thread = new Thread(this::run, "herald-cdc-" + config.slot());
        this.thread.setDaemon(true);
    }

    /**
     * Checks the database ({@code wal_level}, the role's REPLICATION attribute, the tables, the
     * publication, which it creates if absent) and starts reading, or waiting to lead.
     *
     * @throws ConfigException with what to change when the database cannot serve change capture
     */
    public static PostgresCdc start(CdcConfig.Postgres config, BroadcastHub hub, MeterRegistry registry) {
        for (String table : config.tables().keySet()) {
            int dot = table.indexOf('.');
            if (hub.rulesFor(table.substring(0, dot), table.substring(dot + 1)) == null) {
                throw new ConfigException("cdc.postgres.tables." + table, "has no rules in broadcast.tables");
            }
        }
        try (Connection c = connect(config, false)) {
            Checks.run(c, config);
        } catch (SQLException e) {
            throw new ConfigException("cdc.postgres.url", "cannot use " + config.urlWithoutParameters() + ": " + firstLine(e));
        }
        PostgresCdc cdc = new PostgresCdc(config, hub, registry);
        cdc.thread.start();
        return cdc;
    }

    /** Whether this node is the one reading the slot now. */
    public boolean leader() {
        return leader;
    }

    /** The slot this reader reads. */
    public String slot() {
        return config.slot();
    }

    /** Stops reading (what the broker took by then is confirmed) and releases the leadership. */
    @Override
    public void close() {
        closed = true;
        closing.countDown();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        boolean waitingLogged = false;
        while (!closed) {
            long pause = config.leaderRetryMs();
            try (Connection control = connect(config, false)) {
                if (tryLock(control)) {
                    waitingLogged = false;
                    leader = true;
                    log.info("change capture: this node reads replication slot {} of {}", config.slot(), config.urlWithoutParameters());
                    lead(control);
                } else if (!waitingLogged) {
                    log.info("change capture: another node reads replication slot {}; this one takes over if it stops", config.slot());
                    waitingLogged = true;
                }
            } catch (SessionEnded e) {
                if (!closed) {
                    log.warn("change capture: reading slot {} stopped ({}); starting again", config.slot(), e.getMessage());
                }
            } catch (SQLException | RuntimeException e) {
                if (!closed) {
                    log.warn("change capture: slot {} unavailable ({}); trying again in {} ms", config.slot(), firstLine(e), pause);
                }
            } finally {
                leader = false;
            }
            // a stopping node must not wait out leaderRetryMs (up to 8 s) before its shutdown goes on
            try {
                closing.await(pause, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private boolean tryLock(Connection control) throws SQLException {
        holdOnlyWhileAlive(control);
        try (PreparedStatement s = control.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
            s.setLong(1, lockKey);
            try (ResultSet r = s.executeQuery()) {
                return r.next() && r.getBoolean(1);
            }
        }
    }

    /**
     * The lock must outlive only a reader that is alive: a reader that dies drops its session, and so the
     * lock, at once, but one that is frozen (a stopped process, a long pause) or cut off by the network
     * would hold it for ever. So the control session ends when it stays idle past a few heartbeats (the
     * reader queries it every {@code heartbeatMs}), and PostgreSQL probes its peer with TCP keepalives.
     * Settings a server does not know (idle_session_timeout is PostgreSQL 14+) are left out.
     */
    private void holdOnlyWhileAlive(Connection control) {
        long idleMs = Math.max(3_000, 2 * config.heartbeatMs() + 2_000);
        for (String setting : List.of("SET idle_session_timeout = " + idleMs, "SET tcp_keepalives_idle = 5",
                "SET tcp_keepalives_interval = 2", "SET tcp_keepalives_count = 3")) {
            try (Statement s = control.createStatement()) {
                s.execute(setting);
            } catch (SQLException e) {
                log.debug("change capture: {} refused: {}", setting, firstLine(e));
            }
        }
    }

    /** Reads the slot while this node holds the lock on {@code control}; returns when closed, throws when the session ends. */
    private void lead(Connection control) throws SQLException {
        ensureSlot(control);
        takeSlotFromAFormerReader(control);
        try (Connection replication = connect(config, true);
             PGReplicationStream stream = replication.unwrap(PGConnection.class).getReplicationAPI().replicationStream().logical()
                     .withSlotName(config.slot())
                     .withSlotOption("proto_version", "1")
                     .withSlotOption("publication_names", config.publication())
                     .withSlotOption("messages", "true")
                     .withStatusInterval(1, TimeUnit.SECONDS)
                     .start()) {
            new Session(control, stream).run();
        }
    }

    /**
     * A reader still attached to the slot while this node holds the lock is a former leader whose control
     * session ended (it froze, or lost the network) but whose replication connection PostgreSQL has not
     * timed out yet (wal_sender_timeout, 60 s by default): it is stopped, so this node need not wait.
     */
    private void takeSlotFromAFormerReader(Connection control) throws SQLException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            Integer pid = null;
            try (PreparedStatement s = control.prepareStatement("SELECT active_pid FROM pg_replication_slots WHERE slot_name = ?")) {
                s.setString(1, config.slot());
                try (ResultSet r = s.executeQuery()) {
                    if (r.next()) {
                        pid = (Integer) r.getObject(1);
                    }
                }
            }
            if (pid == null) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new SessionEnded("replication slot " + config.slot() + " is still read by backend " + pid);
            }
            log.warn("change capture: replication slot {} is still read by backend {} of a former reader; stopping it", config.slot(), pid);
            try (PreparedStatement s = control.prepareStatement("SELECT pg_terminate_backend(?)")) {
                s.setInt(1, pid);
                s.execute();
            }
            sleep(100);
        }
    }

    /** Creates the slot when it is missing or lost; then every stream this source fed starts a new epoch. */
    private void ensureSlot(Connection control) throws SQLException {
        String walStatus = null;
        boolean exists = false;
        try (PreparedStatement s = control.prepareStatement(
                "SELECT plugin, wal_status FROM pg_replication_slots WHERE slot_name = ? AND database = current_database()")) {
            s.setString(1, config.slot());
            try (ResultSet r = s.executeQuery()) {
                if (r.next()) {
                    exists = true;
                    if (!"pgoutput".equals(r.getString(1))) {
                        throw new ConfigException("cdc.postgres.slot", "slot " + config.slot() + " exists with plugin " + r.getString(1)
                                + ", not pgoutput: name another slot, or drop it with SELECT pg_drop_replication_slot('" + config.slot() + "')");
                    }
                    walStatus = r.getString(2);
                }
            }
        }
        if (exists && !"lost".equals(walStatus)) {
            return;
        }
        if (exists) {
            try (PreparedStatement s = control.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
                s.setString(1, config.slot());
                s.execute();
            }
        }
        try (PreparedStatement s = control.prepareStatement("SELECT pg_create_logical_replication_slot(?, 'pgoutput')")) {
            s.setString(1, config.slot());
            s.execute();
        }
        int restarted;
        try {
            restarted = hub.restart(source).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SessionEnded("interrupted");
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // the slot exists now: the next attempt finds it and would not restart the streams, so undo it
            dropQuietly(control);
            throw new SessionEnded("the broker could not start the fed streams over: " + firstLine(e));
        }
        if (exists || restarted > 0) {
            log.warn("change capture: replication slot {} was {}; created it again at the current position. The changes in between"
                            + " were not published; {} scope streams start a new epoch, so resuming sockets are told recovered:false",
                    config.slot(), exists ? "lost (wal_status = lost: max_slot_wal_keep_size was exceeded)" : "missing (dropped?)", restarted);
        } else {
            log.info("change capture: created replication slot {} (pgoutput); changes from now on are published", config.slot());
        }
    }

    private void dropQuietly(Connection control) {
        try (PreparedStatement s = control.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
            s.setString(1, config.slot());
            s.execute();
        } catch (SQLException e) {
            log.warn("change capture: could not drop slot {} after a failed start: {}", config.slot(), firstLine(e));
        }
    }

    /** One replication session: reads, publishes, confirms in order. */
    private final class Session {
        private final Connection control;
        private final PGReplicationStream stream;
        private final ScopeQueues queues = new ScopeQueues(hub, source);
        private final ArrayDeque<Pending> pending = new ArrayDeque<>();
        private final ChangeDecoder decoder = new ChangeDecoder(config.tables());
        private List<CompletableFuture<Void>> transaction = new ArrayList<>();
        private long nextHeartbeat;
        private boolean heartbeats = true;

        Session(Connection control, PGReplicationStream stream) {
            this.control = control;
            this.stream = stream;
        }

        void run() throws SQLException {
            while (!closed) {
                confirm();
                long now = System.currentTimeMillis();
                if (now >= nextHeartbeat) {
                    heartbeat(now);
                    nextHeartbeat = now + config.heartbeatMs();
                }
                if (queues.size() > MAX_IN_FLIGHT) {
                    sleep(1);
                    continue;
                }
                ByteBuffer b = stream.readPending();
                if (b == null) {
                    sleep(IDLE_POLL_MS);
                    continue;
                }
                handle(PgOutput.read(b));
            }
            drain();
        }

        private void handle(PgOutput.Message m) {
            ChangeDecoder.Change change = decoder.accept(m);
            if (change != null) {
                if (change.event() == null) {
                    meters.skipped(change.skipped());
                } else {
                    ChangeEvent e = change.event();
                    meters.event(e.schema() + "." + e.table(), e.eventType().name());
                    transaction.add(queues.add(e, change.key()));
                }
            } else if (m instanceof PgOutput.Begin) {
                transaction = new ArrayList<>();
            } else if (m instanceof PgOutput.Truncate t) {
                for (int id : t.relationIds()) {
                    ChangeRows rows = decoder.relation(id);
                    if (rows != null) {
                        meters.event(rows.qualified, "TRUNCATE");
                        transaction.add(hub.publishTruncate(rows.relation.schema(), rows.relation.name()).thenApply(r -> null));
                    }
                }
            } else if (m instanceof PgOutput.Commit c) {
                CompletableFuture<Void> done = transaction.isEmpty() ? CompletableFuture.completedFuture(null)
                        : CompletableFuture.allOf(transaction.toArray(CompletableFuture[]::new));
                pending.addLast(new Pending(c.endLsn(), done));
                transaction = new ArrayList<>();
            } else if (m instanceof PgOutput.Emitted e) {
                if (HEARTBEAT_PREFIX.equals(e.prefix())) {
                    try {
                        long sent = Long.parseLong(new String(e.content(), StandardCharsets.US_ASCII));
                        meters.lagSeconds(Math.max(0, System.currentTimeMillis() - sent) / 1000.0);
                    } catch (NumberFormatException ignored) {
                        // another writer's message under our prefix: no measurement
                    }
                }
                if (!e.transactional()) {
                    // outside a transaction: confirmed once what came before it is, so an idle slot still moves on
                    pending.addLast(new Pending(stream.getLastReceiveLSN().asLong(), CompletableFuture.completedFuture(null)));
                }
            }
            // relations are the decoder's; origin and type messages carry nothing to publish
        }

        /** Confirms the position after the transactions the broker took, in log order. */
        private void confirm() {
            long upTo = -1;
            while (!pending.isEmpty() && pending.peekFirst().done.isDone()) {
                Pending p = pending.pollFirst();
                if (p.done.isCompletedExceptionally()) {
                    throw new SessionEnded("the broker did not take a change: " + firstLine(p.done.handle((v, e) -> e).join()));
                }
                upTo = p.lsn;
            }
            if (upTo >= 0) {
                LogSequenceNumber lsn = LogSequenceNumber.valueOf(upTo);
                stream.setFlushedLSN(lsn);
                stream.setAppliedLSN(lsn);
            }
        }

        /** Writes a heartbeat into the log and reads how far the slot is behind and whether it still exists. */
        private void heartbeat(long now) throws SQLException {
            if (heartbeats) {
                // transactional: its commit flushes the log at once, so the lag is not the WAL writer's delay (200 ms)
                try (PreparedStatement s = control.prepareStatement("SELECT pg_logical_emit_message(true, ?, ?)")) {
                    s.setString(1, HEARTBEAT_PREFIX);
                    s.setString(2, Long.toString(now));
                    s.execute();
                } catch (SQLException e) {
                    if (control.isClosed() || !control.isValid(5)) {
                        throw e;
                    }
                    heartbeats = false;
                    log.warn("change capture: heartbeats cannot be written ({}); herald_cdc_lag_seconds stays unknown", firstLine(e));
                }
            }
            try (PreparedStatement s = control.prepareStatement(
                    "SELECT wal_status, pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn) FROM pg_replication_slots WHERE slot_name = ?")) {
                s.setString(1, config.slot());
                try (ResultSet r = s.executeQuery()) {
                    if (!r.next()) {
                        throw new SessionEnded("replication slot " + config.slot() + " was dropped");
                    }
                    if ("lost".equals(r.getString(1))) {
                        throw new SessionEnded("replication slot " + config.slot() + " was lost");
                    }
                    meters.lagBytes(r.getLong(2));
                }
            }
        }

        /** On close: waits a little for what is on its way, and confirms it. */
        private void drain() throws SQLException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (!pending.isEmpty() && System.nanoTime() < deadline) {
                try {
                    confirm();
                } catch (SessionEnded e) {
                    break;
                }
                sleep(5);
            }
            stream.forceUpdateStatus();
        }
    }

    private record Pending(long lsn, CompletableFuture<Void> done) {
    }

    /** The session cannot go on; the next one starts from the last confirmed position. */
    private static final class SessionEnded extends RuntimeException {
        SessionEnded(String message) {
            super(message, null, false, false);
        }
    }

    /** The start-up checks, each failing with what to change. */
    static final class Checks {
        private static final String DUPLICATE_OBJECT = "42710";
        private static final String UNIQUE_VIOLATION = "23505";

        private Checks() {
        }

        static void run(Connection c, CdcConfig.Postgres config) throws SQLException {
            String where = config.urlWithoutParameters();
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SHOW wal_level")) {
                r.next();
                String level = r.getString(1);
                if (!"logical".equals(level)) {
                    throw new ConfigException("cdc.postgres.url", "wal_level is '" + level + "' on " + where + "; change capture needs"
                            + " wal_level = logical (postgresql.conf, or ALTER SYSTEM SET wal_level = logical) and a restart of PostgreSQL");
                }
            }
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(
                    "SELECT current_user, rolreplication OR rolsuper FROM pg_roles WHERE rolname = current_user")) {
                if (r.next() && !r.getBoolean(2)) {
                    String role = r.getString(1);
                    throw new ConfigException("cdc.postgres.user", "role " + role + " may not read a replication stream: ALTER ROLE \""
                            + role + "\" WITH REPLICATION, and allow it a replication connection in pg_hba.conf");
                }
            }
            for (String table : config.tables().keySet()) {
                int dot = table.indexOf('.');
                try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM pg_class k JOIN pg_namespace n ON n.oid = k.relnamespace"
                        + " WHERE n.nspname = ? AND k.relname = ? AND k.relkind IN ('r', 'p')")) {
                    s.setString(1, table.substring(0, dot));
                    s.setString(2, table.substring(dot + 1));
                    try (ResultSet r = s.executeQuery()) {
                        if (!r.next()) {
                            throw new ConfigException("cdc.postgres.tables." + table, "no table " + table + " in " + where);
                        }
                    }
                }
            }
            publication(c, config);
        }

        private static void publication(Connection c, CdcConfig.Postgres config) throws SQLException {
            String name = config.publication();
            boolean exists;
            try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM pg_publication WHERE pubname = ?")) {
                s.setString(1, name);
                try (ResultSet r = s.executeQuery()) {
                    exists = r.next();
                }
            }
            List<String> quoted = new ArrayList<>();
            config.tables().keySet().forEach(t -> quoted.add(quote(t)));
            if (!exists) {
                String create = "CREATE PUBLICATION " + name + " FOR TABLE " + String.join(", ", quoted);
                try (Statement s = c.createStatement()) {
                    s.execute(create);
                    log.info("change capture: created publication {} for {}", name, config.tables().keySet());
                    return;
                } catch (SQLException e) {
                    // nodes of a cluster starting together: another one created it first, so check what it holds
                    // (42710 when it exists already; 23505 on the catalog's unique index when both ran at the same moment)
                    if (!DUPLICATE_OBJECT.equals(e.getSQLState()) && !UNIQUE_VIOLATION.equals(e.getSQLState())) {
                        throw new ConfigException("cdc.postgres.publication", "publication " + name + " does not exist and could not be created ("
                                + firstLine(e) + "); run as the tables' owner: " + create);
                    }
                }
            }
            Set<String> published = new HashSet<>();
            try (PreparedStatement s = c.prepareStatement("SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = ?")) {
                s.setString(1, name);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        published.add(r.getString(1) + "." + r.getString(2));
                    }
                }
            }
            for (String table : config.tables().keySet()) {
                if (!published.contains(table)) {
                    throw new ConfigException("cdc.postgres.publication", "publication " + name + " does not include " + table
                            + ": ALTER PUBLICATION " + name + " ADD TABLE " + quote(table));
                }
            }
        }

        private static String quote(String qualified) {
            int dot = qualified.indexOf('.');
            return "\"" + qualified.substring(0, dot).replace("\"", "\"\"") + "\".\"" + qualified.substring(dot + 1).replace("\"", "\"\"") + "\"";
        }
    }

    /** The change-capture meters: events by table and operation, skipped rows by reason, lag, leadership. */
    private static final class CdcMeters {
        private final MeterRegistry registry;
        private final Map<String, Counter> events = new ConcurrentHashMap<>();
        private final Map<String, Counter> skipped = new ConcurrentHashMap<>();
        private final AtomicLong lagBytes = new AtomicLong();
        private final AtomicLong lagMicros = new AtomicLong();
        private final Counter heartbeats;

        CdcMeters(MeterRegistry registry, java.util.function.BooleanSupplier leader) {
            this.registry = registry;
            Gauge.builder("herald.cdc.lag.bytes", lagBytes, AtomicLong::get)
                    .description("How far the replication slot's confirmed position is behind the database's log (bytes; on the reading node)")
                    .register(registry);
            Gauge.builder("herald.cdc.lag.seconds", lagMicros, m -> m.get() / 1e6)
                    .description("How long the last heartbeat took from the database's log to this reader (seconds; on the reading node)")
                    .register(registry);
            // a gauge holds its object weakly, and nothing else holds this supplier: held strongly, or a GC turns it into NaN
            Gauge.builder("herald.cdc.leader", leader, l -> l.getAsBoolean() ? 1 : 0).strongReference(true)
                    .description("1 on the node reading the replication slot, else 0").register(registry);
            heartbeats = Counter.builder("herald.cdc.heartbeats").description("Heartbeats read back from the replication stream")
                    .register(registry);
        }

        void event(String table, String op) {
            events.computeIfAbsent(table + "\n" + op, k -> Counter.builder("herald.cdc.events").tag("table", table).tag("op", op)
                    .description("Row changes read from the replication stream and published").register(registry)).increment();
        }

        void skipped(String reason) {
            skipped.computeIfAbsent(reason, k -> Counter.builder("herald.cdc.skipped").tag("reason", reason)
                    .description("Row changes read but not published, by reason").register(registry)).increment();
        }

        void lagBytes(long bytes) {
            lagBytes.set(bytes);
        }

        void lagSeconds(double seconds) {
            lagMicros.set((long) (seconds * 1e6));
            heartbeats.increment();
        }
    }

    static Connection connect(CdcConfig.Postgres config, boolean replication) throws SQLException {
        Properties p = new Properties();
        if (config.user() != null) {
            PGProperty.USER.set(p, config.user());
        }
        if (config.password() != null) {
            PGProperty.PASSWORD.set(p, config.password());
        }
        PGProperty.CONNECT_TIMEOUT.set(p, 10);
        PGProperty.TCP_KEEP_ALIVE.set(p, true);
        PGProperty.APPLICATION_NAME.set(p, "herald-cdc");
        if (replication) {
            PGProperty.ASSUME_MIN_SERVER_VERSION.set(p, "10");
            PGProperty.REPLICATION.set(p, "database");
            PGProperty.PREFER_QUERY_MODE.set(p, "simple");
        } else {
            // a control query that hangs (a lost network) must end the leadership, not freeze it
            PGProperty.SOCKET_TIMEOUT.set(p, 30);
        }
        return DriverManager.getConnection(config.url(), p);
    }

    /**
     * The key of a transaction's {@code index}th event: the commit LSN and the index in fixed-width
     * lower-case hex, so keys compare as strings in log order (in Redis's Lua too).
     */
    static String key(long commitLsn, int index) {
        char[] out = new char[24];
        for (int i = 15; i >= 0; i--) {
            out[i] = HEX[(int) (commitLsn & 0xf)];
            commitLsn >>>= 4;
        }
        for (int i = 23; i >= 16; i--) {
            out[i] = HEX[index & 0xf];
            index >>>= 4;
        }
        return new String(out);
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** The advisory lock of a slot: the first 8 bytes of SHA-256 of its name, so two slots' readers never share one. */
    static long lockKey(String slot) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(("herald-cdc:" + slot).getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(d).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String firstLine(Throwable e) {
        Throwable t = e instanceof java.util.concurrent.ExecutionException || e instanceof java.util.concurrent.CompletionException
                ? (e.getCause() == null ? e : e.getCause()) : e;
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return m.lines().findFirst().orElse(m);
    }
}
