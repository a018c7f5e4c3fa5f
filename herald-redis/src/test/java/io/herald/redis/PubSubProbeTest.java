package io.herald.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The idle probe of {@link PubSubConnection} against a real, frozen (SIGSTOP) and a healthy Redis. */
class PubSubProbeTest {

    @RegisterExtension
    static final RedisProcesses REDIS = RedisProcesses.standalone();

    private static final PubSubProbe PROBE = new PubSubProbe(Duration.ofMillis(500), Duration.ofMillis(300));
    private static final ReconnectBackoff BACKOFF = new ReconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(200));

    private final StreamKeys keys = new StreamKeys(StreamKeys.DEFAULT_PREFIX);
    private final Queue<Publication> received = new ConcurrentLinkedQueue<>();
    private final Queue<Set<String>> resubscribed = new ConcurrentLinkedQueue<>();
    private final PubSubConnection.Listener listener = new PubSubConnection.Listener() {
        @Override
        public void onPublication(Publication publication) {
            received.add(publication);
        }

        @Override
        public void onResubscribed(Set<String> streams) {
            resubscribed.add(streams);
        }
    };
    private Vertx vertx;
    private RedisStreams streams;
    private PubSubConnection connection;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        streams = RedisStreams.create(vertx, RedisConfig.of(RedisConfig.Topology.STANDALONE, REDIS.urls()));
    }

    @AfterEach
    void stop() throws Exception {
        REDIS.resume(0);
        if (connection != null) {
            connection.close();
        }
        streams.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aFrozenRedisIsDeclaredLostWithinIntervalPlusTimeoutAndAfterItContinuesTheStreamIsResubscribedAndDelivers() {
        String stream = "probe:" + UUID.randomUUID();
        connection = PubSubConnection.open(vertx, REDIS.url(0), false, keys, listener, BACKOFF, PROBE);
        get(connection.subscribe(List.of(stream)));
        publishUntilReceived(stream);

        REDIS.pause(0);
        long frozenAt = System.nanoTime();

        // the socket stays open: only the probe can notice
        await().atMost(PROBE.interval().plus(PROBE.timeout()).plusSeconds(2)).pollInterval(Duration.ofMillis(10))
                .until(() -> !connection.connected());
        long detectedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - frozenAt);
        assertThat(detectedMillis).isLessThan(PROBE.interval().plus(PROBE.timeout()).plusSeconds(2).toMillis());
        // reconnect attempts reach the kernel's accept queue but are never answered: they must not count as connected
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> !connection.connected());
        assertThat(resubscribed).isEmpty();

        REDIS.resume(0);

        await().atMost(Duration.ofSeconds(10)).until(() -> resubscribed.stream().anyMatch(s -> s.contains(stream)));
        assertThat(connection.connected()).isTrue();
        assertThat(connection.reconnects()).isPositive();
        publishUntilReceived(stream);
    }

    @ParameterizedTest(name = "protocol {0}")
    @ValueSource(strings = {"3", "2"})
    void aQuietHealthyConnectionIsProbedButNeverDropped(String protocol) {
        String stream = "probe:" + UUID.randomUUID();
        connection = PubSubConnection.open(vertx, REDIS.url(0) + "?protocol=" + protocol, false, keys, listener, BACKOFF,
                new PubSubProbe(Duration.ofMillis(100), Duration.ofMillis(300)));
        get(connection.subscribe(List.of(stream)));

        // several probe intervals with nothing but the probes on the connection
        await().atMost(Duration.ofSeconds(10)).until(() -> connection.probes() >= 8);

        assertThat(connection.reconnects()).isZero();
        assertThat(connection.connected()).isTrue();
        assertThat(resubscribed).isEmpty();
        publishUntilReceived(stream);
    }

    @ParameterizedTest(name = "protocol {0}")
    @ValueSource(strings = {"3", "2"})
    void publicationsArrivingWhileAProbeWaitsForItsPongAreAllDelivered(String protocol) {
        String stream = "probe:" + UUID.randomUUID();
        connection = PubSubConnection.open(vertx, REDIS.url(0) + "?protocol=" + protocol, false, keys, listener, BACKOFF,
                new PubSubProbe(Duration.ofMillis(20), Duration.ofSeconds(2)));
        get(connection.subscribe(List.of(stream)));
        Redis sleeper = Redis.createClient(vertx, REDIS.url(0));

        // DEBUG SLEEP blocks Redis while a publish and the probe's PING queue up behind it; Redis then
        // serves them in either order, so sometimes the message reaches the subscriber before the PONG
        int rounds = 20;
        int probedRounds = 0;
        for (int i = 0; i < rounds; i++) {
            long probesBefore = connection.probes();
            Future<?> sleep = sleeper.send(Request.cmd(Command.DEBUG).arg("SLEEP").arg("0.1"));
            Future<?> published = streams.publish(stream, ("m" + i).getBytes(UTF_8), 0, 1);
            get(Future.all(sleep, published));
            probedRounds += connection.probes() > probesBefore ? 1 : 0;
        }
        sleeper.close();
        assertThat(probedRounds).as("rounds in which a PING queued up with the publish").isGreaterThanOrEqualTo(rounds / 2);

        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() >= rounds);
        assertThat(received).extracting(p -> new String(p.payload(), UTF_8))
                .containsExactlyElementsOf(IntStream.range(0, rounds).mapToObj(i -> "m" + i).toList());
        assertThat(connection.reconnects()).isZero();
    }

    /** Publishes until one of these publications arrives; publishes fail while Redis comes back. */
    private void publishUntilReceived(String stream) {
        String marker = UUID.randomUUID().toString();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
            try {
                get(streams.publish(stream, marker.getBytes(UTF_8), 0, 1));
            } catch (RuntimeException e) {
                return false;
            }
            return received.stream().anyMatch(p -> new String(p.payload(), UTF_8).equals(marker));
        });
    }

    static <T> T get(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(e.getCause() != null ? e.getCause() : e);
        }
    }
}
