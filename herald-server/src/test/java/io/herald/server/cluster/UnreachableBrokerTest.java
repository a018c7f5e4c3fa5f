package io.herald.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.cluster.Broker;
import io.herald.server.HeraldServer;
import io.herald.server.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node whose broker cannot reach the other nodes (as a {@code RedisBroker} while Redis is down), without
 * needing Redis: not ready, and every publish endpoint that goes through the broker answers 503
 * {@code broker_unavailable} rather than 500.
 */
class UnreachableBrokerTest {
    @TempDir
    static Path dir;

    private static HeraldServer server;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** Accepts subscriptions, refuses every publish as a broker cut off from Redis does. */
    private static final class Unreachable implements Broker {
        @Override
        public <T> Subscription subscribe(String topic, Codec<T> codec, Handler<T> handler) {
            return () -> { };
        }

        @Override
        public <T> CompletableFuture<Delivered> publish(String topic, T message, Codec<T> codec, Retention retention) {
            return CompletableFuture.failedFuture(new HeraldException(ErrorCode.BROKER_UNAVAILABLE));
        }

        @Override
        public <T> CompletableFuture<History<T>> history(String topic, Codec<T> codec, long since, int limit) {
            return CompletableFuture.failedFuture(new HeraldException(ErrorCode.BROKER_UNAVAILABLE));
        }

        @Override
        public boolean available() {
            return false;
        }

        @Override
        public void close() {
        }
    }

    @BeforeAll
    static void start() {
        server = HeraldServer.start(TestServer.config(ClusterNode.CONFIG)
                .withStorage(new io.herald.config.StorageConfig(dir.resolve("h.db").toString(), null)), b -> b.broker(new Unreachable()));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) {
        return TestServer.send(HTTP, request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> publish(String path, String json) {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .header("Authorization", "Bearer " + TestServer.ACCESS_TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    private static void assertBrokerUnavailable(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(TestServer.json(r.body()).get("error").asText()).isEqualTo("broker_unavailable");
    }

    @Test
    void readyzAnswers503BrokerUnavailable() {
        assertBrokerUnavailable(send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/readyz"))));
    }

    @Test
    void broadcastAndChangePublishesAnswer503BrokerUnavailable() {
        assertBrokerUnavailable(publish("/broadcast/v1/broadcast", "{\"event\":\"e\",\"payload\":1,\"organizationId\":\"org_1\"}"));
        assertBrokerUnavailable(publish("/broadcast/v1/changes",
                "{\"table\":\"applications\",\"eventType\":\"INSERT\",\"new\":{\"id\":1},\"organizationId\":\"org_1\"}"));
    }

    @Test
    void aChannelPublishAnswers503BrokerUnavailable() {
        assertBrokerUnavailable(publish("/channels/v1/publish", "{\"channel\":\"pub:x\",\"event\":\"e\",\"data\":null}"));
    }

    @Test
    void aSkippedChangeNeedsNoBrokerAndAnswersAsUsual() {
        HttpResponse<String> r = publish("/broadcast/v1/changes",
                "{\"table\":\"notes\",\"eventType\":\"DELETE\",\"old\":{\"id\":1},\"organizationId\":\"org_1\"}");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"delivered\":0,\"skipped\":\"onDelete disabled\"}");
    }
}
