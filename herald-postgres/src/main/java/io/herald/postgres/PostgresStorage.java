package io.herald.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.herald.config.ConfigException;
import io.herald.config.StorageConfig;
import io.herald.storage.RoomStore;
import io.herald.storage.Storage;
import io.herald.storage.StorageLimits;
import java.sql.Connection;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Storage} of a cluster: every node's rooms, durable channels and Yjs documents in one
 * PostgreSQL database, in the tables of {@code storage.schema} ({@link PostgresSchema}), created on
 * first start. Same contract as the embedded SQLite storage: per-room keys and values, atomic batches,
 * prefix listing in key order, the per-room byte budget. A write is committed when it returns.
 *
 * <p>Thread-safe: each call borrows a connection from a HikariCP pool of {@code storage.poolSize}.
 * Calls block (room workers make them, never event loops). Writers of one room, on any node, are
 * serialised by a lock on the room's {@code rooms} row, which also keeps its byte count exact and
 * holds the room's fencing token (see {@link Storage}), checked and raised under that same lock.
 */
public final class PostgresStorage implements Storage {
    private static final Logger log = LoggerFactory.getLogger(PostgresStorage.class);
    /** A database that does not answer a connection attempt within this fails the start instead of hanging it. */
    private static final long CONNECT_TIMEOUT_MS = 10_000;

    private final HikariDataSource pool;
    private final PostgresSchema schema;
    private final long maxRoomBytes;

    private PostgresStorage(HikariDataSource pool, PostgresSchema schema, long maxRoomBytes) {
        this.pool = pool;
        this.schema = schema;
        this.maxRoomBytes = maxRoomBytes;
    }

    /**
     * Connects to {@code config.url()}, creates the schema and tables if missing, and returns the open
     * storage. Blocks. A database that cannot be reached or refuses the login is a {@link ConfigException}
     * on {@code storage.url} whose message names the URL without its parameters and never the password.
     */
    public static PostgresStorage open(StorageConfig config) {
        if (!config.postgres()) {
            throw new ConfigException("storage.url", "is not set: PostgreSQL storage needs a jdbc:postgresql: URL");
        }
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("herald-storage");
        hc.setJdbcUrl(config.url());
        hc.setUsername(config.user());
        hc.setPassword(config.password());
        hc.setMaximumPoolSize(config.poolSize());
        hc.setMinimumIdle(Math.min(2, config.poolSize()));
        hc.setConnectionTimeout(CONNECT_TIMEOUT_MS);
        // A hung database or a held row lock must fail a room's call, not hold its worker for good. And a
        // transaction left open by a process that froze mid-write (a stalled owner) must not keep the
        // room's row locked from its next owner: the server ends it once it has waited as long as a
        // statement may run. Herald's transactions are a few round trips, never idle on purpose.
        hc.setConnectionInitSql("SET statement_timeout = " + config.statementTimeoutMs()
                + "; SET idle_in_transaction_session_timeout = " + config.statementTimeoutMs());
        hc.addDataSourceProperty("ApplicationName", "herald");
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(hc);
        } catch (RuntimeException e) {
            throw cannotConnect(config, e);
        }
        try (Connection c = pool.getConnection()) {
            PostgresSchema schema = new PostgresSchema(config.schema());
            boolean created = schema.ensure(c);
            log.info("room storage: PostgreSQL at {}, schema {} ({})", config.urlWithoutParameters(), config.schema(),
                    created ? "created" : "existing");
            return new PostgresStorage(pool, schema, config.maxRoomBytes());
        } catch (SQLException | RuntimeException e) {
            pool.close();
            if (e instanceof ConfigException ce) {
                throw ce;
            }
            throw cannotConnect(config, e);
        }
    }

    /** The first line of the deepest cause, with the password blanked out should a driver ever echo it. */
    private static ConfigException cannotConnect(StorageConfig config, Exception e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String why = String.valueOf(root.getMessage()).lines().findFirst().orElse(root.getClass().getSimpleName());
        if (config.password() != null) {
            why = why.replace(config.password(), "***");
        }
        String url = config.url();
        int q = url.indexOf('?');
        if (q >= 0) {
            // a password given as ?password= in the URL
            for (String param : url.substring(q + 1).split("&")) {
                int eq = param.indexOf('=');
                if (eq > 0 && param.substring(0, eq).equalsIgnoreCase("password") && eq + 1 < param.length()) {
                    why = why.replace(param.substring(eq + 1), "***");
                }
            }
        }
        return new ConfigException("storage.url", "cannot use PostgreSQL at " + config.urlWithoutParameters()
                + (config.user() == null ? "" : " as " + config.user()) + ": " + why);
    }

    @Override
    public RoomStore room(String party, String room) {
        return new PostgresRoomStore(pool, schema, party, room, maxRoomBytes, PostgresRoomStore.UNFENCED);
    }

    /** A store whose writes are refused once a newer token was stored in the room's {@code rooms} row. */
    @Override
    public RoomStore room(String party, String room, long fence) {
        return new PostgresRoomStore(pool, schema, party, room, maxRoomBytes, StorageLimits.checkFence(fence));
    }

    /** Closes the pool; calls after it fail. Idempotent. */
    @Override
    public void close() {
        pool.close();
    }
}
