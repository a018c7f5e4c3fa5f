package io.herald.server.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.server.NodeProject;
import io.herald.server.NodeProject.Result;
import io.herald.server.TestServer;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The TypeScript client {@code @herald/client} in {@code clients/js}, built and tested by its own tooling:
 * {@code npm ci} from its lockfile, {@code npm run build} (tsup: ESM, CommonJS and types), then
 * {@code npm test} ({@code tsc --noEmit}, then vitest). The vitest suite starts its own {@code redis-server}
 * and Herald JVMs ({@code io.herald.server.Main serve} on this test's classpath, with this JVM's
 * {@code java}), and kills, freezes and restarts them; the environment set here tells it how. It also packs
 * the package and installs the tarball into a scratch project. Node and npm are required: without them this
 * test fails. Without {@code redis-server} on the PATH it is skipped like the other Redis tests, unless
 * {@code HERALD_TEST_REQUIRE_REDIS=1}.
 */
@TestMethodOrder(OrderAnnotation.class)
class JsClientTest {
    private static final NodeProject JS = new NodeProject("../clients/js", "the @herald/client tests need");
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(3);
    /** A bound for a stuck run: the suite waits for conditions, and JVM starts are slow on a loaded machine. */
    private static final Duration TEST_TIMEOUT = Duration.ofMinutes(15);
    private static final Map<String, String> PLAIN = Map.of("NO_COLOR", "1", "npm_config_update_notifier", "false");

    @BeforeAll
    static void install() throws Exception {
        JS.install();
    }

    @Test
    @Order(1)
    void theClientBuildsToEsmCommonJsAndTypes() throws Exception {
        Result r = JS.npm(BUILD_TIMEOUT, PLAIN, "run", "build");

        assertThat(r.exitCode()).as("npm run build exited %d:%n%s", r.exitCode(), r.output()).isZero();
        assertThat(Stream.of("index.js", "index.cjs", "index.d.ts", "index.d.cts").map(f -> JS.dir().resolve("dist").resolve(f)))
                .allMatch(Files::isRegularFile);
    }

    @Test
    @Order(2)
    void itsVitestSuitePassesAgainstRealHeraldProcesses() throws Exception {
        Path redis = redisServer();
        Map<String, String> env = new java.util.HashMap<>(PLAIN);
        env.put("HERALD_TEST_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        env.put("HERALD_TEST_CLASSPATH", System.getProperty("java.class.path"));
        env.put("HERALD_TEST_ACCESS_TOKEN", TestServer.ACCESS_TOKEN);
        env.put("HERALD_TEST_JWT_SECRET", TestServer.JWT_SECRET);
        env.put("HERALD_TEST_REDIS_SERVER", redis.toString());

        Result r = JS.npm(TEST_TIMEOUT, env, "test");

        assertThat(r.exitCode()).as("npm test exited %d:%n%s", r.exitCode(), r.output()).isZero();
        System.out.println("=== @herald/client: npm test\n" + r.output());
    }

    private static Path redisServer() {
        Optional<Path> found = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .map(dir -> Path.of(dir, "redis-server"))
                .filter(Files::isExecutable)
                .findFirst();
        if (found.isEmpty() && "1".equals(System.getenv("HERALD_TEST_REQUIRE_REDIS"))) {
            throw new IllegalStateException("redis-server not on the PATH but HERALD_TEST_REQUIRE_REDIS=1");
        }
        Assumptions.assumeTrue(found.isPresent(), "redis-server not on the PATH: the client's tests run Herald in cluster mode on it");
        return found.get();
    }
}
