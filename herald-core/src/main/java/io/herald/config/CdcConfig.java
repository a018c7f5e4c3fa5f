package io.herald.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Change capture: rows changed in a PostgreSQL database become postgres_changes events, read from the
 * database's logical replication stream instead of posted by a backend. Off unless
 * {@code cdc.postgres.url} is set.
 */
public record CdcConfig(
        @Doc("The PostgreSQL database whose changes are read; off unless url is set.") Postgres postgres) {

    public CdcConfig {
        postgres = postgres == null ? Postgres.none() : postgres;
    }

    public static CdcConfig defaults() {
        return new CdcConfig(null);
    }

    /** Whether a database is configured. */
    public boolean enabled() {
        return postgres.url() != null;
    }

    /**
     * The database to read ({@code url}, {@code user}, {@code password}), the replication slot and
     * publication Herald keeps there, the tables it publishes and where each row goes; how often the
     * leader writes a heartbeat into the log ({@code heartbeatMs}, which measures the lag), and how often a
     * node that is not the leader tries to become it ({@code leaderRetryMs}). {@link #toString()} hides the
     * password.
     */
    public record Postgres(
            @Doc(value = "JDBC URL of the database; setting it turns change capture on.",
                    example = "jdbc:postgresql://127.0.0.1:5432/app")
            String url,
            @Doc(value = "User to connect as; it needs the REPLICATION attribute (see cdc.md).", example = "herald") String user,
            @Doc("Password of that user.") String password,
            @Doc("Logical replication slot Herald keeps in the database: created if absent, never dropped.") String slot,
            @Doc("Publication Herald reads: created for the tables below if absent.") String publication,
            @Doc(value = "Tables to publish (<schema>.<table>, or <table> in public) and where each row goes;"
                    + " each needs broadcast.tables rules.", key = "table")
            Map<String, Source> tables,
            @Doc("How often the reading node writes a heartbeat into the log, in ms (measures the lag, moves idle databases on).")
            Long heartbeatMs,
            @Doc("How often a node that does not read tries to take over, in ms (100..8000).") Long leaderRetryMs) {
        public static final String DEFAULT_SLOT = "herald";
        public static final String DEFAULT_PUBLICATION = "herald";
        public static final long DEFAULT_HEARTBEAT_MS = 5_000;
        public static final long DEFAULT_LEADER_RETRY_MS = 2_000;
        // slot and publication names go into SQL as identifiers (they cannot be bound): plain names only
        private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
        private static final Pattern TABLE = Pattern.compile("(?:([A-Za-z_][A-Za-z0-9_$]{0,62})\\.)?([A-Za-z_][A-Za-z0-9_$]{0,62})");

        public Postgres {
            url = url == null || url.isBlank() ? null : url;
            if (url != null && !url.startsWith(StorageConfig.POSTGRES_PREFIX)) {
                throw new ConfigException("cdc.postgres.url", "must be a PostgreSQL JDBC URL (" + StorageConfig.POSTGRES_PREFIX + "//host:5432/db)");
            }
            user = user == null || user.isBlank() ? null : user;
            password = password == null || password.isEmpty() ? null : password;
            slot = slot == null || slot.isBlank() ? DEFAULT_SLOT : slot;
            if (!NAME.matcher(slot).matches()) {
                throw new ConfigException("cdc.postgres.slot", "1 to 63 lower-case letters, digits or '_', not starting with a digit");
            }
            publication = publication == null || publication.isBlank() ? DEFAULT_PUBLICATION : publication;
            if (!NAME.matcher(publication).matches()) {
                throw new ConfigException("cdc.postgres.publication", "1 to 63 lower-case letters, digits or '_', not starting with a digit");
            }
            Map<String, Source> byName = new LinkedHashMap<>();
            if (tables != null) {
                tables.forEach((name, source) -> {
                    String path = "cdc.postgres.tables." + name;
                    Matcher m = TABLE.matcher(name);
                    if (!m.matches()) {
                        throw new ConfigException(path, "a table is named <schema>.<table> or <table> (schema public)");
                    }
                    if (source == null) {
                        throw new ConfigException(path, "needs organizationColumn or scopeKey");
                    }
                    source.validate(path);
                    String qualified = (m.group(1) == null ? "public" : m.group(1)) + "." + m.group(2);
                    if (byName.put(qualified, source) != null) {
                        throw new ConfigException(path, "names the same table as another entry (" + qualified + ")");
                    }
                });
            }
            tables = java.util.Collections.unmodifiableMap(byName);
            if (url != null && tables.isEmpty()) {
                throw new ConfigException("cdc.postgres.tables", "name at least one table to publish");
            }
            heartbeatMs = heartbeatMs == null ? DEFAULT_HEARTBEAT_MS : heartbeatMs;
            if (heartbeatMs < 100 || heartbeatMs > 600_000) {
                throw new ConfigException("cdc.postgres.heartbeatMs", "must be 100..600000");
            }
            leaderRetryMs = leaderRetryMs == null ? DEFAULT_LEADER_RETRY_MS : leaderRetryMs;
            if (leaderRetryMs < 100 || leaderRetryMs > 8_000) {
                // a follower must take over within 10 s of the leader's death
                throw new ConfigException("cdc.postgres.leaderRetryMs", "must be 100..8000");
            }
        }

        static Postgres none() {
            return new Postgres(null, null, null, null, null, null, null, null);
        }

        /** {@code url} without its parameters, for messages and logs (pgjdbc takes {@code ?password=} there too). */
        public String urlWithoutParameters() {
            return StorageConfig.withoutParameters(url);
        }

        @Override
        public String toString() {
            return "Postgres[url=" + urlWithoutParameters() + ", user=" + user + ", slot=" + slot + ", publication=" + publication
                    + ", tables=" + tables.keySet() + "]";
        }
    }

    /**
     * Where the rows of one table go: to the organization named by {@code organizationColumn}
     * ({@code org:<value>}) or to the scope {@code scopeKey} builds from the row ({@code events:{event_id}});
     * narrowed to the user named by {@code userColumn} when set.
     */
    public record Source(
            @Doc(value = "Column naming the organization a row goes to (org:<value>); or use scopeKey.",
                    example = "organization_id")
            String organizationColumn,
            @Doc(value = "Scope a row goes to, built from its columns; or use organizationColumn.", example = "\"events:{event_id}\"")
            String scopeKey,
            @Doc(value = "Column naming the one user who gets the row, when set.", example = "recipient_id") String userColumn) {
        private static final Pattern COLUMN = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]{0,62}");
        private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^{}]*)}");
        private static final Pattern SCOPE_KIND = Pattern.compile("[A-Za-z0-9_.-]{1,64}:.*");

        public Source {
            organizationColumn = organizationColumn == null || organizationColumn.isBlank() ? null : organizationColumn;
            scopeKey = scopeKey == null || scopeKey.isBlank() ? null : scopeKey;
            userColumn = userColumn == null || userColumn.isBlank() ? null : userColumn;
        }

        void validate(String path) {
            if ((organizationColumn == null) == (scopeKey == null)) {
                throw new ConfigException(path, "set exactly one of organizationColumn and scopeKey");
            }
            if (organizationColumn != null && !COLUMN.matcher(organizationColumn).matches()) {
                throw new ConfigException(path + ".organizationColumn", "is not a column name");
            }
            if (userColumn != null && !COLUMN.matcher(userColumn).matches()) {
                throw new ConfigException(path + ".userColumn", "is not a column name");
            }
            if (scopeKey != null) {
                int brace = scopeKey.indexOf('{');
                if (!SCOPE_KIND.matcher(scopeKey).matches() || (brace >= 0 && brace < scopeKey.indexOf(':'))) {
                    throw new ConfigException(path + ".scopeKey", "must look like <kind>:{column}, e.g. events:{event_id}");
                }
                if (scopeColumns().isEmpty()) {
                    throw new ConfigException(path + ".scopeKey", "names no column: use {column} for the row's value");
                }
                for (String c : scopeColumns()) {
                    if (!COLUMN.matcher(c).matches()) {
                        throw new ConfigException(path + ".scopeKey", "'{" + c + "}' is not a column name");
                    }
                }
                String rest = PLACEHOLDER.matcher(scopeKey).replaceAll("");
                if (rest.indexOf('{') >= 0 || rest.indexOf('}') >= 0) {
                    throw new ConfigException(path + ".scopeKey", "has an unbalanced brace");
                }
            }
        }

        /** The columns {@code scopeKey} names, in order. */
        public List<String> scopeColumns() {
            List<String> out = new ArrayList<>();
            if (scopeKey != null) {
                Matcher m = PLACEHOLDER.matcher(scopeKey);
                while (m.find()) {
                    out.add(m.group(1));
                }
            }
            return out;
        }

        /** The literal start of every scope this source names ({@code org:}, or {@code scopeKey} up to its first column). */
        public String scopePrefix() {
            return organizationColumn != null ? "org:" : scopeKey.substring(0, scopeKey.indexOf('{'));
        }
    }
}
