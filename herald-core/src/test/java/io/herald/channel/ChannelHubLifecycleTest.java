package io.herald.channel;

import static io.herald.channel.HubFixture.JSON;
import static io.herald.channel.HubFixture.frame;
import static io.herald.channel.HubFixture.frames;
import static io.herald.channel.HubFixture.gapReset;
import static io.herald.channel.HubFixture.limits;
import static io.herald.channel.HubFixture.overflowReset;
import static io.herald.channel.HubFixture.publish;
import static io.herald.channel.HubFixture.publishRange;
import static io.herald.channel.HubFixture.ring;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.Meters;
import io.herald.config.ChannelsConfig;
import io.herald.storage.SqliteStorage;
import io.herald.storage.Storage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Eviction of idle channels and durable ids across hubs (a restart) on one SQLite file. */
class ChannelHubLifecycleTest {
    private static final String CONNECTED = ": connected\n\n";

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

    private String resume(ChannelHub hub, String channel, long lastEventId) {
        RecordingSubscriber s = fx.subscriber();
        hub.subscribe(channel, lastEventId, s);
        return s.drain().text();
    }

    /** Runs one hub on {@code file} to completion, as one process lifetime. */
    private static void lifetime(Path file, ChannelsConfig config, java.util.function.Consumer<ChannelHub> body) {
        try (Storage s = new SqliteStorage(file, 10L * 1024 * 1024);
             ChannelHub hub = new ChannelHub(config, s, new Meters(new SimpleMeterRegistry()), JSON)) {
            body.accept(hub);
        }
    }

    @Test
    void anIdleChannelIsEvictedAndItsIdsRestart() {
        ChannelHub hub = fx.hub(limits(10, 3, 100, 100));
        publishRange(hub, "run:1", 1, 3);

        await().atMost(Duration.ofSeconds(5)).until(() -> hub.channelCount() == 0);

        assertThat(hub.poll("run:1", 0)).as("the ring was dropped").isEmpty();
        assertThat(resume(hub, "run:1", 3)).as("a returning client is told").isEqualTo(CONNECTED + gapReset(0, 3));
        assertThat(publish(hub, "run:1", "e", "1")).isEqualTo(new ChannelHub.Published(1, 1));
    }

    @Test
    void aChannelWithASubscriberIsNeverEvicted() {
        ChannelHub hub = fx.hub(limits(10, 3, 100, 100));
        ChannelHub.Subscription sub = hub.subscribe("run:1", 0, fx.subscriber());
        publish(hub, "run:1", "e", "1");

        await().during(Duration.ofMillis(400)).atMost(Duration.ofSeconds(2)).until(() -> hub.channelCount() == 1);
        sub.close();

        await().atMost(Duration.ofSeconds(5)).until(() -> hub.channelCount() == 0);
    }

    @Test
    void evictionFreesRoomUnderMaxChannels() {
        ChannelHub hub = fx.hub(limits(10, 3, 100, 1));
        publish(hub, "a", "e", "1");

        await().atMost(Duration.ofSeconds(5)).until(() -> hub.channelCount() == 0);

        assertThat(publish(hub, "b", "e", "1").id()).isEqualTo(1);
    }

    @Test
    void durableIdsAndTheRingSurviveANewHubOnTheSameFile() {
        Path file = dir.resolve("durable.db");
        ChannelsConfig durable = ring(3).withDurable(true);
        lifetime(file, durable, hub -> publishRange(hub, "run:1", 1, 5));

        ChannelHub hub = fx.hub(durable, fx.storage(file));

        assertThat(resume(hub, "run:1", 4)).as("replay, not reset").isEqualTo(CONNECTED + frame(5));
        assertThat(resume(hub, "run:1", 2)).isEqualTo(CONNECTED + frames(3, 5));
        assertThat(resume(hub, "run:1", 1)).isEqualTo(CONNECTED + overflowReset(1, 3) + frames(3, 5));
        assertThat(hub.poll("run:1", 3)).extracting(ChannelHub.Entry::id).containsExactly(4L, 5L);
        assertThat(publish(hub, "run:1", "e6", "6")).as("the three resumed streams get it live")
                .isEqualTo(new ChannelHub.Published(3, 6));
        assertThat(resume(hub, "run:1", 5)).isEqualTo(CONNECTED + frame(6));
    }

    @Test
    void durableIdsContinueOverSeveralRestarts() {
        Path file = dir.resolve("durable.db");
        ChannelsConfig durable = ring(2).withDurable(true);
        lifetime(file, durable, hub -> publishRange(hub, "run:1", 1, 2));
        lifetime(file, durable, hub -> publishRange(hub, "run:1", 3, 4));
        lifetime(file, durable, hub -> publishRange(hub, "run:1", 5, 6));

        ChannelHub hub = fx.hub(durable, fx.storage(file));

        assertThat(resume(hub, "run:1", 0)).isEqualTo(CONNECTED + frames(5, 6));
    }

    @Test
    void withoutDurableModeARestartedHubResetsAReturningClient() {
        Path file = dir.resolve("memory.db");
        lifetime(file, ring(3), hub -> publishRange(hub, "run:1", 1, 5));

        ChannelHub hub = fx.hub(ring(3), fx.storage(file));

        assertThat(resume(hub, "run:1", 4)).isEqualTo(CONNECTED + gapReset(0, 4));
        assertThat(publish(hub, "run:1", "e", "1").id()).isEqualTo(1);
    }

    @Test
    void aDurableChannelKeepsItsIdsThroughEviction() {
        ChannelHub hub = fx.hub(limits(10, 3, 100, 100).withDurable(true));
        publishRange(hub, "run:1", 1, 4);

        await().atMost(Duration.ofSeconds(5)).until(() -> hub.channelCount() == 0);

        assertThat(resume(hub, "run:1", 3)).isEqualTo(CONNECTED + frame(4));
        assertThat(publish(hub, "run:1", "e5", "5").id()).isEqualTo(5);
    }

    @Test
    void aDurableChannelWithNoReplayBufferKeepsOnlyItsCounter() {
        Path file = dir.resolve("durable.db");
        ChannelsConfig durable = ring(0).withDurable(true);
        lifetime(file, durable, hub -> publishRange(hub, "run:1", 1, 3));

        ChannelHub hub = fx.hub(durable, fx.storage(file));

        assertThat(resume(hub, "run:1", 2)).isEqualTo(CONNECTED + overflowReset(2, 4));
        assertThat(resume(hub, "run:1", 3)).isEqualTo(CONNECTED);
        assertThat(publish(hub, "run:1", "e", "4").id()).isEqualTo(4);
    }

    @Test
    void aDurableHubStartedWithASmallerRingKeepsTheNewestEvents() {
        Path file = dir.resolve("durable.db");
        lifetime(file, ring(5).withDurable(true), hub -> publishRange(hub, "run:1", 1, 5));

        ChannelHub hub = fx.hub(ring(2).withDurable(true), fx.storage(file));

        assertThat(resume(hub, "run:1", 0)).isEqualTo(CONNECTED + frames(4, 5));
    }
}
