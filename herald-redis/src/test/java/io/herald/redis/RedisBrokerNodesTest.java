package io.herald.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.herald.cluster.Broker;
import io.herald.config.ConfigException;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Several {@link RedisBroker} nodes in one JVM, each with its own Vert.x and node id, on one Redis:
 * cross-node delivery and counts, the reply timeout, membership and duplicate ids.
 */
class RedisBrokerNodesTest {

    @RegisterExtension
    static final RedisProcesses REDIS = RedisProcesses.standalone();

    static final Broker.Codec<String> TEXT = new Broker.Codec<>() {
        @Override
        public byte[] encode(String message) {
            return message.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String decode(byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    };

    private final String prefix = "nodes" + UUID.randomUUID().toString().substring(0, 8);
    private final List<Vertx> vertxes = new ArrayList<>();
    private final List<RedisBroker> brokers = new ArrayList<>();

    @AfterEach
    void stopNodes() throws Exception {
        brokers.forEach(RedisBroker::close);
        for (Vertx v : vertxes) {
            v.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private RedisBroker.Builder node(String id) {
        Vertx vertx = Vertx.vertx();
        vertxes.add(vertx);
        RedisConfig config = new RedisConfig(RedisConfig.Topology.STANDALONE, REDIS.urls(), prefix, RedisConfig.DEFAULT_META_TTL, 8, 4096);
        return RedisBroker.builder(vertx, config).nodeId(id).address(id + ".local:8080")
                .backoff(new ReconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(300)));
    }

    private RedisBroker start(RedisBroker.Builder builder) throws Exception {
        RedisBroker broker = builder.start().get(30, TimeUnit.SECONDS);
        brokers.add(broker);
        return broker;
    }

    private static Broker.Handler<String> counting(Queue<String> seen, int deliveries) {
        return (topic, message, position) -> {
            seen.add(message);
            return CompletableFuture.completedFuture(deliveries);
        };
    }

    private static Broker.Delivered publish(RedisBroker broker, String topic, String message) throws Exception {
        return broker.publish(topic, message, TEXT).get(10, TimeUnit.SECONDS);
    }

    @Test
    void aPublishOnOneNodeReachesTheOtherNodesAndCountsTheSumOfTheSubscribedNodesOnly() throws Exception {
        RedisBroker a = start(node("a"));
        RedisBroker b = start(node("b"));
        RedisBroker c = start(node("c"));
        start(node("d"));
        Queue<String> onB = new ConcurrentLinkedQueue<>();
        Queue<String> onC = new ConcurrentLinkedQueue<>();
        b.subscribe("broadcast/org:1", TEXT, counting(onB, 2));
        c.subscribe("broadcast/org:1", TEXT, counting(onC, 3));
        // b and c subscribe asynchronously; publishing until both are counted proves they joined
        await().atMost(Duration.ofSeconds(10)).until(() -> publish(a, "broadcast/org:1", "warm-up").count() == 5);
        onB.clear();
        onC.clear();

        Broker.Delivered delivered = publish(a, "broadcast/org:1", "hello");

        assertThat(delivered.counts()).isEqualTo(new Broker.Delivered(5, 2, false));
        await().atMost(Duration.ofSeconds(5)).until(() -> onB.contains("hello") && onC.contains("hello"));
        assertThat(publish(a, "broadcast/org:none", "x").counts()).isEqualTo(Broker.Delivered.NONE);
    }

    @Test
    void aNodeWhoseHandlerNeverCompletesMakesThePublishPartialAfterTheReplyTimeout() throws Exception {
        RedisBroker a = start(node("a").replyTimeout(Duration.ofMillis(300)));
        RedisBroker stuck = start(node("stuck"));
        RedisBroker c = start(node("c"));
        Queue<String> onC = new ConcurrentLinkedQueue<>();
        Queue<String> onStuck = new ConcurrentLinkedQueue<>();
        c.subscribe("t", TEXT, counting(onC, 3));
        stuck.subscribe("t", TEXT, (topic, message, position) -> {
            onStuck.add(message);
            return new CompletableFuture<>();
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            publish(a, "t", "warm-up");
            return !onStuck.isEmpty() && !onC.isEmpty();
        });

        Broker.Delivered delivered = publish(a, "t", "m");

        assertThat(delivered.counts()).isEqualTo(new Broker.Delivered(3, 1, true));
    }

    @Test
    void aNodeThatLetAPublishTimeOutIsNotWaitedForAgainUntilItReplies() throws Exception {
        RedisBroker a = start(node("a").replyTimeout(Duration.ofSeconds(5)));
        RedisBroker slow = start(node("slow"));
        Queue<String> onA = new ConcurrentLinkedQueue<>();
        a.subscribe("t", TEXT, counting(onA, 1));
        java.util.concurrent.atomic.AtomicBoolean answers = new java.util.concurrent.atomic.AtomicBoolean(true);
        slow.subscribe("t", TEXT, (topic, message, position) ->
                answers.get() ? CompletableFuture.completedFuture(1) : new CompletableFuture<>());
        await().atMost(Duration.ofSeconds(10)).until(() -> publish(a, "t", "probe").nodes() == 2);

        // slow answers nothing: the first publish waits the whole reply timeout, the next one does not
        answers.set(false);
        assertThat(publish(a, "t", "m1").counts()).isEqualTo(new Broker.Delivered(1, 1, true));
        long start = System.nanoTime();
        assertThat(publish(a, "t", "m2").counts()).isEqualTo(new Broker.Delivered(1, 1, true));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));

        // once slow replies again it is waited for again
        answers.set(true);
        await().atMost(Duration.ofSeconds(10)).until(() -> publish(a, "t", "m3").counts().equals(new Broker.Delivered(2, 2, false)));
    }

    @Test
    void membershipListsTheLiveNodesAndDropsOneThatStoppedHeartbeatingAfterItsExpiry() throws Exception {
        Duration interval = Duration.ofMillis(100);
        Duration expiry = Duration.ofMillis(600);
        RedisBroker a = start(node("a").heartbeat(interval, expiry).connections(() -> Map.of("broadcast", 7)));
        start(node("b").heartbeat(interval, expiry));
        RedisBroker closing = start(node("closing").heartbeat(interval, expiry));

        List<NodeInfo> nodes = a.nodes().get(10, TimeUnit.SECONDS);
        assertThat(nodes).extracting(NodeInfo::id).containsExactlyInAnyOrder("a", "b", "closing");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(a.nodes().get())
                .filteredOn(n -> n.id().equals("a")).singleElement()
                .satisfies(n -> {
                    assertThat(n.address()).isEqualTo("a.local:8080");
                    assertThat(n.connections()).isEqualTo(Map.of("broadcast", 7));
                }));

        closing.close();
        // a closing node leaves at once (asynchronously), without waiting for its expiry
        await().atMost(expiry.dividedBy(2)).until(() -> a.nodes().get().stream().noneMatch(n -> n.id().equals("closing")));

        // b's process "crashes": its Vert.x stops, so it neither heartbeats nor leaves
        vertxes.get(1).close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        long crashed = System.nanoTime();
        await().atMost(Duration.ofSeconds(5)).until(() -> a.nodes().get().stream().noneMatch(n -> n.id().equals("b")));
        assertThat(Duration.ofNanos(System.nanoTime() - crashed)).isLessThan(expiry.plus(Duration.ofSeconds(2)));
    }

