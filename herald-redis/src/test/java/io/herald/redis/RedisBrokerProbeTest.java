package io.herald.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.cluster.Broker;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Two nodes whose Redis freezes (SIGSTOP) without closing a socket, then continues. */
class RedisBrokerProbeTest {

    @RegisterExtension
    static final RedisProcesses REDIS = RedisProcesses.standalone();

    private static final PubSubProbe PROBE = new PubSubProbe(Duration.ofMillis(500), Duration.ofMillis(300));

    @Test
    void aFrozenRedisMakesTheNodesUnavailableAndOnceItContinuesTheGapIsReportedAndPublishesDeliverAgain() throws Exception {
        Vertx vertx = Vertx.vertx();
        RedisConfig config = RedisConfig.of(RedisConfig.Topology.STANDALONE, REDIS.urls());
        ReconnectBackoff backoff = new ReconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(200));
        RedisBroker a = RedisBroker.builder(vertx, config).nodeId("a").backoff(backoff).probe(PROBE).start().get(30, TimeUnit.SECONDS);
        RedisBroker b = RedisBroker.builder(vertx, config).nodeId("b").backoff(backoff).probe(PROBE).start().get(30, TimeUnit.SECONDS);
        try {
            Queue<String> gaps = new ConcurrentLinkedQueue<>();
            b.subscribe("channel/news", RedisBrokerNodesTest.TEXT, (topic, m, position) -> CompletableFuture.completedFuture(1), gaps::add);
            await().atMost(Duration.ofSeconds(10)).until(() -> a.publish("channel/news", "m", RedisBrokerNodesTest.TEXT).get().count() == 1);

            REDIS.pause(0);

            await().atMost(PROBE.interval().plus(PROBE.timeout()).plusSeconds(2)).pollInterval(Duration.ofMillis(10))
                    .until(() -> !a.available() && !b.available());
            assertThat(gaps).isEmpty();

            REDIS.resume(0);

            await().atMost(Duration.ofSeconds(10)).until(() -> gaps.contains("channel/news"));
            await().atMost(Duration.ofSeconds(10)).until(() -> a.available() && b.available());
            await().atMost(Duration.ofSeconds(10)).until(() -> a.publish("channel/news", "m", RedisBrokerNodesTest.TEXT)
                    .get(10, TimeUnit.SECONDS).counts().equals(new Broker.Delivered(1, 1, false)));
        } finally {
            REDIS.resume(0);
            a.closeAsync().get(10, TimeUnit.SECONDS);
            b.closeAsync().get(10, TimeUnit.SECONDS);
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
