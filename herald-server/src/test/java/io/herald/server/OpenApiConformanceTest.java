package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.ErrorCode;
import io.herald.config.StorageConfig;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real requests, mostly bad ones, against a running server: each answer's status must be one docs/openapi.yaml
 * documents for that operation, and an error's {@code error} must be among the codes the document lists for that
 * status ({@code x-error-codes}), in the {@code Error} shape. Outside dev mode (so minting test tokens is refused),
 * with the admin API on and a small body limit.
 */
class OpenApiConformanceTest {
    /** The document test's server, with a small body limit so a 413 can be asked for. */
    private static final String YAML = """
            server:
              maxBodyBytes: 4096
            """ + OpenApiDocumentTest.YAML;
    private static final String SERVER = "Bearer " + TestServer.ACCESS_TOKEN;
    private static final String JSON = "application/json";

    @TempDir
    static Path dir;
    private static TestServer server;
    private static OpenApi api;

    @BeforeAll
    static void start() {
        api = OpenApi.load();
        server = TestServer.start(TestServer.config(YAML).withStorage(new StorageConfig(dir.resolve("herald.db").toString(), null)));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    /**
     * Asserts {@code status} and {@code body} are what {@code expectedStatus} / {@code expectedCode} say (null for a
     * success) and what the document says {@code method documentedPath} answers: a documented status and, for an
     * error, a code its response lists.
     */
    private static void conforms(String method, String documentedPath, int status, String body, int expectedStatus, ErrorCode expectedCode) {
        String what = method + " " + documentedPath + " answered " + status + " " + body;
        JsonNode response = api.operation(method, documentedPath).path("responses").get(Integer.toString(status));
        assertThat(status).as(what).isEqualTo(expectedStatus);
        assertThat(response).as("%s: the document lists no %d for it", what, status).isNotNull();
        if (expectedCode == null) {
            assertThat(status).as(what).isLessThan(400);
            return;
        }
        JsonNode error = TestServer.json(body);
        List<String> fields = new ArrayList<>();
        error.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).as("%s: the Error schema's fields", what).containsExactlyInAnyOrder("error", "message");
        assertThat(error.get("message").isTextual()).as(what).isTrue();
        assertThat(error.get("error").asText()).as(what).isEqualTo(expectedCode.code());
        assertThat(api.errorCodes(response)).as("%s: x-error-codes of %d", what, status).contains(expectedCode.code());
    }

    private static void call(String method, String path, String documentedPath, String body, int expectedStatus, ErrorCode expectedCode,
            String... headers) {
        HttpResponse<String> r = server.send(method, path, body, headers);
        conforms(method, documentedPath, r.statusCode(), r.body(), expectedStatus, expectedCode);
    }

    private static void upgrade(String path, String documentedPath, int expectedStatus, ErrorCode expectedCode, String... headers) {
        RawWebSocket.Response r = RawWebSocket.upgrade(server.port(), path, headers);
        conforms("GET", documentedPath, r.status(), r.body(), expectedStatus, expectedCode);
    }