    @Test
    void aCrashedSubscriberIsNotWaitedForOnceItsHeartbeatExpired() throws Exception {
        RedisBroker a = start(node("a").heartbeat(Duration.ofMillis(100), Duration.ofMillis(500)).replyTimeout(Duration.ofSeconds(1)));
        RedisBroker b = start(node("b").heartbeat(Duration.ofMillis(100), Duration.ofMillis(500)));
        Queue<String> onB = new ConcurrentLinkedQueue<>();
        b.subscribe("t", TEXT, counting(onB, 1));
        await().atMost(Duration.ofSeconds(10)).until(() -> publish(a, "t", "warm-up").count() == 1);

        vertxes.get(1).close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        // until b's heartbeat expires (and a's next heartbeat sees it), a waits for b and reports partial counts
        await().atMost(Duration.ofSeconds(10)).until(() -> publish(a, "t", "after").counts().equals(Broker.Delivered.NONE));

        long start = System.nanoTime();
        assertThat(publish(a, "t", "again").counts()).isEqualTo(Broker.Delivered.NONE);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(500));
    }

    @Test
    void aNodeWhoseMembershipRedisLostRejoinsItsTopicsWithItsNextHeartbeat() throws Exception {
        RedisBroker a = start(node("a").heartbeat(Duration.ofMillis(100), Duration.ofMillis(500)));
        RedisBroker b = start(node("b").heartbeat(Duration.ofMillis(100), Duration.ofMillis(500)));
        b.subscribe("t", TEXT, counting(new ConcurrentLinkedQueue<>(), 1));
        await().atMost(Duration.ofSeconds(10)).until(() -> publish(a, "t", "warm-up").count() == 1);

        // Redis loses every key while the pub/sub connections stay up: no resubscription tells b
        REDIS.command(0, "FLUSHALL");

        // b's reply may beat the script's answer and count anyway, so the set itself is what proves b is waited for
        await().atMost(Duration.ofSeconds(10)).until(() -> REDIS.command(0, "SMEMBERS", prefix + ":{t}:nodes").contains("b"));
        assertThat(publish(a, "t", "after").counts()).isEqualTo(new Broker.Delivered(1, 1, false));
    }

    @Test
    void anAddressAdvertisedAfterTheStartIsShownInTheNodeList() throws Exception {
        RedisBroker a = start(node("a").address(""));

        a.advertise("10.0.0.1:8081");

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(a.nodes().get())
                .singleElement().extracting(NodeInfo::address).isEqualTo("10.0.0.1:8081"));
    }

    @Test
    void aNodeStartingWithTheIdOfALiveNodeIsRefused() throws Exception {
        start(node("twin"));

        assertThatThrownBy(() -> start(node("twin")))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("cluster.nodeId:").hasMessageContaining("twin");
    }

    @Test
    void aKeyClaimedOnOneNodeIsTakenForEveryNodeUntilItExpires() throws Exception {
        RedisBroker a = start(node("a"));
        RedisBroker b = start(node("b"));
        String key = "ticket:" + System.nanoTime();

        assertThat(a.claim(key, Duration.ofMillis(300)).get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(b.claim(key, Duration.ofMillis(300)).get(10, TimeUnit.SECONDS)).isFalse();
        assertThat(a.claim(key, Duration.ofMillis(300)).get(10, TimeUnit.SECONDS)).isFalse();
        assertThat(b.claim(key + "-other", Duration.ofMinutes(1)).get(10, TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> b.claim(key, Duration.ofMinutes(1)).get(10, TimeUnit.SECONDS));
    }
}
