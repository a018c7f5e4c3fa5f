package io.herald.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.cluster.Broker;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What two nodes do while their Redis is down and after it came back (its data lost). */
class RedisBrokerOutageTest {

    @RegisterExtension
    static final RedisProcesses REDIS = RedisProcesses.standalone();

    private final List<Vertx> vertxes = new ArrayList<>();
    private final List<RedisBroker> brokers = new ArrayList<>();

    @AfterEach
    void stopNodes() throws Exception {
        brokers.forEach(RedisBroker::close);
        for (Vertx v : vertxes) {
            v.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private RedisBroker start(String id) throws Exception {
        Vertx vertx = Vertx.vertx();
        vertxes.add(vertx);
        RedisBroker broker = RedisBroker.builder(vertx, RedisConfig.of(RedisConfig.Topology.STANDALONE, REDIS.urls()))
                .nodeId(id).heartbeat(Duration.ofMillis(200), Duration.ofSeconds(2))
                .backoff(new ReconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(200)))
                .start().get(30, TimeUnit.SECONDS);
        brokers.add(broker);
        return broker;
    }

    /** The publish's failure, or null when it succeeded. */
    private static Throwable failureOf(RedisBroker broker, String topic) throws InterruptedException {
        try {
            broker.publish(topic, "m", RedisBrokerNodesTest.TEXT).get(10, TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            return e;
        }
    }

    @Test
    void whileRedisIsDownPublishesFailAsUnavailableAndAfterItsRestartTheyWorkAndTheGapIsReported() throws Exception {
        RedisBroker a = start("a");
        RedisBroker b = start("b");
        Queue<String> gaps = new ConcurrentLinkedQueue<>();
        b.subscribe("channel/news", RedisBrokerNodesTest.TEXT, (topic, m, position) -> CompletableFuture.completedFuture(1), gaps::add);
        await().atMost(Duration.ofSeconds(10)).until(() -> a.publish("channel/news", "m", RedisBrokerNodesTest.TEXT).get().count() == 1);
        assertThat(a.available()).isTrue();

        REDIS.kill(0);

        await().atMost(Duration.ofSeconds(10)).until(() -> failureOf(a, "channel/news") instanceof HeraldException e
                && e.code() == ErrorCode.BROKER_UNAVAILABLE);
        await().atMost(Duration.ofSeconds(10)).until(() -> !a.available() && !b.available());
        assertThat(gaps).isEmpty();

        REDIS.restart(0);

        await().atMost(Duration.ofSeconds(15)).until(() -> gaps.contains("channel/news"));
        await().atMost(Duration.ofSeconds(15)).until(() -> failureOf(a, "channel/news") == null
                && a.publish("channel/news", "m", RedisBrokerNodesTest.TEXT).get().counts().equals(new Broker.Delivered(1, 1, false)));
        await().atMost(Duration.ofSeconds(10)).until(() -> a.available() && b.available());
        assertThat(a.nodes().get(10, TimeUnit.SECONDS)).extracting(NodeInfo::id).contains("a", "b");
    }
}
