package io.herald.channel;

import static io.herald.Refusals.assertRefused;
import static io.herald.channel.HubFixture.limits;
import static io.herald.channel.HubFixture.publish;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.ErrorCode;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hub against the recorded behaviour of @workkit/realtime (vectors/protocol-workkit-sse.json): a
 * broker with {@code replayBufferSize 3} and {@code maxSubscribersPerChannel 2}, driven through the
 * same sequence, produces the same stream bodies and publish results.
 */
class ChannelHubVectorsTest {
    private static final JsonNode VECTORS = SseCodecTest.vectors();

    @TempDir
    Path dir;
    private HubFixture fx;
    private ChannelHub hub;

    @BeforeEach
    void broker() {
        fx = new HubFixture(dir);
        hub = fx.hub(limits(2, 3, 60_000, 100));
    }

    @AfterEach
    void closeAll() throws Exception {
        fx.close();
    }

    private static JsonNode vectorCase(String labelStart) {
        for (JsonNode c : VECTORS.get("cases")) {
            if (c.get("label").asText().startsWith(labelStart)) {
                return c.get("response");
            }
        }
        throw new AssertionError("no vector case " + labelStart);
    }

    private static String body(String labelStart) {
        return vectorCase(labelStart).get("body").asText();
    }

    /** A subscribe that reads what arrives before anything live, then goes away. */
    private String stream(long lastEventId) {
        RecordingSubscriber s = fx.subscriber();
        ChannelHub.Subscription sub = hub.subscribe("run:1", lastEventId, s);
        String text = s.drain().text();
        sub.close();
        return text;
    }

    private String published(String event, String data) {
        ChannelHub.Published p = publish(hub, "run:1", event, data);
        return "{\"delivered\":" + p.delivered() + ",\"id\":" + p.id() + "}";
    }

    @Test
    void theRecordedSequenceProducesTheRecordedBodies() {
        assertThat(stream(0)).isEqualTo(body("fresh subscribe"));
        assertThat(published("run.start", "{\"n\":1}")).isEqualTo(body("publish #1"));
        assertThat(published("note", "\"line1\\nline2\"")).isEqualTo(body("publish #2"));
        assertThat(published("run.stage", "3")).isEqualTo(body("publish #3"));
        assertThat(published("run.done", "null")).isEqualTo(body("publish #4"));

        assertThat(stream(2)).isEqualTo(body("subscribe with Last-Event-ID: 2"));
        assertThat(stream(0)).as("a silent gap for a fresh subscribe").isEqualTo(body("subscribe with ?lastEventId=0"));
        assertThat(stream(3)).isEqualTo(body("header wins over query"));
        assertThat(stream(4)).isEqualTo(body("Last-Event-ID equal to lastId"));
        assertThat(stream(99)).isEqualTo(body("Last-Event-ID greater than lastId"));
        assertThat(stream(0)).as("a non-numeric id counts as 0").isEqualTo(body("non-numeric Last-Event-ID"));
    }

    @Test
    void theCapacityVectorRefusesTheThirdSubscriberAndDeliversToTwo() {
        RecordingSubscriber a = fx.subscriber();
        RecordingSubscriber b = fx.subscriber();
        hub.subscribe("cap", 0, a);
        hub.subscribe("cap", 0, b);

        assertRefused(ErrorCode.TOO_MANY_REQUESTS, () -> hub.subscribe("cap", 0, fx.subscriber()));
        ChannelHub.Published p = publish(hub, "cap", "e", "{\"a\":1}");

        JsonNode expected = VECTORS.at("/capacity/publishResultWithTwoSubscribers");
        assertThat(p).isEqualTo(new ChannelHub.Published(expected.get("delivered").asInt(), expected.get("id").asLong()));
        String frame = VECTORS.at("/capacity/frameSeenBySubscriber").asText();
        assertThat(a.drain().text()).isEqualTo(": connected\n\n" + frame);
        assertThat(b.drain().text()).isEqualTo(": connected\n\n" + frame);
    }
}
