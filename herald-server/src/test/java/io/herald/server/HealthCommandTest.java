package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code herald health}: exit 0 on a 200 from /healthz, 1 on anything else, one line either way. */
class HealthCommandTest {
    private HttpServer http;
    private final AtomicInteger status = new AtomicInteger(200);

    private record Run(int exitCode, String out) {
    }

    @BeforeEach
    void start() throws IOException {
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/healthz", exchange -> {
            byte[] body = "{\"status\":\"ok\"}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status.get(), body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        http.start();
    }

    @AfterEach
    void stop() {
        http.stop(0);
    }

    private String url() {
        return "http://127.0.0.1:" + http.getAddress().getPort() + "/healthz";
    }

    /** Through Main, as {@code herald health ...} runs in the image. */
    private static Run health(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        String[] all = new String[args.length + 1];
        all[0] = "health";
        System.arraycopy(args, 0, all, 1, args.length);
        int code = new CommandLine(new Main(env)).setOut(new PrintWriter(out, true)).execute(all);
        return new Run(code, out.toString());
    }

    @Test
    void a200IsHealthyWithExitCode0AndOneLine() {
        Run run = health(Map.of(), "--url", url());

        assertThat(run.exitCode()).isEqualTo(HealthCommand.HEALTHY).isZero();
        assertThat(run.out()).isEqualTo("healthy: 200 from " + url() + System.lineSeparator());
    }

    @Test
    void a503IsUnhealthyWithExitCode1() {
        status.set(503);
        Run run = health(Map.of(), "--url", url());

        assertThat(run.exitCode()).isEqualTo(HealthCommand.UNHEALTHY).isEqualTo(1);
        assertThat(run.out()).isEqualTo("unhealthy: 503 from " + url() + System.lineSeparator());
    }

    @Test
    void noServerIsUnhealthyWithExitCode1AndOneLineWithoutAStackTrace() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Run run = health(Map.of(), "--url", "http://127.0.0.1:" + port + "/healthz");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).startsWith("unhealthy: http://127.0.0.1:" + port + "/healthz: ")
                .doesNotContain("\tat ").hasLineCount(1);
    }

    @Test
    void withoutAUrlItAsksTheServerTheEnvironmentConfigures() {
        // Main hands its subcommands the process environment; the command itself can be given another
        StringWriter out = new StringWriter();
        int code = new CommandLine(new HealthCommand(Map.of("HERALD_SERVER_PORT", Integer.toString(http.getAddress().getPort()))))
                .setOut(new PrintWriter(out, true)).execute();

        assertThat(code).isZero();
        assertThat(out.toString()).isEqualTo("healthy: 200 from " + url() + System.lineSeparator());
    }

    @Test
    void theDefaultUrlIsPort8080AndHttpsWhenTheServerHasACertificate() {
        assertThat(new HealthCommand(Map.of()).defaultUrl()).isEqualTo("http://127.0.0.1:8080/healthz");
        assertThat(new HealthCommand(Map.of("HERALD_SERVER_PORT", "9443", "HERALD_SERVER_TLS_CERT_FILE", "/tls/tls.crt")).defaultUrl())
                .isEqualTo("https://127.0.0.1:9443/healthz");
    }

    @Test
    void aUrlThatIsNotHttpIsUnhealthy() {
        Run run = health(Map.of(), "--url", "ftp://127.0.0.1/healthz");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).startsWith("unhealthy: ftp://127.0.0.1/healthz: ").hasLineCount(1);
    }
}
