package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.config.ClusterConfig;
import io.herald.redis.RedisProcesses;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code herald serve} configured for a cluster through the environment, refusing a node id that is live. */
class MainClusterTest {
    @RegisterExtension
    static final RedisProcesses REDIS = RedisProcesses.standalone();

    @TempDir
    Path dir;

    @Test
    void aNodeIdAlreadyLiveInTheClusterIsAOneLineConfigurationErrorWithExitCode2() {
        HeraldServer live = HeraldServer.start(TestServer.config("")
                .withCluster(new ClusterConfig("twin", new ClusterConfig.Redis(REDIS.url(0), null, null, null), null))
                .withStorage(new io.herald.config.StorageConfig(dir.resolve("live.db").toString(), null)));
        try {
            StringWriter err = new StringWriter();
            int code = new CommandLine(new Main(Map.of("ACCESS_TOKEN", TestServer.ACCESS_TOKEN, "JWT_SECRET", TestServer.JWT_SECRET,
                    "HERALD_CLUSTER_REDIS_URL", REDIS.url(0), "HERALD_CLUSTER_NODE_ID", "twin",
                    "HERALD_STORAGE_PATH", dir.resolve("second.db").toString())))
                    .setErr(new PrintWriter(err, true)).execute("serve", "--port", "0");

            assertThat(code).isEqualTo(2);
            assertThat(err.toString()).isEqualTo("herald: configuration error: cluster.nodeId: node id 'twin' is already used by a live node"
                    + System.lineSeparator());
        } finally {
            live.close();
        }
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
