package io.herald.server.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.config.ChannelsConfig;
import io.herald.config.ConfigException;
import io.herald.config.HeraldConfig;
import io.herald.config.ServerConfig;
import io.herald.config.StorageConfig;
import io.herald.server.HeraldServer;
import io.herald.server.TestServer;
import io.herald.server.WsClient;
import io.herald.server.tls.TestCertificates.Pem;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS and WSS on one port: a broadcast round trip over TLS (ticket, socket and publish), SSE over
 * TLS, the protocol versions offered, and certificates refused at start.
 */
class ServerTlsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    @TempDir
    static Path dir;
    private static Pem pem;
    private static HeraldServer server;
    private static HttpClient https;

    /** The standard test configuration with TLS on {@code pem}'s files, public {@code pub:*} channels and storage in {@code dir}. */
    static HeraldConfig config(Path dir, ServerConfig.Tls tls) {
        HeraldConfig c = TestServer.config(TestServer.STANDARD);
        return c.withServer(c.server().withTls(tls))
                .withStorage(new StorageConfig(dir.resolve("herald.db").toString(), null))
                .withChannels(ChannelsConfig.defaults().withRules(List.of(), List.of("pub:*")));
    }

    static HttpClient client(javax.net.ssl.SSLContext ssl) {
        // HTTP/1.1: the server offers nothing else over TLS
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(ssl).connectTimeout(TIMEOUT).build();
    }

    @BeforeAll
    static void start() {
        pem = TestCertificates.generate(dir, "served", "EC", null, 30);
        server = HeraldServer.start(config(dir, new ServerConfig.Tls(pem.cert().toString(), pem.key().toString(), null)));
        https = client(TestCertificates.trusting(pem.certificate()));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static HttpResponse<String> post(HttpClient http, int port, String path, String body, String bearer) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path)).timeout(TIMEOUT)
                .header("Authorization", "Bearer " + bearer).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return TestServer.send(http, request, HttpResponse.BodyHandlers.ofString());
    }

    /** A broadcast socket over WSS, its ticket got over HTTPS, subscribed when this returns. */
    static WsClient member(HttpClient http, int port, String user, String org) {
        HttpResponse<String> ticket = post(http, port, "/broadcast/v1/ws-ticket", "{}", TestServer.jwt(user, org, "viewer"));
        assertThat(ticket.statusCode()).as("ticket answer %s", ticket.body()).isEqualTo(200);
        URI wss = URI.create("wss://127.0.0.1:" + port + "/broadcast/v1/websocket?ws_ticket="
                + TestServer.json(ticket.body()).get("wsTicket").asText());
        WsClient socket = WsClient.open(http, wss, new WsClient() { });
        socket.awaitReady();
        return socket;
    }

    /** Publishes a broadcast event over HTTPS and returns how many sockets it reached. */
    static int broadcast(HttpClient http, int port, String org, String event) {
        HttpResponse<String> r = post(http, port, "/broadcast/v1/broadcast",
                "{\"event\":\"" + event + "\",\"payload\":{\"ok\":true},\"organizationId\":\"" + org + "\"}", TestServer.ACCESS_TOKEN);
        assertThat(r.statusCode()).as("publish answer %s", r.body()).isEqualTo(200);
        return TestServer.json(r.body()).get("delivered").asInt();
    }

    @Test
    void aBroadcastReachesAWssSocketWhoseTicketAndPublishWentOverHttps() {
        try (WsClient socket = member(https, server.port(), "u_tls", "org_tls")) {
            assertThat(broadcast(https, server.port(), "org_tls", "over-tls")).isEqualTo(1);

            assertThat(socket.next()).isEqualTo("{\"type\":\"broadcast\",\"event\":\"over-tls\",\"payload\":{\"ok\":true}}");
        }
    }

    @Test
    void anSseStreamOverHttpsDeliversAPublishedEvent() throws Exception {
        HttpRequest get = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + "/sse/pub:tls"))
                .timeout(TIMEOUT).GET().build();
        HttpResponse<InputStream> stream = TestServer.send(https, get, HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
            assertThat(stream.statusCode()).isEqualTo(200);
            assertThat(lineStartingWith(lines, ": connected")).isEqualTo(": connected");

            HttpResponse<String> r = post(https, server.port(), "/channels/v1/publish",
                    "{\"channel\":\"pub:tls\",\"event\":\"greet\",\"data\":{\"n\":1}}", TestServer.ACCESS_TOKEN);
            assertThat(r.statusCode()).as("publish answer %s", r.body()).isEqualTo(200);

            assertThat(lineStartingWith(lines, "event:")).isEqualTo("event: greet");
            assertThat(lineStartingWith(lines, "data:")).isEqualTo("data: {\"n\":1}");
        }
    }

    /** The next line of {@code lines} that starts with {@code prefix}, read within the timeout. */
    private static String lineStartingWith(BufferedReader lines, String prefix) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            try {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    if (line.startsWith(prefix)) {
                        return line;
                    }
                }
                return null;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void tls12AndTls13AreAccepted() throws IOException {
        assertThat(TestCertificates.handshake(server.port(), "TLSv1.2").protocol()).isEqualTo("TLSv1.2");
        assertThat(TestCertificates.handshake(server.port(), "TLSv1.3").protocol()).isEqualTo("TLSv1.3");
    }

    @Test
    void tls10AndTls11AreRefusedWithAProtocolVersionAlert() throws IOException {
        assertThat(ServedCertificate.PROTOCOLS).containsExactlyInAnyOrder("TLSv1.2", "TLSv1.3");
        // raw bytes: a JDK client would refuse to offer these versions itself, which would prove nothing
        assertThat(answerToClientHello(server.port(), 0x01)).as("TLS 1.0").isEqualTo(PROTOCOL_VERSION_ALERT);
        assertThat(answerToClientHello(server.port(), 0x02)).as("TLS 1.1").isEqualTo(PROTOCOL_VERSION_ALERT);
    }

    /** What a refusal looks like: an alert record (21) whose level is fatal (2) and description protocol_version (70). */
    private static final List<Integer> PROTOCOL_VERSION_ALERT = List.of(21, 2, 70);

    /**
     * Sends a ClientHello offering only TLS 1.{@code minor - 1} and returns the first record's type, and for
     * an alert its level and description; a ServerHello (22) would mean the version was accepted.
     */
    private static List<Integer> answerToClientHello(int port, int minor) throws IOException {
        byte[] hello = {
            0x03, (byte) minor,                                   // client_version
            1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, // random
            17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
            0,                                                    // no session id
            0, 4, (byte) 0xC0, 0x13, 0x00, 0x2F,                  // ECDHE_RSA and RSA with AES_128_CBC_SHA
            1, 0,                                                 // no compression
        };
        try (Socket s = TestCertificates.raw(port)) {
            OutputStream out = s.getOutputStream();
            out.write(new byte[] {0x16, 0x03, 0x01, 0, (byte) (hello.length + 4), 0x01, 0, 0, (byte) hello.length});
            out.write(hello);
            out.flush();
            InputStream in = s.getInputStream();
            int type = in.read();
            if (type != 21) {
                return List.of(type);
            }
            in.readNBytes(4); // version and length
            return List.of(type, in.read(), in.read());
        }
    }

    @Test
    void anExpiredCertificateIsRefusedAtStartNamingTheFileAndTheDate(@TempDir Path other) {
        Pem expired = TestCertificates.generate(other, "expired", "RSA", "-30d", 10);

        assertThatThrownBy(() -> HeraldServer.start(config(other,
                new ServerConfig.Tls(expired.cert().toString(), expired.key().toString(), null))))
                .isInstanceOf(ConfigException.class)
                .hasMessage("server.tls.certFile: " + expired.cert() + ": the certificate CN=expired expired on "
                        + expired.certificate().getNotAfter().toInstant() + " (notAfter)");
    }

    @Test
    void aKeyOfAnotherCertificateIsRefusedAtStart(@TempDir Path other) {
        Pem stranger = TestCertificates.generate(other, "stranger", "EC", null, 30);

        assertThatThrownBy(() -> HeraldServer.start(config(other,
                new ServerConfig.Tls(pem.cert().toString(), stranger.key().toString(), null))))
                .isInstanceOf(ConfigException.class)
                .hasMessage("server.tls.keyFile: " + stranger.key() + ": the key does not match the certificate in "
                        + pem.cert() + " (CN=served)");
    }
}
