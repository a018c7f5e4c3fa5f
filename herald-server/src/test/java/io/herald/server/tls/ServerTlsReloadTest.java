package io.herald.server.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.config.ServerConfig;
import io.herald.server.HeraldServer;
import io.herald.server.WsClient;
import io.herald.server.tls.TestCertificates.Pem;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Certificates renewed in place: new connections get the new certificate once its files are valid,
 * open sockets stay open, and files caught mid-rotation or broken keep the old certificate serving.
 */
class ServerTlsReloadTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** Polled this often, so a change is seen within a fraction of the wait on any machine. */
    private static final long RELOAD_MS = 100;

    @TempDir
    Path dir;

    @Test
    void aRotatedCertificateIsServedToNewConnectionsWhileAnOpenSocketStaysOpenAndReceives() {
        Pem first = TestCertificates.generate(dir, "first", "RSA", null, 30);
        Pem second = TestCertificates.generate(dir, "second", "RSA", null, 60);
        ServerConfig.Tls tls = new ServerConfig.Tls(first.cert().toString(), first.key().toString(), null, RELOAD_MS);
        try (HeraldServer server = HeraldServer.start(ServerTlsTest.config(dir, tls))) {
            HttpClient https = ServerTlsTest.client(TestCertificates.trusting(first.certificate(), second.certificate()));
            WsClient before = ServerTlsTest.member(https, server.port(), "u_before", "org_rotate");
            assertThat(TestCertificates.served(server.port())).isEqualTo(first.certificate());

            TestCertificates.rotate(first, second);

            await().atMost(WAIT).pollInterval(Duration.ofMillis(20))
                    .until(() -> TestCertificates.served(server.port()).equals(second.certificate()));
            // connections are spread over one HTTP server per event loop: every one of them serves the new one
            for (int i = 0; i < 8; i++) {
                assertThat(TestCertificates.served(server.port())).isEqualTo(second.certificate());
            }
            WsClient after = ServerTlsTest.member(https, server.port(), "u_after", "org_rotate");
            assertThat(ServerTlsTest.broadcast(https, server.port(), "org_rotate", "renewed")).isEqualTo(2);
            String expected = "{\"type\":\"broadcast\",\"event\":\"renewed\",\"payload\":{\"ok\":true}}";
            assertThat(before.next()).isEqualTo(expected);
            assertThat(after.next()).isEqualTo(expected);
            assertThat(before.isClosed()).isFalse();
            before.close();
            after.close();
        }
    }

    @Test
    void unusableFilesKeepTheOldCertificateUntilAValidPairArrives() throws Exception {
        Pem first = TestCertificates.generate(dir, "first", "EC", null, 30);
        Pem second = TestCertificates.generate(dir, "second", "EC", null, 60);
        Vertx vertx = Vertx.vertx();
        try (ServerTls tls = ServerTls.load(new ServerConfig.Tls(first.cert().toString(), first.key().toString(), null, RELOAD_MS))) {
            HttpServer server = vertx.createHttpServer(tls.configure(new HttpServerOptions().setHost("127.0.0.1").setPort(0)))
                    .requestHandler(r -> r.response().end("ok"))
                    .listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            tls.serve(server);
            tls.watch();

            // half written: the renewal's certificate cut off in the middle
            String cert = Files.readString(second.cert());
            TestCertificates.replace(first.cert(), cert.substring(0, cert.length() / 2).getBytes(StandardCharsets.US_ASCII));
            await().atMost(WAIT).until(() -> tls.rejectedChanges() == 1);
            assertThat(TestCertificates.served(server.actualPort())).isEqualTo(first.certificate());

            // the certificate complete, its key not yet: they do not match
            TestCertificates.replace(first.cert(), cert.getBytes(StandardCharsets.US_ASCII));
            await().atMost(WAIT).until(() -> tls.rejectedChanges() == 2);
            assertThat(TestCertificates.served(server.actualPort())).isEqualTo(first.certificate());
            assertThat(tls.current().certificate()).isEqualTo(first.certificate());

            TestCertificates.replace(first.key(), Files.readAllBytes(second.key()));
            await().atMost(WAIT).until(() -> TestCertificates.served(server.actualPort()).equals(second.certificate()));
            assertThat(tls.current().certificate()).isEqualTo(second.certificate());
            // once per change, not once per poll: the polls between the changes warned about nothing more
            assertThat(tls.rejectedChanges()).isEqualTo(2);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
