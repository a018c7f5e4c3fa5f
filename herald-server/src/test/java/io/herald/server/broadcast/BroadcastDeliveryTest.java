package io.herald.server.broadcast;

import static io.herald.server.TestServer.jwt;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.broadcast.BroadcastEvent;
import io.herald.broadcast.ChangeEvent;
import io.herald.broadcast.PublishResult;
import io.herald.broadcast.Target;
import io.herald.server.TestServer;
import io.herald.server.WsClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What each socket receives: the exact wire JSON, role filters, per-role masking, projection, user
 * targeting, encode-once, and the in-process Java API.
 */
class BroadcastDeliveryTest {
    private static final String APPLICANT = "{\"id\":\"app_1\",\"candidateId\":\"c_9\",\"stage\":\"screen\","
            + "\"ssn\":\"123-45-6789\",\"email\":\"jane@acme.com\",\"notes\":\"internal only\"}";
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(TestServer.STANDARD);
    }

    @AfterEach
    void closeSockets() {
        server.closeClients();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String change(String org, String type, String newRow, String oldRow) {
        return "{\"table\":\"applications\",\"eventType\":\"" + type + "\",\"new\":" + newRow + ",\"old\":" + oldRow
                + ",\"organizationId\":\"" + org + "\"}";
    }

    @Test
    void postgresChangesArriveInTheExactWireFormatForEachEventType() {
        WsClient owner = server.member("u_w", "org_wire", "owner");

        server.publishChange(change("org_wire", "INSERT", "{\"id\":\"a1\",\"stage\":\"new\"}", "{\"id\":\"ignored\"}"));
        server.publishChange(change("org_wire", "UPDATE", "{\"id\":\"a1\",\"stage\":\"offer\"}", "{\"id\":\"a1\",\"stage\":\"new\"}"));
        server.publishChange(change("org_wire", "DELETE", "{\"id\":\"ignored\"}", "{\"id\":\"a1\",\"stage\":\"offer\"}"));

        assertThat(owner.next()).isEqualTo("{\"type\":\"postgres_changes\",\"table\":\"applications\",\"schema\":\"public\","
                + "\"eventType\":\"INSERT\",\"new\":{\"id\":\"a1\",\"stage\":\"new\"},\"old\":null}");
        assertThat(owner.next()).isEqualTo("{\"type\":\"postgres_changes\",\"table\":\"applications\",\"schema\":\"public\","
                + "\"eventType\":\"UPDATE\",\"new\":{\"id\":\"a1\",\"stage\":\"offer\"},\"old\":{\"id\":\"a1\",\"stage\":\"new\"}}");
        assertThat(owner.next()).isEqualTo("{\"type\":\"postgres_changes\",\"table\":\"applications\",\"schema\":\"public\","
                + "\"eventType\":\"DELETE\",\"new\":null,\"old\":{\"id\":\"a1\",\"stage\":\"offer\"}}");
        owner.assertNothingMore();
    }

    @Test
    void broadcastEventsArriveInTheExactWireFormat() {
        WsClient member = server.member("u_b", "org_bwire", "viewer");

        server.publishBroadcast("{\"event\":\"screening-complete\",\"payload\":{\"score\":87,\"tags\":[\"a\",\"b\"],"
                + "\"nested\":{\"ok\":true}},\"organizationId\":\"org_bwire\"}");
        server.publishBroadcast("{\"event\":\"nothing\",\"payload\":null,\"organizationId\":\"org_bwire\"}");
        server.publishBroadcast("{\"event\":\"text\",\"payload\":\"caf\u00e9 \u2713\",\"organizationId\":\"org_bwire\"}");

        assertThat(member.next()).isEqualTo("{\"type\":\"broadcast\",\"event\":\"screening-complete\","
                + "\"payload\":{\"score\":87,\"tags\":[\"a\",\"b\"],\"nested\":{\"ok\":true}}}");
        assertThat(member.next()).isEqualTo("{\"type\":\"broadcast\",\"event\":\"nothing\",\"payload\":null}");
        assertThat(member.next()).isEqualTo("{\"type\":\"broadcast\",\"event\":\"text\",\"payload\":\"caf\u00e9 \u2713\"}");
    }

    @Test
    void tableRequiredRolesKeepChangesFromMembersWithoutThem() {
        WsClient recruiter = server.member("u_r", "org_roles", "recruiter");
        WsClient manager = server.member("u_m", "org_roles", "hiring-manager", "viewer");
        WsClient viewer = server.member("u_v", "org_roles", "viewer");
        WsClient none = server.member("u_n", "org_roles");

        assertThat(server.publishChange(change("org_roles", "INSERT", "{\"id\":\"a1\"}", "null"))).isEqualTo(2);

        assertThat(recruiter.nextJson().get("new").get("id").asText()).isEqualTo("a1");
        assertThat(manager.nextJson().get("new").get("id").asText()).isEqualTo("a1");
        viewer.assertNothingMore();
        none.assertNothingMore();
    }

    @Test
    void tableWithoutRequiredRolesReachesEveryMember() {
        WsClient viewer = server.member("u_v", "org_notes", "viewer");
        WsClient none = server.member("u_n", "org_notes");

        assertThat(server.publishChange("{\"table\":\"notes\",\"eventType\":\"INSERT\",\"new\":{\"id\":\"n1\"},"
                + "\"organizationId\":\"org_notes\"}")).isEqualTo(2);
        assertThat(viewer.nextJson().get("table").asText()).isEqualTo("notes");
        assertThat(none.nextJson().get("table").asText()).isEqualTo("notes");
    }

    @Test
    void broadcastTargetRolesReachOnlyMembersHoldingOneOfThem() {
        WsClient owner = server.member("u_o", "org_target", "owner");
        WsClient recruiter = server.member("u_r", "org_target", "recruiter");
        WsClient viewer = server.member("u_v", "org_target", "viewer");

        assertThat(server.publishBroadcast("{\"event\":\"secret\",\"payload\":1,\"targetRoles\":[\"owner\",\"recruiter\"],"
                + "\"organizationId\":\"org_target\"}")).isEqualTo(2);
        assertThat(server.publishBroadcast("{\"event\":\"owners\",\"payload\":2,\"targetRoles\":[\"owner\"],"
                + "\"organizationId\":\"org_target\"}")).isEqualTo(1);

        assertThat(owner.next(2)).containsExactly("{\"type\":\"broadcast\",\"event\":\"secret\",\"payload\":1}",
                "{\"type\":\"broadcast\",\"event\":\"owners\",\"payload\":2}");
        assertThat(recruiter.next()).isEqualTo("{\"type\":\"broadcast\",\"event\":\"secret\",\"payload\":1}");
        recruiter.assertNothingMore();
        viewer.assertNothingMore();
    }

    @Test
    void ownerSeesTheSsnWhileRecruiterAndManagerSeeItMasked() {
        WsClient owner = server.member("u_o", "org_mask", "owner");
        WsClient recruiter = server.member("u_r", "org_mask", "recruiter");
        WsClient manager = server.member("u_m", "org_mask", "hiring-manager");

        server.publishChange(change("org_mask", "INSERT", APPLICANT, "null"));

        JsonNode forOwner = owner.nextJson().get("new");
        JsonNode forRecruiter = recruiter.nextJson().get("new");
        JsonNode forManager = manager.nextJson().get("new");
        assertThat(forOwner.get("ssn").asText()).isEqualTo("123-45-6789");
        assertThat(forRecruiter.get("ssn").asText()).isEqualTo("*****6789");
        assertThat(forManager.get("ssn").asText()).isEqualTo("*****6789");
        // email is masked for everyone: its show list is empty
        assertThat(forOwner.get("email").asText()).isEqualTo("j***@acme.com");
        assertThat(forRecruiter.get("email").asText()).isEqualTo("j***@acme.com");
        assertThat(forRecruiter.get("stage").asText()).isEqualTo("screen");
    }

    @Test
    void maskingAppliesToTheOldRowToo() {
        WsClient recruiter = server.member("u_r", "org_mask_old", "recruiter");

        server.publishChange(change("org_mask_old", "DELETE", "null", "{\"id\":\"a1\",\"ssn\":\"987-65-4321\",\"email\":null}"));

        assertThat(recruiter.next()).isEqualTo("{\"type\":\"postgres_changes\",\"table\":\"applications\",\"schema\":\"public\","
                + "\"eventType\":\"DELETE\",\"new\":null,\"old\":{\"id\":\"a1\",\"ssn\":\"*****4321\",\"email\":null}}");
    }

    @Test
    void nonStringValueOfAMaskedFieldIsRedactedForRolesThatMayNotSeeIt() {
        WsClient owner = server.member("u_o", "org_mask_num", "owner");
        WsClient recruiter = server.member("u_r", "org_mask_num", "recruiter");

        server.publishChange(change("org_mask_num", "INSERT", "{\"id\":\"a1\",\"ssn\":123456789}", "null"));

        assertThat(owner.nextJson().get("new").get("ssn").asLong()).isEqualTo(123456789L);
        assertThat(recruiter.nextJson().get("new").get("ssn").asText()).isEqualTo("[redacted]");
    }

    @Test
    void projectionDropsFieldsNotListedInTheTableConfig() {
        WsClient owner = server.member("u_o", "org_proj", "owner");

        server.publishChange(change("org_proj", "INSERT", APPLICANT, "null"));

        assertThat(owner.next()).isEqualTo("{\"type\":\"postgres_changes\",\"table\":\"applications\",\"schema\":\"public\","
                + "\"eventType\":\"INSERT\",\"new\":{\"id\":\"app_1\",\"candidateId\":\"c_9\",\"stage\":\"screen\","
                + "\"ssn\":\"123-45-6789\",\"email\":\"j***@acme.com\"},\"old\":null}");
    }

    @Test
    void userTargetedEventsReachOnlyThatUsersSocketsInThatOrganization() {
        WsClient u1a = server.member("u_1", "org_user", "owner");
        WsClient u1b = server.member("u_1", "org_user", "owner");
        WsClient u2 = server.member("u_2", "org_user", "owner");
        WsClient u1Elsewhere = server.member("u_1", "org_user_other", "owner");

        assertThat(server.publishBroadcast("{\"event\":\"dm\",\"payload\":{\"to\":\"u_1\"},\"userId\":\"u_1\","
                + "\"organizationId\":\"org_user\"}")).isEqualTo(2);
        assertThat(server.publishChange("{\"table\":\"applications\",\"eventType\":\"INSERT\",\"new\":{\"id\":\"mine\"},"
                + "\"userId\":\"u_1\",\"organizationId\":\"org_user\"}")).isEqualTo(2);

        for (WsClient s : List.of(u1a, u1b)) {
            assertThat(s.next()).isEqualTo("{\"type\":\"broadcast\",\"event\":\"dm\",\"payload\":{\"to\":\"u_1\"}}");
            assertThat(s.nextJson().get("new").get("id").asText()).isEqualTo("mine");
        }
        u2.assertNothingMore();
        u1Elsewhere.assertNothingMore();
    }

    @Test
    void roleFiltersAlsoApplyToUserTargetedEvents() {
        WsClient viewer = server.member("u_v", "org_user_roles", "viewer");

        assertThat(server.publishBroadcast("{\"event\":\"dm\",\"payload\":1,\"userId\":\"u_v\",\"targetRoles\":[\"owner\"],"
                + "\"organizationId\":\"org_user_roles\"}")).isEqualTo(0);
        assertThat(server.publishChange("{\"table\":\"applications\",\"eventType\":\"INSERT\",\"new\":{\"id\":\"x\"},"
                + "\"userId\":\"u_v\",\"organizationId\":\"org_user_roles\"}")).isEqualTo(0);
        assertThat(server.publishBroadcast("{\"event\":\"dm\",\"payload\":2,\"userId\":\"u_v\","
                + "\"organizationId\":\"org_user_roles\"}")).isEqualTo(1);

        assertThat(viewer.next()).isEqualTo("{\"type\":\"broadcast\",\"event\":\"dm\",\"payload\":2}");
        viewer.assertNothingMore();
    }

    @Test
    void eachDistinctVariantIsEncodedOnceWhateverTheNumberOfSockets() {
        List<WsClient> sockets = new ArrayList<>();
        String owner = server.ticket(jwt("u_owner", "org_once", "owner"));
        String recruiter = server.ticket(jwt("u_rec", "org_once", "recruiter"));
        String manager = server.ticket(jwt("u_mgr", "org_once", "hiring-manager"));
        String viewer = server.ticket(jwt("u_view", "org_once", "viewer"));
        for (int i = 0; i < 6; i++) {
            sockets.add(server.connect(owner));
            sockets.add(server.connect(recruiter));
            sockets.add(server.connect(manager));
        }
        for (int i = 0; i < 3; i++) {
            sockets.add(server.connect(viewer));
        }

        long before = server.herald().broadcast().encodings();
        int delivered = server.publishChange(change("org_once", "INSERT", APPLICANT, "null"));
        // three role sets pass the filter, but recruiter and hiring-manager see the same masks: two variants
        assertThat(delivered).isEqualTo(18);
        assertThat(server.herald().broadcast().encodings() - before).isEqualTo(2);

        before = server.herald().broadcast().encodings();
        assertThat(server.publishBroadcast("{\"event\":\"all\",\"payload\":1,\"organizationId\":\"org_once\"}")).isEqualTo(21);
        assertThat(server.herald().broadcast().encodings() - before).isEqualTo(1);

        int owners = 0;
        for (WsClient s : sockets) {
            String first = s.next();
            if (first.startsWith("{\"type\":\"postgres_changes\"")) {
                owners += first.contains("123-45-6789") ? 1 : 0;
                assertThat(s.next()).isEqualTo("{\"type\":\"broadcast\",\"event\":\"all\",\"payload\":1}");
            } else {
                assertThat(first).isEqualTo("{\"type\":\"broadcast\",\"event\":\"all\",\"payload\":1}");
            }
        }
        assertThat(owners).isEqualTo(6);
    }

    @Test
    void inProcessPublishOfAChangeReachesASocketAndReportsTheDelivery() {
        WsClient owner = server.member("u_java", "org_java", "owner");
        ObjectNode row = TestServer.JSON.createObjectNode().put("id", "j1").put("ssn", "123-45-6789");

        PublishResult result = server.herald().broadcast()
                .publish(new ChangeEvent("applications", ChangeEvent.Type.INSERT, row, null, Target.organization("org_java")))
                .join();

        assertThat(result.delivered()).isEqualTo(1);
        assertThat(result.skipReason()).isEmpty();
        assertThat(owner.next()).isEqualTo("{\"type\":\"postgres_changes\",\"table\":\"applications\",\"schema\":\"public\","
                + "\"eventType\":\"INSERT\",\"new\":{\"id\":\"j1\",\"ssn\":\"123-45-6789\"},\"old\":null}");
    }

    @Test
    void inProcessPublishOfABroadcastEventReachesASocketAndReportsTheDelivery() {
        WsClient member = server.member("u_java", "org_java_b", "viewer");
        JsonNode payload = TestServer.json("{\"progress\":50}");

        PublishResult result = server.herald().broadcast()
                .publish(new BroadcastEvent("screening:progress", payload, Target.organization("org_java_b"), List.of()))
                .join();

        assertThat(result.delivered()).isEqualTo(1);
        assertThat(member.next()).isEqualTo("{\"type\":\"broadcast\",\"event\":\"screening:progress\",\"payload\":{\"progress\":50}}");
    }

    @Test
    void inProcessPublishToAUserInAScopeReachesOnlyThatUser() {
        WsClient target = server.member("u_t", "org_java_u", "viewer");
        WsClient other = server.member("u_o", "org_java_u", "viewer");

        PublishResult result = server.herald().broadcast()
                .publish(new BroadcastEvent("ping-user", TestServer.json("1"), Target.organization("org_java_u").user("u_t"),
                        List.of()))
                .join();

        assertThat(result.delivered()).isEqualTo(1);
        assertThat(target.next()).isEqualTo("{\"type\":\"broadcast\",\"event\":\"ping-user\",\"payload\":1}");
        other.assertNothingMore();
    }

    @Test
    void multiOrgUserReceivesTheActiveOrganizationsRolesOnly() {
        String token = jwt("u_mo", Map.of("org_mo_1", List.of("owner"), "org_mo_2", List.of("viewer")));
        WsClient inTwo = server.connect(server.ticket(token, "{\"organizationId\":\"org_mo_2\"}"));

        assertThat(server.publishChange(change("org_mo_2", "INSERT", "{\"id\":\"x\"}", "null"))).isEqualTo(0);
        inTwo.assertNothingMore();
    }
}
