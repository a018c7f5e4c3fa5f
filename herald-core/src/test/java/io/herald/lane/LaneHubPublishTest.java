package io.herald.lane;

import static io.herald.lane.LaneFixture.awaitEnvelope;
import static io.herald.lane.LaneFixture.awaitText;
import static io.herald.lane.LaneFixture.connection;
import static io.herald.lane.LaneFixture.firstEnvelopeId;
import static io.herald.lane.LaneFixture.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.config.LanesConfig;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Publishing to a lane: targets, the envelope, acks, timeouts and the per-lane cap. */
class LaneHubPublishTest {
    private static final String CHAT = "[{\"type\":\"chat_message\",\"questId\":\"q1\"}]";
    private static final JsonNode Q1 = json("{\"questId\":\"q1\",\"text\":\"hi\"}");
    private static final Duration WAIT = Duration.ofSeconds(2);

    private LaneFixture f = new LaneFixture();

    @AfterEach
    void close() {
        f.close();
    }

    private CompletableFuture<LaneHub.PublishResult> publishChat(Duration timeout) {
        return f.hub.publish("user_1", "chat_message", Q1, timeout);
    }

    private static List<JsonNode> results(String... json) {
        List<JsonNode> out = new ArrayList<>();
        for (String j : json) {
            out.add(json(j));
        }
        return out;
    }

    @Test
    void twoTargetsBothAckingCompleteWithTheirResultsInArrivalOrder() {
        LaneSocket a = f.subscribed("user_1", CHAT);
        LaneSocket b = f.subscribed("user_1", CHAT);

        var result = publishChat(Duration.ofSeconds(5));
        String id = firstEnvelopeId(a);
        assertThat(firstEnvelopeId(b)).isEqualTo(id);
        f.hub.ack(b, id, json("{\"from\":\"b\"}"));
        assertThat(result).as("still waiting for a").isNotDone();
        f.hub.ack(a, id, json("{\"from\":\"a\"}"));

        assertThat(result).succeedsWithin(WAIT)
                .isEqualTo(new LaneHub.PublishResult(2, results("{\"from\":\"b\"}", "{\"from\":\"a\"}")));
    }

    @Test
    void aPublishEveryTargetAckedLeavesNoTimerBehind() {
        LaneSocket a = f.subscribed("user_1", CHAT);
        LaneSocket b = f.subscribed("user_1", CHAT);
        int before = f.hub.pendingTimers();

        var result = publishChat(Duration.ofSeconds(30));
        String id = firstEnvelopeId(a);
        f.hub.ack(a, id, json("1"));
        f.hub.ack(b, id, json("2"));

        assertThat(result).succeedsWithin(WAIT);
        // neither the publisher's 30 s timeout nor the owed acks' one waits out its 30 s
        await().atMost(WAIT).until(() -> f.hub.pendingTimers() == before);
    }

