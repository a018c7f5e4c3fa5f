package io.herald.server.broadcast;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.config.HeraldConfig;
import io.herald.server.TestServer;
import io.herald.server.WsClient;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The server publish API: {@code POST /broadcast/v1/changes} and {@code POST /broadcast/v1/broadcast}. */
class PublishHandlerTest {
    private static final String CHANGES = "/broadcast/v1/changes";
    private static final String BROADCAST = "/broadcast/v1/broadcast";
    private static TestServer server;

    @BeforeAll
    static void start() {
        HeraldConfig config = TestServer.config(TestServer.STANDARD);
        server = TestServer.start(config.withServer(config.server().withMaxBodyBytes(2048)));
    }

    @AfterEach
    void closeSockets() {
        server.closeClients();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static JsonNode assertError(HttpResponse<String> r, int status, String code) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        JsonNode body = TestServer.json(r.body());
        assertThat(body.get("error").asText()).isEqualTo(code);
        assertThat(body.get("message").asText()).isNotBlank();
        return body;
    }

    private static HttpResponse<String> post(String path, String body, String... headers) {
        return server.post(path, body, headers);
    }

    @Test
    void withoutTheAccessTokenPublishingIsRefusedWith401() {
        String body = "{\"event\":\"e\",\"payload\":1,\"organizationId\":\"org_1\"}";
        assertError(post(BROADCAST, body, "Content-Type", "application/json"), 401, "unauthenticated");
        assertError(post(CHANGES, body, "Content-Type", "application/json"), 401, "unauthenticated");
    }

    @Test
    void withAWrongAccessTokenPublishingIsRefusedWith401() {
        String body = "{\"event\":\"e\",\"payload\":1,\"organizationId\":\"org_1\"}";
        assertError(post(BROADCAST, body, "Content-Type", "application/json", "Authorization", "Bearer wrong-token-0123456789abc"),
                401, "invalid_credentials");
        assertError(post(BROADCAST, body, "Content-Type", "application/json",
                "Authorization", "Bearer " + TestServer.jwt("u_1", "org_1", "owner")), 401, "invalid_credentials");
        assertError(post(BROADCAST, body, "Content-Type", "application/json", "Authorization", "Basic " + TestServer.ACCESS_TOKEN),
                401, "unauthenticated");
    }

    @Test
    void credentialIsCheckedBeforeTheBodySoAnonymousCallersLearnNothingAboutIt() {
        assertError(post(BROADCAST, "x".repeat(4096), "Content-Type", "text/plain"), 401, "unauthenticated");
        assertError(post(CHANGES, "{not json", "Content-Type", "application/json", "Authorization", "Bearer wrong-token-0123456789"),
                401, "invalid_credentials");
        assertThat(server.publishBroadcast("{\"event\":\"after\",\"payload\":1,\"organizationId\":\"org_after\"}")).isZero();
    }

    @Test
    void malformedJsonIsRefusedWith400() {
        assertError(server.publish(BROADCAST, "{\"event\":"), 400, "invalid_json");
        assertError(server.publish(CHANGES, "not json"), 400, "invalid_json");
        assertError(server.publish(BROADCAST, "{\"event\":\"e\",\"payload\":1,\"organizationId\":\"o\"} {}"), 400, "invalid_json");
    }

    @Test
    void missingFieldsAreRefusedWith400() {
        assertError(server.publish(BROADCAST, "{\"payload\":1,\"organizationId\":\"org_1\"}"), 400, "bad_request");
        assertError(server.publish(BROADCAST, "{\"event\":\"e\",\"organizationId\":\"org_1\"}"), 400, "bad_request");
        assertError(server.publish(BROADCAST, "{\"event\":\"e\",\"payload\":1}"), 400, "bad_request");
        assertError(server.publish(CHANGES, "{\"eventType\":\"INSERT\",\"new\":{},\"organizationId\":\"org_1\"}"), 400, "bad_request");
        assertError(server.publish(CHANGES, "{\"table\":\"applications\",\"new\":{},\"organizationId\":\"org_1\"}"), 400, "bad_request");
        assertError(server.publish(CHANGES, "{\"table\":\"applications\",\"eventType\":\"UPSERT\",\"new\":{},\"organizationId\":\"org_1\"}"),
                400, "bad_request");
        assertError(server.publish(CHANGES, "{\"table\":\"applications\",\"eventType\":\"INSERT\",\"organizationId\":\"org_1\"}"),
                400, "bad_request");
        assertError(server.publish(CHANGES, "{\"table\":\"applications\",\"eventType\":\"DELETE\",\"organizationId\":\"org_1\"}"),
                400, "bad_request");
        assertError(server.publish(CHANGES, "{\"table\":\"applications\",\"eventType\":\"INSERT\",\"new\":{}}"), 400, "bad_request");
        assertError(post(BROADCAST, null, "Authorization", "Bearer " + TestServer.ACCESS_TOKEN, "Content-Type", "application/json"),
                400, "bad_request");
    }

    @Test
    void bothOrganizationIdAndScopeKeyAreRefusedWith400() {
        assertError(server.publish(BROADCAST, "{\"event\":\"e\",\"payload\":1,\"organizationId\":\"org_1\",\"scopeKey\":\"events:e1\"}"),
                400, "bad_request");
        assertError(server.publish(CHANGES, "{\"table\":\"applications\",\"eventType\":\"INSERT\",\"new\":{},"
                + "\"organizationId\":\"org_1\",\"scopeKey\":\"events:e1\"}"), 400, "bad_request");
    }

