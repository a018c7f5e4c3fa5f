package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code herald serve} refusing bad secrets and keys the way it refuses every bad value: one line, exit code 2. */
class MainTest {
    private static final String ACCESS_TOKEN = "main-test-access-token-0123456789abcdef";
    private static final String JWT_SECRET = "main-test-jwt-secret-0123456789abcdef";

    private record Run(int exitCode, String err) {
    }

    private static Run serve(Map<String, String> env) {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new Main(env)).setErr(new PrintWriter(err, true));
        int code = cli.execute("serve", "--port", "0");
        return new Run(code, err.toString());
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
        String built = System.getProperty("herald.version");
        assertThat(io.herald.HeraldVersion.get()).isEqualTo(built).matches("\\d+\\.\\d+\\.\\d+.*");
        assertThat(out.toString()).startsWith("herald " + built + System.lineSeparator()).contains("JVM ");
    }
}
