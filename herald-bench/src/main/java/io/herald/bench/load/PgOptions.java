package io.herald.bench.load;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import org.postgresql.PGProperty;
import picocli.CommandLine.Option;

/** Where the change-capture commands find PostgreSQL: the database Herald reads ({@code cdc-lag}) or records from ({@code cdc-record}). */
final class PgOptions {
    @Option(names = "--pg-url", required = true, description = "JDBC URL of the database, e.g. jdbc:postgresql://127.0.0.1:15433/bench.")
    String url;

    @Option(names = "--pg-user", defaultValue = "postgres", description = "Database user (default: ${DEFAULT-VALUE}).")
    String user;

    @Option(names = "--pg-password", defaultValue = "${env:PGPASSWORD}", description = "Database password (default: $PGPASSWORD).")
    String password;

    /** An ordinary connection, or with {@code replication} one that can stream a logical slot. */
    Connection connect(boolean replication) throws SQLException {
        Properties p = new Properties();
        PGProperty.USER.set(p, user);
        if (password != null && !password.isEmpty()) {
            PGProperty.PASSWORD.set(p, password);
        }
        PGProperty.APPLICATION_NAME.set(p, replication ? "herald-bench-record" : "herald-bench");
        if (replication) {
            PGProperty.ASSUME_MIN_SERVER_VERSION.set(p, "10");
            PGProperty.REPLICATION.set(p, "database");
            PGProperty.PREFER_QUERY_MODE.set(p, "simple");
        }
        return DriverManager.getConnection(url, p);
    }
}
