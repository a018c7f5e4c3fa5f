package io.herald.client;

import io.herald.config.HeraldConfig;
import io.herald.config.StorageConfig;
import io.herald.server.TestServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/** Real Herald servers in this JVM for the client's tests, and clients pointed at them. */
final class ClientServers {
    /** Two tables (one with DELETE switched off), a namespace, two public channel prefixes. */
    static final String CONFIG = TestServer.STANDARD + """
            channels:
              public: ["news:*", "run:*"]
            """;

    private ClientServers() {
    }

    /** {@code yaml} on 127.0.0.1, port 0, with the test secrets and room storage in {@code dir}. */
    static HeraldConfig config(String yaml, Path dir) {
        return TestServer.config(yaml).withStorage(new StorageConfig(dir.resolve("herald.db").toString(), null));
    }

    static TestServer start(String yaml, Path dir) {
        return TestServer.start(config(yaml, dir));
    }

    static URI baseUrl(TestServer server) {
        return URI.create("http://127.0.0.1:" + server.port());
    }

    /** A builder for {@code server} with its access token and a test-sized timeout. */
    static HeraldClient.Builder builder(TestServer server) {
        return HeraldClient.builder()
                .baseUrl(baseUrl(server))
                .accessToken(TestServer.ACCESS_TOKEN)
                .timeout(Duration.ofSeconds(10));
    }

    static HeraldClient client(TestServer server) {
        return builder(server).build();
    }
}
