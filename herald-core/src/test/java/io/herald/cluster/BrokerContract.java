package io.herald.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link Broker} adapter must show. An adapter's test extends this class and
 * supplies {@link #newBroker()}; nothing here assumes the handlers run synchronously or on one node.
 */
public abstract class BrokerContract {
    private static final Duration WAIT = Duration.ofSeconds(10);

    protected Broker broker;

    /** A fresh, empty broker; closed after each test. */
    protected abstract Broker newBroker() throws Exception;

    @BeforeEach
    void openBroker() throws Exception {
        broker = newBroker();
    }

    @AfterEach
    void closeBroker() {
        broker.close();
    }

    /** Text messages, as UTF-8 between nodes. */
    protected static final Broker.Codec<String> TEXT = new Broker.Codec<>() {
        @Override
        public byte[] encode(String message) {
            return message.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String decode(byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    };

    /** A handler that records what it sees and reports a fixed number of deliveries. */
    protected static final class Recorder implements Broker.Handler<String> {
        final List<String> seen = new CopyOnWriteArrayList<>();
        private final int deliveries;

        Recorder(int deliveries) {
            this.deliveries = deliveries;
        }

        @Override
        public CompletableFuture<Integer> onMessage(String topic, String message, Broker.Position position) {
            seen.add(topic + "=" + message);
            return CompletableFuture.completedFuture(deliveries);
        }
    }

    /** Awaitility polling briskly, so an in-memory adapter's suite stays fast. */
    protected static ConditionFactory eventually() {
        return await().atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5));
    }

    protected static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    protected int publish(String topic, String message) throws Exception {
        return broker.publish(topic, message, TEXT).get(WAIT.toSeconds(), TimeUnit.SECONDS).count();
    }

    /** Publishes a marker on {@code topic} and waits until {@code probe} has seen it, so earlier messages had their chance. */
    private void flush(String topic, Recorder probe) throws Exception {
        String marker = "marker-" + System.nanoTime();
        publish(topic, marker);
        eventually().until(() -> probe.seen.contains(topic + "=" + marker));
    }

    @Test
    void aSubscriberReceivesWhatIsPublishedToItsTopic() throws Exception {
        Recorder h = new Recorder(3);
        broker.subscribe("broadcast/org:A", TEXT, h);

        int delivered = publish("broadcast/org:A", "{\"hello\":1}");

        eventually().until(() -> h.seen.contains("broadcast/org:A={\"hello\":1}"));
        assertThat(delivered).isEqualTo(3);
    }

    @Test
    void messagesArriveInPublishOrder() throws Exception {
        Recorder h = new Recorder(1);
        broker.subscribe("t", TEXT, h);

        for (int i = 0; i < 20; i++) {
            publish("t", "m" + i);
        }

        eventually().until(() -> h.seen.size() == 20);
        assertThat(h.seen).containsExactly(java.util.stream.IntStream.range(0, 20).mapToObj(i -> "t=m" + i).toArray(String[]::new));
    }

    @Test
    void publishingToATopicWithoutSubscribersDeliversNothing() throws Exception {
        assertThat(publish("nobody-listens", "x")).isZero();
    }

    @Test
    void theDeliveriesOfSeveralHandlersAreSummed() throws Exception {
        Recorder two = new Recorder(2);
        Recorder five = new Recorder(5);
        broker.subscribe("t", TEXT, two);
        broker.subscribe("t", TEXT, five);

        assertThat(publish("t", "m")).isEqualTo(7);
        eventually().until(() -> two.seen.contains("t=m") && five.seen.contains("t=m"));
    }

    @Test
    void aHandlerThatThrowsCountsZeroAndDoesNotFailThePublish() throws Exception {
        Recorder healthy = new Recorder(4);
        broker.subscribe("t", TEXT, (String topic, String message, Broker.Position position) -> {
            throw new IllegalStateException("handler bug");
        });
        broker.subscribe("t", TEXT, healthy);

        assertThat(publish("t", "m")).isEqualTo(4);
        eventually().until(() -> healthy.seen.contains("t=m"));
    }

    @Test
    void aHandlerWhoseFutureFailsCountsZeroAndDoesNotFailThePublish() throws Exception {
        Recorder healthy = new Recorder(4);
        broker.subscribe("t", TEXT, healthy);
        broker.subscribe("t", TEXT, (topic, message, position) -> CompletableFuture.failedFuture(new IllegalStateException("async bug")));

        assertThat(publish("t", "m")).isEqualTo(4);
    }

    @Test
    void aHandlerThatCompletesLaterIsWaitedFor() throws Exception {
        CompletableFuture<Integer> later = new CompletableFuture<>();
        broker.subscribe("t", TEXT, (topic, message, position) -> later);

        CompletableFuture<Broker.Delivered> published = broker.publish("t", "m", TEXT);
        eventually().during(Duration.ofMillis(100)).until(() -> !published.isDone());
        later.complete(6);

        assertThat(published.get(WAIT.toSeconds(), TimeUnit.SECONDS).count()).isEqualTo(6);
    }

    @Test
    void messagesToOtherTopicsAreNotSeen() throws Exception {
        Recorder mine = new Recorder(1);
        Recorder other = new Recorder(1);
        broker.subscribe("broadcast/org:A", TEXT, mine);
        broker.subscribe("broadcast/org:B", TEXT, other);

        publish("broadcast/org:B", "for-B");
        publish("broadcast/org:AB", "for-AB");
        flush("broadcast/org:A", mine);

        assertThat(mine.seen).noneMatch(s -> s.contains("for-B") || s.contains("for-AB"));
        assertThat(other.seen).containsExactly("broadcast/org:B=for-B");
    }

    @Test
    void aClosedSubscriptionReceivesNothingMore() throws Exception {
        Recorder gone = new Recorder(1);
        Recorder probe = new Recorder(1);
        Broker.Subscription s = broker.subscribe("t", TEXT, gone);
        broker.subscribe("t", TEXT, probe);
        flush("t", gone);

        s.close();
        assertThat(publish("t", "after")).isEqualTo(1);
        flush("t", probe);

        assertThat(gone.seen).noneMatch(m -> m.endsWith("after"));
        assertThat(probe.seen).contains("t=after");
    }

    @Test
    void closingASubscriptionTwiceIsHarmlessAndLeavesOtherHandlersSubscribed() throws Exception {
        Recorder gone = new Recorder(1);
        Recorder stays = new Recorder(1);
        Broker.Subscription s = broker.subscribe("t", TEXT, gone);
        broker.subscribe("t", TEXT, stays);

        s.close();
        assertThatCode(s::close).doesNotThrowAnyException();

        assertThat(publish("t", "m")).isEqualTo(1);
        eventually().until(() -> stays.seen.contains("t=m"));
    }

    @Test
    void theSameHandlerOnTwoTopicsSeesBothAndClosingOneKeepsTheOther() throws Exception {
        Recorder h = new Recorder(1);
        Broker.Subscription a = broker.subscribe("a", TEXT, h);
        broker.subscribe("b", TEXT, h);

        publish("a", "1");
        publish("b", "2");
        eventually().until(() -> h.seen.containsAll(List.of("a=1", "b=2")));

        a.close();
        assertThat(publish("a", "3")).isZero();
        assertThat(publish("b", "4")).isEqualTo(1);
        eventually().until(() -> h.seen.contains("b=4"));
        assertThat(h.seen).doesNotContain("a=3");
    }

    @Test
    void aHandlerSeesOnlyMessagesPublishedAfterItSubscribed() throws Exception {
        publish("t", "before");
        Recorder late = new Recorder(1);
        broker.subscribe("t", TEXT, late);
        flush("t", late);

        assertThat(late.seen).noneMatch(m -> m.endsWith("before"));
    }

    @Test
    void binaryMessagesArriveByteForByte() throws Exception {
        byte[] payload = {0, 1, (byte) 0xff, (byte) 0x80, 0x7f, '\n'};
        List<byte[]> got = new CopyOnWriteArrayList<>();
        broker.subscribe("bin", BYTES, (topic, message, position) -> {
            got.add(message.clone());
            return CompletableFuture.completedFuture(1);
        });

        assertThat(broker.publish("bin", payload, BYTES).get(WAIT.toSeconds(), TimeUnit.SECONDS).count()).isEqualTo(1);
        eventually().until(() -> got.size() == 1);
        assertThat(got.get(0)).containsExactly(payload);
    }

    // --- streams: positions and history ---

    private static final Broker.Retention KEEP_10 = new Broker.Retention(10, 60);

    private static String unique(String base) {
        return base + "-" + System.nanoTime();
    }

    private Broker.History<String> history(String topic, long since, int limit) throws Exception {
        return broker.history(topic, TEXT, since, limit).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    private void publishKept(String topic, String message, Broker.Retention retention) throws Exception {
        broker.publish(topic, message, TEXT, retention).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    private void publishOnce(String topic, String source, String... keyAndMessage) throws Exception {
        List<Broker.Keyed<String>> batch = new java.util.ArrayList<>();
        for (int i = 0; i < keyAndMessage.length; i += 2) {
            batch.add(new Broker.Keyed<>(keyAndMessage[i + 1], keyAndMessage[i]));
        }
        broker.publishOnce(topic, source, batch, TEXT, KEEP_10).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void keyedPublishesTakeEachKeyOfASourceOnceInOrder() throws Exception {
        String topic = unique("keyed");
        Recorder seen = new Recorder(1);
        broker.subscribe(topic, TEXT, seen);
        publishOnce(topic, "src", "0001", "a", "0002", "b");
        // a replay of what was taken, and what follows it: only the new key is published
        publishOnce(topic, "src", "0001", "a", "0002", "b", "0003", "c");
        // another source's keys are its own
        publishOnce(topic, "other", "0001", "x");
        publishOnce(topic, "src", "0002", "b");

        Broker.History<String> h = history(topic, 0, 100);
        assertThat(h.entries()).extracting(Broker.Entry::message).containsExactly("a", "b", "c", "x");
        assertThat(h.entries()).extracting(e -> e.position().offset()).containsExactly(1L, 2L, 3L, 4L);
        eventually().until(() -> seen.seen.size() == 4);
        assertThat(seen.seen).containsExactly(topic + "=a", topic + "=b", topic + "=c", topic + "=x");
    }

    @Test
    void restartingASourceStartsItsStreamsOverAndTellsTheirSubscribers() throws Exception {
        String fed = unique("fed");
        String other = unique("not-fed");
        List<String> gaps = new CopyOnWriteArrayList<>();
        broker.subscribe(fed, TEXT, new Recorder(1), gaps::add);
        publishOnce(fed, "src", "0001", "a", "0002", "b");
        publishKept(other, "o", KEEP_10);
        String before = history(fed, 0, 10).top().epoch();
        String otherBefore = history(other, 0, 10).top().epoch();

        assertThat(broker.restart("src").get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1);

        eventually().until(() -> gaps.contains(fed));
        Broker.History<String> after = history(fed, 0, 10);
        assertThat(after.top().epoch()).isNotEqualTo(before);
        assertThat(after.top().offset()).isZero();
        assertThat(after.entries()).isEmpty();
        assertThat(history(other, 0, 10).top().epoch()).as("a stream the source did not feed").isEqualTo(otherBefore);
        // the source's keys start afresh in the new epoch
        publishOnce(fed, "src", "0001", "again");
        assertThat(history(fed, 0, 10).entries()).extracting(Broker.Entry::message).containsExactly("again");
        assertThat(broker.restart("nobody").get(WAIT.toSeconds(), TimeUnit.SECONDS)).isZero();
    }

    @Test
    void numberedPublishesReachHandlersWithConsecutiveOffsetsFromOneInOneEpoch() throws Exception {
        String topic = unique("numbered");
        List<Broker.Position> positions = new CopyOnWriteArrayList<>();
        broker.subscribe(topic, TEXT, (t, m, position) -> {
            positions.add(position);
            return CompletableFuture.completedFuture(1);
        });
        for (int i = 0; i < 5; i++) {
            publishKept(topic, "m" + i, KEEP_10);
        }
        eventually().until(() -> positions.size() == 5);
        assertThat(positions).extracting(Broker.Position::offset).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(positions).extracting(Broker.Position::epoch).containsOnly(positions.get(0).epoch());
        assertThat(positions.get(0).epoch()).isNotEmpty();
    }

    @Test
    void theHistoryHoldsWhatFollowsAnOffsetInOrderWithTheTop() throws Exception {
        String topic = unique("history");
        for (int i = 1; i <= 6; i++) {
            publishKept(topic, "m" + i, KEEP_10);
        }
        Broker.History<String> h = history(topic, 3, 100);
        assertThat(h.complete()).isTrue();
        assertThat(h.top().offset()).isEqualTo(6);
        assertThat(h.entries()).extracting(Broker.Entry::message).containsExactly("m4", "m5", "m6");
        assertThat(h.entries()).extracting(e -> e.position().offset()).containsExactly(4L, 5L, 6L);
        assertThat(h.entries()).extracting(e -> e.position().epoch()).containsOnly(h.top().epoch());

        Broker.History<String> upToDate = history(topic, 6, 100);
        assertThat(upToDate.complete()).isTrue();
        assertThat(upToDate.entries()).isEmpty();
    }

    @Test
    void aHistoryThatLostWhatFollowsTheOffsetOrWasCutByTheLimitIsIncomplete() throws Exception {
        String topic = unique("trimmed");
        Broker.Retention keep3 = new Broker.Retention(3, 60);
        for (int i = 1; i <= 200; i++) {
            publishKept(topic, "m" + i, keep3);
        }
        assertThat(history(topic, 1, 1000).complete()).as("offset 2 was trimmed").isFalse();
        assertThat(history(topic, 201, 1000).complete()).as("beyond the top").isFalse();
        assertThat(history(topic, 198, 1).complete()).as("cut by the limit").isFalse();
        Broker.History<String> recent = history(topic, 198, 1000);
        assertThat(recent.complete()).isTrue();
        assertThat(recent.entries()).extracting(Broker.Entry::message).containsExactly("m199", "m200");
    }

    @Test
    void aTopicKeepingNoHistoryStillNumbersItsPublications() throws Exception {
        String topic = unique("sizeless");
        Broker.Retention none = new Broker.Retention(0, 60);
        publishKept(topic, "a", none);
        publishKept(topic, "b", none);
        Broker.History<String> h = history(topic, 1, 10);
        assertThat(h.top().offset()).isEqualTo(2);
        assertThat(h.complete()).isFalse();
        assertThat(history(topic, 2, 10).complete()).isTrue();
    }

    @Test
    void readingAStreamThatDoesNotExistCreatesItAtOffsetZeroWithTheEpochItsPublicationsThenHave() throws Exception {
        String topic = unique("never");
        Broker.History<String> h = history(topic, 0, 10);
        assertThat(h.top().offset()).isZero();
        assertThat(h.top().epoch()).isNotEmpty();
        assertThat(h.entries()).isEmpty();
        assertThat(h.complete()).isTrue();

        publishKept(topic, "first", KEEP_10);
        Broker.History<String> after = history(topic, 0, 10);
        assertThat(after.top()).isEqualTo(new Broker.Position(h.top().epoch(), 1));
        assertThat(after.complete()).isTrue();
        assertThat(after.entries()).extracting(Broker.Entry::message).containsExactly("first");
    }

    @Test
    void subscribingThenReadingTheHistoryMissesNothingUnderAConcurrentPublisher() throws Exception {
        String topic = unique("handover");
        int total = 300;
        CompletableFuture<Void> publisher = CompletableFuture.runAsync(() -> {
            for (int i = 1; i <= total; i++) {
                try {
                    publishKept(topic, "m" + i, new Broker.Retention(total, 60));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        eventually().until(() -> history(topic, 0, 1).top().offset() >= 20);
        List<Long> live = new CopyOnWriteArrayList<>();
        broker.subscribe(topic, TEXT, (t, m, position) -> {
            live.add(position.offset());
            return CompletableFuture.completedFuture(1);
        });
        Broker.History<String> h = history(topic, 0, total);
        publisher.get(WAIT.toSeconds() * 3, TimeUnit.SECONDS);
        eventually().until(() -> !live.isEmpty() && live.get(live.size() - 1) == total
                || h.top().offset() == total);
        long replayedUpTo = h.top().offset();
        List<Long> seen = new java.util.ArrayList<>();
        h.entries().forEach(e -> seen.add(e.position().offset()));
        live.stream().filter(o -> o > replayedUpTo).forEach(seen::add);
        assertThat(h.complete()).isTrue();
        assertThat(seen).containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, total).boxed().toList());
    }

    /** Bytes as they are. */
    protected static final Broker.Codec<byte[]> BYTES = new Broker.Codec<>() {
        @Override
        public byte[] encode(byte[] message) {
            return message;
        }

        @Override
        public byte[] decode(byte[] bytes) {
            return bytes;
        }
    };
}
