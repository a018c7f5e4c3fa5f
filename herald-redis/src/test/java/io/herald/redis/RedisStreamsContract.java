package io.herald.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What {@link RedisStreams} and {@link StreamSubscriber} promise on every topology, proven against
 * real Redis servers started by {@link RedisProcesses}. Each test uses its own stream names, so the
 * servers are shared by the class's tests.
 */
abstract class RedisStreamsContract {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private Vertx vertx;
    private RedisConfig config;
    private RedisStreams streams;
    private StreamSubscriber subscriber;
    private final Queue<Publication> received = new ConcurrentLinkedQueue<>();
    private final Queue<Set<String>> resubscribed = new ConcurrentLinkedQueue<>();

    abstract RedisProcesses redis();

    abstract RedisConfig.Topology topology();

    @BeforeEach
    void connect() {
        vertx = Vertx.vertx();
        config = RedisConfig.of(topology(), redis().urls());
        streams = RedisStreams.create(vertx, config);
    }

    @AfterEach
    void disconnect() {
        if (subscriber != null) {
            subscriber.close();
        }
        streams.close();
        get(vertx.close());
    }

    @Test
    void offsetsAreGapFreeAndUniqueUnderConcurrentPublishers() throws Exception {
        String stream = newStream();
        int publishers = 4;
        int each = 500;
        ExecutorService pool = Executors.newFixedThreadPool(publishers);
        Queue<StreamPosition> positions = new ConcurrentLinkedQueue<>();
        long start = System.nanoTime();
        List<java.util.concurrent.Future<?>> runs = new ArrayList<>();
        for (int p = 0; p < publishers; p++) {
            runs.add(pool.submit(() -> {
                for (int i = 0; i < each; i++) {
                    positions.add(get(streams.publish(stream, "x".getBytes(UTF_8), 100, 60)));
                }
            }));
        }
        for (java.util.concurrent.Future<?> run : runs) {
            run.get(60, TimeUnit.SECONDS);
        }
        long elapsedMicros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start);
        pool.shutdown();
        System.out.printf("%s: %d publishes by %d sequential publishers in %d ms (%.0f/s)%n", topology(), publishers * each,
                publishers, elapsedMicros / 1000, publishers * each * 1e6 / elapsedMicros);

