package io.herald.datasource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.config.ConfigException;
import io.herald.config.DatasourceConfig;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configured datasources, each a connection pool with its own bounded worker pool. Queries run
 * through {@link #query}, which never blocks the caller. Thread-safe; owned by one Herald instance.
 */
public final class Datasources implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Datasources.class);
    private final Map<String, Pool> pools = new HashMap<>();

    /** Work done with a JDBC connection on a worker thread. */
    @FunctionalInterface
    public interface Work<T> {
        T apply(Connection c) throws SQLException;
    }

    private record Pool(HikariDataSource ds, ThreadPoolExecutor workers) {
    }

    public Datasources(Map<String, DatasourceConfig> configs) {
        try {
            configs.forEach((name, c) -> pools.put(name, open(name, c)));
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private static Pool open(String name, DatasourceConfig c) {
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("herald-ds-" + name);
        hc.setJdbcUrl(c.url());
        if (c.username() != null) {
            hc.setUsername(c.username());
        }
        if (c.password() != null) {
            hc.setPassword(c.password());
        }
        hc.setMaximumPoolSize(c.maxPoolSize());
        hc.setMinimumIdle(1);
        hc.setConnectionTimeout(5_000);
        HikariDataSource ds;
        try {
            ds = new HikariDataSource(hc);
        } catch (RuntimeException e) {
            throw new ConfigException("datasources." + name, "cannot connect: " + rootMessage(e));
        }
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor workers = new ThreadPoolExecutor(c.maxPoolSize(), c.maxPoolSize(), 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(c.maxQueue()), r -> {
                    Thread t = new Thread(r, "herald-ds-" + name + "-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        workers.allowCoreThreadTimeOut(true);
        return new Pool(ds, workers);
    }

    private static String rootMessage(Throwable e) {
        while (e.getCause() != null) {
            e = e.getCause();
        }
        return e.getMessage();
    }

    public boolean has(String name) {
        return pools.containsKey(name);
    }

    /** Runs {@code work} synchronously on the calling thread; for start-up validation only. */
    public <T> T inline(String name, Work<T> work) throws SQLException {
        try (Connection c = pool(name).ds().getConnection()) {
            return work.apply(c);
        }
    }

    /**
     * Runs {@code work} with a pooled connection on the datasource's worker pool.
     *
     * @return a future failed with 503 {@code unavailable} when the database errs or the queue is full
     */
    public <T> CompletableFuture<T> query(String name, Work<T> work) {
        Pool p = pool(name);
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            p.workers().execute(() -> {
                try (Connection c = p.ds().getConnection()) {
                    result.complete(work.apply(c));
                } catch (SQLException | RuntimeException e) {
                    log.warn("query on datasource {} failed: {}", name, e.toString());
                    result.completeExceptionally(new HeraldException(ErrorCode.UNAVAILABLE, "The access check could not run."));
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new HeraldException(ErrorCode.UNAVAILABLE, "Too many access checks queued."));
        }
        return result;
    }

    private Pool pool(String name) {
        Pool p = pools.get(name);
        if (p == null) {
            throw new IllegalArgumentException("no datasource " + name);
        }
        return p;
    }

    @Override
    public void close() {
        pools.values().forEach(p -> {
            p.workers().shutdownNow();
            p.ds().close();
        });
        pools.clear();
    }
}
