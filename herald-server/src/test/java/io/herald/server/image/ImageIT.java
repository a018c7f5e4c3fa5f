package io.herald.server.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.config.ServerConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OCI image {@code ./mvnw -Pimage package} builds with Jib ({@code target/jib-image.tar}, docs/deploy.md):
 * unpacked in plain Java, its config checked (entrypoint, port, user, volume, labels, health check), its layers
 * checked for Herald's classes and libraries, and then its own Java runtime run from the unpacked layers: the
 * health-check label's command answers 1 while nothing listens, the entrypoint serves (its SQLite file lands in
 * the volume), and the health check answers 0. Not a container: the runtime runs on this machine's kernel and
 * loader (a base made by {@code src/image/make-base.sh} was built from them), as the user running the build.
 *
 * <p>Runs under failsafe in the {@code image} profile only. Without the tarball, or when the image's runtime cannot
 * run here (a base of another architecture), the tests are skipped with one printed line, unless
 * {@code HERALD_TEST_REQUIRE_IMAGE=1} is set (.ci/run): then they fail.
 */
class ImageIT {
    private static final AtomicBoolean SKIP_PRINTED = new AtomicBoolean();
    private static final String MAIN = "io.herald.server.Main";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    static Path work;
    private static OciImage image;

    @BeforeAll
    static void unpack() throws IOException {
        Path tar = Path.of(System.getProperty("herald.image.tar", "target/jib-image.tar"));
        if (!Files.isRegularFile(tar)) {
            skip("no image tarball at " + tar.toAbsolutePath() + " (built by ./mvnw -Pimage package)");
        }
        image = OciImage.unpack(tar, work);
    }

    private static void skip(String why) {
        if ("1".equals(System.getenv("HERALD_TEST_REQUIRE_IMAGE"))) {
            throw new IllegalStateException(why + " but HERALD_TEST_REQUIRE_IMAGE=1");
        }
        if (SKIP_PRINTED.compareAndSet(false, true)) {
            System.out.println("Skipping the image tests: " + why + " (set HERALD_TEST_REQUIRE_IMAGE=1 to fail instead)");
        }
        Assumptions.abort(why);
    }

    private static List<String> strings(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }

    @Test
    void isAnOciLayoutWhoseManifestNamesItsConfigAndLayers() {
        assertThat(image.index.path("schemaVersion").asInt()).isEqualTo(2);
        assertThat(image.manifest.path("mediaType").asText()).isEqualTo("application/vnd.oci.image.manifest.v1+json");
        assertThat(image.manifest.path("config").path("mediaType").asText()).isEqualTo("application/vnd.oci.image.config.v1+json");
        assertThat(image.config.path("os").asText()).isEqualTo("linux");
        assertThat(image.config.path("rootfs").path("diff_ids")).hasSameSizeAs(image.manifest.path("layers"));
    }

    @Test
    void entrypointRunsJavaWithContainerMemoryFlagsOnHeraldsMainAndTheCommandIsServe() {
        List<String> entrypoint = strings(image.runConfig().path("Entrypoint"));

        assertThat(entrypoint.get(0)).isEqualTo("java");
        assertThat(entrypoint).contains("-XX:MaxRAMPercentage=50", "-XX:+ExitOnOutOfMemoryError");
        assertThat(entrypoint).containsSubsequence("-cp", "@/app/jib-classpath-file", MAIN);
        assertThat(entrypoint.get(entrypoint.size() - 1)).isEqualTo(MAIN);
        assertThat(strings(image.runConfig().path("Cmd"))).containsExactly("serve");
    }

    @Test
    void exposesHeraldsDefaultPortAndListensOnEveryInterface() {
        assertThat(fieldNames(image.runConfig().path("ExposedPorts"))).containsExactly(ServerConfig.DEFAULT_PORT + "/tcp");
        // the server's default host must reach outside the container; were it loopback the image would have to set it
        String host = image.env().getOrDefault("HERALD_SERVER_HOST", ServerConfig.DEFAULT_HOST);
        assertThat(host).isEqualTo("0.0.0.0");
    }

    @Test
    void runsAsANonRootUserAndGroup() {
        String[] user = image.runConfig().path("User").asText().split(":");

        assertThat(user).hasSize(2);
        assertThat(Integer.parseInt(user[0])).isEqualTo(65532);
        assertThat(Integer.parseInt(user[1])).isEqualTo(65532);
    }