    @Test
    void unknownTableIsRefusedWith400NamingTheTable() {
        JsonNode body = assertError(server.publish(CHANGES, "{\"table\":\"invoices\",\"eventType\":\"INSERT\",\"new\":{\"id\":1},"
                + "\"organizationId\":\"org_1\"}"), 400, "unknown_table");
        assertThat(body.get("message").asText()).contains("invoices");
    }

    @Test
    void switchedOffEventTypeIsSkippedWith200() {
        WsClient member = server.member("u_1", "org_skip", "owner");

        HttpResponse<String> r = server.publish(CHANGES, "{\"table\":\"notes\",\"eventType\":\"DELETE\",\"old\":{\"id\":\"n1\"},"
                + "\"organizationId\":\"org_skip\"}");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"delivered\":0,\"skipped\":\"onDelete disabled\"}");
        member.assertNothingMore();
    }

    @Test
    void bodyAboveMaxBodyBytesIsRefusedWith413() {
        String big = "{\"event\":\"e\",\"payload\":\"" + "x".repeat(4096) + "\",\"organizationId\":\"org_1\"}";
        assertError(server.publish(BROADCAST, big), 413, "payload_too_large");
        String justUnder = "{\"event\":\"e\",\"payload\":\"" + "x".repeat(1800) + "\",\"organizationId\":\"org_big\"}";
        assertThat(server.publish(BROADCAST, justUnder).statusCode()).isEqualTo(200);
    }

    @Test
    void bodyThatIsNotJsonMediaTypeIsRefusedWith415() {
        String body = "{\"event\":\"e\",\"payload\":1,\"organizationId\":\"org_1\"}";
        assertError(post(BROADCAST, body, "Authorization", "Bearer " + TestServer.ACCESS_TOKEN, "Content-Type", "text/plain"),
                415, "unsupported_media_type");
        assertError(post(CHANGES, body, "Authorization", "Bearer " + TestServer.ACCESS_TOKEN), 415, "unsupported_media_type");
        assertThat(post(BROADCAST, body, "Authorization", "Bearer " + TestServer.ACCESS_TOKEN,
                "Content-Type", "application/json; charset=utf-8").statusCode()).isEqualTo(200);
    }

    @Test
    void declaredNamespaceEventsAreAcceptedAndUndeclaredOnesRefusedWith400() {
        WsClient member = server.member("u_ns", "org_ns", "owner");

        assertThat(server.publishBroadcast("{\"event\":\"screening:complete\",\"payload\":{\"score\":9},\"organizationId\":\"org_ns\"}"))
                .isEqualTo(1);
        assertThat(member.next()).isEqualTo("{\"type\":\"broadcast\",\"event\":\"screening:complete\",\"payload\":{\"score\":9}}");

        JsonNode nope = assertError(server.publish(BROADCAST, "{\"event\":\"screening:nope\",\"payload\":1,\"organizationId\":\"org_ns\"}"),
                400, "unknown_event");
        assertThat(nope.get("message").asText()).contains("nope");
        assertError(server.publish(BROADCAST, "{\"event\":\"other:x\",\"payload\":1,\"organizationId\":\"org_ns\"}"), 400, "unknown_event");
        assertError(server.publish(BROADCAST, "{\"event\":\"screening:\",\"payload\":1,\"organizationId\":\"org_ns\"}"), 400, "unknown_event");
        member.assertNothingMore();
    }

    @Test
    void eventWithoutANamespaceNeedsNoDeclaration() {
        WsClient member = server.member("u_ns", "org_plain", "owner");
        assertThat(server.publishBroadcast("{\"event\":\"screening-complete\",\"payload\":1,\"organizationId\":\"org_plain\"}"))
                .isEqualTo(1);
        assertThat(member.nextJson().get("event").asText()).isEqualTo("screening-complete");
    }

    @Test
    void deliveredCountsTheSocketsThatReceivedTheEvent() {
        List<WsClient> members = List.of(
                server.member("u_1", "org_count", "owner"),
                server.member("u_2", "org_count", "recruiter"),
                server.member("u_2", "org_count", "recruiter"),
                server.member("u_3", "org_count", "viewer"));

        HttpResponse<String> r = server.publish(BROADCAST, "{\"event\":\"count\",\"payload\":1,\"organizationId\":\"org_count\"}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(r.body()).isEqualTo("{\"delivered\":4}");
        for (WsClient m : members) {
            assertThat(m.nextJson().get("event").asText()).isEqualTo("count");
        }

        assertThat(server.publishChange("{\"table\":\"applications\",\"eventType\":\"INSERT\",\"new\":{\"id\":\"a\"},"
                + "\"organizationId\":\"org_count\"}")).isEqualTo(3);
        assertThat(members.get(3).poll(java.time.Duration.ofMillis(300))).isNull();
    }

    @Test
    void publishingToAScopeWithoutSubscribersDeliversZero() {
        assertThat(server.publishBroadcast("{\"event\":\"void\",\"payload\":1,\"organizationId\":\"org_nobody\"}")).isZero();
        assertThat(server.publishBroadcast("{\"event\":\"void\",\"payload\":1,\"scopeKey\":\"events:nobody\"}")).isZero();
    }

    @Test
    void publishedMessagesAreCounted() {
        double before = server.counter("herald.messages.published", "primitive", "broadcast");
        server.publishBroadcast("{\"event\":\"counted\",\"payload\":1,\"organizationId\":\"org_counted\"}");
        assertThat(server.counter("herald.messages.published", "primitive", "broadcast")).isEqualTo(before + 1);
    }
}
