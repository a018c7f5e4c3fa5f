package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code herald serve} refusing bad secrets, keys and values the way it refuses every bad value (one line, exit code
 * 2), and failing to start in a line or two a person can act on, never with a stack trace.
 */
class MainTest {
    private static final String ACCESS_TOKEN = "main-test-access-token-0123456789abcdef";
    private static final String JWT_SECRET = "main-test-jwt-secret-0123456789abcdef";
    private static final String NL = System.lineSeparator();

    @TempDir
    Path dir;

    private record Run(int exitCode, String out, String err) {
        List<String> errLines() {
            return err.lines().toList();
        }
    }

    private static Run serve(Map<String, String> env) {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new Main(env)).setErr(new PrintWriter(err, true));
        int code = cli.execute("serve", "--port", "0");
        return new Run(code, "", err.toString());
    }

    /** {@code herald <args>} with {@code env} (the secrets and storage under the test's folder unless it says otherwise). */
    private Run run(Map<String, String> env, String... args) {
        Map<String, String> all = new HashMap<>(Map.of("ACCESS_TOKEN", ACCESS_TOKEN, "JWT_SECRET", JWT_SECRET,
                "HERALD_STORAGE_PATH", dir.resolve("herald.db").toString(), "HERALD_SERVER_HOST", "127.0.0.1"));
        all.putAll(env);
        all.values().removeIf(String::isEmpty);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = new CommandLine(new Main(all, dir)).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true)).execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private Path yaml(String text) throws IOException {
        return Files.writeString(dir.resolve("herald.yaml"), text);
    }

    @Test
    void anAccessTokenUnder32CharactersIsAOneLineConfigurationErrorWithExitCode2() {
        String token = "short-access-token-0123456789";
        Run run = serve(Map.of("ACCESS_TOKEN", token, "JWT_SECRET", JWT_SECRET));

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("herald: configuration error: server.accessToken: must be at least 32 characters"
                + System.lineSeparator());
        assertThat(run.err()).doesNotContain(token).doesNotContain("Exception");
    }

    @Test
    void aOneCharacterJwtSecretIsAConfigurationErrorCitingRfc7518() {
        Run run = serve(Map.of("ACCESS_TOKEN", ACCESS_TOKEN, "JWT_SECRET", "x"));

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("herald: configuration error: auth.jwt.secret: must be at least 32 bytes (RFC 7518 §3.2)"
                + System.lineSeparator());
    }

    @Test
    void anUnknownJwtAlgorithmIsAConfigurationErrorNamingTheAlgorithmsKey() {
        Run run = serve(Map.of("ACCESS_TOKEN", ACCESS_TOKEN, "JWT_SECRET", JWT_SECRET,
                "HERALD_AUTH_JWT_JWKSURL", "https://issuer.example/.well-known/jwks.json",
                "HERALD_AUTH_JWT_ALGORITHMS", "RS256,none"));

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("herald: configuration error: auth.jwt.algorithms: ").doesNotContain("Exception");
    }

    @Test
    void versionIsTheOneTheBuildWroteNotALiteral() {
        StringWriter out = new StringWriter();
        int code = new CommandLine(new Main(Map.of())).setOut(new PrintWriter(out, true)).execute("--version");

        assertThat(code).isZero();
        // the reactor's version, passed to the test by surefire; the jar's text must come from the build, not the code
        String built = System.getProperty("expected.herald.version");
        assertThat(io.herald.HeraldVersion.get()).isEqualTo(built).matches("\\d+\\.\\d+\\.\\d+.*");
        assertThat(out.toString()).startsWith("herald " + built + System.lineSeparator()).contains("JVM ");
    }

    @Test
    void aPortInUseNamesTheAddressAndHowToChangeItInTwoLinesWithExitCode2() throws IOException {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = taken.getLocalPort();

            Run run = run(Map.of(), "serve", "--port", String.valueOf(port));

            assertThat(run.exitCode()).isEqualTo(2);
            assertThat(run.errLines()).containsExactly(
                    "herald: cannot listen on 127.0.0.1:" + port + ": address already in use",
                    "herald: another process is using it; choose another port with --port N, server.port or HERALD_SERVER_PORT");
        }
    }

    @Test
    void aYamlSyntaxErrorGivesTheLineAndColumn() throws IOException {
        Path file = yaml("server:\n  port: 80\n   host: x\n");

        Run run = run(Map.of(), "serve", "--config", file.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("herald: configuration error: " + file + ": line 3, column 8: mapping values are not allowed here" + NL);
    }

    @Test
    void aMissingConfigFileSaysNotFound() {
        Run run = run(Map.of(), "serve", "--config", "nope.yaml");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("herald: configuration error: nope.yaml: not found (working directory ");
    }

    @Test
    void aBadPortInTheFileIsReportedEvenWhenPortOverridesIt() throws IOException {
        Path file = yaml("server:\n  port: abc\n");

        Run run = run(Map.of(), "serve", "--config", file.toString(), "--port", "0");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("herald: configuration error: server.port: expected an integer, was \"abc\"" + NL);
        Run outOfRange = run(Map.of(), "serve", "--config", yaml("server:\n  port: 99999\n").toString(), "--port", "0");
        assertThat(outOfRange.exitCode()).isEqualTo(2);
        assertThat(outOfRange.err()).isEqualTo("herald: configuration error: server.port: must be 0..65535, was 99999" + NL);
    }

    @Test
    void typeErrorsAreSaidInWordsForTheFileAndTheEnvironment() throws IOException {
        Path file = yaml("server:\n  maxConnections: [1]\n");

        Run fromFile = run(Map.of(), "serve", "--config", file.toString());
        Run fromEnv = run(Map.of("HERALD_SERVER_MAX_CONNECTIONS", "lots"), "serve");

        assertThat(fromFile.err()).isEqualTo("herald: configuration error: server.maxConnections: expected an integer, was a list" + NL);
        assertThat(fromEnv.err()).isEqualTo("herald: configuration error: server.maxConnections: expected an integer, was \"lots\""
                + " (from HERALD_SERVER_MAX_CONNECTIONS)" + NL);
        assertThat(fromFile.err() + fromEnv.err()).doesNotContain("deserialize", "java.lang", "JsonToken");
    }

    @Test
    void aBadMaskTypeCarriesItsFullPath() throws IOException {
        Path file = yaml("broadcast:\n  tables:\n    t:\n      masking:\n        a: { type: foo }\n");

        Run run = run(Map.of(), "serve", "--config", file.toString());

        assertThat(run.err()).isEqualTo("herald: configuration error: broadcast.tables.t.masking.a.type: "
                + "'foo' is not one of ssn, email, phone, name, redact" + NL);
    }

    @Test
    void severalProblemsGiveTheFirstAndPointAtCheckConfigForTheRest() throws IOException {
        Path file = yaml("server:\n  colour: red\n  port: abc\nrooms:\n  bindings:\n    - { name: A, classname: x }\n");

        Run run = run(Map.of(), "serve", "--config", file.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).containsExactly(
                "herald: configuration error: server.colour: unknown key",
                "herald: and 2 more problems; `herald check-config --config " + file + "` lists them all");
    }

    @Test
    void anUnexpectedFailureIsOneLineWithExitCode1AndTheStackTraceOnlyAtDebug() {
        // what Vert.x hands back when a native call fails: class names in front of the message, the cause inside
        RuntimeException failure = new IllegalStateException(new java.io.IOException(
                "io.netty.channel.unix.Errors$NativeIoException: epoll_create1() failed: Too many open files"));
        StringWriter quiet = new StringWriter();
        StringWriter debug = new StringWriter();

        int code = StartFailure.report(failure, null, Map.of(), new PrintWriter(quiet), "herald check-config");
        int debugCode = StartFailure.report(failure, null, Map.of("HERALD_LOG_LEVEL", "debug"), new PrintWriter(debug), "herald check-config");

        assertThat(code).isEqualTo(1);
        assertThat(quiet.toString()).isEqualTo("herald: cannot start: epoll_create1() failed: Too many open files" + NL);
        assertThat(debugCode).isEqualTo(1);
        assertThat(debug.toString()).startsWith(quiet.toString()).contains("\tat io.herald.server.MainTest");
    }

    @Test
    void aFileThatCannotBeMadeIsNamedWithWhatHappenedToIt() {
        StringWriter err = new StringWriter();

        StartFailure.report(new java.io.UncheckedIOException(new java.nio.file.AccessDeniedException("/var/lib/herald/data")),
                null, Map.of(), new PrintWriter(err), "herald check-config");

        assertThat(err.toString()).isEqualTo("herald: cannot start: /var/lib/herald/data: permission denied" + NL);
    }

    @Test
    void heraldVariablesThatAreNoKeysNeverStopTheServerAndOnlyForeignOnesAreWarnedAbout() throws IOException {
        Map<String, String> env = Map.of("HERALD_JAVA_OPTS", "-Xmx512m", "HERALD_LOG_LEVEL", "INFO", "HERALD_CHROMIUM", "/usr/bin/chromium",
                "HERALD_TEST_REQUIRE_PG", "1", "HERALD_COLOUR", "red");
        // the start gets past the configuration and fails only on the port, taken here so that the test ends
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));

            Run serve = run(env, "serve", "--port", String.valueOf(taken.getLocalPort()));
            Run check = run(env, "check-config");

            assertThat(serve.errLines()).hasSize(3).first().isEqualTo("herald: warning: HERALD_COLOUR does not name a configuration key; ignored");
            assertThat(serve.errLines().get(1)).startsWith("herald: cannot listen on 127.0.0.1:" + taken.getLocalPort());
            assertThat(check.exitCode()).isZero();
            assertThat(check.out()).isEqualTo("ok" + NL);
            assertThat(check.err()).isEqualTo("herald: warning: HERALD_COLOUR does not name a configuration key; ignored" + NL);
        }
    }
}
