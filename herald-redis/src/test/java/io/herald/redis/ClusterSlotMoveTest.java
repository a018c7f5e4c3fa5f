package io.herald.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.cluster.Broker;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Streams follow their slot when it moves to another master of a real Redis Cluster (sharded pub/sub). */
class ClusterSlotMoveTest {

    @RegisterExtension
    static final RedisProcesses REDIS = RedisProcesses.cluster(3);

    private static final ReconnectBackoff BACKOFF = new ReconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(500));

    private final RedisConfig config = RedisConfig.of(RedisConfig.Topology.CLUSTER, REDIS.urls());
    private final StreamKeys keys = new StreamKeys(config.prefix());
    private final Queue<Publication> received = new ConcurrentLinkedQueue<>();
    private final Queue<Set<String>> resubscribed = new ConcurrentLinkedQueue<>();
    private Vertx vertx;
    private RedisStreams streams;
    private StreamSubscriber subscriber;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        streams = RedisStreams.create(vertx, config);
    }

    @AfterEach
    void stop() throws Exception {
        if (subscriber != null) {
            subscriber.close();
        }
        streams.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private void startSubscriber() {
        subscriber = PubSubProbeTest.get(StreamSubscriber.start(vertx, config, new PubSubConnection.Listener() {
            @Override
            public void onPublication(Publication publication) {
                received.add(publication);
            }

            @Override
            public void onResubscribed(Set<String> streams) {
                resubscribed.add(streams);
            }
        }, BACKOFF));
    }

    private int slotOf(String stream) {
        return KeySlot.of(keys.channel(stream));
    }

    @Test
    void aSubscribedStreamWhoseSlotMovesIsResubscribedOnTheNewOwnerAndReportedAsPossiblyMissed() {
        startSubscriber();
        String stream = "move:" + UUID.randomUUID();
        String quiet = "move:" + UUID.randomUUID();
        PubSubProbeTest.get(subscriber.subscribe(List.of(stream, quiet)));
        publishUntilReceived(stream);
        int slot = slotOf(stream);
        int from = REDIS.ownerOf(slot);
        int to = (from + 1) % REDIS.size();

        REDIS.moveSlot(slot, to);

        await().atMost(Duration.ofSeconds(15)).until(() -> resubscribed.stream().anyMatch(s -> s.contains(stream)));
        assertThat(resubscribed).allSatisfy(s -> assertThat(s).doesNotContain(quiet));
        assertThat(subscriber.connectionOf(stream).url()).isEqualTo(REDIS.url(to));
        publishUntilReceived(stream);
        publishUntilReceived(quiet);
        assertThat(subscriber.connections()).extracting(PubSubConnection::url).containsExactlyInAnyOrderElementsOf(REDIS.urls());
    }

    @Test
    void aStreamSubscribedAfterItsSlotMovedUnnoticedFollowsTheMovedAnswer() {
        startSubscriber();
        String stream = "late:" + UUID.randomUUID();
        int slot = slotOf(stream);
        int from = REDIS.ownerOf(slot);
        int to = (from + 2) % REDIS.size();
        // nothing of ours lives in that slot yet, so nobody tells the subscriber: its slot map is stale
        REDIS.moveSlot(slot, to);
        assertThat(subscriber.connectionOf(stream).url()).isEqualTo(REDIS.url(from));

        PubSubProbeTest.get(subscriber.subscribe(stream));

        assertThat(subscriber.connectionOf(stream).url()).isEqualTo(REDIS.url(to));
        publishUntilReceived(stream);
        assertThat(resubscribed).as("a first subscription missed nothing").isEmpty();
    }

    @Test
    void aBrokerTopicWhoseSlotMovesReportsAGapAndKeepsDelivering() throws Exception {
        Vertx nodeVertx = Vertx.vertx();
        RedisBroker a = RedisBroker.builder(nodeVertx, config).nodeId("a").backoff(BACKOFF).start().get(30, TimeUnit.SECONDS);
        RedisBroker b = RedisBroker.builder(nodeVertx, config).nodeId("b").backoff(BACKOFF).start().get(30, TimeUnit.SECONDS);
        try {
            // a topic that does not share its slot with the node channels, which stay where they are
            String topic = "news:" + UUID.randomUUID();
            while (slotOf(topic) == slotOf("node:a") || slotOf(topic) == slotOf("node:b")) {
                topic = "news:" + UUID.randomUUID();
            }
            String moved = topic;
            Queue<String> gaps = new ConcurrentLinkedQueue<>();
            Queue<String> got = new ConcurrentLinkedQueue<>();
            a.subscribe(moved, RedisBrokerNodesTest.TEXT, (t, m, position) -> {
                got.add(m);
                return CompletableFuture.completedFuture(1);
            }, gaps::add);
            await().atMost(Duration.ofSeconds(10)).until(() -> b.publish(moved, "before", RedisBrokerNodesTest.TEXT).get().count() == 1);
            int slot = slotOf(moved);

            REDIS.moveSlot(slot, (REDIS.ownerOf(slot) + 1) % REDIS.size());

            await().atMost(Duration.ofSeconds(15)).until(() -> gaps.contains(moved));
            await().atMost(Duration.ofSeconds(10)).until(() -> b.publish(moved, "after", RedisBrokerNodesTest.TEXT).get()
                    .counts().equals(new Broker.Delivered(1, 1, false)));
            assertThat(got).contains("before", "after");
            assertThat(a.available()).isTrue();
        } finally {
            a.closeAsync().get(10, TimeUnit.SECONDS);
            b.closeAsync().get(10, TimeUnit.SECONDS);
            nodeVertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** Publishes through the cluster client (which follows MOVED) until one of these publications arrives. */
    private void publishUntilReceived(String stream) {
        String marker = UUID.randomUUID().toString();
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50)).until(() -> {
            try {
                PubSubProbeTest.get(streams.publish(stream, marker.getBytes(UTF_8), 10, 60));
            } catch (RuntimeException e) {
                return false;
            }
            return received.stream().anyMatch(p -> p.stream().equals(stream) && new String(p.payload(), UTF_8).equals(marker));
        });
    }
}
