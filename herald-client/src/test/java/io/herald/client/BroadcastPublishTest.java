package io.herald.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.server.TestServer;
import io.herald.server.WsClient;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code postgres_changes} and custom broadcasts published by the client reach real WebSocket
 * subscribers (ticket, then socket) as the server fans them out, and the answers read as typed results.
 */
class BroadcastPublishTest {
    @TempDir
    static Path dir;
    private static TestServer server;
    private static HeraldClient client;

    /** A row as a backend would hold it. */
    record Application(String id, String stage, String ssn, String email, int salary) {
    }

    /** A custom payload as a record. */
    record Score(String applicationId, int score) {
    }

    @BeforeAll
    static void start() {
        server = ClientServers.start(ClientServers.CONFIG, dir);
        client = ClientServers.client(server);
    }

    @AfterEach
    void closeSockets() {
        server.closeClients();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void anInsertReachesTheOrgsSocketsMaskedPerRoleAndAnswersTheDeliveredCount() {
        WsClient owner = server.member("u_owner", "org_ins", "owner");
        WsClient recruiter = server.member("u_rec", "org_ins", "recruiter");
        WsClient viewer = server.member("u_view", "org_ins", "viewer");

        BroadcastResult r = client.publishChange(Change.insert("applications", Target.organization("org_ins"),
                new Application("app_1", "screen", "123-45-6789", "jane@acme.com", 120000)));

        assertThat(r.delivered()).isEqualTo(2);
        assertThat(r.isSkipped()).isFalse();
        assertThat(r.skipped()).isEmpty();
        assertThat(r.nodes()).as("one node: no node count").isEmpty();
        assertThat(r.partial()).isFalse();
        JsonNode forOwner = owner.nextJson();
        assertThat(forOwner.get("type").asText()).isEqualTo("postgres_changes");
        assertThat(forOwner.get("table").asText()).isEqualTo("applications");
        assertThat(forOwner.get("eventType").asText()).isEqualTo("INSERT");
        assertThat(forOwner.get("new").get("ssn").asText()).isEqualTo("123-45-6789");
        assertThat(forOwner.get("new").has("salary")).as("not in the table's fields").isFalse();
        assertThat(forOwner.get("old").isNull()).isTrue();
        assertThat(recruiter.nextJson().get("new").get("ssn").asText()).isEqualTo("*****6789");
        viewer.assertNothingMore();
    }

    @Test
    void anUpdateForOneUserReachesOnlyThatUsersSocketsWithTheOldRow() {
        WsClient target = server.member("u_target", "org_upd", "owner");
        WsClient other = server.member("u_other", "org_upd", "owner");

        BroadcastResult r = client.publishChange(Change.update("applications", Target.organization("org_upd").user("u_target"),
                Map.of("id", "app_1", "stage", "offer"), Map.of("id", "app_1", "stage", "screen")));

        assertThat(r.delivered()).isEqualTo(1);
        JsonNode m = target.nextJson();
        assertThat(m.get("eventType").asText()).isEqualTo("UPDATE");
        assertThat(m.get("new").get("stage").asText()).isEqualTo("offer");
        assertThat(m.get("old").get("stage").asText()).isEqualTo("screen");
        other.assertNothingMore();
    }

    @Test
    void aDeleteTheTableSwitchesOffAnswersSkippedWithTheReason() {
        WsClient owner = server.member("u_del", "org_del", "owner");

        BroadcastResult r = client.publishChange(Change.delete("notes", Target.organization("org_del"), Map.of("id", 7)));

        assertThat(r.delivered()).isZero();
        assertThat(r.isSkipped()).isTrue();
        assertThat(r.skipped()).hasValue("onDelete disabled");
        owner.assertNothingMore();
    }

    @Test
    void aDeleteIsSentWithItsOldRow() {
        WsClient owner = server.member("u_del2", "org_del2", "owner");

        BroadcastResult r = client.publishChange(Change.delete("applications", Target.organization("org_del2"), Map.of("id", "app_9")));

        assertThat(r.delivered()).isEqualTo(1);
        JsonNode m = owner.nextJson();
        assertThat(m.get("eventType").asText()).isEqualTo("DELETE");
        assertThat(m.get("new").isNull()).isTrue();
        assertThat(m.get("old").get("id").asText()).isEqualTo("app_9");
    }

    @Test
    void aCustomEventWithTargetRolesReachesOnlySocketsHoldingOneOfThem() {
        WsClient owner = server.member("u_o", "org_bc", "owner");
        WsClient recruiter = server.member("u_r", "org_bc", "recruiter");
        WsClient viewer = server.member("u_v", "org_bc", "viewer");

        BroadcastResult r = client.broadcast(Broadcast.of("screening:complete", new Score("app_1", 87), Target.organization("org_bc"))
                .toRoles("owner", "recruiter"));

        assertThat(r.delivered()).isEqualTo(2);
        String expected = "{\"type\":\"broadcast\",\"event\":\"screening:complete\",\"payload\":{\"applicationId\":\"app_1\",\"score\":87}}";
        assertThat(owner.next()).isEqualTo(expected);
        assertThat(recruiter.next()).isEqualTo(expected);
        viewer.assertNothingMore();
    }

    @Test
    void aNullPayloadIsSentAsJsonNullToOneUser() {
        WsClient nudged = server.member("u_n", "org_nudge", "viewer");
        WsClient other = server.member("u_x", "org_nudge", "viewer");

        BroadcastResult r = client.broadcast(Broadcast.of("nudge", null, Target.organization("org_nudge").user("u_n")));

        assertThat(r.delivered()).isEqualTo(1);
        assertThat(nudged.next()).isEqualTo("{\"type\":\"broadcast\",\"event\":\"nudge\",\"payload\":null}");
        other.assertNothingMore();
    }

    @Test
    void aResourceScopeIsSentAsScopeKey() {
        // no socket holds a resource ticket here (that needs broadcast.wsTicket and a datasource): the server
        // accepting the target and answering 0 shows the body names it as it expects
        BroadcastResult r = client.broadcast(Broadcast.of("doors-open", Map.of("at", "18:00"), Target.scope("events:evt_123")));

        assertThat(r.delivered()).isZero();
        assertThat(r.isSkipped()).isFalse();
    }

    @Test
    void theAsyncVariantsCompleteWithTheSameResults() throws Exception {
        WsClient owner = server.member("u_async", "org_async", "owner");
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", "app_2");
        row.put("stage", null);

        BroadcastResult change = client.publishChangeAsync(Change.insert("applications", Target.organization("org_async"), row))
                .get(10, TimeUnit.SECONDS);
        BroadcastResult custom = client.broadcastAsync(new Broadcast("hello", List.of(1, 2), Target.organization("org_async"), null))
                .get(10, TimeUnit.SECONDS);

        assertThat(change.delivered()).isEqualTo(1);
        assertThat(custom.delivered()).isEqualTo(1);
        assertThat(owner.nextJson().get("new").get("stage").isNull()).isTrue();
        assertThat(owner.next()).isEqualTo("{\"type\":\"broadcast\",\"event\":\"hello\",\"payload\":[1,2]}");
    }
}
