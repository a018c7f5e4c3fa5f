package io.herald.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class InMemoryBrokerTest extends BrokerContract {

    @Override
    protected Broker newBroker() {
        return new InMemoryBroker();
    }

    private InMemoryBroker memory() {
        return (InMemoryBroker) broker;
    }

    @Test
    void aHistoryExpiresItsTtlAfterTheLastPublishAndAnIdleStreamRestartsUnderANewEpoch() throws Exception {
        AtomicLong now = new AtomicLong();
        try (InMemoryBroker b = new InMemoryBroker(now::get)) {
            Broker.Retention keep = new Broker.Retention(10, 5);
            b.publish("s", "a", TEXT, keep).get();
            b.publish("s", "b", TEXT, keep).get();
            String epoch = b.history("s", TEXT, 0, 10).get().top().epoch();
            assertThat(b.history("s", TEXT, 0, 10).get().entries()).hasSize(2);

            now.addAndGet(Duration.ofSeconds(6).toNanos());
            Broker.History<String> expired = b.history("s", TEXT, 0, 10).get();
            assertThat(expired.entries()).isEmpty();
            assertThat(expired.complete()).isFalse();
            assertThat(expired.top()).isEqualTo(new Broker.Position(epoch, 2));

            now.addAndGet(InMemoryBroker.STREAM_IDLE.toNanos());
            for (int i = 0; i < 256; i++) {
                b.publish("other-" + i, "x", TEXT, keep).get();
            }
            b.publish("s", "c", TEXT, keep).get();
            Broker.Position restarted = b.history("s", TEXT, 0, 10).get().top();
            assertThat(restarted.offset()).isEqualTo(1);
            assertThat(restarted.epoch()).isNotEqualTo(epoch);
        }
    }

    @Test
    void aTopicWithoutRetentionHasNoStream() throws Exception {
        java.util.List<Broker.Position> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        broker.subscribe("plain", TEXT, (t, m, p) -> {
            seen.add(p);
            return CompletableFuture.completedFuture(1);
        });
        publish("plain", "x");
        assertThat(seen).containsExactly(Broker.Position.NONE);
        assertThat(memory().streamCount()).isZero();
    }

    @Test
    void aTopicHoldsNoMemoryOnceItsLastSubscriptionCloses() {
        Broker.Subscription a = broker.subscribe("t", TEXT, new Recorder(1));
        Broker.Subscription b = broker.subscribe("t", TEXT, new Recorder(1));
        broker.subscribe("other", TEXT, new Recorder(1));
        assertThat(memory().topicCount()).isEqualTo(2);

        a.close();
        assertThat(memory().topicCount()).isEqualTo(2);
        b.close();
        b.close();
        assertThat(memory().topicCount()).isEqualTo(1);
    }

    @Test
    void handlersRunOnThePublishingThread() throws Exception {
        AtomicReference<Thread> ran = new AtomicReference<>();
        broker.subscribe("t", TEXT, (topic, message, position) -> {
            ran.set(Thread.currentThread());
            return CompletableFuture.completedFuture(1);
        });

        CompletableFuture<Broker.Delivered> published = broker.publish("t", "m", TEXT);

        assertThat(ran.get()).isSameAs(Thread.currentThread());
        assertThat(published).isCompletedWithValue(new Broker.Delivered(1, 1, false));
    }

    @Test
    void theMessageObjectIsHandedOverAsItIsWithoutItsCodec() {
        Object message = new Object();
        Broker.Codec<Object> refuses = new Broker.Codec<>() {
            @Override
            public byte[] encode(Object m) {
                throw new AssertionError("encoded on one node");
            }

            @Override
            public Object decode(byte[] bytes) {
                throw new AssertionError("decoded on one node");
            }
        };
        AtomicReference<Object> got = new AtomicReference<>();
        broker.subscribe("t", refuses, (topic, m, position) -> {
            got.set(m);
            return CompletableFuture.completedFuture(1);
        });

        assertThat(broker.publish("t", message, refuses)).isCompletedWithValue(new Broker.Delivered(1, 1, false));
        assertThat(got.get()).isSameAs(message);
    }

    @Test
    void aPublishWithoutHandlersReachesNoNodeAndOneWithHandlersReachesThisOne() throws Exception {
        assertThat(broker.publish("t", "m", TEXT).get()).isEqualTo(Broker.Delivered.NONE);
        broker.subscribe("t", TEXT, new Recorder(2), topic -> { });

        assertThat(broker.publish("t", "m", TEXT).get()).isEqualTo(new Broker.Delivered(2, 1, false));
        assertThat(broker.available()).isTrue();
    }

    @Test
    void closingTheBrokerDropsEverySubscription() throws Exception {
        Recorder h = new Recorder(1);
        broker.subscribe("t", TEXT, h);

        broker.close();

        assertThat(memory().topicCount()).isZero();
        assertThat(publish("t", "m")).isZero();
        assertThat(h.seen).isEmpty();
    }
}