    @Test
    void dataIsAVolumeWritableByTheServerUnderTheWorkingDirectory() {
        // storage.path defaults to ./data/herald.db: from the working directory / that is the volume
        assertThat(image.runConfig().path("WorkingDir").asText()).isEqualTo("/");
        assertThat(fieldNames(image.runConfig().path("Volumes"))).containsExactly("/data");
        OciImage.Member data = image.members.get("data");
        assertThat(data).as("/data in a layer").isNotNull();
        assertThat(data.entry().isDirectory()).isTrue();
        assertThat(data.entry().mode() & 0777).as("mode of /data").isEqualTo(0777);
    }

    @Test
    void labelsNameTheVersionLicenceAndHealthCheckAndTheSourceWhenGiven() {
        JsonNode labels = image.runConfig().path("Labels");

        assertThat(labels.path("org.opencontainers.image.version").asText()).isEqualTo(System.getProperty("expected.herald.version"));
        assertThat(labels.path("org.opencontainers.image.licenses").asText()).isEqualTo("Apache-2.0");
        // the source label is there only when the build was told the repository (-Dherald.image.source=URL)
        String source = System.getProperty("herald.image.source", "");
        if (source.isBlank() || source.startsWith("${")) {
            assertThat(labels.has("org.opencontainers.image.source")).isFalse();
        } else {
            assertThat(labels.path("org.opencontainers.image.source").asText()).isEqualTo(source);
        }
        assertThat(labels.path("org.opencontainers.image.title").asText()).isEqualTo("Herald");
        String health = labels.path("io.herald.healthcheck").asText();
        assertThat(health).startsWith("java ").endsWith(" -cp @/app/jib-classpath-file " + MAIN + " health");
    }

    @Test
    void heraldsClassesResourcesAndLibrariesAreInLayersOfTheirOwn() throws IOException {
        String version = System.getProperty("expected.herald.version");
        int classes = image.layerOf("app/classes/io/herald/server/Main.class");
        int libraries = image.layers.stream().filter(l -> l.stream().anyMatch(n -> n.matches("app/libs/picocli-[0-9.]+\\.jar")))
                .findFirst().map(image.layers::indexOf).orElse(-1);
        int modules = image.layerOf("app/libs/herald-core-" + version + ".jar");

        assertThat(classes).as("Main.class").isPositive();
        assertThat(image.layerOf("app/classes/io/herald/server/HealthCommand.class")).isEqualTo(classes);
        assertThat(image.layerOf("app/resources/logback.xml")).as("logback.xml").isPositive().isNotEqualTo(classes);
        assertThat(libraries).as("picocli").isPositive().isNotEqualTo(classes);
        assertThat(modules).as("herald-core").isPositive().isNotEqualTo(libraries).isNotEqualTo(classes);
        assertThat(image.layerOf("app/libs/herald-redis-" + version + ".jar")).isEqualTo(modules);
        assertThat(image.layerOf("app/libs/herald-postgres-" + version + ".jar")).isEqualTo(modules);
        // the base's layers come first and hold no application file
        assertThat(Math.min(classes, Math.min(libraries, modules))).isGreaterThanOrEqualTo(baseLayers());
        List<String> classpath = Arrays.asList(Files.readString(image.path("/app/jib-classpath-file")).trim().split(":"));
        assertThat(classpath).contains("/app/classes", "/app/resources", "/app/libs/herald-core-" + version + ".jar");
    }

