package io.herald.config;

/** A JDBC datasource of the application (SQLite or PostgreSQL) used by access checks. */
public record DatasourceConfig(String url, String username, String password, Integer maxPoolSize, Integer maxQueue) {
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
