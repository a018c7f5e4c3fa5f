package io.herald.channel;

import static io.herald.channel.HubFixture.json;
import static io.herald.channel.HubFixture.publishRange;
import static io.herald.channel.HubFixture.ring;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.io.TempDir;

/** Resumes racing a publisher on another thread: the replay and the live events meet with no gap or duplicate. */
class ChannelHubRaceTest {
    private static final int BEFORE = 100;
    private static final int RACING = 4_000;

    @TempDir
    Path dir;
    private HubFixture fx;

    @BeforeEach
    void fixture() {
        fx = new HubFixture(dir);
    }

    @AfterEach
    void closeAll() throws Exception {
        fx.close();
    }

    @RepeatedTest(3)
    void resumesRacingThousandsOfPublishesReceiveEveryLaterIdExactlyOnceInOrder() throws Exception {
        ChannelHub hub = fx.hub(ring(10_000));
        publishRange(hub, "run:1", 1, BEFORE);
        // subscribers join at several points of the racing publishes, each resuming from a different id
        long[] resumeFrom = {BEFORE, 37, 0, BEFORE};
        List<CountDownLatch> joinPoints = new ArrayList<>();
        for (int i = 0; i < resumeFrom.length; i++) {
            joinPoints.add(new CountDownLatch(1));
        }
        CompletableFuture<ChannelHub.Published> last = new CompletableFuture<>();
        Thread publisher = new Thread(() -> {
            CompletableFuture<ChannelHub.Published> f = null;
            for (int i = 1; i <= RACING; i++) {
                if (i % (RACING / resumeFrom.length) == 0 && i / (RACING / resumeFrom.length) <= resumeFrom.length) {
                    joinPoints.get(i / (RACING / resumeFrom.length) - 1).countDown();
                }
                f = hub.publish("run:1", "tick", json(Integer.toString(BEFORE + i)));
            }
            f.whenComplete((p, e) -> {
                if (e != null) {
                    last.completeExceptionally(e);
                } else {
                    last.complete(p);
                }
            });
        }, "racing-publisher");
        List<RecordingSubscriber> subscribers = new ArrayList<>();

        publisher.start();
        for (int i = 0; i < resumeFrom.length; i++) {
            assertThat(joinPoints.get(i).await(10, TimeUnit.SECONDS)).isTrue();
            RecordingSubscriber s = i % 2 == 0 ? fx.subscriber() : new RecordingSubscriber(subscribers.get(i - 1));
            hub.subscribe("run:1", resumeFrom[i], s);
            subscribers.add(s);
        }
        publisher.join(10_000);
        assertThat(last.get(10, TimeUnit.SECONDS).id()).isEqualTo(BEFORE + RACING);

        for (int i = 0; i < subscribers.size(); i++) {
            List<Long> expected = LongStream.rangeClosed(resumeFrom[i] + 1, BEFORE + RACING).boxed().toList();
            assertThat(subscribers.get(i).drain().ids()).as("subscriber %d resuming from %d", i, resumeFrom[i])
                    .containsExactlyElementsOf(expected);
            assertThat(subscribers.get(i).text()).startsWith(": connected\n\n").doesNotContain("realtime.reset");
        }
    }
}
