package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code herald check-config}: the loader {@code serve} uses, every problem on a line of its own, or {@code ok}. */
class CheckConfigCommandTest {
    private static final String NL = System.lineSeparator();

    @TempDir
    Path dir;

    private record Run(int exitCode, String out, String err) {
    }

    private Run check(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] all = new String[args.length + 1];
        all[0] = "check-config";
        System.arraycopy(args, 0, all, 1, args.length);
        int code = new CommandLine(new Main(env, dir)).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true)).execute(all);
        return new Run(code, out.toString(), err.toString());
    }

    private Path yaml(String text) throws IOException {
        return Files.writeString(dir.resolve("herald.yaml"), text);
    }

    @Test
    void everyUnknownKeyAndTypeErrorIsALineWithItsPathAndExit1() throws IOException {
        Path file = yaml("""
                server:
                  port: abc
                  colour: red
                  maxConnections: [1]
                rooms:
                  bindings:
                    - { name: A, classname: x }
                broadcast:
                  tables:
                    t:
                      masking:
                        a: { type: foo }
                lanes:
                  ackTimeoutMs: soon
                """);

        Run run = check(Map.of(), "--config", file.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEqualTo(String.join(NL,
                "server.port: expected an integer, was \"abc\"",
                "server.colour: unknown key",
                "server.maxConnections: expected an integer, was a list",
                "rooms.bindings[0].classname: unknown key (did you mean className?)",
                "broadcast.tables.t.masking.a.type: 'foo' is not one of ssn, email, phone, name, redact",
                "lanes.ackTimeoutMs: expected an integer, was \"soon\"") + NL);
        assertThat(run.err()).isEmpty();
    }

    @Test
    void theFirstBrokenRuleOfEachSectionAndTheEnvironmentsValuesAreReportedToo() throws IOException {
        Path file = yaml("""
                server: { port: 99999 }
                channels: { replayBufferSize: -1 }
                datasources: { app: { url: "mysql://x" } }
                """);

        Run run = check(Map.of("HERALD_LANES_MAX_FRAME_BYTES", "big", "JWT_SECRET", "short"), "--config", file.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out().lines()).containsExactly(
                "lanes.maxFrameBytes: expected an integer, was \"big\" (from HERALD_LANES_MAX_FRAME_BYTES)");
        Run rules = check(Map.of("JWT_SECRET", "short"), "--config", file.toString());
        assertThat(rules.out().lines()).containsExactly(
                "server.port: must be 0..65535, was 99999",
                "auth.jwt.secret: must be at least 32 bytes (RFC 7518 §3.2)",
                "channels.replayBufferSize: must be 0..100000",
                "datasources.app.url: must be a JDBC URL (jdbc:sqlite:..., jdbc:postgresql://...)");
    }

    @Test
    void aGoodConfigurationIsOkWithExit0AndNothingIsWritten() throws IOException {
        Path file = yaml("server: { port: 9000 }\nchannels: { public: [\"status:*\"] }\n");

        Run run = check(Map.of(), "--config", file.toString());
        Run fromEnv = check(Map.of("HERALD_CONFIG", file.toString(), "HERALD_SERVER_PORT", "9100"));

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEqualTo("ok" + NL);
        assertThat(fromEnv.out()).isEqualTo("ok" + NL);
        // dev mode's secrets are read, never written, by a check
        assertThat(dir.resolve("data")).doesNotExist();
    }

    @Test
    void syntaxErrorsAndMissingFilesAreOneLine() throws IOException {
        Path file = yaml("server:\n  port: 80\n   host: x\n");

        assertThat(check(Map.of(), "--config", file.toString()).out())
                .isEqualTo(file + ": line 3, column 8: mapping values are not allowed here" + NL);
        Run missing = check(Map.of(), "--config", dir.resolve("nope.yaml").toString());
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.out()).startsWith(dir.resolve("nope.yaml") + ": not found");
    }

    @Test
    void aLiteralSecretAndAMissingVariableAreBothReported() throws IOException {
        Path file = yaml("server:\n  accessToken: literal-token-0123456789-0123456789\n  host: ${BIND_HOST}\n");

        Run run = check(new HashMap<>(), "--config", file.toString());

        assertThat(run.out().lines()).containsExactly(
                "server.accessToken: secrets are not written in the config file: use ${ACCESS_TOKEN} or set ACCESS_TOKEN",
                "server.host: environment variable BIND_HOST is not set");
        assertThat(run.out()).doesNotContain("literal-token");
    }
}