        assertThat(positions.stream().mapToLong(StreamPosition::offset).sorted().toArray())
                .containsExactly(LongStream.rangeClosed(1, publishers * each).toArray());
        assertThat(positions.stream().map(StreamPosition::epoch).distinct()).hasSize(1);
        assertThat(get(streams.position(stream)).offset()).isEqualTo(publishers * each);
    }

    @Test
    void historyReturnsWhatWasMissedInOrderBoundedByTheLimit() {
        String stream = newStream();
        for (int i = 1; i <= 20; i++) {
            get(streams.publish(stream, ("m" + i).getBytes(UTF_8), 100, 60));
        }

        History missed = get(streams.history(stream, 5, 10));
        assertThat(missed.truncated()).isFalse();
        assertThat(missed.position().offset()).isEqualTo(20);
        assertThat(missed.publications()).extracting(Publication::offset).containsExactly(6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L);
        assertThat(missed.publications()).extracting(p -> new String(p.payload(), UTF_8)).startsWith("m6", "m7");
        assertThat(missed.publications()).extracting(Publication::epoch).containsOnly(missed.position().epoch());

        assertThat(get(streams.history(stream, 0, 100)).publications()).hasSize(20);
        History upToDate = get(streams.history(stream, 20, 10));
        assertThat(upToDate.publications()).isEmpty();
        assertThat(upToDate.truncated()).isFalse();
        assertThat(get(streams.history(stream, 21, 10)).truncated()).as("beyond the top").isTrue();
    }

    @Test
    void trimmedHistoryTellsThatTheOffsetLeftIt() {
        String stream = newStream();
        for (int i = 1; i <= 300; i++) {
            get(streams.publish(stream, ("m" + i).getBytes(UTF_8), 10, 60));
        }

        History fromStart = get(streams.history(stream, 0, 1000));
        assertThat(fromStart.truncated()).isTrue();
        assertThat(fromStart.position().offset()).isEqualTo(300);
        assertThat(fromStart.publications()).hasSizeLessThan(300);
        assertThat(fromStart.publications().get(fromStart.publications().size() - 1).offset()).isEqualTo(300);

        History recent = get(streams.history(stream, 295, 1000));
        assertThat(recent.truncated()).isFalse();
        assertThat(recent.publications()).extracting(Publication::offset).containsExactly(296L, 297L, 298L, 299L, 300L);
    }

    @Test
    void streamWithoutHistoryStillCountsOffsetsButCannotBeRecovered() {
        String stream = newStream();
        get(streams.publish(stream, new byte[] {1}, 0, 0));
        StreamPosition second = get(streams.publish(stream, new byte[] {2}, 0, 0));

        assertThat(second.offset()).isEqualTo(2);
        assertThat(get(streams.history(stream, 1, 10)).truncated()).isTrue();
        assertThat(get(streams.position("never-" + stream))).isEqualTo(StreamPosition.EMPTY);
    }

    @Test
    void lostMetaHashRestartsOffsetsAtOneUnderANewEpoch() {
        String stream = newStream();
        StreamPosition before = null;
        for (int i = 1; i <= 5; i++) {
            before = get(streams.publish(stream, ("old" + i).getBytes(UTF_8), 100, 60));
        }
        Redis raw = rawClientFor(stream);
        get(raw.send(Request.cmd(Command.DEL).arg(streams.keys().meta(stream))));
        raw.close();

        StreamPosition after = get(streams.publish(stream, "new".getBytes(UTF_8), 100, 60));

        assertThat(after.offset()).isEqualTo(1);
        assertThat(after.epoch()).isNotEqualTo(before.epoch());
        History history = get(streams.history(stream, 0, 100));
        assertThat(history.truncated()).isFalse();
        assertThat(history.publications()).extracting(p -> new String(p.payload(), UTF_8)).containsExactly("new");
    }

    @Test
    void publishToNodesReadsTheSubscribedNodesInTheSameStep() {
        String stream = newStream();
        assertThat(get(streams.publishToNodes(stream, new byte[] {1}, 0, 0)).nodes()).isEmpty();
        get(streams.addNode(stream, "node-a"));
        get(streams.addNode(stream, "node-b"));
        get(streams.removeNodes(stream, List.of("node-a")));

        RedisStreams.Published published = get(streams.publishToNodes(stream, new byte[] {2}, 0, 0));

        assertThat(published.nodes()).containsExactly("node-b");
        assertThat(published.position().offset()).isEqualTo(2);
    }

    @Test
    void subscriberReceivesEveryPublishInOffsetOrder() {
        String stream = newStream();
        startSubscriber();
        get(subscriber.subscribe(stream));

        List<Future<StreamPosition>> publishes = new ArrayList<>();
        for (int i = 1; i <= 200; i++) {
            publishes.add(streams.publish(stream, ("m" + i).getBytes(UTF_8), 100, 60));
        }
        get(Future.all(publishes));

        await().atMost(PATIENCE).until(() -> received.size() >= 200);
        assertThat(received).extracting(Publication::offset).containsExactly(LongStream.rangeClosed(1, 200).boxed().toArray(Long[]::new));
        assertThat(received).extracting(Publication::stream).containsOnly(stream);
        assertThat(received).extracting(p -> new String(p.payload(), UTF_8))
                .containsExactlyInAnyOrder(java.util.stream.IntStream.rangeClosed(1, 200).mapToObj(i -> "m" + i).toArray(String[]::new));
    }

    @Test
    void manyStreamsAcrossSlotsSubscribeAtOnceAndEachReceives() {
        List<String> many = java.util.stream.IntStream.range(0, 1200).mapToObj(i -> newStream()).toList();
        startSubscriber();
        get(subscriber.subscribe(many));

        get(Future.all(many.stream().map(s -> streams.publish(s, s.getBytes(UTF_8), 0, 0)).toList()));

        await().atMost(PATIENCE).until(() -> received.size() >= many.size());
        assertThat(received).extracting(Publication::stream).containsExactlyInAnyOrderElementsOf(many);
        assertThat(received).extracting(Publication::offset).containsOnly(1L);
    }

    @Test
    void killedPubSubConnectionIsResubscribedAndReported() {
        String stream = newStream();
        startSubscriber();
        get(subscriber.subscribe(stream));
        publishUntilReceived(stream);

        long killed = 0;
        for (int i = 0; i < redis().size(); i++) {
            killed += redis().killPubSubClients(i);
        }

        assertThat(killed).isPositive();
        await().atMost(PATIENCE).until(() -> resubscribed.stream().anyMatch(s -> s.contains(stream)));
        publishUntilReceived(stream);
    }

    @Test
    void serverCrashedAndRestartedOnItsPortIsResubscribedAndReported() {
        String stream = newStream();
        startSubscriber();
        get(subscriber.subscribe(stream));
        publishUntilReceived(stream);

        redis().kill(serverOf(stream));
        redis().restart(serverOf(stream));

        await().atMost(PATIENCE).until(() -> resubscribed.stream().anyMatch(s -> s.contains(stream)));
        publishUntilReceived(stream);
    }

    private void startSubscriber() {
        PubSubConnection.Listener listener = new PubSubConnection.Listener() {
            @Override
            public void onPublication(Publication publication) {
                received.add(publication);
            }

            @Override
            public void onResubscribed(Set<String> streams) {
                resubscribed.add(streams);
            }
        };
        subscriber = get(StreamSubscriber.start(vertx, config, listener, new ReconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(500))));
    }

    /** Publishes until one of these publications arrives; publishes may fail while a server comes back. */
    private void publishUntilReceived(String stream) {
        received.clear();
        String marker = UUID.randomUUID().toString();
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(50)).until(() -> {
            try {
                get(streams.publish(stream, marker.getBytes(UTF_8), 100, 60));
            } catch (RuntimeException e) {
                return false;
            }
            return received.stream().anyMatch(p -> new String(p.payload(), UTF_8).equals(marker));
        });
    }

    private int serverOf(String stream) {
        String url = subscriber.connectionOf(stream).url();
        return redis().urls().indexOf(url);
    }

    private Redis rawClientFor(String stream) {
        RedisOptions options = new RedisOptions();
        if (topology() == RedisConfig.Topology.CLUSTER) {
            options.setType(RedisClientType.CLUSTER).setEndpoints(redis().urls());
        } else {
            options.setConnectionString(redis().url(new ShardRing(redis().size()).index(stream)));
        }
        return Redis.createClient(vertx, options);
    }

    private static String newStream() {
        return "test:" + UUID.randomUUID();
    }

    private static <T> T get(Future<T> future) {
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
