package io.herald.server.room;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.config.AuthConfig;
import io.herald.config.DatasourceConfig;
import io.herald.config.HeraldConfig;
import io.herald.config.RoomsConfig;
import io.herald.config.RoomsConfig.Access;
import io.herald.config.RoomsConfig.Binding;
import io.herald.config.RoomsConfig.Resource;
import io.herald.server.TestServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Access gates through a real server and a real SQLite datasource: every gate allowed and denied before
 * the upgrade with the status a REST GET of the row would get, the ways a socket authenticates
 * ({@code ?token=}, {@code ?key=}, {@code ?ws_ticket=}), {@code ?organizationId=}, and a room's static
 * onBeforeConnect.
 */
class RoomAccessTest {
    private static final String API_KEY = "room-tests-api-key-0123456789abcdef";
    private static final String ECHO = EchoRoom.class.getName();

    @TempDir
    static Path dir;
    private static RoomServer server;

    @BeforeAll
    static void start() throws Exception {
        Path app = dir.resolve("app.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + app); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE chats (id TEXT PRIMARY KEY, organization_id TEXT NOT NULL, deleted_at TEXT)");
            s.execute("INSERT INTO chats VALUES ('c1', 'org1', NULL), ('c2', 'org2', NULL), ('c3', 'org1', '2025-01-01')");
            s.execute("CREATE TABLE day_notes (id TEXT PRIMARY KEY, owner_id TEXT NOT NULL)");
            s.execute("INSERT INTO day_notes VALUES ('n1', 'u1'), ('n2', 'u2')");
            s.execute("CREATE TABLE records (id TEXT PRIMARY KEY, organization_id TEXT NOT NULL)");
            s.execute("INSERT INTO records VALUES ('r1', 'org1'), ('r2', 'org2')");
        }
        Resource chats = new Resource("app", "chats", "id", Map.of("organization_id", "ctx.activeOrgId"), "deleted_at");
        Access notepad = Access.pattern(new RoomsConfig.RoomIdPattern("^([a-z-]+):([A-Za-z0-9_-]+)$", 1, 2), Map.of(
                "day-note", new Resource("app", "day_notes", null, Map.of("owner_id", "ctx.userId"), null),
                "record", new Resource("app", "records", null, Map.of("organization_id", "ctx.activeOrgId"), null)));
        RoomsConfig rooms = RoomsConfig.defaults().withBindings(List.of(
                new Binding("PRIVATE", ECHO, null),
                new Binding("USER_ROOM", ECHO, Access.roomIdEquals("ctx.userId")),
                new Binding("ORG_ROOM", ECHO, Access.roomIdEquals("ctx.activeOrgId")),
                new Binding("CHAT", ECHO, Access.resource(chats)),
                new Binding("NOTEPAD", ECHO, notepad),
                new Binding("GATED", GatedRoom.class.getName(), Access.PUBLIC)));
        HeraldConfig config = RoomServer.config(dir.resolve("herald.db"), rooms, Map.of("app", DatasourceConfig.of("jdbc:sqlite:" + app)));
        config = config.withAuth(config.auth().withApiKeys(List.of(
                new AuthConfig.ApiKey(API_KEY, "service-1", "Importer", Map.of("org1", List.of("member"))))));
        server = RoomServer.start(config);
    }

    @AfterEach
    void closeClients() {
        server.closeClients();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static final String U1 = "?token=" + RoomServer.jwt("u1", "org1");
    private static final String U1_TWO_ORGS = "?token=" + RoomServer.jwt("u1", Map.of("org1", List.of(), "org2", List.of()), Map.of());

    /** Asserts a refused upgrade's status and JSON error code. */
    private static void assertRefused(String pathAndQuery, int status, String error) {
        RoomServer.Raw r = server.rawUpgrade(pathAndQuery);
        assertThat(r.status()).as("status of %s (%s)", pathAndQuery, r.body()).isEqualTo(status);
        assertThat(TestServer.json(r.body()).get("error").asText()).isEqualTo(error);
    }

    private static JsonNode hello(String pathAndQuery) {
        JsonNode hello = server.connect(pathAndQuery).nextJson();
        assertThat(hello.get("hello").asBoolean()).isTrue();
        return hello;
    }

    @Test
    void anAuthenticatedPartyRefusesAnonymousWith401AndAdmitsATokenInTheQuery() {
        assertRefused("/parties/private/r", 401, "unauthenticated");
        assertRefused("/parties/private/r?token=not.a.jwt", 401, "invalid_credentials");
        assertRefused("/parties/private/r?token=" + RoomServer.jwt("u1", "org1") + "x", 401, "invalid_credentials");
        assertThat(hello("/parties/private/r" + U1).get("userId").asText()).isEqualTo("u1");
    }

    @Test
    void anApiKeyInTheQueryAuthenticatesARoomSocket() {
        assertThat(hello("/parties/private/r?key=" + API_KEY).get("userId").asText()).isEqualTo("service-1");
        assertThat(hello("/parties/private/r?api_key=" + API_KEY).get("userId").asText()).isEqualTo("service-1");
        assertRefused("/parties/private/r?key=wrong", 401, "invalid_credentials");
    }

    @Test
    void aWsTicketFromTheBroadcastTicketEndpointAuthenticatesARoomSocket() {
        String ticket = server.wsTicket(RoomServer.jwt("u1", "org1"));
        JsonNode hello = hello("/parties/chat/c1?ws_ticket=" + ticket);
        assertThat(hello.get("userId").asText()).isEqualTo("u1");
        assertThat(hello.get("org").asText()).isEqualTo("org1");
        assertRefused("/parties/chat/c2?ws_ticket=" + server.wsTicket(RoomServer.jwt("u1", "org1")), 403, "forbidden");
        assertRefused("/parties/chat/c1?ws_ticket=forged", 401, "invalid_ticket");
    }

    @Test
    void roomIdEqualsUserIdAdmitsOnlyTheUsersOwnRoom() {
        assertThat(hello("/parties/user-room/u1" + U1).get("room").asText()).isEqualTo("u1");
        assertRefused("/parties/user-room/u2" + U1, 403, "forbidden");
        assertRefused("/parties/user-room/u1", 401, "unauthenticated");
    }

    @Test
    void roomIdEqualsActiveOrgAdmitsOnlyTheActiveOrgsRoom() {
        assertThat(hello("/parties/org-room/org1" + U1).get("org").asText()).isEqualTo("org1");
        assertRefused("/parties/org-room/org2" + U1, 403, "forbidden");
    }

    @Test
    void organizationIdInTheQueryPicksTheActiveOrgOnlyWhenTheUserBelongsToIt() {
        assertRefused("/parties/org-room/org2" + U1_TWO_ORGS, 400, "organization_required");
        assertThat(hello("/parties/org-room/org2" + U1_TWO_ORGS + "&organizationId=org2").get("org").asText()).isEqualTo("org2");
        assertRefused("/parties/org-room/org3" + U1_TWO_ORGS + "&organizationId=org3", 403, "organization_forbidden");
        assertRefused("/parties/private/r" + U1 + "&organizationId=org9", 403, "organization_forbidden");
    }

    @Test
    void aResourceGateAdmitsAVisibleRowOfTheUsersOrg() {
        JsonNode hello = hello("/parties/chat/c1" + U1);
        assertThat(hello.get("room").asText()).isEqualTo("c1");
        assertThat(hello("/realtime/chat/c2" + U1_TWO_ORGS + "&organizationId=org2").get("room").asText()).isEqualTo("c2");
    }

    @Test
    void aResourceGateRefusesSoftDeletedMissingAndOtherOrgRowsAlikeWith403() {
        assertRefused("/parties/chat/c3" + U1, 403, "forbidden");
        assertRefused("/parties/chat/c404" + U1, 403, "forbidden");
        assertRefused("/parties/chat/c2" + U1, 403, "forbidden");
        assertRefused("/parties/chat/c2" + U1_TWO_ORGS + "&organizationId=org1", 403, "forbidden");
        assertRefused("/parties/chat/c1", 401, "unauthenticated");
    }

    @Test
    void aPatternGateRefusesAMissOrAnUnknownKindWith400() {
        assertRefused("/parties/notepad/n1" + U1, 400, "bad_request");
        assertRefused("/parties/notepad/day-note:n1:extra" + U1, 400, "bad_request");
        assertRefused("/parties/notepad/invoice:1" + U1, 400, "bad_request");
    }

    @Test
    void aPatternGateRunsTheMatchedKindsResourceGate() {
        assertThat(hello("/parties/notepad/day-note:n1" + U1).get("room").asText()).isEqualTo("day-note:n1");
        assertRefused("/parties/notepad/day-note:n2" + U1, 403, "forbidden");
        assertThat(hello("/parties/notepad/record:r1" + U1).get("room").asText()).isEqualTo("record:r1");
        assertRefused("/parties/notepad/record:r2" + U1, 403, "forbidden");
    }

    @Test
    void aStaticOnBeforeConnectRefusalAnswersItsStatusWithAJsonBody() {
        RoomServer.Raw r = server.rawUpgrade("/parties/gated/r");
        assertThat(r.status()).isEqualTo(402);
        assertThat(r.headers().get("content-type")).startsWith("application/json");
        JsonNode body = TestServer.json(r.body());
        assertThat(body.get("error").asText()).isEqualTo("connection_refused");
        assertThat(body.get("message").asText()).isEqualTo("A pass is required.");
        assertThat(server.refusedStatus("/parties/gated/teapot?pass=yes")).isEqualTo(418);
        assertThat(hello("/parties/gated/r?pass=yes").get("room").asText()).isEqualTo("r");
    }
}