    @Test
    void thePublishApiAnswersWhatTheDocumentSays() {
        String broadcast = "/broadcast/v1/broadcast";
        String ok = "{\"event\":\"nudge\",\"payload\":null,\"organizationId\":\"org_1\"}";
        call("POST", broadcast, broadcast, ok, 401, ErrorCode.UNAUTHENTICATED, "Content-Type", JSON);
        call("POST", broadcast, broadcast, ok, 401, ErrorCode.INVALID_CREDENTIALS, "Content-Type", JSON,
                "Authorization", "Bearer not-the-access-token-0123456789abcdef");
        call("POST", broadcast, broadcast, "{\"event\":", 400, ErrorCode.INVALID_JSON, "Content-Type", JSON, "Authorization", SERVER);
        call("POST", broadcast, broadcast, ok, 415, ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Content-Type", "text/plain", "Authorization", SERVER);
        call("POST", broadcast, broadcast, "{\"event\":\"billing:paid\",\"payload\":null,\"organizationId\":\"org_1\"}", 400,
                ErrorCode.UNKNOWN_EVENT, "Content-Type", JSON, "Authorization", SERVER);
        call("POST", broadcast, broadcast, "{\"event\":\"nudge\",\"payload\":null,\"organizationId\":\"o\",\"scopeKey\":\"a:b\"}", 400,
                ErrorCode.BAD_REQUEST, "Content-Type", JSON, "Authorization", SERVER);
        call("POST", broadcast, broadcast, ok, 200, null, "Content-Type", JSON, "Authorization", SERVER);

        String changes = "/broadcast/v1/changes";
        call("POST", changes, changes, "{\"table\":\"secrets\",\"eventType\":\"INSERT\",\"organizationId\":\"org_1\",\"new\":{}}", 400,
                ErrorCode.UNKNOWN_TABLE, "Content-Type", JSON, "Authorization", SERVER);
        call("POST", changes, changes, "{\"pad\":\"" + "x".repeat(5000) + "\"}", 413, ErrorCode.PAYLOAD_TOO_LARGE,
                "Content-Type", JSON, "Authorization", SERVER);
        // the credential before the body: an anonymous oversized request learns nothing
        call("POST", changes, changes, "{\"pad\":\"" + "x".repeat(5000) + "\"}", 401, ErrorCode.UNAUTHENTICATED, "Content-Type", JSON);
    }

    @Test
    void theTicketEndpointAndTheBroadcastSocketAnswerWhatTheDocumentSays() {
        String ticket = "/broadcast/v1/ws-ticket";
        call("POST", ticket, ticket, null, 401, ErrorCode.UNAUTHENTICATED);
        call("POST", "/realtime/v1/ws-ticket", "/realtime/v1/ws-ticket", null, 401, ErrorCode.INVALID_CREDENTIALS, "Authorization", SERVER);
        String twoOrgs = TestServer.jwt("u_1", Map.of("org_1", List.of("owner"), "org_2", List.of("owner")));
        call("POST", ticket, ticket, null, 400, ErrorCode.ORGANIZATION_REQUIRED, "Authorization", "Bearer " + twoOrgs);
        call("POST", ticket, ticket, "{\"organizationId\":\"org_9\"}", 403, ErrorCode.ORGANIZATION_FORBIDDEN,
                "Authorization", "Bearer " + twoOrgs, "Content-Type", JSON);
        call("POST", ticket, ticket, "[1", 400, ErrorCode.INVALID_JSON, "Authorization", "Bearer " + twoOrgs, "Content-Type", JSON);
        HttpResponse<String> issued = server.post(ticket, "{\"organizationId\":\"org_1\"}", "Authorization", "Bearer " + twoOrgs,
                "Content-Type", JSON);
        conforms("POST", ticket, issued.statusCode(), issued.body(), 200, null);
        assertThat(issued.headers().firstValue("Cache-Control")).hasValue("no-store");
        String wsTicket = TestServer.json(issued.body()).get("wsTicket").asText();

        String socket = "/broadcast/v1/websocket";
        call("GET", socket, socket, null, 400, ErrorCode.BAD_REQUEST);
        upgrade(socket, socket, 401, ErrorCode.UNAUTHENTICATED);
        upgrade(socket + "?ws_ticket=v1.nope.nope", socket, 401, ErrorCode.INVALID_TICKET);
        upgrade(socket + "?ws_ticket=" + wsTicket + "&since=nope", socket, 400, ErrorCode.BAD_REQUEST);
        upgrade(socket + "?ws_ticket=" + wsTicket + "&organizationId=org_2", socket, 403, ErrorCode.ORGANIZATION_FORBIDDEN);
        upgrade("/realtime/v1/websocket?ws_ticket=" + wsTicket, "/realtime/v1/websocket", 101, null);
        RawWebSocket.Response old = RawWebSocket.request(server.port(), "GET " + socket + "?ws_ticket=" + wsTicket + " HTTP/1.1\r\n"
                + "Host: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 8\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==");
        conforms("GET", socket, old.status(), old.body(), 426, ErrorCode.UPGRADE_REQUIRED);
        assertThat(old.headers().get("sec-websocket-version")).isEqualTo("13");
    }

    @Test
    void channelsAnswerWhatTheDocumentSays() {
        String poll = "/channels/v1/poll/{channel}";
        call("GET", "/channels/v1/poll/x", poll, null, 401, ErrorCode.UNAUTHENTICATED);
        call("GET", "/channels/v1/poll/a%20b", poll, null, 400, ErrorCode.BAD_REQUEST);
        call("GET", "/channels/v1/poll/team:org_2:x", poll, null, 403, ErrorCode.FORBIDDEN,
                "Authorization", "Bearer " + TestServer.jwt("u_1", "org_1", "owner"));
        HttpResponse<String> empty = server.get("/channels/v1/poll/status:1");
        conforms("GET", poll, empty.statusCode(), empty.body(), 200, null);
        assertThat(TestServer.json(empty.body()).isArray()).isTrue();
        call("GET", "/sse/x", "/sse/{channel}", null, 401, ErrorCode.INVALID_CREDENTIALS, "Authorization", "Bearer not.a.jwt");
        call("GET", "/channels/v1/sse/x", "/channels/v1/sse/{channel}", null, 401, ErrorCode.UNAUTHENTICATED);

        String publish = "/channels/v1/publish";
        call("POST", publish, publish, "{\"channel\":\"status:1\",\"event\":\"e\"}", 400, ErrorCode.BAD_REQUEST,
                "Content-Type", JSON, "Authorization", SERVER);
        call("POST", publish, publish, "{}", 401, ErrorCode.INVALID_CREDENTIALS, "Content-Type", JSON,
                "Authorization", "Bearer " + TestServer.jwt("u_1", "org_1", "owner"));
        call("POST", publish, publish, "{\"channel\":\"status:1\",\"event\":\"e\",\"data\":null}", 200, null,
                "Content-Type", JSON, "Authorization", SERVER);
    }

    @Test
    void lanesAnswerWhatTheDocumentSays() {
        String publish = "/lanes/v1/publish";
        String user = "Bearer " + TestServer.jwt("u_1", "org_1", "owner");
        call("POST", publish, publish, "{\"userId\":\"u_2\"}", 401, ErrorCode.UNAUTHENTICATED, "Content-Type", JSON);
        call("POST", publish, publish, "{\"userId\":\"u_2\"}", 403, ErrorCode.FORBIDDEN, "Content-Type", JSON, "Authorization", user);
        call("POST", publish, publish, "{\"userId\":\" \"}", 400, ErrorCode.BAD_REQUEST, "Content-Type", JSON, "Authorization", SERVER);
        call("POST", publish, publish, "{\"userId\":\"u_2\",\"timeoutMs\":50}", 200, null, "Content-Type", JSON, "Authorization", SERVER);

        String socket = "/lanes/v1/websocket";
        upgrade(socket, socket, 401, ErrorCode.UNAUTHENTICATED);
        upgrade(socket + "?token=bad", socket, 401, ErrorCode.INVALID_CREDENTIALS);
        call("GET", socket, socket, null, 400, ErrorCode.BAD_REQUEST, "Authorization", user);
    }

    @Test
    void roomsAnswerWhatTheDocumentSays() {
        String room = "/parties/{party}/{room}";
        call("GET", "/parties/nope/r1", room, null, 404, ErrorCode.NOT_FOUND);
        call("GET", "/parties/lobby/" + "r".repeat(300), room, null, 400, ErrorCode.BAD_REQUEST);
        // a room that does not override onRequest
        call("GET", "/parties/lobby/r1", room, null, 404, ErrorCode.NOT_FOUND);
        call("POST", "/realtime/inbox/u_1", "/realtime/{party}/{room}", "{}", 401, ErrorCode.UNAUTHENTICATED);
        call("DELETE", "/parties/inbox/u_2", room, null, 403, ErrorCode.FORBIDDEN,
                "Authorization", "Bearer " + TestServer.jwt("u_1", "org_1", "owner"));
        upgrade("/parties/inbox/u_1", room, 401, ErrorCode.UNAUTHENTICATED);
        upgrade("/realtime/lobby/r1", "/realtime/{party}/{room}", 101, null);
    }

    @Test
    void theClusterAndAdminApisAnswerWhatTheDocumentSays() {
        call("GET", "/cluster/v1/nodes", "/cluster/v1/nodes", null, 401, ErrorCode.UNAUTHENTICATED);
        call("GET", "/cluster/v1/nodes", "/cluster/v1/nodes", null, 200, null, "Authorization", SERVER);
        call("GET", "/admin/v1/snapshot", "/admin/v1/snapshot", null, 401, ErrorCode.INVALID_CREDENTIALS,
                "Authorization", "Bearer not-the-access-token-0123456789abcdef");
        call("GET", "/admin/v1/snapshot", "/admin/v1/snapshot", null, 200, null, "Authorization", SERVER);
        call("POST", "/admin/v1/sockets/nope/close", "/admin/v1/sockets/{id}/close", null, 404, ErrorCode.NOT_FOUND, "Authorization", SERVER);
        call("POST", "/admin/v1/rooms/lobby/nope/unload", "/admin/v1/rooms/{party}/{room}/unload", null, 404, ErrorCode.NOT_FOUND,
                "Authorization", SERVER);
        // outside dev mode
        call("POST", "/admin/v1/tokens", "/admin/v1/tokens", "{\"kind\":\"jwt\",\"userId\":\"u_1\"}", 403, ErrorCode.FORBIDDEN,
                "Content-Type", JSON, "Authorization", SERVER);
        call("POST", "/admin/v1/publish", "/admin/v1/publish", "{\"event\":\"screening:nope\",\"payload\":1,\"organizationId\":\"o\"}",
                400, ErrorCode.UNKNOWN_EVENT, "Content-Type", JSON, "Authorization", SERVER);
        call("GET", "/admin/nope.js", "/admin/{file}", null, 404, ErrorCode.NOT_FOUND);
        call("GET", "/admin/", "/admin/", null, 200, null);
    }

    @Test
    void theOpsEndpointsAnswerWhatTheDocumentSays() {
        for (String path : new String[] {"/healthz", "/readyz", "/metrics", "/openapi.json"}) {
            call("GET", path, path, null, 200, null);
        }
    }
}
