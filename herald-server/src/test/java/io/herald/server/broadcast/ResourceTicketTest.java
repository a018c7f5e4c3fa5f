package io.herald.server.broadcast;

import static io.herald.server.TestServer.jwt;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.server.TestServer;
import io.herald.server.WsClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Resource-scoped tickets ({@code broadcast.wsTicket}) checked against a real SQLite file. */
class ResourceTicketTest {
    @TempDir
    static Path dir;
    private static TestServer server;

    @BeforeAll
    static void start() throws SQLException {
        String url = "jdbc:sqlite:" + dir.resolve("app.db");
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE event_roles (event_id TEXT NOT NULL, user_id TEXT NOT NULL, role TEXT NOT NULL)");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO event_roles VALUES (?, ?, ?)")) {
                for (String[] row : new String[][] {
                        {"evt_123", "u_attendee", "attendee"},
                        {"evt_123", "u_speaker", "speaker"},
                        {"evt_456", "u_attendee", "attendee"}}) {
                    ps.setString(1, row[0]);
                    ps.setString(2, row[1]);
                    ps.setString(3, row[2]);
                    ps.executeUpdate();
                }
            }
        }
        server = TestServer.start("""
                broadcast:
                  wsTicket:
                    role: attendee
                    requestField: eventId
                    scopeTable: events
                    check:
                      datasource: app
                      sql: "SELECT 1 FROM event_roles WHERE event_id = :id AND user_id = :userId AND role = :role"
                  tables:
                    applications: { requiredRoles: [owner] }
                datasources:
                  app: { url: "%s" }
                """.formatted(url));
    }

    @AfterEach
    void closeSockets() {
        server.closeClients();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<String> requestTicket(String userJwt, String body) {
        return server.post("/broadcast/v1/ws-ticket", body, "Authorization", "Bearer " + userJwt, "Content-Type", "application/json");
    }

    @Test
    void attendeeGetsAResourceTicketWhoseSocketReceivesTheResourcesEvents() {
        String userJwt = jwt("u_attendee", "org_conf", "member");
        HttpResponse<String> r = requestTicket(userJwt, "{\"eventId\":\"evt_123\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = TestServer.json(r.body());
        assertThat(body.get("expiresIn").asLong()).isEqualTo(60);

        WsClient socket = server.connect(body.get("wsTicket").asText());

        assertThat(server.publishBroadcast("{\"event\":\"session-started\",\"payload\":{\"room\":\"A\"},"
                + "\"scopeKey\":\"events:evt_123\"}")).isEqualTo(1);
        assertThat(socket.next()).isEqualTo("{\"type\":\"broadcast\",\"event\":\"session-started\",\"payload\":{\"room\":\"A\"}}");
    }

    @Test
    void resourceSocketDoesNotReceiveOrganizationOrOtherResourceEvents() {
        WsClient socket = server.connect(server.ticket(jwt("u_attendee", "org_conf", "owner"), "{\"eventId\":\"evt_123\"}"));
        WsClient orgMember = server.member("u_member", "org_conf", "owner");

        assertThat(server.publishBroadcast("{\"event\":\"org-news\",\"payload\":1,\"organizationId\":\"org_conf\"}")).isEqualTo(1);
        assertThat(server.publishBroadcast("{\"event\":\"other-event\",\"payload\":1,\"scopeKey\":\"events:evt_456\"}")).isZero();
        assertThat(server.publishBroadcast("{\"event\":\"mine\",\"payload\":2,\"scopeKey\":\"events:evt_123\"}")).isEqualTo(1);

        assertThat(socket.next()).isEqualTo("{\"type\":\"broadcast\",\"event\":\"mine\",\"payload\":2}");
        socket.assertNothingMore();
        assertThat(orgMember.next()).isEqualTo("{\"type\":\"broadcast\",\"event\":\"org-news\",\"payload\":1}");
        orgMember.assertNothingMore();
    }

    @Test
    void resourceTicketCarriesTheConfiguredRoleForRoleFilters() {
        WsClient socket = server.connect(server.ticket(jwt("u_attendee", "org_conf", "owner"), "{\"eventId\":\"evt_123\"}"));

        assertThat(server.publishBroadcast("{\"event\":\"owners-only\",\"payload\":1,\"targetRoles\":[\"owner\"],"
                + "\"scopeKey\":\"events:evt_123\"}")).isZero();
        assertThat(server.publishBroadcast("{\"event\":\"attendees\",\"payload\":2,\"targetRoles\":[\"attendee\"],"
                + "\"scopeKey\":\"events:evt_123\"}")).isEqualTo(1);

        assertThat(socket.next()).isEqualTo("{\"type\":\"broadcast\",\"event\":\"attendees\",\"payload\":2}");
        socket.assertNothingMore();
    }

    @Test
    void userWithoutTheRelationshipRowIsRefusedWith403() {
        HttpResponse<String> r = requestTicket(jwt("u_stranger", "org_conf", "owner"), "{\"eventId\":\"evt_123\"}");
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(TestServer.json(r.body()).get("error").asText()).isEqualTo("forbidden");
    }

    @Test
    void relationshipWithAnotherRoleIsRefusedWith403() {
        HttpResponse<String> r = requestTicket(jwt("u_speaker", "org_conf", "owner"), "{\"eventId\":\"evt_123\"}");
        assertThat(r.statusCode()).isEqualTo(403);
    }

    @Test
    void unknownResourceIsRefusedWith403() {
        HttpResponse<String> r = requestTicket(jwt("u_attendee", "org_conf", "owner"), "{\"eventId\":\"evt_999\"}");
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(TestServer.json(r.body()).get("message").asText()).doesNotContain("evt_999", "event_roles");
    }

    @Test
    void sqlInjectionInTheResourceIdFindsNoRow() {
        HttpResponse<String> r = requestTicket(jwt("u_attendee", "org_conf", "owner"), "{\"eventId\":\"x'OR'1'='1\"}");
        assertThat(r.statusCode()).isEqualTo(403);
        // with spaces it is not a valid scope id at all, refused before any SQL runs
        assertThat(requestTicket(jwt("u_attendee", "org_conf", "owner"), "{\"eventId\":\"x' OR '1'='1\"}").statusCode())
                .isEqualTo(400);
    }

    @Test
    void bodyWithoutTheRequestFieldGetsAnOrdinaryOrganizationTicket() {
        WsClient socket = server.connect(server.ticket(jwt("u_attendee", "org_conf", "owner"), "{}"));

        assertThat(server.publishBroadcast("{\"event\":\"evt\",\"payload\":1,\"scopeKey\":\"events:evt_123\"}")).isZero();
        assertThat(server.publishBroadcast("{\"event\":\"org\",\"payload\":1,\"organizationId\":\"org_conf\"}")).isEqualTo(1);
        assertThat(socket.next()).isEqualTo("{\"type\":\"broadcast\",\"event\":\"org\",\"payload\":1}");
    }

    @Test
    void userInNoOrganizationStillGetsAResourceTicket() {
        WsClient socket = server.connect(server.ticket(jwt("u_attendee", Map.of()), "{\"eventId\":\"evt_456\"}"));

        assertThat(server.publishBroadcast("{\"event\":\"e\",\"payload\":1,\"scopeKey\":\"events:evt_456\"}")).isEqualTo(1);
        assertThat(socket.nextJson().get("event").asText()).isEqualTo("e");
    }

    @Test
    void resourceIdThatIsNotAStringIsRefusedWith400() {
        HttpResponse<String> r = requestTicket(jwt("u_attendee", "org_conf", "owner"), "{\"eventId\":123}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(TestServer.json(r.body()).get("error").asText()).isEqualTo("bad_request");
    }
}
