package io.herald.channel;

import static io.herald.Refusals.assertRefused;
import static io.herald.channel.HubFixture.frame;
import static io.herald.channel.HubFixture.frames;
import static io.herald.channel.HubFixture.gapReset;
import static io.herald.channel.HubFixture.json;
import static io.herald.channel.HubFixture.limits;
import static io.herald.channel.HubFixture.overflowReset;
import static io.herald.channel.HubFixture.publish;
import static io.herald.channel.HubFixture.publishRange;
import static io.herald.channel.HubFixture.ring;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.ErrorCode;
import io.herald.config.ChannelsConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChannelHubTest {
    private static final String CONNECTED = ": connected\n\n";

    @TempDir
    Path dir;
    private HubFixture fx;

    private HubFixture fx() {
        if (fx == null) {
            fx = new HubFixture(dir);
        }
        return fx;
    }

    @AfterEach
    void closeAll() throws Exception {
        if (fx != null) {
            fx.close();
        }
    }

    /** Subscribes a new recorder after {@code lastEventId} and returns what it was sent before anything live. */
    private String resume(ChannelHub hub, String channel, long lastEventId) {
        RecordingSubscriber s = fx().subscriber();
        hub.subscribe(channel, lastEventId, s);
        return s.drain().text();
    }

    @Test
    void idsStartAtOneAndCountEvenWithoutSubscribers() {
        ChannelHub hub = fx().hub(ring(3));

        assertThat(publish(hub, "run:1", "a", "1")).isEqualTo(new ChannelHub.Published(0, 1));
        assertThat(publish(hub, "run:1", "a", "2")).isEqualTo(new ChannelHub.Published(0, 2));
        assertThat(publish(hub, "run:2", "a", "1")).as("each channel counts on its own").isEqualTo(new ChannelHub.Published(0, 1));
    }

    @Test
    void aFreshSubscriberGetsConnectedThenLiveEventsEncodedOnceForAll() {
        ChannelHub hub = fx().hub(ring(3));
        RecordingSubscriber a = fx().subscriber();
        RecordingSubscriber b = fx().subscriber();
        RecordingSubscriber c = new RecordingSubscriber(a);
        hub.subscribe("run:42", 0, a);
        hub.subscribe("run:42", 0, b);
        hub.subscribe("run:42", 0, c);

        ChannelHub.Published p = publish(hub, "run:42", "run.stage", "{\"stage\":\"ai_verify\",\"progress\":40}");

        assertThat(p).isEqualTo(new ChannelHub.Published(3, 1));
        String expected = CONNECTED + "event: run.stage\nid: 1\ndata: {\"stage\":\"ai_verify\",\"progress\":40}\n\n";
        assertThat(a.drain().text()).isEqualTo(expected);
        assertThat(b.drain().text()).isEqualTo(expected);
        assertThat(c.text()).isEqualTo(expected);
        assertThat(a.received().get(1)).as("one shared frame").isSameAs(b.received().get(1)).isSameAs(c.received().get(1));
    }

    @Test
    void nullDataIsPublishedAsNull() {
        ChannelHub hub = fx().hub(ring(3));
        RecordingSubscriber s = fx().subscriber();
        hub.subscribe("run:1", 0, s);

        hub.publish("run:1", "run.done", null).join();
        publish(hub, "run:1", "run.done", "null");

        assertThat(s.drain().text()).isEqualTo(CONNECTED + "event: run.done\nid: 1\ndata: null\n\n"
                + "event: run.done\nid: 2\ndata: null\n\n");
    }

    @Test
    void aFreshSubscribeGetsTheBufferedTailWithoutAReset() {
        ChannelHub hub = fx().hub(ring(3));
        publishRange(hub, "run:1", 1, 5);

        assertThat(resume(hub, "run:1", 0)).isEqualTo(CONNECTED + frames(3, 5));
    }

    @Test
    void aResumeReplaysEveryBufferedEventAfterItsIdInOrder() {
        ChannelHub hub = fx().hub(ring(5));
        publishRange(hub, "run:1", 1, 5);

        assertThat(resume(hub, "run:1", 2)).isEqualTo(CONNECTED + frames(3, 5));
        assertThat(resume(hub, "run:1", 4)).isEqualTo(CONNECTED + frame(5));
    }

    @Test
    void aResumeAtTheLastIdReplaysNothing() {
        ChannelHub hub = fx().hub(ring(3));
        publishRange(hub, "run:1", 1, 4);

        assertThat(resume(hub, "run:1", 4)).isEqualTo(CONNECTED);
    }

    @Test
    void aFreshSubscribeToAnEmptyChannelGetsOnlyConnected() {
        ChannelHub hub = fx().hub(ring(3));

        assertThat(resume(hub, "run:1", 0)).isEqualTo(CONNECTED);
    }

    @Test
    void aResumeAheadOfTheChannelGetsOnlyABufferGapResetCarryingTheLastId() {
        ChannelHub hub = fx().hub(ring(3));
        publishRange(hub, "run:1", 1, 4);

        assertThat(resume(hub, "run:1", 99)).isEqualTo(CONNECTED
                + "event: realtime.reset\nid: 4\ndata: {\"reason\":\"buffer_gap\",\"lastKnownId\":99}\n\n");
        assertThat(resume(hub, "run:2", 7)).as("an unknown channel's last id is 0").isEqualTo(CONNECTED + gapReset(0, 7));
    }

    @Test
    void aResumeWhoseNextEventLeftTheRingGetsAnOverflowResetThenTheRing() {
        ChannelHub hub = fx().hub(ring(3));
        publishRange(hub, "run:1", 1, 7);

        assertThat(resume(hub, "run:1", 2)).isEqualTo(CONNECTED
                + "event: realtime.reset\nid: 4\ndata: {\"reason\":\"buffer_overflow\",\"lastKnownId\":2,\"oldestId\":5}\n\n"
                + frames(5, 7));
        assertThat(resume(hub, "run:1", 4)).as("the next event is still buffered: no reset").isEqualTo(CONNECTED + frames(5, 7));
    }

    @Test
    void withNoReplayBufferAResumeBehindGetsAnOverflowResetAndNothingElse() {
        ChannelHub hub = fx().hub(ring(0));
        publishRange(hub, "run:1", 1, 3);

        assertThat(resume(hub, "run:1", 1)).isEqualTo(CONNECTED + overflowReset(1, 4));
        assertThat(resume(hub, "run:1", 3)).isEqualTo(CONNECTED);
        assertThat(resume(hub, "run:1", 0)).as("fresh: nothing to replay, no reset").isEqualTo(CONNECTED);
        assertThat(resume(hub, "run:1", 5)).isEqualTo(CONNECTED + gapReset(3, 5));
    }

    @Test
    void liveEventsFollowTheReplayWithoutGapOrDuplicate() {
        ChannelHub hub = fx().hub(ring(3));
        publishRange(hub, "run:1", 1, 3);
        RecordingSubscriber s = fx().subscriber();
        hub.subscribe("run:1", 1, s);

        publishRange(hub, "run:1", 4, 5);

        assertThat(s.drain().text()).isEqualTo(CONNECTED + frames(2, 5));
    }

    @Test
    void theSubscriberCapRefusesOneMoreWith429AndFreesASlotOnClose() {
        ChannelHub hub = fx().hub(limits(2, 3, 60_000, 100));
        ChannelHub.Subscription first = hub.subscribe("run:1", 0, fx().subscriber());
        hub.subscribe("run:1", 0, fx().subscriber());

        assertRefused(ErrorCode.TOO_MANY_REQUESTS, () -> hub.subscribe("run:1", 0, fx().subscriber()));
        hub.subscribe("run:2", 0, fx().subscriber());

        first.close();
        first.close();
        RecordingSubscriber next = fx().subscriber();
        hub.subscribe("run:1", 0, next);
        assertThat(publish(hub, "run:1", "a", "1").delivered()).isEqualTo(2);
        assertRefused(ErrorCode.TOO_MANY_REQUESTS, () -> hub.subscribe("run:1", 0, fx().subscriber()));
    }

    @Test
    void aClosedSubscriptionReceivesNothingMore() {
        ChannelHub hub = fx().hub(ring(3));
        RecordingSubscriber s = fx().subscriber();
        ChannelHub.Subscription sub = hub.subscribe("run:1", 0, s);
        publish(hub, "run:1", "a", "1");

        sub.close();

        assertThat(publish(hub, "run:1", "a", "2").delivered()).isZero();
        assertThat(s.drain().text()).isEqualTo(CONNECTED + "event: a\nid: 1\ndata: 1\n\n");
    }

    @Test
    void aSubscriberThatRefusesTheWriteIsNotCountedAsDelivered() {
        ChannelHub hub = fx().hub(ring(3));
        RecordingSubscriber gone = fx().subscriber();
        hub.subscribe("run:1", 0, gone);
        hub.subscribe("run:1", 0, fx().subscriber());
        gone.drain().close(1000, "bye");

        assertThat(publish(hub, "run:1", "a", "1")).isEqualTo(new ChannelHub.Published(1, 1));
    }

    @Test
    void publishingToANewChannelPastMaxChannelsIs429() {
        ChannelHub hub = fx().hub(limits(10, 3, 60_000, 2));
        publish(hub, "a", "e", "1");
        publish(hub, "b", "e", "1");

        assertRefused(ErrorCode.TOO_MANY_REQUESTS, () -> hub.publish("c", "e", json("1")));
        assertThat(publish(hub, "a", "e", "2").id()).as("existing channels still work").isEqualTo(2);
        assertThat(hub.channelCount()).isEqualTo(2);
    }

    @Test
    void subscribingToANewChannelPastMaxChannelsIs429() {
        ChannelHub hub = fx().hub(limits(10, 3, 60_000, 1));
        hub.subscribe("a", 0, fx().subscriber());

        assertRefused(ErrorCode.TOO_MANY_REQUESTS, () -> hub.subscribe("b", 0, fx().subscriber()));
        assertThat(hub.channelCount()).isEqualTo(1);
    }

    @Test
    void pollingANewChannelCreatesNoChannel() {
        ChannelHub hub = fx().hub(limits(10, 3, 60_000, 1));
        publish(hub, "a", "e", "1");

        assertThat(hub.poll("b", 0)).isEmpty();
        assertThat(hub.poll("b", 3)).containsExactly(new ChannelHub.Entry(0, "realtime.reset",
                "{\"reason\":\"buffer_gap\",\"lastKnownId\":3}"));
        assertThat(hub.channelCount()).isEqualTo(1);
    }

    @Test
    void pollReturnsTheEntriesASubscribeWouldReplay() {
        ChannelHub hub = fx().hub(ring(3));
        publish(hub, "run:1", "run.stage", "{\"p\":1}");
        publish(hub, "run:1", "note", "\"line1\\nline2\"");
        publish(hub, "run:1", "run.done", "null");

        assertThat(hub.poll("run:1", 1)).containsExactly(
                new ChannelHub.Entry(2, "note", "\"line1\\nline2\""),
                new ChannelHub.Entry(3, "run.done", "null"));
        assertThat(hub.poll("run:1", 0)).extracting(ChannelHub.Entry::id).containsExactly(1L, 2L, 3L);
        assertThat(hub.poll("run:1", 3)).isEmpty();
        assertThat(hub.poll("run:1", 10)).containsExactly(new ChannelHub.Entry(3, "realtime.reset",
                "{\"reason\":\"buffer_gap\",\"lastKnownId\":10}"));
    }

    @Test
    void pollLeadsWithTheOverflowResetEntryThenTheRing() {
        ChannelHub hub = fx().hub(ring(2));
        publishRange(hub, "run:1", 1, 5);

        assertThat(hub.poll("run:1", 1)).containsExactly(
                new ChannelHub.Entry(3, "realtime.reset", "{\"reason\":\"buffer_overflow\",\"lastKnownId\":1,\"oldestId\":4}"),
                new ChannelHub.Entry(4, "e4", "4"),
                new ChannelHub.Entry(5, "e5", "5"));
    }

    @Test
    void pollWithNoReplayBufferGivesTheOverflowEntryAlone() {
        ChannelHub hub = fx().hub(ring(0));
        publishRange(hub, "run:1", 1, 3);

        assertThat(hub.poll("run:1", 2)).containsExactly(new ChannelHub.Entry(3, "realtime.reset",
                "{\"reason\":\"buffer_overflow\",\"lastKnownId\":2,\"oldestId\":4}"));
    }

    @Test
    void badChannelAndEventNamesAreRefusedWith400() {
        ChannelHub hub = fx().hub(ring(3));

        assertRefused(ErrorCode.BAD_REQUEST, () -> hub.publish("bad name", "e", json("1")));
        assertRefused(ErrorCode.BAD_REQUEST, () -> hub.publish("x".repeat(129), "e", json("1")));
        assertRefused(ErrorCode.BAD_REQUEST, () -> hub.publish("run/1", "e", json("1")));
        assertRefused(ErrorCode.BAD_REQUEST, () -> hub.publish("run:1", "", json("1")));
        assertRefused(ErrorCode.BAD_REQUEST, () -> hub.publish("run:1", "two\nlines", json("1")));
        assertRefused(ErrorCode.BAD_REQUEST, () -> hub.publish("run:1", "cr\r", json("1")));
        assertRefused(ErrorCode.BAD_REQUEST, () -> hub.subscribe("run 1", 0, fx().subscriber()));
        assertRefused(ErrorCode.BAD_REQUEST, () -> hub.poll("", 0));
        assertThat(publish(hub, "x".repeat(128), "e", "1").id()).isEqualTo(1);
        assertThat(hub.channelCount()).as("refusals create no channel").isEqualTo(1);
    }

    @Test
    void theChannelPatternIsConfigurable() {
        ChannelsConfig c = new ChannelsConfig("^run:[0-9]+$", null, null, null, null, null, null, null, null);
        ChannelHub hub = fx().hub(c);

        assertThat(publish(hub, "run:1", "e", "1").id()).isEqualTo(1);
        assertRefused(ErrorCode.BAD_REQUEST, () -> hub.publish("team:1", "e", json("1")));
    }
}