    @Test
    void aTargetThatNeverAcksLetsTheTimeoutCompleteWithThePartialResults() {
        LaneSocket a = f.subscribed("user_1", CHAT);
        f.subscribed("user_1", CHAT);
        long start = System.nanoTime();

        var result = publishChat(Duration.ofMillis(300));
        f.hub.ack(a, firstEnvelopeId(a), json("\"seen\""));

        assertThat(result).succeedsWithin(WAIT).isEqualTo(new LaneHub.PublishResult(2, results("\"seen\"")));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    @Test
    void withoutATimeoutThePublishWaitsTheConfiguredAckTimeout() {
        f.close();
        f = new LaneFixture(LanesConfig.defaults().withLimits(200, LanesConfig.DEFAULT_MAX_FRAME_BYTES, 250, 20));
        f.subscribed("user_1", CHAT);
        long start = System.nanoTime();

        var result = publishChat(null);

        assertThat(result).succeedsWithin(WAIT).isEqualTo(new LaneHub.PublishResult(1, List.of()));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
    }

    @Test
    void aTimeoutBeyondAnyDurationIsClampedInsteadOfFailingAndAcksStillComplete() {
        LaneSocket a = f.subscribed("user_1", CHAT);

        var result = publishChat(Duration.ofSeconds(Long.MAX_VALUE));
        f.hub.ack(a, firstEnvelopeId(a), null);

        assertThat(result).succeedsWithin(WAIT).isEqualTo(new LaneHub.PublishResult(1, List.of(NullNode.instance)));
        assertThat(LanesConfig.MAX_ACK_TIMEOUT_MS).isEqualTo(30_000);
    }

    @Test
    void aPublishWithNoSocketOrNoMatchingFilterCompletesAtOnceWithZeroClients() {
        f.subscribed("user_1", "[{\"type\":\"presence\"}]");

        var noLane = f.hub.publish("nobody", "chat_message", Q1, Duration.ofSeconds(5));
        var noMatch = publishChat(Duration.ofSeconds(5));

        assertThat(noLane).isCompletedWithValue(new LaneHub.PublishResult(0, List.of()));
        assertThat(noMatch).isCompletedWithValue(new LaneHub.PublishResult(0, List.of()));
        f.drain();
        assertThat(connection(f.join("user_1")).received()).isEmpty();
    }

    @Test
    void anAckWithoutAResultCountsAsNullAndAnExplicitNullIsKept() {
        LaneSocket a = f.subscribed("user_1", CHAT);
        LaneSocket b = f.subscribed("user_1", CHAT);

        var result = publishChat(Duration.ofSeconds(5));
        String id = firstEnvelopeId(a);
        f.hub.ack(a, id, null);
        f.hub.ack(b, id, NullNode.instance);

        assertThat(result).succeedsWithin(WAIT).isEqualTo(new LaneHub.PublishResult(2, List.of(NullNode.instance, NullNode.instance)));
    }

    @Test
    void acksFromNonTargetsSecondAcksAndUnknownIdsAreIgnored() {
        LaneSocket a = f.subscribed("user_1", CHAT);
        LaneSocket c = f.subscribed("user_1", CHAT);
        LaneSocket nonTarget = f.subscribed("user_1", "[{\"type\":\"presence\"}]");
        LaneSocket otherUser = f.subscribed("user_2", CHAT);

        var result = publishChat(Duration.ofSeconds(5));
        String id = firstEnvelopeId(a);
        f.hub.ack(nonTarget, id, json("\"non-target\""));
        f.hub.ack(otherUser, id, json("\"other user\""));
        f.hub.ack(a, id, json("\"a1\""));
        f.hub.ack(a, id, json("\"a2\""));
        f.hub.ack(c, "00000000-0000-0000-0000-000000000000", json("\"unknown\""));
        f.hub.ack(c, "", json("\"empty\""));
        f.hub.ack(c, null, json("\"none\""));
        assertThat(result).isNotDone();
        f.hub.ack(c, id, json("\"c\""));

        assertThat(result).succeedsWithin(WAIT).isEqualTo(new LaneHub.PublishResult(2, results("\"a1\"", "\"c\"")));
    }

    @Test
    void anAckAfterTheTimeoutIsIgnored() {
        LaneSocket a = f.subscribed("user_1", CHAT);

        var result = publishChat(Duration.ofMillis(50));
        String id = firstEnvelopeId(a);
        assertThat(result).succeedsWithin(WAIT).isEqualTo(new LaneHub.PublishResult(1, List.of()));
        f.hub.ack(a, id, json("\"late\""));

        assertThat(result.join().results()).isEmpty();
    }

    @Test
    void aTargetClosingBeforeItAcksCompletesTheDeliveryEarly() {
        LaneSocket a = f.subscribed("user_1", CHAT);
        LaneSocket b = f.subscribed("user_1", CHAT);

        var result = publishChat(Duration.ofSeconds(5));
        f.hub.ack(a, firstEnvelopeId(a), json("1"));
        f.hub.leave(b);

        assertThat(result).as("well before the 5 s timeout")
                .succeedsWithin(Duration.ofSeconds(1)).isEqualTo(new LaneHub.PublishResult(2, results("1")));
    }

    @Test
    void aTargetWhoseSendFailsIsClosedWith1011AndStillCountedAsAClient() {
        LaneSocket refusing = f.joinRefusing("user_1");
        f.subscribe(refusing, CHAT);
        LaneSocket ok = f.subscribed("user_1", CHAT);

        var result = publishChat(Duration.ofSeconds(5));
        f.hub.ack(ok, firstEnvelopeId(ok), json("\"ok\""));

        assertThat(result).succeedsWithin(Duration.ofSeconds(1)).isEqualTo(new LaneHub.PublishResult(2, results("\"ok\"")));
        assertThat(connection(refusing).closeCode()).isEqualTo(1011);
        assertThat(connection(refusing).closeReason()).isEqualTo("delivery failure");
        assertThat(f.hub.publish("user_1", "chat_message", Q1, Duration.ofMillis(50)))
                .as("the failed socket left its lane").succeedsWithin(WAIT)
                .extracting(LaneHub.PublishResult::clientCount).isEqualTo(1);
    }

    @Test
    void theEnvelopeHasTheReferenceKeyOrderAFreshLowerCaseUuidAndAMillisecondUtcTimestamp() {
        LaneSocket a = f.subscribed("user_1", CHAT);
        Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);

        f.hub.publish("  user_1 ", " chat_message ", Q1, Duration.ofMillis(100));
        String text = awaitText(a, 0);
        JsonNode envelope = json(text);
        Instant after = Instant.now();

        List<String> keys = new ArrayList<>();
        envelope.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsExactly("envelopeId", "type", "userId", "timestamp", "payload");
        assertThat(envelope.get("envelopeId").asText()).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
        assertThat(envelope.get("type").asText()).isEqualTo("chat_message");
        assertThat(envelope.get("userId").asText()).isEqualTo("user_1");
        assertThat(envelope.get("payload")).isEqualTo(Q1);
        String timestamp = envelope.get("timestamp").asText();
        assertThat(timestamp).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");
        assertThat(Instant.parse(timestamp)).isBetween(before, after);
        assertThat(text).startsWith("{\"envelopeId\":\"").doesNotContain(" \"").doesNotContain("\n");
    }

