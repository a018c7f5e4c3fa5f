package io.herald.lane;

import static io.herald.lane.LaneFixture.awaitEnvelope;
import static io.herald.lane.LaneFixture.connection;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.config.LanesConfig;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Sockets joining and leaving lanes, and the filters they hold. Publishing and acks: {@link LaneHubPublishTest}. */
class LaneHubTest {
    private static final String CHAT = "{\"type\":\"chat_message\",\"questId\":\"q1\"}";

    private LaneFixture f = new LaneFixture();

    @AfterEach
    void close() {
        f.close();
    }

    private void use(LanesConfig config) {
        f.close();
        f = new LaneFixture(config);
    }

    /** A JSON array of {@code n} distinct valid filters. */
    private static String distinctFilters(int n) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ",").append("{\"type\":\"t\",\"i\":\"").append(i).append("\"}");
        }
        return b.append(']').toString();
    }

    @Test
    void aFreshSocketHoldsNoFilterAndSubscribingReportsTheCountHeld() {
        LaneSocket s = f.join("user_1");

        LaneHub.FilterReply first = f.subscribe(s, "[" + CHAT + ",{\"type\":\"presence\"}]");
        LaneHub.FilterReply second = f.subscribe(s, "[{\"type\":\"typing\"}]");

        assertThat(first).isEqualTo(new LaneHub.FilterReply(2, 0));
        assertThat(second).isEqualTo(new LaneHub.FilterReply(3, 0));
    }

    @Test
    void duplicateFiltersAreHeldOnceAndCountedAsIgnored() {
        LaneSocket s = f.join("user_1");

        LaneHub.FilterReply withinOneMessage = f.subscribe(s,
                "[" + CHAT + ",{\"questId\":\"q1\",\"type\":\" chat_message \"}]");
        LaneHub.FilterReply again = f.subscribe(s, "[" + CHAT + "]");

        assertThat(withinOneMessage).isEqualTo(new LaneHub.FilterReply(1, 1));
        assertThat(again).isEqualTo(new LaneHub.FilterReply(1, 1));
    }

    @Test
    void malformedFiltersAreDroppedAloneAndCountedWhileTheOthersApply() {
        LaneSocket s = f.join("user_1");

        LaneHub.FilterReply r = f.subscribe(s,
                "[42, {}, {\"type\":\"t\",\"n\":1}, {\"type\":\"  \"}, null, \"chat\", " + CHAT + ", {\"nodeId\":\"n1\"}]");

        assertThat(r).isEqualTo(new LaneHub.FilterReply(2, 6));
    }

    @Test
    void onlyTheFirstFiftyElementsOfAMessageAreLookedAtAndTheRestCountAsIgnored() {
        LaneSocket s = f.join("user_1");

        LaneHub.FilterReply r = f.subscribe(s, distinctFilters(60));

        assertThat(LaneHub.MAX_FILTERS_PER_MESSAGE).isEqualTo(50);
        assertThat(r).isEqualTo(new LaneHub.FilterReply(50, 10));
    }

    @Test
    void aValidFilterAfterFiftyInvalidElementsIsNotSubscribed() {
        LaneSocket s = f.join("user_1");
        StringBuilder filters = new StringBuilder("[");
        for (int i = 0; i < 50; i++) {
            filters.append("42,");
        }
        filters.append(CHAT).append(']');

        LaneHub.FilterReply r = f.subscribe(s, filters.toString());

        assertThat(r).isEqualTo(new LaneHub.FilterReply(0, 51));
        assertThat(f.hub.publish("user_1", "chat_message", LaneFixture.json("{\"questId\":\"q1\"}"), null))
                .succeedsWithin(Duration.ofSeconds(1))
                .isEqualTo(new LaneHub.PublishResult(0, java.util.List.of()));
    }

    @Test
    void filtersPastThePerSocketCapAreIgnoredAndCounted() {
        use(LanesConfig.defaults().withLimits(3, LanesConfig.DEFAULT_MAX_FRAME_BYTES, 5000, 20));
        LaneSocket s = f.join("user_1");
        LaneSocket other = f.join("user_1");

        LaneHub.FilterReply first = f.subscribe(s, distinctFilters(5));
        LaneHub.FilterReply later = f.subscribe(s, "[{\"type\":\"late\"}]");
        LaneHub.FilterReply ownCap = f.subscribe(other, distinctFilters(3));

        assertThat(first).isEqualTo(new LaneHub.FilterReply(3, 2));
        assertThat(later).isEqualTo(new LaneHub.FilterReply(3, 1));
        assertThat(ownCap).as("the cap is per socket").isEqualTo(new LaneHub.FilterReply(3, 0));
    }

    @Test
    void theDefaultPerSocketCapIsTwoHundred() {
        LaneSocket s = f.join("user_1");
        for (int i = 0; i < 4; i++) {
            StringBuilder b = new StringBuilder("[");
            for (int j = 0; j < 50; j++) {
                b.append(j == 0 ? "" : ",").append("{\"type\":\"t\",\"i\":\"").append(i * 50 + j).append("\"}");
            }
            f.subscribe(s, b.append(']').toString());
        }

        assertThat(f.subscribe(s, "[{\"type\":\"one-more\"}]")).isEqualTo(new LaneHub.FilterReply(200, 1));
    }

    @Test
    void unsubscribeRemovesOnlyExactlyEqualFiltersAndCountsTheRestAsIgnored() {
        LaneSocket s = f.join("user_1");
        f.subscribe(s, "[" + CHAT + ",{\"type\":\"chat_message\",\"questId\":\"q1\",\"nodeId\":\"n1\"},{\"type\":\"presence\"}]");

        LaneHub.FilterReply r = f.unsubscribe(s,
                "[{\"questId\":\"q1\",\"type\":\" chat_message\"},{\"type\":\"chat_message\"},{\"type\":\"never-held\"},7]");

        assertThat(r).isEqualTo(new LaneHub.FilterReply(2, 3));
    }

    @Test
    void anUnsubscribedSocketIsNoLongerATarget() {
        LaneSocket s = f.subscribed("user_1", "[" + CHAT + "]");

        f.unsubscribe(s, "[" + CHAT + "]");

        assertThat(f.hub.publish("user_1", "chat_message", LaneFixture.json("{\"questId\":\"q1\"}"), null))
                .succeedsWithin(Duration.ofSeconds(1))
                .extracting(LaneHub.PublishResult::clientCount).isEqualTo(0);
    }

    @Test
    void filtersThatAreNotAnArrayAreRefusedAsABadRequest() {
        LaneSocket s = f.join("user_1");

        for (String notAnArray : new String[] {"{}", "\"chat\"", "null", "3"}) {
            assertThatThrownBy(() -> f.subscribe(s, notAnArray))
                    .isInstanceOfSatisfying(HeraldException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
            assertThatThrownBy(() -> f.unsubscribe(s, notAnArray)).isInstanceOf(HeraldException.class);
        }
        assertThatThrownBy(() -> f.hub.subscribe(s, null)).isInstanceOf(HeraldException.class);
        assertThat(f.subscribe(s, "[]")).isEqualTo(new LaneHub.FilterReply(0, 0));
    }

    @Test
    void oneSocketMoreThanMaxSocketsPerUserIsRefusedWith429() {
        use(LanesConfig.defaults().withLimits(200, LanesConfig.DEFAULT_MAX_FRAME_BYTES, 5000, 2));
        LaneSocket first = f.join("user_1");
        f.join("user_1");

        assertThatThrownBy(() -> f.join("user_1"))
                .isInstanceOfSatisfying(HeraldException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.TOO_MANY_REQUESTS);
                    assertThat(e.code().httpStatus()).isEqualTo(429);
                });
        assertThat(f.join("user_2")).as("another user's lane is not full").isNotNull();
        f.hub.leave(first);
        assertThat(f.join("user_1")).as("a place freed by leaving").isNotNull();
    }

    @Test
    void theDefaultSocketCapPerUserIsTwenty() {
        for (int i = 0; i < 20; i++) {
            f.join("user_1");
        }

        assertThatThrownBy(() -> f.join("user_1")).isInstanceOf(HeraldException.class);
    }

    @Test
    void aLaneExistsOnlyWhileItHasSockets() {
        LaneSocket a = f.join("user_1");
        LaneSocket b = f.join("user_1");
        f.join("user_2");
        assertThat(f.hub.laneCount()).isEqualTo(2);

        f.hub.leave(a);
        assertThat(f.hub.laneCount()).isEqualTo(2);
        f.hub.leave(b);
        f.hub.leave(b);

        assertThat(f.hub.laneCount()).as("user_1's lane is gone, user_2's stays").isEqualTo(1);
    }

    @Test
    void aSocketJoiningAfterItsLaneWasDroppedGetsAFreshLaneThatReceives() {
        LaneSocket old = f.subscribed("user_1", "[" + CHAT + "]");
        f.hub.leave(old);

        LaneSocket fresh = f.subscribed("user_1", "[" + CHAT + "]");
        var result = f.hub.publish("user_1", "chat_message", LaneFixture.json("{\"questId\":\"q1\"}"), Duration.ofSeconds(2));

        assertThat(awaitEnvelope(fresh, 0).get("userId").asText()).isEqualTo("user_1");
        f.drain();
        assertThat(connection(old).received()).isEmpty();
        f.hub.ack(fresh, awaitEnvelope(fresh, 0).get("envelopeId").asText(), null);
        assertThat(result).succeedsWithin(Duration.ofSeconds(1)).extracting(LaneHub.PublishResult::clientCount).isEqualTo(1);
    }

    @Test
    void theUserIdOfAJoiningSocketIsTrimmedSoPublishesToTheTrimmedIdReachIt() {
        LaneSocket s = f.subscribed("  user_9  ", "[{\"type\":\"t\"}]");

        var result = f.hub.publish("user_9", "t", null, Duration.ofSeconds(2));
        String id = LaneFixture.firstEnvelopeId(s);
        f.hub.ack(s, id, null);

        assertThat(s.userId()).isEqualTo("user_9");
        assertThat(result).succeedsWithin(Duration.ofSeconds(1)).extracting(LaneHub.PublishResult::clientCount).isEqualTo(1);
    }

    @Test
    void aBlankUserIdCannotJoin() {
        assertThatThrownBy(() -> f.join("   "))
                .isInstanceOfSatisfying(HeraldException.class, e -> assertThat(e.code().httpStatus()).isEqualTo(401));
        assertThat(f.hub.laneCount()).isZero();
    }

    @Test
    void aLeftSocketsFiltersCanStillBeChangedHarmlessly() {
        LaneSocket s = f.join("user_1");
        f.hub.leave(s);

        assertThat(f.subscribe(s, "[" + CHAT + "]")).isEqualTo(new LaneHub.FilterReply(1, 0));
        assertThat(f.hub.laneCount()).isZero();
    }
}
