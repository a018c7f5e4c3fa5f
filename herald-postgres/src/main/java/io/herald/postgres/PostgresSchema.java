package io.herald.postgres;

import io.herald.config.ConfigException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The tables of {@link PostgresStorage} in one schema, and their creation on first start. Every table
 * name is qualified with the (validated, quoted) schema so the connection's {@code search_path} never
 * matters. Stateless; {@link #ensure} blocks.
 *
 * <pre>
 *   rooms           (party, room) PRIMARY KEY, bytes bigint, fence bigint
 *                   one row per room that was ever written or fenced: its byte count, kept in step by
 *                   every write under this row's lock, and the newest fencing token a fenced write or
 *                   claim stored (0 until one does); fenced writes with an older token are refused
 *   room_kv         (party, room, k COLLATE "C") PRIMARY KEY, v bytea
 *                   the keys and values; "C" orders keys by their UTF-8 bytes (= code point order) and
 *                   lets a LIKE 'prefix%' use the primary key's index as a range
 *   storage_version (version int)   one row: the layout version, so a later layout can migrate this one
 * </pre>
 */
final class PostgresSchema {
    /** The layout this code reads and writes. */
    static final int VERSION = 1;
    // any constant: the advisory lock makes nodes starting together create the tables one after the other,
    // since concurrent CREATE ... IF NOT EXISTS can still fail on the catalog's unique indexes
    private static final long DDL_LOCK = 0x4865_7261_6c64_5331L;

    final String rooms;
    final String kv;
    final String version;
    private final String schema;

    /** {@code schema} must already be a plain lower-case identifier (StorageConfig checks it). */
    PostgresSchema(String schema) {
        this.schema = schema;
        this.rooms = quoted(schema) + ".rooms";
        this.kv = quoted(schema) + ".room_kv";
        this.version = quoted(schema) + ".storage_version";
    }

    private static String quoted(String identifier) {
        return '"' + identifier + '"';
    }

    /**
     * Creates the schema and its tables when any is missing, then checks the layout version. Returns
     * whether anything was created. Refuses a database whose encoding is not UTF-8 (byte counts are
     * {@code octet_length}s, which must equal Java's UTF-8 lengths) and a layout newer than this code.
     */
    boolean ensure(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW server_encoding")) {
            rs.next();
            if (!"UTF8".equalsIgnoreCase(rs.getString(1))) {
                throw new ConfigException("storage.url", "the database's encoding is " + rs.getString(1)
                        + "; Herald's storage needs UTF8 (CREATE DATABASE ... ENCODING 'UTF8')");
            }
        }
        // existing tables are used as they are, so a role without CREATE rights runs once a DBA made them
        boolean created = false;
        if (tablesPresent(c) < 3) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("SELECT pg_advisory_xact_lock(" + DDL_LOCK + ")");
                s.execute("CREATE SCHEMA IF NOT EXISTS " + quoted(schema));
                s.execute("CREATE TABLE IF NOT EXISTS " + rooms + " (party text NOT NULL, room text NOT NULL,"
                        + " bytes bigint NOT NULL DEFAULT 0, fence bigint NOT NULL DEFAULT 0, PRIMARY KEY (party, room))");
                s.execute("CREATE TABLE IF NOT EXISTS " + kv + " (party text NOT NULL, room text NOT NULL,"
                        + " k text COLLATE \"C\" NOT NULL, v bytea NOT NULL, PRIMARY KEY (party, room, k))");
                s.execute("CREATE TABLE IF NOT EXISTS " + version + " (version int NOT NULL)");
                s.execute("INSERT INTO " + version + " (version) SELECT " + VERSION
                        + " WHERE NOT EXISTS (SELECT 1 FROM " + version + ")");
                c.commit();
                created = true;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT max(version) FROM " + version)) {
            rs.next();
            int found = rs.getInt(1);
            if (found > VERSION) {
                throw new ConfigException("storage.schema", "schema " + schema + " has storage layout " + found
                        + ", written by a newer Herald; this one reads layout " + VERSION);
            }
        }
        return created;
    }

    private int tablesPresent(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = ?"
                + " AND tablename IN ('rooms', 'room_kv', 'storage_version')")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
