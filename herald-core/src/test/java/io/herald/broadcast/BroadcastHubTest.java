package io.herald.broadcast;

import static io.herald.Refusals.assertRefused;
import static io.herald.broadcast.ChangeEvent.Type.DELETE;
import static io.herald.broadcast.ChangeEvent.Type.INSERT;
import static io.herald.broadcast.ChangeEvent.Type.UPDATE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.herald.EncodedMessage;
import io.herald.ErrorCode;
import io.herald.config.BroadcastConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BroadcastHubTest {
    private static final Target ORG_A = Target.organization("A");
    private static final Target ORG_B = Target.organization("B");
    private static final String A = "org:A";
    private static final String B = "org:B";
    private static final String APPLICATION =
            "{\"id\":\"app_1\",\"candidateId\":\"c_1\",\"stage\":\"applied\",\"ssn\":\"123-45-6789\"}";

    private final TestHub t = new TestHub();
    private final BroadcastHub hub = t.hub;

    @AfterEach
    void close() {
        t.close();
    }

    private double deliveriesMeter() {
        return t.registry.get("herald.deliveries").tag("primitive", "broadcast").counter().count();
    }

    // --- who receives ---

    @Test
    void orgIsolationHoldsWhileBothOrgsPublish() throws Exception {
        RecordingConnection a = t.connect(A, "u_a", "owner");
        RecordingConnection b = t.connect(B, "u_b", "owner");

        assertThat(t.change(ORG_A, "notes", INSERT, "{\"id\":\"note_of_A\"}", null).delivered()).isEqualTo(1);
        assertThat(t.change(ORG_B, "notes", INSERT, "{\"id\":\"note_of_B\"}", null).delivered()).isEqualTo(1);
        assertThat(t.broadcast(ORG_A, "hello", "{\"secret\":\"of_A\"}").delivered()).isEqualTo(1);
        assertThat(t.broadcast(ORG_B, "hello", "{\"secret\":\"of_B\"}").delivered()).isEqualTo(1);

        assertThat(a.texts()).hasSize(2).allMatch(m -> m.contains("of_A")).noneMatch(m -> m.contains("of_B"));
        assertThat(b.texts()).hasSize(2).allMatch(m -> m.contains("of_B")).noneMatch(m -> m.contains("of_A"));
    }

    @Test
    void resourceScopesAndOrgScopesDoNotSeeEachOthersEvents() throws Exception {
        RecordingConnection org = t.connect(A, "u_1", "owner");
        RecordingConnection event = t.connect("events:evt_123", "u_1", "attendee");
        RecordingConnection otherEvent = t.connect("events:evt_999", "u_2", "attendee");

        t.broadcast(Target.scope("events:evt_123"), "slide", "{\"n\":1}");
        t.broadcast(ORG_A, "org-news", "{}");

        assertThat(event.onlyText()).contains("slide");
        assertThat(org.onlyText()).contains("org-news");
        assertThat(otherEvent.received()).isEmpty();
    }

    @Test
    void requiredRolesOfATableFilterTheSubscribers() throws Exception {
        RecordingConnection owner = t.connect(A, "u_1", "owner");
        RecordingConnection recruiter = t.connect(A, "u_2", "recruiter");
        RecordingConnection manager = t.connect(A, "u_3", "hiring-manager");
        RecordingConnection viewer = t.connect(A, "u_4", "viewer");
        RecordingConnection noRoles = t.connect(A, "u_5");

        assertThat(t.change(ORG_A, "applications", INSERT, APPLICATION, null).delivered()).isEqualTo(3);

        assertThat(List.of(owner, recruiter, manager)).allSatisfy(c -> assertThat(c.received()).hasSize(1));
        assertThat(viewer.received()).isEmpty();
        assertThat(noRoles.received()).isEmpty();
    }

    @Test
    void aTableWithoutRequiredRolesReachesEveryMemberOfTheScope() throws Exception {
        RecordingConnection viewer = t.connect(A, "u_4", "viewer");
        RecordingConnection noRoles = t.connect(A, "u_5");

        assertThat(t.change(ORG_A, "notes", INSERT, "{\"id\":\"n1\"}", null).delivered()).isEqualTo(2);
        assertThat(viewer.received()).hasSize(1);
        assertThat(noRoles.received()).hasSize(1);
    }

    @Test
    void targetRolesOfABroadcastFilterTheSubscribers() throws Exception {
        RecordingConnection owner = t.connect(A, "u_1", "owner");
        RecordingConnection manager = t.connect(A, "u_2", "hiring-manager");
        RecordingConnection recruiter = t.connect(A, "u_3", "recruiter");

        assertThat(t.broadcast(ORG_A, "screening:complete", "{\"score\":9}", "owner", "hiring-manager").delivered()).isEqualTo(2);
        assertThat(owner.received()).hasSize(1);
        assertThat(manager.received()).hasSize(1);
        assertThat(recruiter.received()).isEmpty();

        assertThat(t.broadcast(ORG_A, "screening:started", "{}").delivered()).as("no targetRoles: everyone").isEqualTo(3);
    }

    @Test
    void userTargetingReachesOnlyThatUsersSocketsInThatScope() throws Exception {
        RecordingConnection phone = t.connect(A, "u_1", "recruiter");
        RecordingConnection laptop = t.connect(A, "u_1", "recruiter");
        RecordingConnection colleague = t.connect(A, "u_2", "recruiter");
        RecordingConnection sameUserOtherOrg = t.connect(B, "u_1", "recruiter");

        assertThat(t.broadcast(ORG_A.user("u_1"), "for-you", "{\"x\":1}").delivered()).isEqualTo(2);
        assertThat(t.change(ORG_A.user("u_1"), "applications", UPDATE, APPLICATION, APPLICATION).delivered()).isEqualTo(2);

        assertThat(phone.received()).hasSize(2);
        assertThat(laptop.received()).hasSize(2);
        assertThat(colleague.received()).isEmpty();
        assertThat(sameUserOtherOrg.received()).isEmpty();
    }

    @Test
    void roleFiltersStillApplyToUserTargetedEvents() throws Exception {
        RecordingConnection viewer = t.connect(A, "u_1", "viewer");
        RecordingConnection owner = t.connect(A, "u_2", "owner");

        assertThat(t.change(ORG_A.user("u_1"), "applications", INSERT, APPLICATION, null).delivered()).isZero();
        assertThat(t.broadcast(ORG_A.user("u_1"), "bonus", "{}", "owner").delivered()).isZero();
        assertThat(t.broadcast(ORG_A.user("u_2"), "bonus", "{}", "owner").delivered()).isEqualTo(1);

        assertThat(viewer.received()).isEmpty();
        assertThat(owner.onlyText()).contains("bonus");
    }

    @Test
    void anEventForAUserWithoutSocketsInTheScopeDeliversNothing() throws Exception {
        RecordingConnection other = t.connect(A, "u_2", "owner");

        assertThat(t.broadcast(ORG_A.user("u_absent"), "hi", "{}").delivered()).isZero();
        assertThat(other.received()).isEmpty();
    }

    @Test
    void publishingToAScopeWithoutSubscribersDeliversNothingButCountsThePublish() throws Exception {
        assertThat(t.broadcast(ORG_A, "hi", "{}")).isEqualTo(new PublishResult(0, 0, false, null));
        assertThat(t.change(ORG_A, "notes", INSERT, "{}", null).delivered()).isZero();
        assertThat(t.registry.get("herald.messages.published").tag("primitive", "broadcast").counter().count()).isEqualTo(2);
    }

    // --- what is refused or skipped ---

    @Test
    void anUnknownTableIsRefusedNamingTheTable() {
        RecordingConnection c = t.connect(A, "u_1", "owner");
        var e = assertRefused(ErrorCode.UNKNOWN_TABLE,
                () -> hub.publish(new ChangeEvent("payroll", INSERT, t.node("{}"), null, ORG_A)));
        assertThat(e.getMessage()).contains("payroll");
        assertThat(c.received()).isEmpty();
    }

    @Test
    void anEventTypeSwitchedOffIsSkippedWithItsReason() throws Exception {
        RecordingConnection c = t.connect(A, "u_1");

        assertThat(t.change(ORG_A, "archive", DELETE, null, "{\"id\":1}")).isEqualTo(new PublishResult(0, "onDelete disabled"));
        assertThat(t.change(ORG_A, "archive", UPDATE, "{\"id\":1}", null).skipReason()).contains("onUpdate disabled");
        PublishResult insert = t.change(ORG_A, "archive", INSERT, "{\"id\":1}", null);

        assertThat(insert).isEqualTo(new PublishResult(1, 1, false, null));
        assertThat(insert.skipReason()).isEmpty();
        assertThat(c.onlyText()).contains("\"eventType\":\"INSERT\"");
    }

    @Test
    void declaredNamespacedEventsAreAccepted() throws Exception {
        RecordingConnection c = t.connect(A, "u_1");
        for (String name : List.of("started", "progress", "complete")) {
            assertThat(t.broadcast(ORG_A, "screening:" + name, "{}").delivered()).isEqualTo(1);
        }
        assertThat(c.received()).hasSize(3);
    }

    @Test
    void anUnknownNamespaceIsRefused() {
        var e = assertRefused(ErrorCode.UNKNOWN_EVENT,
                () -> hub.publish(new BroadcastEvent("interview:started", t.node("{}"), ORG_A, null)));
        assertThat(e.getMessage()).contains("interview");
        assertRefused(ErrorCode.UNKNOWN_EVENT, () -> hub.publish(new BroadcastEvent(":started", t.node("{}"), ORG_A, null)));
    }

    @Test
    void anUndeclaredNameInADeclaredNamespaceIsRefused() {
        RecordingConnection c = t.connect(A, "u_1");
        for (String event : List.of("screening:finished", "screening:", "screening:complete:extra", "screening:Complete")) {
            assertRefused(ErrorCode.UNKNOWN_EVENT, () -> hub.publish(new BroadcastEvent(event, t.node("{}"), ORG_A, null)));
        }
        assertThat(c.received()).isEmpty();
    }

    @Test
    void eventsWithoutANamespaceNeedNoDeclaration() throws Exception {
        t.connect(A, "u_1");
        assertThat(t.broadcast(ORG_A, "screening-complete", "{}").delivered()).isEqualTo(1);
    }

    // --- how many, and on which thread ---

    @Test
    void aConnectionThatRefusesTheMessageIsNotCountedAsDelivered() throws Exception {
        RecordingConnection ok1 = t.connect(A, "u_1");
        RecordingConnection ok2 = t.connect(A, "u_2");
        RecordingConnection closed = t.connect(A, "u_3").refuse();

        assertThat(t.broadcast(ORG_A, "hi", "{}").delivered()).isEqualTo(2);
        assertThat(closed.received()).isEmpty();
        assertThat(ok1.received()).hasSize(1);
        assertThat(ok2.received()).hasSize(1);
        assertThat(deliveriesMeter()).isEqualTo(2.0);
    }

    @Test
    void aConnectionWhoseSendThrowsDoesNotStopDeliveryToItsNeighbours() throws Exception {
        List<RecordingConnection> healthy = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            healthy.add(t.connect(A, "u_" + i));
        }
        RecordingConnection broken = t.connect(A, "u_broken").breakDown();

        assertThat(t.broadcast(ORG_A, "hi", "{}").delivered()).isEqualTo(10);
        assertThat(healthy).allSatisfy(c -> assertThat(c.received()).hasSize(1));
        assertThat(broken.sendThreads()).isNotEmpty();
    }

    @Test
    void fanOutWritesEachConnectionOnlyFromItsOwnLoop() throws Exception {
        ExecutorService loop1 = t.newLoop("loop-1");
        ExecutorService loop2 = t.newLoop("loop-2");
        List<RecordingConnection> on1 = List.of(t.connect(loop1, A, "u_1"), t.connect(loop1, A, "u_2"));
        List<RecordingConnection> on2 = List.of(t.connect(loop2, A, "u_3"), t.connect(loop2, A, "u_4"));

        assertThat(t.broadcast(ORG_A, "hi", "{}").delivered()).isEqualTo(4);
        assertThat(t.broadcast(ORG_A.user("u_3"), "hi", "{}").delivered()).isEqualTo(1);

        assertThat(on1).allSatisfy(c -> assertThat(c.sendThreads()).containsExactly("loop-1"));
        assertThat(on2).allSatisfy(c -> assertThat(c.sendThreads()).containsExactly("loop-2"));
    }

    @Test
    void aLoopsFanOutVisitsItsMembersInJoinOrderAndSeesJoinsAndLeavesOfEarlierCalls() throws Exception {
        ExecutorService loop = t.newLoop("loop-1");
        List<String> visits = java.util.Collections.synchronizedList(new ArrayList<>());
        List<BroadcastHub.Registration> regs = new ArrayList<>();
        for (int i = 1; i <= 40; i++) {
            regs.add(hub.subscribe(A, "u_" + i, List.of("owner"), ordered("c" + i, loop, visits)));
        }
        assertThat(t.broadcast(ORG_A, "one", "{}").delivered()).isEqualTo(40);
        assertThat(visits).containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, 40).mapToObj(i -> "c" + i).toList());

        visits.clear();
        regs.get(1).close();
        regs.get(20).close();
        hub.subscribe(A, "u_41", List.of("owner"), ordered("c41", loop, visits));
        assertThat(t.broadcast(ORG_A, "two", "{}").delivered()).isEqualTo(39);
        List<String> expected = new ArrayList<>(java.util.stream.IntStream.rangeClosed(1, 41).mapToObj(i -> "c" + i).toList());
        expected.removeAll(List.of("c2", "c21"));
        assertThat(visits).containsExactlyElementsOf(expected);
    }

    /** A connection that logs its id to {@code visits} when sent to, so a test sees the fan-out's order. */
    private static io.herald.Connection ordered(String id, java.util.concurrent.Executor loop, List<String> visits) {
        return new io.herald.Connection() {
            @Override
            public String id() {
                return id;
            }

            @Override
            public java.util.concurrent.Executor executor() {
                return loop;
            }

            @Override
            public boolean send(EncodedMessage message) {
                visits.add(id);
                return true;
            }

            @Override
            public void close(int closeCode, String reason) {
            }
        };
    }

    @Test
    void aLoopThatRejectsTheFanOutCountsZeroWhileOtherLoopsDeliver() throws Exception {
        ExecutorService dead = t.newLoop("dead");
        ExecutorService live = t.newLoop("live");
        RecordingConnection onDead = t.connect(dead, A, "u_1");
        RecordingConnection onLive = t.connect(live, A, "u_2");
        dead.shutdown();

        assertThat(t.broadcast(ORG_A, "hi", "{}").delivered()).isEqualTo(1);
        assertThat(onDead.received()).isEmpty();
        assertThat(onLive.received()).hasSize(1);
    }

    // --- subscriptions ---

    /** The topic every hub holds from its start: events for every scope (a TRUNCATE from change capture). */
    private static final int HUB_TOPICS = 1;

    @Test
    void closingARegistrationStopsDeliveryAndTheLastOneRemovesTheBrokerTopic() throws Exception {
        RecordingConnection first = t.connect(A, "u_1");
        RecordingConnection second = t.connect(A, "u_2");
        assertThat(t.broker.topicCount()).isEqualTo(HUB_TOPICS + 1);
        assertThat(t.meters.connections("broadcast").get()).isEqualTo(2);

        first.registration.close();
        assertThat(t.broadcast(ORG_A, "one", "{}").delivered()).isEqualTo(1);
        assertThat(first.received()).isEmpty();
        assertThat(t.broker.topicCount()).isEqualTo(HUB_TOPICS + 1);

        second.registration.close();
        assertThat(t.broker.topicCount()).isEqualTo(HUB_TOPICS);
        assertThat(hub.scopeCount()).isZero();
        assertThat(t.broadcast(ORG_A, "two", "{}").delivered()).isZero();
        assertThat(second.texts()).hasSize(1).allMatch(m -> m.contains("\"one\""));
        assertThat(t.meters.connections("broadcast").get()).isZero();
    }

    @Test
    void closingARegistrationTwiceIsHarmless() throws Exception {
        RecordingConnection gone = t.connect(A, "u_1");
        RecordingConnection stays = t.connect(A, "u_2");

        gone.registration.close();
        assertThatCode(gone.registration::close).doesNotThrowAnyException();

        assertThat(t.meters.connections("broadcast").get()).isEqualTo(1);
        assertThat(t.broadcast(ORG_A, "hi", "{}").delivered()).isEqualTo(1);
        assertThat(stays.received()).hasSize(1);
    }

    @Test
    void aScopeCanBeJoinedAgainAfterItEmptied() throws Exception {
        t.connect(A, "u_1").registration.close();
        RecordingConnection again = t.connect(A, "u_1");

        assertThat(t.broker.topicCount()).isEqualTo(HUB_TOPICS + 1);
        assertThat(t.broadcast(ORG_A, "hi", "{}").delivered()).isEqualTo(1);
        assertThat(again.received()).hasSize(1);
    }

    @Test
    void oneConnectionMayBeSubscribedToTwoScopesIndependently() throws Exception {
        RecordingConnection c = new RecordingConnection(Runnable::run);
        BroadcastHub.Registration org = hub.subscribe(A, "u_1", List.of("owner"), c);
        hub.subscribe("events:evt_1", "u_1", List.of("attendee"), c);

        t.broadcast(ORG_A, "org-event", "{}");
        t.broadcast(Target.scope("events:evt_1"), "scope-event", "{}");
        org.close();
        t.broadcast(ORG_A, "after-close", "{}");
        t.broadcast(Target.scope("events:evt_1"), "still-here", "{}");

        assertThat(c.texts()).hasSize(3);
        assertThat(String.join("\n", c.texts())).contains("org-event", "scope-event", "still-here").doesNotContain("after-close");
    }

    @Test
    void theScopeCapRefusesNewScopesButNotNewMembersOfExistingOnes() throws Exception {
        BroadcastConfig capped = new BroadcastConfig(null, null, null, null, null, 1, null, null);
        try (TestHub small = new TestHub(capped)) {
            small.connect(A, "u_1");
            assertRefused(ErrorCode.OVERLOADED, () -> small.connect(B, "u_2"));
            RecordingConnection second = small.connect(A, "u_3");

            assertThat(small.hub.scopeCount()).isEqualTo(1);
            assertThat(small.broker.topicCount()).isEqualTo(HUB_TOPICS + 1);
            assertThat(small.broadcast(ORG_A, "hi", "{}").delivered()).isEqualTo(2);
            assertThat(second.received()).hasSize(1);
        }
    }

    // --- variants: masking per role and encode-once ---

    @Test
    void theOwnerSeesTheSsnWhileARecruiterSeesItMasked() throws Exception {
        RecordingConnection owner = t.connect(A, "u_1", "owner");
        RecordingConnection recruiter = t.connect(A, "u_2", "recruiter");
        RecordingConnection both = t.connect(A, "u_3", "recruiter", "owner");

        t.change(ORG_A, "applications", INSERT, APPLICATION, null);

        assertThat(t.node(owner.onlyText()).at("/new/ssn").asText()).isEqualTo("123-45-6789");
        assertThat(t.node(recruiter.onlyText()).at("/new/ssn").asText()).isEqualTo("*****6789");
        assertThat(t.node(both.onlyText()).at("/new/ssn").asText()).as("any role that may see it").isEqualTo("123-45-6789");
        assertThat(recruiter.onlyText()).doesNotContain("123-45");
    }

    @Test
    void eachDistinctVariantIsEncodedOnceAndItsBytesAreSharedByEverySocketOfIt() throws Exception {
        ExecutorService loop1 = t.newLoop("loop-1");
        ExecutorService loop2 = t.newLoop("loop-2");
        String[][] roleSets = {{"owner"}, {"recruiter"}, {"hiring-manager"}};
        List<RecordingConnection> owners = new ArrayList<>();
        List<RecordingConnection> maskedViewers = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            RecordingConnection c = t.connect(i % 2 == 0 ? loop1 : loop2, A, "u_" + i, roleSets[i % 3]);
            (i % 3 == 0 ? owners : maskedViewers).add(c);
        }
        List<RecordingConnection> filteredOut = List.of(t.connect(loop1, A, "v_1", "viewer"), t.connect(loop2, A, "v_2", "viewer"));

        long before = hub.encodings();
        PublishResult first = t.change(ORG_A, "applications", INSERT, APPLICATION, null);
        assertThat(hub.encodings() - before).as("owner variant + masked variant").isEqualTo(2);
        t.change(ORG_A, "applications", UPDATE, APPLICATION, APPLICATION);
        assertThat(hub.encodings() - before).as("two more for the second publish").isEqualTo(4);

        assertThat(first.delivered()).isEqualTo(50);
        assertThat(filteredOut).allSatisfy(c -> assertThat(c.received()).isEmpty());
        for (int n = 0; n < 2; n++) {
            EncodedMessage ownerMessage = owners.get(0).received().get(n);
            EncodedMessage maskedMessage = maskedViewers.get(0).received().get(n);
            assertThat(ownerMessage).isNotSameAs(maskedMessage);
            assertThat(ownerMessage.toString()).contains("123-45-6789");
            assertThat(maskedMessage.toString()).contains("*****6789").doesNotContain("123-45-6789");
            int i = n;
            assertThat(owners).allSatisfy(c -> assertThat(c.received().get(i)).isSameAs(ownerMessage));
            assertThat(maskedViewers).allSatisfy(c -> assertThat(c.received().get(i)).isSameAs(maskedMessage));
        }
        assertThat(deliveriesMeter()).isEqualTo(100.0);
    }

    @Test
    void aBroadcastEventIsEncodedOnceForAllItsSubscribers() throws Exception {
        ExecutorService loop1 = t.newLoop("loop-1");
        ExecutorService loop2 = t.newLoop("loop-2");
        List<RecordingConnection> all = new ArrayList<>();
        String[] roles = {"owner", "recruiter", "viewer", "attendee"};
        for (int i = 0; i < 20; i++) {
            all.add(t.connect(i % 2 == 0 ? loop1 : loop2, A, "u_" + i, roles[i % 4]));
        }

        long before = hub.encodings();
        assertThat(t.broadcast(ORG_A, "screening:progress", "{\"pct\":50}").delivered()).isEqualTo(20);

        assertThat(hub.encodings() - before).isEqualTo(1);
        EncodedMessage shared = all.get(0).only();
        assertThat(all).allSatisfy(c -> assertThat(c.only()).isSameAs(shared));
        assertThat(shared.isText()).isTrue();
    }

    @Test
    void aVariantNobodyReceivesIsNeverEncoded() throws Exception {
        t.connect(A, "u_1", "viewer");
        long before = hub.encodings();

        assertThat(t.change(ORG_A, "applications", INSERT, APPLICATION, null).delivered()).isZero();
        assertThat(t.broadcast(ORG_A, "x", "{}", "owner").delivered()).isZero();
        assertThat(hub.encodings()).isEqualTo(before);
    }

    @Test
    void roleSetsAreComparedAsSetsSoOrderAndDuplicatesDoNotMakeNewVariants() throws Exception {
        RecordingConnection c1 = t.connect(A, "u_1", "owner", "recruiter");
        RecordingConnection c2 = t.connect(A, "u_2", "recruiter", "owner", "owner");
        long before = hub.encodings();

        t.change(ORG_A, "applications", INSERT, APPLICATION, null);

        assertThat(hub.encodings() - before).isEqualTo(1);
        assertThat(c1.only()).isSameAs(c2.only());
    }
}
