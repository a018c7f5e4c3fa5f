package io.herald.server.broadcast;

import static io.herald.server.TestServer.jwt;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.auth.JwtSigner;
import io.herald.server.TestServer;
import io.herald.server.WsClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code POST /broadcast/v1/ws-ticket} (and its {@code /realtime/v1} alias) over real HTTP. */
class TicketHandlerTest {
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

    private static HttpResponse<String> requestTicket(String path, String body, String... headers) {
        return server.post(path, body, headers);
    }

    private static void assertError(HttpResponse<String> r, int status, String code) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        JsonNode body = TestServer.json(r.body());
        assertThat(body.get("error").asText()).isEqualTo(code);
        assertThat(body.get("message").asText()).isNotBlank();
        assertThat(body.size()).isEqualTo(2);
    }

    @Test
    void bearerJwtGetsATicketThatOpensASocketReceivingPublishedEvents() {
        HttpResponse<String> r = requestTicket("/broadcast/v1/ws-ticket", null,
                "Authorization", "Bearer " + jwt("u_happy", "org_happy", "owner"));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
        JsonNode body = TestServer.json(r.body());
        assertThat(body.get("wsTicket").asText()).startsWith("v1.");
        assertThat(body.get("expiresIn").asLong()).isEqualTo(60);
        assertThat(body.size()).isEqualTo(2);

        WsClient socket = server.connect(body.get("wsTicket").asText());
        int delivered = server.publishBroadcast(
                "{\"event\":\"hello\",\"payload\":{\"n\":1},\"organizationId\":\"org_happy\"}");

        assertThat(delivered).isEqualTo(1);
        assertThat(socket.next()).isEqualTo("{\"type\":\"broadcast\",\"event\":\"hello\",\"payload\":{\"n\":1}}");
    }

    @Test
    void realtimeAliasesIssueAndAcceptTicketsLikeTheBroadcastPaths() {
        HttpResponse<String> r = requestTicket("/realtime/v1/ws-ticket", null,
                "Authorization", "Bearer " + jwt("u_alias", "org_alias", "owner"));
        assertThat(r.statusCode()).isEqualTo(200);
        String ticket = TestServer.json(r.body()).get("wsTicket").asText();

        WsClient socket = server.open("/realtime/v1/websocket?ws_ticket=" + ticket);
        server.publishBroadcast("{\"event\":\"alias\",\"payload\":null,\"organizationId\":\"org_alias\"}");

        assertThat(socket.next()).isEqualTo("{\"type\":\"broadcast\",\"event\":\"alias\",\"payload\":null}");
    }

    @Test
    void sessionCookieWithAnAllowedOriginGetsATicket() {
        HttpResponse<String> r = requestTicket("/broadcast/v1/ws-ticket", null,
                "Cookie", "herald_session=" + jwt("u_cookie", "org_cookie", "recruiter"),
                "Origin", TestServer.ALLOWED_ORIGIN);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        WsClient socket = server.connect(TestServer.json(r.body()).get("wsTicket").asText());
        server.publishBroadcast("{\"event\":\"c\",\"payload\":1,\"organizationId\":\"org_cookie\"}");
        assertThat(socket.next()).isEqualTo("{\"type\":\"broadcast\",\"event\":\"c\",\"payload\":1}");
    }

    @Test
    void sessionCookieFromAForeignOriginIsRefusedWith403() {
        HttpResponse<String> r = requestTicket("/broadcast/v1/ws-ticket", null,
                "Cookie", "herald_session=" + jwt("u_cookie", "org_cookie", "recruiter"),
                "Origin", "https://evil.example.com");

        assertError(r, 403, "origin_forbidden");
    }

    @Test
    void withoutAllowedOriginsCookieSessionsWorkOnlyForRequestsWithoutAnOrigin() {
        try (TestServer noOrigins = TestServer.start((String) null)) {
            String cookie = "herald_session=" + jwt("u_cookie", "org_cookie", "recruiter");

            assertError(noOrigins.post("/broadcast/v1/ws-ticket", null, "Cookie", cookie, "Origin", TestServer.ALLOWED_ORIGIN),
                    403, "origin_forbidden");
            assertThat(noOrigins.post("/broadcast/v1/ws-ticket", null, "Cookie", cookie).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void bodyChoosesTheActiveOrganizationOfAMultiOrgUser() {
        String token = jwt("u_multi", Map.of("org_m1", List.of("owner"), "org_m2", List.of("recruiter")));
        String ticket = server.ticket(token, "{\"organizationId\":\"org_m2\"}");
        WsClient socket = server.connect(ticket);

        server.publishBroadcast("{\"event\":\"one\",\"payload\":1,\"organizationId\":\"org_m1\"}");
        server.publishBroadcast("{\"event\":\"two\",\"payload\":2,\"organizationId\":\"org_m2\"}");

        assertThat(socket.next()).isEqualTo("{\"type\":\"broadcast\",\"event\":\"two\",\"payload\":2}");
        socket.assertNothingMore();
    }

    @Test
    void jwtOrganizationIdShorthandIsTheDefaultOrganization() {
        String token = jwt(Map.of("userId", "u_short", "organizationId", "org_short", "roles", List.of("owner"),
                "orgs", Map.of("org_other", List.of("owner")), "exp", Instant.now().plusSeconds(600).getEpochSecond()));
        WsClient socket = server.connect(server.ticket(token));

        server.publishBroadcast("{\"event\":\"x\",\"payload\":{},\"organizationId\":\"org_short\"}");
        assertThat(socket.next()).isEqualTo("{\"type\":\"broadcast\",\"event\":\"x\",\"payload\":{}}");
    }

    @Test
    void multiOrgUserNamingNoOrganizationGets400OrganizationRequired() {
        String token = jwt("u_multi", Map.of("org_m1", List.of("owner"), "org_m2", List.of("owner")));
        assertError(requestTicket("/broadcast/v1/ws-ticket", null, "Authorization", "Bearer " + token),
                400, "organization_required");
    }

    @Test
    void userInNoOrganizationGets403NoOrganization() {
        String token = jwt("u_lonely", Map.of());
        assertError(requestTicket("/broadcast/v1/ws-ticket", null, "Authorization", "Bearer " + token),
                403, "no_organization");
    }

    @Test
    void namingAnOrganizationTheUserIsNotInGets403() {
        String token = jwt("u_1", "org_mine", "owner");
        assertError(requestTicket("/broadcast/v1/ws-ticket", "{\"organizationId\":\"org_theirs\"}",
                "Authorization", "Bearer " + token, "Content-Type", "application/json"), 403, "organization_forbidden");
    }

    @Test
    void noCredentialsGets401() {
        assertError(requestTicket("/broadcast/v1/ws-ticket", null), 401, "unauthenticated");
    }

    @Test
    void jwtWithAlgNoneIsRefusedWith401() {
        String header = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}");
        String claims = b64("{\"sub\":\"u_1\",\"orgs\":{\"org_1\":[\"owner\"]},\"exp\":"
                + Instant.now().plusSeconds(600).getEpochSecond() + "}");

        assertError(requestTicket("/broadcast/v1/ws-ticket", null, "Authorization", "Bearer " + header + "." + claims + "."),
                401, "invalid_credentials");
        String signed = jwt("u_1", "org_1", "owner");
        String withSignature = header + "." + claims + signed.substring(signed.lastIndexOf('.'));
        assertError(requestTicket("/broadcast/v1/ws-ticket", null, "Authorization", "Bearer " + withSignature),
                401, "invalid_credentials");
    }

    @Test
    void jwtWithABadSignatureIsRefusedWith401() {
        String forged = new JwtSigner("another-secret-entirely-0123456789").sign(Map.of(
                "sub", "u_1", "orgs", Map.of("org_1", List.of("owner")), "exp", Instant.now().plusSeconds(600).getEpochSecond()));

        assertError(requestTicket("/broadcast/v1/ws-ticket", null, "Authorization", "Bearer " + forged),
                401, "invalid_credentials");
    }

    @Test
    void accessTokenIsNotASessionCredential() {
        assertError(requestTicket("/broadcast/v1/ws-ticket", null, "Authorization", "Bearer " + TestServer.ACCESS_TOKEN),
                401, "invalid_credentials");
    }

    @Test
    void refusalsAreCountedAsAuthFailuresByReason() {
        double before = server.counter("herald.auth.failures", "reason", "unauthenticated");
        requestTicket("/broadcast/v1/ws-ticket", null);
        assertThat(server.counter("herald.auth.failures", "reason", "unauthenticated")).isEqualTo(before + 1);
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
