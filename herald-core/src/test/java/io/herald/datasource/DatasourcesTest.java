package io.herald.datasource;

import static io.herald.Refusals.assertFailsWith;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.ErrorCode;
import io.herald.config.ConfigException;
import io.herald.config.DatasourceConfig;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasourcesTest {
    @TempDir
    Path dir;
    private Datasources datasources;

    private Datasources open(DatasourceConfig config) {
        return new Datasources(Map.of("app", config));
    }

    @BeforeEach
    void openDatabase() throws Exception {
        datasources = open(DatasourceConfig.of("jdbc:sqlite:" + dir.resolve("app.db")));
        datasources.inline("app", c -> {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE items(id TEXT)");
                s.execute("INSERT INTO items VALUES ('a'), ('b')");
            }
            return null;
        });
    }

    @AfterEach
    void closeDatabase() {
        datasources.close();
    }

    @Test
    void aQueryRunsOnTheDatasourcesWorkerNotOnTheCaller() throws Exception {
        String worker = datasources.query("app", c -> Thread.currentThread().getName()).get(10, TimeUnit.SECONDS);

        assertThat(worker).startsWith("herald-ds-app-").isNotEqualTo(Thread.currentThread().getName());
    }

    @Test
    void aQueryReturnsWhatItsWorkComputes() throws Exception {
        int count = datasources.query("app", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM items WHERE id <> ?")) {
                ps.setString(1, "b");
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getInt(1);
                }
            }
        }).get(10, TimeUnit.SECONDS);

        assertThat(count).isEqualTo(1);
    }

    @Test
    void aFailingQueryFailsItsFutureAsUnavailableWithoutSqlDetails() {
        CompletableFuture<Object> f = datasources.query("app", c -> {
            c.prepareStatement("SELECT * FROM secret_table_name").executeQuery();
            return null;
        });

        assertThat(assertFailsWith(ErrorCode.UNAVAILABLE, f).getMessage()).doesNotContain("secret_table_name");
    }

    @Test
    void aFullQueueRefusesFurtherQueriesAsUnavailable() throws Exception {
        Datasources small = new Datasources(Map.of("tiny",
                new DatasourceConfig("jdbc:sqlite:" + dir.resolve("tiny.db"), null, null, 1, 1)));
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(1);
        try {
            CompletableFuture<Boolean> busy = small.query("tiny", c -> {
                running.countDown();
                try {
                    return release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            });
            assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<Integer> queued = small.query("tiny", c -> 2);

            assertFailsWith(ErrorCode.UNAVAILABLE, small.query("tiny", c -> 3));

            release.countDown();
            assertThat(busy.get(10, TimeUnit.SECONDS)).isTrue();
            assertThat(queued.get(10, TimeUnit.SECONDS)).isEqualTo(2);
        } finally {
            release.countDown();
            small.close();
        }
    }

    @Test
    void inlineRunsOnTheCallingThread() throws Exception {
        String thread = datasources.inline("app", c -> Thread.currentThread().getName());
        assertThat(thread).isEqualTo(Thread.currentThread().getName());
    }

    @Test
    void anUndeclaredDatasourceIsAProgrammingError() {
        assertThat(datasources.has("app")).isTrue();
        assertThat(datasources.has("other")).isFalse();
        assertThatThrownBy(() -> datasources.query("other", c -> 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aDatasourceThatCannotConnectFailsAtStartUpNamingIt() {
        assertThatThrownBy(() -> new Datasources(Map.of("broken", DatasourceConfig.of("jdbc:nosuchdriver://nowhere"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("datasources.broken:");
    }
}
