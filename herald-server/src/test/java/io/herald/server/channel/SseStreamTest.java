package io.herald.server.channel;

import static io.herald.server.channel.ChannelServer.frame;
import static io.herald.server.channel.ChannelServer.frames;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.herald.channel.ChannelHub;
import io.herald.config.ChannelsConfig;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The event stream over real HTTP: framing, headers, resume by header or query, resets. */
class SseStreamTest {
    private static final String CONNECTED = ": connected\n\n";

    @TempDir
    static Path dir;
    private static ChannelServer server;

    @BeforeAll
    static void start() {
        ChannelsConfig channels = ChannelServer.rules().withLimits(10, 30_000, 5, 60_000, 1000);
        server = ChannelServer.start(ChannelServer.config(dir.resolve("herald.db"), channels));
    }

    @AfterEach
    void closeStreams() {
        server.closeStreams();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void theStreamOpensWithConnectedAndFramesEveryEventByteForByte() {
        SseStream s = server.stream("/sse/pub:framing");

        server.publish("pub:framing", "run.stage", "{\"stage\":\"ai_verify\",\"progress\":40}");
        server.publish("pub:framing", "note", "\"line1\\nline2\"");
        server.publish("pub:framing", "run.done", "null");
        server.publish("pub:framing", "greet", "\"héllo ✓\"");

        String expected = CONNECTED
                + "event: run.stage\nid: 1\ndata: {\"stage\":\"ai_verify\",\"progress\":40}\n\n"
                + "event: note\nid: 2\ndata: \"line1\\nline2\"\n\n"
                + "event: run.done\nid: 3\ndata: null\n\n"
                + "event: greet\nid: 4\ndata: \"héllo ✓\"\n\n";
        s.awaitText(t -> t.length() >= expected.length());
        assertThat(s.bytes()).isEqualTo(expected.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theStreamAnswersWithEventStreamHeaders() {
        HttpHeaders h = server.stream("/sse/pub:headers").response().headers();

        assertThat(h.firstValue("content-type")).hasValue("text/event-stream");
        assertThat(h.firstValue("cache-control")).hasValue("no-cache, no-transform");
        assertThat(h.firstValue("x-accel-buffering")).hasValue("no");
        assertThat(h.firstValue("content-length")).isEmpty();
    }

    @Test
    void theChannelsV1PathServesTheSameChannel() {
        SseStream a = server.stream("/sse/pub:twopaths");
        SseStream b = server.stream("/channels/v1/sse/pub:twopaths");

        JsonNode answer = server.publish("pub:twopaths", "e1", "1");

        assertThat(answer.get("delivered").asInt()).isEqualTo(2);
        assertThat(a.awaitEndsWith(frame(1))).isEqualTo(CONNECTED + frame(1));
        assertThat(b.awaitEndsWith(frame(1))).isEqualTo(CONNECTED + frame(1));
    }

    @Test
    void aPercentEncodedChannelSegmentIsDecodedBeforeUse() {
        SseStream s = server.stream("/sse/pub%3Aencoded%2Ename");

        server.publish("pub:encoded.name", "e1", "1");

        assertThat(s.awaitEndsWith(frame(1))).isEqualTo(CONNECTED + frame(1));
    }

    @Test
    void anInProcessPublishReachesTheStreamAndReportsDeliveredAndId() {
        SseStream s = server.stream("/sse/pub:inprocess");

        ChannelHub.Published p = server.herald().channels().publish("pub:inprocess", "run.done", NullNode.instance).join();

        assertThat(p).isEqualTo(new ChannelHub.Published(1, 1));
        assertThat(s.awaitEndsWith("data: null\n\n")).isEqualTo(CONNECTED + "event: run.done\nid: 1\ndata: null\n\n");
    }

    @Test
    void aClientThatReconnectsWithLastEventIdGetsWhatItMissedThenLiveEvents() {
        SseStream first = server.stream("/sse/pub:resume");
        server.publishRange("pub:resume", 1, 2);
        first.awaitEndsWith(frame(2));
        first.close();
        SseStream.waiting().until(() -> server.subscribers() == 0);
        server.publishRange("pub:resume", 3, 4);

        SseStream again = server.stream("/sse/pub:resume", "Last-Event-ID", "2");
        again.awaitEndsWith(frame(4));
        server.publishRange("pub:resume", 5, 5);

        assertThat(again.awaitEndsWith(frame(5))).isEqualTo(CONNECTED + frames(3, 5));
        assertThat(first.text()).isEqualTo(CONNECTED + frames(1, 2));
    }

    @Test
    void theLastEventIdQueryParameterResumesAsTheHeaderDoes() {
        server.publishRange("pub:query", 1, 4);

        SseStream s = server.stream("/sse/pub:query?lastEventId=2");

        assertThat(s.awaitEndsWith(frame(4))).isEqualTo(CONNECTED + frames(3, 4));
    }

    @Test
    void theHeaderWinsOverTheQuery() {
        server.publishRange("pub:wins", 1, 4);

        SseStream s = server.stream("/sse/pub:wins?lastEventId=1", "Last-Event-ID", "3");

        assertThat(s.awaitEndsWith(frame(4))).isEqualTo(CONNECTED + frame(4));
    }

    @Test
    void anInvalidHeaderStillWinsAndCountsAsZero() {
        server.publishRange("pub:invalid", 1, 4);

        SseStream s = server.stream("/sse/pub:invalid?lastEventId=3", "Last-Event-ID", "abc");

        assertThat(s.awaitEndsWith(frame(4))).isEqualTo(CONNECTED + frames(1, 4));
    }

    @Test
    void lastEventIdZeroAndUnknownQueryParametersAreAnOrdinaryFreshSubscribe() {
        server.publishRange("pub:fresh", 1, 7);

        SseStream s = server.stream("/sse/pub:fresh?x=1&lastEventId=0");

        assertThat(s.awaitEndsWith(frame(7))).as("the buffered tail, no reset").isEqualTo(CONNECTED + frames(3, 7));
    }

    @Test
    void aResumeAtTheLastIdGetsOnlyLiveEvents() {
        server.publishRange("pub:equal", 1, 3);
        SseStream s = server.stream("/sse/pub:equal", "Last-Event-ID", "3");

        server.publishRange("pub:equal", 4, 4);

        assertThat(s.awaitEndsWith(frame(4))).isEqualTo(CONNECTED + frame(4));
    }

    @Test
    void aResumeAheadOfTheChannelGetsOnlyABufferGapReset() {
        server.publishRange("pub:gap", 1, 4);
        SseStream s = server.stream("/sse/pub:gap", "Last-Event-ID", "99");

        server.publishRange("pub:gap", 5, 5);

        assertThat(s.awaitEndsWith(frame(5))).isEqualTo(CONNECTED
                + "event: realtime.reset\nid: 4\ndata: {\"reason\":\"buffer_gap\",\"lastKnownId\":99}\n\n" + frame(5));
    }

    @Test
    void anIdTooLargeForALongIsAGapNotAnError() {
        server.publishRange("pub:huge", 1, 1);

        SseStream s = server.stream("/sse/pub:huge", "Last-Event-ID", "99999999999999999999999");

        assertThat(s.awaitFrames(2).get(1)).startsWith("event: realtime.reset\nid: 1\n")
                .contains("\"reason\":\"buffer_gap\"");
    }

    @Test
    void aResumeWhoseNextEventLeftTheRingGetsAnOverflowResetThenTheRing() {
        server.publishRange("pub:overflow", 1, 8);

        SseStream s = server.stream("/sse/pub:overflow", "Last-Event-ID", "1");

        assertThat(s.awaitEndsWith(frame(8))).isEqualTo(CONNECTED
                + "event: realtime.reset\nid: 3\ndata: {\"reason\":\"buffer_overflow\",\"lastKnownId\":1,\"oldestId\":4}\n\n"
                + frames(4, 8));
    }

    @Test
    void aTokenQueryParameterOpensAPrivateChannelForEventSource() {
        SseStream s = server.stream("/sse/member:u_1:notify?token=" + ChannelServer.jwt("u_1"));

        server.publish("member:u_1:notify", "e1", "1");

        assertThat(s.awaitEndsWith(frame(1))).isEqualTo(CONNECTED + frame(1));
    }

    @Test
    void aBearerSessionOpensItsOrgsChannel() {
        SseStream s = server.stream("/sse/team:acme:runs", "Authorization", "Bearer " + ChannelServer.jwt("u_2", "acme"));

        server.publish("team:acme:runs", "e1", "1");

        assertThat(s.awaitEndsWith(frame(1))).isEqualTo(CONNECTED + frame(1));
    }

    @Test
    void aStreamThatIsClosedByTheClientIsUnsubscribed() {
        SseStream s = server.stream("/sse/pub:leaving");
        SseStream.waiting().until(() -> server.subscribers() == 1);

        s.close();

        SseStream.waiting().until(() -> server.subscribers() == 0);
        assertThat(server.publish("pub:leaving", "e1", "1").get("delivered").asInt()).isZero();
    }

    @Test
    void aPublishWithNoSubscriberStillAssignsTheNextId() {
        assertThat(server.publish("pub:nobody", "e", "1").toString()).isEqualTo("{\"delivered\":0,\"id\":1}");
        assertThat(server.publish("pub:nobody", "e", "2").toString()).isEqualTo("{\"delivered\":0,\"id\":2}");
    }
}
