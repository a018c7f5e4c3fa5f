package io.herald.config;

/** A JDBC datasource of the application (SQLite or PostgreSQL) used by access checks. */
public record DatasourceConfig(
        @Doc(value = "JDBC URL; the SQLite and PostgreSQL drivers are in the jar.", required = true, example = "jdbc:sqlite:./app.db")
        String url,
        @Doc(value = "User to connect as.", example = "app") String username,
        @Doc(value = "Password of that user; use a ${VAR} reference.", example = "${APP_DB_PASSWORD}") String password,
        @Doc("Connections in the pool.") Integer maxPoolSize,
        @Doc("Checks waiting for a connection; past it they fail (503 unavailable from the ticket endpoint).") Integer maxQueue) {
    public static final int DEFAULT_POOL_SIZE = 4;
    public static final int DEFAULT_MAX_QUEUE = 1000;

    public DatasourceConfig {
        if (url == null || !url.startsWith("jdbc:")) {
            throw new ConfigException("datasources.*.url", "must be a JDBC URL (jdbc:sqlite:..., jdbc:postgresql://...)");
        }
        maxPoolSize = maxPoolSize == null ? DEFAULT_POOL_SIZE : maxPoolSize;
        maxQueue = maxQueue == null ? DEFAULT_MAX_QUEUE : maxQueue;
        ServerConfig.positive("datasources.*.maxPoolSize", maxPoolSize);
        ServerConfig.positive("datasources.*.maxQueue", maxQueue);
    }

    public static DatasourceConfig of(String url) {
        return new DatasourceConfig(url, null, null, null, null);
    }

    @Override
    public String toString() {
        return "DatasourceConfig[url=" + url + "]";
    }
}