    @Test
    void theImagesRuntimeServesAndTheHealthCheckSaysSo() throws Exception {
        Path java = runnableJava();
        int port = freePort();
        Map<String, String> env = image.env();
        env.put("HERALD_SERVER_PORT", Integer.toString(port));
        env.put("HERALD_SERVER_HOST", "127.0.0.1");
        List<String> health = localize(Arrays.asList(image.runConfig().path("Labels").path("io.herald.healthcheck").asText().split(" ")), java);

        Result down = run(health, env);
        assertThat(down.exitCode()).as("health check with no server: %s", down.out()).isEqualTo(1);
        assertThat(down.out()).startsWith("unhealthy: http://127.0.0.1:" + port + "/healthz: ").hasLineCount(1);

        Path log = work.resolve("serve.log");
        List<String> serve = new ArrayList<>(localize(strings(image.runConfig().path("Entrypoint")), java));
        serve.addAll(strings(image.runConfig().path("Cmd")));
        Process server = builder(serve, env).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            awaitListening(server, log);
            Result up = run(health, env);
            assertThat(up.exitCode()).as("health check against the running server: %s%nserver log:%n%s", up.out(), tail(log)).isZero();
            assertThat(up.out()).isEqualTo("healthy: 200 from http://127.0.0.1:" + port + "/healthz\n");
            // storage.path ./data/herald.db from the working directory: the volume
            assertThat(image.path("/data/herald.db")).as("SQLite file in the volume; server log:%n%s", tail(log)).isRegularFile();
        } finally {
            server.destroyForcibly().waitFor();
        }
    }

    /** Until the server logs that it listens; fails with its log if it exits or the start timeout passes. */
    private static void awaitListening(Process server, Path log) throws IOException {
        try {
            Awaitility.await().atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(100)).until(() ->
                    !server.isAlive() || Files.readString(log).contains("Herald listening on "));
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("the server did not log 'Herald listening on' within " + START_TIMEOUT + "; log:\n" + tail(log), e);
        }
        assertThat(server.isAlive()).as("server exited %s; log:%n%s", server.isAlive() ? "" : server.exitValue(), tail(log)).isTrue();
    }

    /** The image's java (first on its PATH), once {@code java -version} has run from the unpacked layers. */
    private static Path runnableJava() throws Exception {
        Path java = null;
        for (String dir : image.env().getOrDefault("PATH", "").split(":")) {
            Path candidate = image.path(dir + "/java");
            if (!dir.isEmpty() && Files.isExecutable(candidate)) {
                java = candidate;
                break;
            }
        }
        assertThat(java).as("java on the image's PATH").isNotNull();
        Result version;
        try {
            version = run(List.of(java.toString(), "-version"), Map.of());
        } catch (IOException e) {
            skip("the image's java does not run on this machine: " + e.getMessage());
            throw e;
        }
        if (version.exitCode() != 0) {
            skip("the image's java -version exited " + version.exitCode() + ": " + version.out().trim());
        }
        assertThat(version.out()).contains("version");
        return java;
    }

    /**
     * The image's command with its paths moved into the unpacked root: {@code java} is the image's, and an
     * {@code @argfile} of the image (the classpath) is rewritten with each entry under the root.
     */
    private static List<String> localize(List<String> command, Path java) throws IOException {
        List<String> out = new ArrayList<>();
        for (String arg : command) {
            if (out.isEmpty()) {
                out.add(java.toString());
            } else if (arg.startsWith("@/")) {
                String content = Files.readString(image.path(arg.substring(1))).trim();
                String moved = Arrays.stream(content.split(":"))
                        .map(e -> e.startsWith("/") ? image.path(e).toString() + (e.endsWith("/*") ? "/*" : "") : e)
                        .collect(Collectors.joining(":"));
                Path argfile = Files.createTempFile(work, "argfile", ".txt");
                Files.writeString(argfile, moved);
                out.add("@" + argfile);
            } else {
                out.add(arg);
            }
        }
        return out;
    }

    private record Result(int exitCode, String out) {
    }

    /** The image's working directory is /, so the process runs in the unpacked root. */
    private static ProcessBuilder builder(List<String> command, Map<String, String> env) {
        ProcessBuilder pb = new ProcessBuilder(command).directory(image.root.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        return pb;
    }

    private static Result run(List<String> command, Map<String, String> env) throws IOException, InterruptedException {
        Process p = builder(command, env).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return new Result(p.exitValue(), out);
    }

    private static int baseLayers() {
        return image.config.path("history").size() == 0 ? 0
                : (int) StreamSupport.stream(image.config.path("history").spliterator(), false)
                        .filter(h -> !h.path("empty_layer").asBoolean())
                        .filter(h -> !h.path("created_by").asText().startsWith("jib-maven-plugin"))
                        .count();
    }

    private static List<String> fieldNames(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String tail(Path log) throws IOException {
        if (!Files.exists(log)) {
            return "(no log)";
        }
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }
}
