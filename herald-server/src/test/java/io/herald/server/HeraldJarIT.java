package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * The built {@code herald.jar} (failsafe, after the package phase): the same dependencies whichever JDK built it,
 * and started with {@code java -jar} by the JDK running the build, nothing on stderr: no restricted-method or
 * {@code sun.misc.Unsafe} warning from Netty or any other library.
 */
class HeraldJarIT {
    static final Path JAR = Path.of(System.getProperty("basedir", "")).toAbsolutePath().resolve("target/herald.jar");

    @Test
    void theJarHoldsNoJackson3AndItsManifestEnablesNativeAccess() throws Exception {
        try (JarFile jar = new JarFile(JAR.toFile())) {
            assertThat(Collections.list(jar.entries())).as("vertx-core's JDK 21+ profile adds Jackson 3")
                    .noneMatch(e -> e.getName().startsWith("tools/jackson/"));
            assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class")).isEqualTo("io.herald.server.Main");
            assertThat(jar.getManifest().getMainAttributes().getValue("Enable-Native-Access")).isEqualTo("ALL-UNNAMED");
        }
    }

    @Test
    void javaDashJarStartsServesAndStopsWithoutAWordOnStderr() throws Exception {
        try (ServeProcess herald = ServeProcess.startJar(JAR, "server: { drainDelayMs: 0 }\n", Map.of())) {
            try (WsClient socket = herald.member("u_jar", "org_jar", "owner")) {
                assertThat(herald.publishBroadcast("{\"event\":\"jar\",\"payload\":1,\"organizationId\":\"org_jar\"}")).isEqualTo(1);
                assertThat(socket.nextJson().get("event").asText()).isEqualTo("jar");
            }
            herald.sigterm();
            assertThat(herald.awaitExit()).isEqualTo(143);
            assertThat(herald.stderr()).as("java %s: %s", System.getProperty("java.version"), herald.output()).isEmpty();
        }
    }
}
