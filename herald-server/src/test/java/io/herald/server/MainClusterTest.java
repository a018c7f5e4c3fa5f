package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.config.ClusterConfig;
import io.herald.postgres.PgProcesses;
import io.herald.redis.RedisProcesses;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code herald serve} configured for a cluster through the environment, refusing a node id that is live
 * and per-node SQLite storage.
 */
class MainClusterTest {
    @RegisterExtension
    static final RedisProcesses REDIS = RedisProcesses.standalone();

    @RegisterExtension
    static final PgProcesses PG = PgProcesses.create();

    @TempDir
    Path dir;

    @Test
    void aNodeIdAlreadyLiveInTheClusterIsAOneLineConfigurationErrorWithExitCode2() {
        HeraldServer live = HeraldServer.start(TestServer.config("")
                .withCluster(new ClusterConfig("twin", new ClusterConfig.Redis(REDIS.url(0), null, null, null), null))
                .withStorage(PG.storage("twin")));
        try {
            StringWriter err = new StringWriter();
            Map<String, String> env = new HashMap<>(Map.of("ACCESS_TOKEN", TestServer.ACCESS_TOKEN, "JWT_SECRET", TestServer.JWT_SECRET,
                    "HERALD_CLUSTER_REDIS_URL", REDIS.url(0), "HERALD_CLUSTER_NODE_ID", "twin",
                    "HERALD_STORAGE_URL", PG.url(), "HERALD_STORAGE_SCHEMA", "twin"));
            if (PG.user() != null) {
                env.put("HERALD_STORAGE_USER", PG.user());
            }
            if (PG.password() != null) {
                env.put("HERALD_STORAGE_PASSWORD", PG.password());
            }
            int code = new CommandLine(new Main(env)).setErr(new PrintWriter(err, true)).execute("serve", "--port", "0");

            assertThat(code).isEqualTo(2);
            assertThat(err.toString()).isEqualTo("herald: configuration error: cluster.nodeId: node id 'twin' is already used by a live node"
                    + System.lineSeparator());
        } finally {
            live.close();
        }
    }

    @Test
    void aClusterHostingRoomsWithSqliteStorageIsRefusedWithOneLineNamingStorageUrlAndExitCode2() throws Exception {
        java.nio.file.Path config = dir.resolve("rooms.yaml");
        java.nio.file.Files.writeString(config, """
                rooms:
                  bindings:
                    - name: Chat
                      className: io.herald.room.builtin.RelayRoom
                """);
        StringWriter err = new StringWriter();
        int code = new CommandLine(new Main(Map.of("ACCESS_TOKEN", TestServer.ACCESS_TOKEN, "JWT_SECRET", TestServer.JWT_SECRET,
                "HERALD_CLUSTER_REDIS_URL", REDIS.url(0), "HERALD_STORAGE_PATH", dir.resolve("node.db").toString())))
                .setErr(new PrintWriter(err, true)).execute("serve", "--port", "0", "--config", config.toString());

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).startsWith("herald: configuration error: storage: a cluster (cluster.redis) that hosts rooms needs storage"
                + " shared by every node: with SQLite each node would keep its own file at storage.path")
                .contains("set storage.url to a PostgreSQL database").hasLineCount(1);
        assertThat(dir.resolve("node.db")).doesNotExist();
    }

    @Test
    void anUnreachableRedisIsAOneLineErrorWithoutTheRedisPassword() {
        StringWriter err = new StringWriter();
        int code = new CommandLine(new Main(Map.of("ACCESS_TOKEN", TestServer.ACCESS_TOKEN, "JWT_SECRET", TestServer.JWT_SECRET,
                "HERALD_CLUSTER_REDIS_URL", "redis://user:s3cret@127.0.0.1:1", "HERALD_STORAGE_PATH", dir.resolve("x.db").toString())))
                .setErr(new PrintWriter(err, true)).execute("serve", "--port", "0");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).startsWith("herald: configuration error: cluster.redis: cannot reach Redis at redis://127.0.0.1:1: ")
                .doesNotContain("s3cret").hasLineCount(1);
    }
}