    @Test
    void eachPublishGetsItsOwnEnvelopeId() {
        LaneSocket a = f.subscribed("user_1", CHAT);

        publishChat(Duration.ofMillis(100));
        publishChat(Duration.ofMillis(100));

        assertThat(awaitEnvelope(a, 0).get("envelopeId")).isNotEqualTo(awaitEnvelope(a, 1).get("envelopeId"));
    }

    @Test
    void anAbsentPayloadLeavesNoPayloadKeyWhileAJsonNullIsKept() {
        LaneSocket a = f.subscribed("user_1", "[{\"type\":\"ping_me\"}]");

        f.hub.publish("user_1", "ping_me", null, Duration.ofMillis(100));
        f.hub.publish("user_1", "ping_me", NullNode.instance, Duration.ofMillis(100));

        assertThat(awaitEnvelope(a, 0).has("payload")).isFalse();
        assertThat(awaitText(a, 1)).endsWith(",\"payload\":null}");
    }

    @Test
    void aMissingOrBlankTypeDefaultsToMessage() {
        LaneSocket a = f.subscribed("user_1", "[{\"type\":\"message\"}]");

        f.hub.publish("user_1", null, null, Duration.ofMillis(100));
        f.hub.publish("user_1", "  ", null, Duration.ofMillis(100));

        assertThat(awaitEnvelope(a, 0).get("type").asText()).isEqualTo("message");
        assertThat(awaitEnvelope(a, 1).get("type").asText()).isEqualTo("message");
    }

    @Test
    void aBlankUserIdIsRefusedAsABadRequest() {
        assertThatThrownBy(() -> f.hub.publish(" ", "t", null, null))
                .isInstanceOfSatisfying(HeraldException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
                    assertThat(e.getMessage()).isEqualTo("userId is required");
                });
        assertThatThrownBy(() -> f.hub.publish(null, "t", null, null)).isInstanceOf(HeraldException.class);
    }

    @Test
    void oneEnvelopeIsEncodedOnceSharedByEveryTargetAndSentOnTheConnectionsLoop() {
        LaneSocket a = f.subscribed("user_1", CHAT);
        LaneSocket b = f.subscribed("user_1", CHAT);

        publishChat(Duration.ofMillis(100));
        awaitText(a, 0);
        awaitText(b, 0);

        assertThat(connection(a).received().get(0)).isSameAs(connection(b).received().get(0));
        assertThat(connection(a).received().get(0).isText()).isTrue();
        assertThat(connection(a).sendThreads()).containsOnly(LaneFixture.LOOP_THREAD);
    }

    @Test
    void aUsersEnvelopeNeverReachesAnotherUsersSocket() {
        LaneSocket mine = f.subscribed("user_1", CHAT);
        LaneSocket theirs = f.subscribed("user_2", CHAT);
        LaneSocket prefix = f.subscribed("user_10", CHAT);

        var result = publishChat(Duration.ofSeconds(5));
        f.hub.ack(mine, firstEnvelopeId(mine), null);

        assertThat(result).succeedsWithin(WAIT).extracting(LaneHub.PublishResult::clientCount).isEqualTo(1);
        f.drain();
        assertThat(connection(theirs).received()).isEmpty();
        assertThat(connection(prefix).received()).isEmpty();
    }

    @Test
    void aLaneWaitingOnMaxPendingDeliveriesRefusesTheNextPublishWith429UntilOneCompletes() {
        f.close();
        f = new LaneFixture(LaneFixture.withMaxPendingPerLane(2));
        LaneSocket a = f.subscribed("user_1", CHAT);
        f.subscribed("user_2", CHAT);

        var first = publishChat(Duration.ofSeconds(5));
        publishChat(Duration.ofSeconds(5));

        assertThatThrownBy(() -> publishChat(Duration.ofSeconds(5)))
                .isInstanceOfSatisfying(HeraldException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TOO_MANY_REQUESTS));
        assertThat(f.hub.publish("user_2", "chat_message", Q1, Duration.ofMillis(50)))
                .as("the cap is per lane").succeedsWithin(WAIT).extracting(LaneHub.PublishResult::clientCount).isEqualTo(1);
        f.hub.ack(a, firstEnvelopeId(a), null);
        assertThat(first).succeedsWithin(WAIT);
        assertThat(publishChat(Duration.ofMillis(50))).succeedsWithin(WAIT);
    }

    @Test
    void severalPublishesWaitForAcksIndependently() {
        LaneSocket a = f.subscribed("user_1", CHAT);

        var first = publishChat(Duration.ofSeconds(5));
        var second = publishChat(Duration.ofSeconds(5));
        String secondId = awaitEnvelope(a, 1).get("envelopeId").asText();
        f.hub.ack(a, secondId, json("2"));

        assertThat(second).succeedsWithin(WAIT).isEqualTo(new LaneHub.PublishResult(1, results("2")));
        assertThat(first).isNotDone();
        f.hub.ack(a, firstEnvelopeId(a), json("1"));
        assertThat(first).succeedsWithin(WAIT).isEqualTo(new LaneHub.PublishResult(1, results("1")));
    }
}
