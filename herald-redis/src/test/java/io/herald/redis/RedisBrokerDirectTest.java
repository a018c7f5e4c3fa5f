package io.herald.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.cluster.Broker;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Node-to-node messages of {@link RedisBroker} ({@code send} and {@code inbox}) between two nodes in
 * one JVM on a real Redis: order per sender under load (the sender batches while a publish is in
 * flight), both directions at once, routing by channel, and the gap an inbox is told of when its
 * pub/sub connection was dropped.
 */
class RedisBrokerDirectTest {

    @RegisterExtension
    static final RedisProcesses REDIS = RedisProcesses.standalone();

    private final String prefix = "direct" + UUID.randomUUID().toString().substring(0, 8);
    private final List<Vertx> vertxes = new ArrayList<>();
    private final List<RedisBroker> brokers = new ArrayList<>();
    private RedisBroker a;
    private RedisBroker b;

    @BeforeEach
    void startNodes() throws Exception {
        a = start("a");
        b = start("b");
    }

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
        RedisConfig config = new RedisConfig(RedisConfig.Topology.STANDALONE, REDIS.urls(), prefix, RedisConfig.DEFAULT_META_TTL, 8, 4096);
        RedisBroker broker = RedisBroker.builder(vertx, config).nodeId(id)
                .backoff(new ReconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(300)))
                .start().get(30, TimeUnit.SECONDS);
        brokers.add(broker);
        return broker;
    }

    /** Records what arrives, as "from:text", and the gaps it is told of. */
    static final class Recorder implements Broker.Inbox {
        final Queue<String> seen = new ConcurrentLinkedQueue<>();
        final Queue<String> gaps = new ConcurrentLinkedQueue<>();

        @Override
        public void onMessage(String fromNode, byte[] body) {
            seen.add(fromNode + ":" + new String(body, StandardCharsets.UTF_8));
        }

        @Override
        public void onGap(String fromNode) {
            gaps.add(String.valueOf(fromNode));
        }
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void thousandsOfMessagesArriveOnceEachInTheOrderSent() throws Exception {
        Recorder atB = new Recorder();
        b.inbox("rooms", atB);
        int n = 3000;
        List<CompletableFuture<Void>> sent = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            sent.add(a.send("b", "rooms", text("m" + i)));
        }
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(30)).until(() -> atB.seen.size() >= n);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            expected.add("a:m" + i);
        }
        assertThat(List.copyOf(atB.seen)).containsExactlyElementsOf(expected);
        assertThat(atB.gaps).isEmpty();
    }

    @Test
    void bothDirectionsAtOnceAndEachChannelToItsOwnInbox() throws Exception {
        Recorder rooms = new Recorder();
        Recorder other = new Recorder();
        Recorder back = new Recorder();
        b.inbox("rooms", rooms);
        b.inbox("other", other);
        a.inbox("rooms", back);
        for (int i = 0; i < 200; i++) {
            a.send("b", i % 2 == 0 ? "rooms" : "other", text("x" + i));
            b.send("a", "rooms", text("y" + i));
        }
        a.send("b", "nobody-listens", text("dropped"));
        a.send("b", "rooms", text("last"));
        await().atMost(Duration.ofSeconds(20)).until(() -> rooms.seen.contains("a:last") && back.seen.size() == 200 && other.seen.size() == 100);
        assertThat(rooms.seen).hasSize(101).startsWith("a:x0", "a:x2").endsWith("a:x198", "a:last");
        assertThat(other.seen).startsWith("a:x1").endsWith("a:x199");
        assertThat(back.seen).startsWith("b:y0").endsWith("b:y199");
    }

    @Test
    void anInboxIsToldOfAGapWhenItsPubSubConnectionWasDropped() throws Exception {
        Recorder atB = new Recorder();
        b.inbox("rooms", atB);
        a.send("b", "rooms", text("before")).get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> atB.seen.contains("a:before"));
        assertThat(REDIS.killPubSubClients(0)).isPositive();
        await().atMost(Duration.ofSeconds(20)).until(() -> !atB.gaps.isEmpty());
        // after the reconnect the path works again
        AtomicInteger tries = new AtomicInteger();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            a.send("b", "rooms", text("after" + tries.incrementAndGet()));
            return atB.seen.stream().anyMatch(s -> s.startsWith("a:after"));
        });
    }
}
