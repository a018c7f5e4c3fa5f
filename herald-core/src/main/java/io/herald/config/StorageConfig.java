package io.herald.config;

import java.util.regex.Pattern;

/**
 * Where room storage lives and each room's byte budget: one SQLite file at {@code path} (the embedded
 * default), or, when {@code url} names a {@code jdbc:postgresql:} database, tables in {@code schema}
 * of that database reached through a pool of {@code poolSize} connections as {@code user} /
 * {@code password}. Set one of {@code path} and {@code url}, not both. {@link #toString()} hides the
 * password.
 */
public record StorageConfig(
        @Doc("SQLite file holding every room's storage (WAL); not with url.") String path,
        @Doc("Storage per room, keys and values, in bytes.") Long maxRoomBytes,
        @Doc(value = "PostgreSQL JDBC URL to keep rooms in instead of the SQLite file; its ?parameters go to the driver.",
                example = "jdbc:postgresql://db.internal:5432/app")
        String url,
        @Doc(value = "PostgreSQL user to connect as.", example = "herald") String user,
        @Doc("Password of that user.") String password,
        @Doc("PostgreSQL schema holding Herald's tables, created if missing.") String schema,
        @Doc("PostgreSQL connections per node.") Integer poolSize,
        @Doc("How long one PostgreSQL statement may run, lock waits included, in ms (100..600000).") Long statementTimeoutMs) {
    public static final String DEFAULT_PATH = "./data/herald.db";
    public static final long DEFAULT_MAX_ROOM_BYTES = 10L * 1024 * 1024;
    public static final String DEFAULT_SCHEMA = "herald";
    public static final int DEFAULT_POOL_SIZE = 8;
    /** How long one PostgreSQL statement may run (a lock wait included) before it fails instead of holding a room worker. */
    public static final long DEFAULT_STATEMENT_TIMEOUT_MS = 10_000;
    /** The only JDBC database a storage URL may name today. */
    public static final String POSTGRES_PREFIX = "jdbc:postgresql:";
    // interpolated into DDL (identifiers cannot be bound as parameters), so only plain lower-case names
    private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    public StorageConfig {
        url = url == null || url.isBlank() ? null : url;
        if (url != null && !url.startsWith(POSTGRES_PREFIX)) {
            throw new ConfigException("storage.url", "must be a PostgreSQL JDBC URL (" + POSTGRES_PREFIX + "//host:5432/db);"
                    + " SQLite is configured with storage.path");
        }
        if (url != null && path != null && !path.isBlank()) {
            throw new ConfigException("storage.path", "set either storage.path (SQLite) or storage.url (PostgreSQL), not both");
        }
        path = path == null || path.isBlank() ? DEFAULT_PATH : path;
        maxRoomBytes = maxRoomBytes == null ? DEFAULT_MAX_ROOM_BYTES : maxRoomBytes;
        ServerConfig.positive("storage.maxRoomBytes", maxRoomBytes);
        user = user == null || user.isBlank() ? null : user;
        password = password == null || password.isEmpty() ? null : password;
        schema = schema == null || schema.isBlank() ? DEFAULT_SCHEMA : schema;
        if (!SCHEMA.matcher(schema).matches()) {
            throw new ConfigException("storage.schema", "1 to 63 lower-case letters, digits or '_', not starting with a digit");
        }
        poolSize = poolSize == null ? DEFAULT_POOL_SIZE : poolSize;
        ServerConfig.positive("storage.poolSize", poolSize);
        statementTimeoutMs = statementTimeoutMs == null ? DEFAULT_STATEMENT_TIMEOUT_MS : statementTimeoutMs;
        if (statementTimeoutMs < 100 || statementTimeoutMs > 600_000) {
            throw new ConfigException("storage.statementTimeoutMs", "must be 100..600000");
        }
    }

    /** SQLite at {@code path} with a budget of {@code maxRoomBytes} per room (null: the defaults). */
    public StorageConfig(String path, Long maxRoomBytes) {
        this(path, maxRoomBytes, null, null, null, null, null, null);
    }

    /** PostgreSQL at {@code url} in {@code schema} (null: {@value #DEFAULT_SCHEMA}), other settings at their defaults. */
    public static StorageConfig postgres(String url, String user, String password, String schema) {
        return new StorageConfig(null, null, url, user, password, schema, null, null);
    }

    public static StorageConfig defaults() {
        return new StorageConfig(null, null);
    }

    /** Whether rooms are stored in PostgreSQL ({@code url} is set) rather than the SQLite file. */
    public boolean postgres() {
        return url != null;
    }

    /**
     * {@code url} without its parameters, for messages and logs: pgjdbc takes {@code ?password=} there too.
     * Null when no URL is set.
     */
    public String urlWithoutParameters() {
        return withoutParameters(url);
    }

    /** A JDBC URL without its parameters (null for null), for messages and logs: pgjdbc takes {@code ?password=} there too. */
    static String withoutParameters(String url) {
        if (url == null) {
            return null;
        }
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q);
    }

    @Override
    public String toString() {
        return postgres()
                ? "StorageConfig[url=" + urlWithoutParameters() + ", user=" + user + ", schema=" + schema + ", poolSize=" + poolSize
                        + ", maxRoomBytes=" + maxRoomBytes + "]"
                : "StorageConfig[path=" + path + ", maxRoomBytes=" + maxRoomBytes + "]";
    }
}
