package io.herald.server;

import static io.herald.server.TestServer.ACCESS_TOKEN;
import static io.herald.server.TestServer.jwt;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.auth.JwtSigner;
import io.herald.auth.TicketService;
import io.herald.config.HeraldConfig;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The security suite: each bad input in a table with the status and error code it must get. Every
 * refusal is a JSON error of exactly {@code error} and {@code message} that echoes no credential.
 */
class SecuritySuiteTest {
    private static final String TICKET = "/broadcast/v1/ws-ticket";
    private static final String SOCKET = "/broadcast/v1/websocket";
    private static final String BROADCAST = "/broadcast/v1/broadcast";
    private static final String CHANGES = "/broadcast/v1/changes";
    private static final String FOREIGN_ORIGIN = "https://evil.example.com";
    private static final int MAX_BODY = 4096;
    private static TestServer server;

    @BeforeAll
    static void start() {
        HeraldConfig config = TestServer.config(TestServer.STANDARD);
        server = TestServer.start(config.withServer(config.server().withMaxBodyBytes(MAX_BODY)));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** What came back: a status and a body. */
    record Reply(int status, String body) {
        static Reply of(HttpResponse<String> r) {
            return new Reply(r.statusCode(), r.body());
        }

        static Reply of(RawWebSocket.Response r) {
            return new Reply(r.status(), r.body());
        }
    }

    /** One bad input: how to send it, and what it must get. */
    record Case(String name, Function<TestServer, Reply> send, int status, String error) {
        @Override
        public String toString() {
            return name + " -> " + status + " " + error;
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void badInputIsRefusedWithItsStatusAndCode(Case c) {
        Reply reply = c.send().apply(server);

        assertThat(reply.status()).as("status of %s, body %s", c.name(), reply.body()).isEqualTo(c.status());
        JsonNode body = TestServer.json(reply.body());
        assertThat(body.get("error").asText()).isEqualTo(c.error());
        assertThat(body.get("message").asText()).isNotBlank();
        assertThat(body.size()).isEqualTo(2);
        assertThat(reply.body()).doesNotContain("eyJ", "v1.", ACCESS_TOKEN, "SELECT", "Exception");
    }

    static Stream<Case> cases() {
        return Stream.of(ticketCases(), upgradeCases(), publishCases(), routerCases()).flatMap(s -> s);
    }

    // ---- POST /broadcast/v1/ws-ticket -----------------------------------------------------------

    private static Stream<Case> ticketCases() {
        long future = Instant.now().plusSeconds(3600).getEpochSecond();
        String claims = "{\"sub\":\"u_1\",\"orgs\":{\"org_1\":[\"owner\"]},\"exp\":" + future + "}";
        String good = jwt("u_1", "org_1", "owner");
        String goodSignature = good.substring(good.lastIndexOf('.'));
        return Stream.of(
                new Case("ticket without credentials", ticket(), 401, "unauthenticated"),
                new Case("ticket with an empty Bearer", ticket("Authorization", "Bearer "), 401, "unauthenticated"),
                new Case("ticket with JWT alg none, no signature",
                        bearerTicket(b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + b64(claims) + "."), 401, "invalid_credentials"),
                new Case("ticket with JWT alg none and a signature",
                        bearerTicket(b64("{\"alg\":\"none\"}") + "." + b64(claims) + goodSignature), 401, "invalid_credentials"),
                new Case("ticket with JWT alg RS256",
                        bearerTicket(resigned("{\"alg\":\"RS256\",\"typ\":\"JWT\"}", claims)), 401, "invalid_credentials"),
                new Case("ticket with JWT alg HS512",
                        bearerTicket(resigned("{\"alg\":\"HS512\",\"typ\":\"JWT\"}", claims)), 401, "invalid_credentials"),
                new Case("ticket with JWT crit header",
                        bearerTicket(resigned("{\"alg\":\"HS256\",\"crit\":[\"x\"]}", claims)), 401, "invalid_credentials"),
                new Case("ticket with JWT signed by another secret",
                        bearerTicket(new JwtSigner("some-other-secret-0123456789abcdef").sign(Map.of("sub", "u_1",
                                "orgs", Map.of("org_1", List.of("owner")), "exp", future))), 401, "invalid_credentials"),
                new Case("ticket with JWT whose payload was swapped",
                        bearerTicket(good.substring(0, good.indexOf('.') + 1) + b64(claims.replace("u_1", "u_admin")) + goodSignature),
                        401, "invalid_credentials"),
                new Case("ticket with expired JWT",
                        bearerTicket(jwt(Map.of("sub", "u_1", "orgs", Map.of("org_1", List.of("owner")),
                                "exp", Instant.now().minusSeconds(3600).getEpochSecond()))), 401, "invalid_credentials"),
                new Case("ticket with JWT without exp",
                        bearerTicket(jwt(Map.of("sub", "u_1", "orgs", Map.of("org_1", List.of("owner"))))), 401, "invalid_credentials"),
                new Case("ticket with JWT not valid before an hour from now",
                        bearerTicket(jwt(Map.of("sub", "u_1", "orgs", Map.of("org_1", List.of("owner")), "exp", future,
                                "nbf", future - 60))), 401, "invalid_credentials"),
                new Case("ticket with JWT without a user id",
                        bearerTicket(jwt(Map.of("orgs", Map.of("org_1", List.of("owner")), "exp", future))), 401, "invalid_credentials"),
                new Case("ticket with a garbage Bearer", bearerTicket("not.a.jwt"), 401, "invalid_credentials"),
                new Case("ticket with the ACCESS_TOKEN as a session", bearerTicket(ACCESS_TOKEN), 401, "invalid_credentials"),
                new Case("ticket with an unknown x-api-key", ticket("x-api-key", "unknown-key-0123456789abcdef"), 401, "invalid_credentials"),
                new Case("ticket with a garbage ?token=", s -> Reply.of(s.post(TICKET + "?token=garbage", null)), 401, "invalid_credentials"),
                new Case("ticket with session cookie from a foreign Origin",
                        ticket("Cookie", "herald_session=" + good, "Origin", FOREIGN_ORIGIN), 403, "origin_forbidden"),
                new Case("ticket for an organization the user is not in",
                        jsonTicket(good, "{\"organizationId\":\"org_2\"}"), 403, "organization_forbidden"),
                new Case("ticket for a multi-org user naming none",
                        bearerTicket(jwt("u_1", Map.of("org_1", List.of("owner"), "org_2", List.of("owner")))), 400, "organization_required"),
                new Case("ticket for a user in no organization", bearerTicket(jwt("u_1", Map.of())), 403, "no_organization"),
                new Case("ticket with a JSON array body", jsonTicket(good, "[\"org_1\"]"), 400, "bad_request"),
                new Case("ticket with a malformed JSON body", jsonTicket(good, "{\"organizationId\":"), 400, "invalid_json"),
                new Case("ticket with a numeric organizationId", jsonTicket(good, "{\"organizationId\":1}"), 400, "bad_request"),
                new Case("ticket with a text/plain body",
                        s -> Reply.of(s.post(TICKET, "org_1", "Authorization", "Bearer " + good, "Content-Type", "text/plain")),
                        415, "unsupported_media_type"));
    }

    private static Function<TestServer, Reply> ticket(String... headers) {
        return s -> Reply.of(s.post(TICKET, null, headers));
    }

    private static Function<TestServer, Reply> bearerTicket(String token) {
        return ticket("Authorization", "Bearer " + token);
    }

    private static Function<TestServer, Reply> jsonTicket(String token, String body) {
        return s -> Reply.of(s.post(TICKET, body, "Authorization", "Bearer " + token, "Content-Type", "application/json"));
    }

    /** A token with {@code header}, signed HS256 with the real secret, so only the header is wrong. */
    private static String resigned(String header, String claims) {
        String input = b64(header) + "." + b64(claims);
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(TestServer.JWT_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return input + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    // ---- GET /broadcast/v1/websocket (refused before the upgrade) --------------------------------

    private static Stream<Case> upgradeCases() {
        String good = jwt("u_1", "org_1", "owner");
        return Stream.of(
                new Case("upgrade without a ticket", upgrade(SOCKET), 401, "unauthenticated"),
                new Case("upgrade with a garbage ticket", upgrade(SOCKET + "?ws_ticket=garbage"), 401, "invalid_ticket"),
                new Case("upgrade with a ticket of the wrong version", s -> upgradeWith(s, "?ws_ticket=v2." + validTicket(s).substring(3)),
                        401, "invalid_ticket"),
                new Case("upgrade with a tampered ticket", s -> upgradeWith(s, "?ws_ticket=" + tampered(validTicket(s))),
                        401, "invalid_ticket"),
                new Case("upgrade with a ticket without its MAC", s -> {
                    String t = validTicket(s);
                    return upgradeWith(s, "?ws_ticket=" + t.substring(0, t.lastIndexOf('.') + 1));
                }, 401, "invalid_ticket"),
                new Case("upgrade with an expired ticket",
                        upgrade(SOCKET + "?ws_ticket=" + minted(ACCESS_TOKEN, Clock.offset(Clock.systemUTC(), Duration.ofMinutes(-5)))),
                        401, "expired_ticket"),
                new Case("upgrade with a ticket minted under another ACCESS_TOKEN",
                        upgrade(SOCKET + "?ws_ticket=" + minted("another-access-token-0123456789", Clock.systemUTC())),
                        401, "invalid_ticket"),
                new Case("upgrade with a session JWT as the ticket", upgrade(SOCKET + "?ws_ticket=" + good), 401, "invalid_ticket"),
                new Case("upgrade with an oversized ticket", upgrade(SOCKET + "?ws_ticket=v1." + "A".repeat(3000) + ".AAAA"),
                        401, "invalid_ticket"),
                new Case("upgrade naming another organization", s -> upgradeWith(s, "?ws_ticket=" + validTicket(s)
                        + "&organizationId=org_2"), 403, "organization_forbidden"),
                // the broadcast socket takes only tickets: a session cookie, from any Origin, is no credential there
                new Case("upgrade with only a session cookie from a foreign Origin",
                        upgrade(SOCKET, "Cookie", "herald_session=" + good, "Origin", FOREIGN_ORIGIN), 401, "unauthenticated"),
                new Case("upgrade with only a session cookie from an allowed Origin",
                        upgrade(SOCKET, "Cookie", "herald_session=" + good, "Origin", TestServer.ALLOWED_ORIGIN), 401, "unauthenticated"),
                new Case("upgrade with only a Bearer JWT", upgrade(SOCKET, "Authorization", "Bearer " + good), 401, "unauthenticated"),
                new Case("alias upgrade with a tampered ticket",
                        s -> Reply.of(RawWebSocket.upgrade(s.port(), "/realtime/v1/websocket?ws_ticket=" + tampered(validTicket(s)))),
                        401, "invalid_ticket"));
    }

    private static Function<TestServer, Reply> upgrade(String pathAndQuery, String... headers) {
        return s -> Reply.of(RawWebSocket.upgrade(s.port(), pathAndQuery, headers));
    }

    private static Reply upgradeWith(TestServer s, String query, String... headers) {
        return Reply.of(RawWebSocket.upgrade(s.port(), SOCKET + query, headers));
    }

    private static String validTicket(TestServer s) {
        return s.ticket(jwt("u_1", "org_1", "owner"));
    }

    private static String tampered(String ticket) {
        // flip one character of the signed claims; the MAC no longer matches
        int i = 5;
        char c = ticket.charAt(i);
        return ticket.substring(0, i) + (c == 'x' ? 'y' : 'x') + ticket.substring(i + 1);
    }

    private static String minted(String accessToken, Clock clock) {
        return new TicketService(accessToken, Duration.ofSeconds(60), false, 10, Clock.fixed(clock.instant(), ZoneOffset.UTC),
                new ObjectMapper()).mint("u_1", "org_1", List.of("owner"), null, null);
    }

    // ---- the publish API ------------------------------------------------------------------------

    private static Stream<Case> publishCases() {
        String ok = "{\"event\":\"e\",\"payload\":1,\"organizationId\":\"org_1\"}";
        return Stream.of(
                new Case("publish without the ACCESS_TOKEN", publish(BROADCAST, ok, "Content-Type", "application/json"), 401, "unauthenticated"),
                new Case("publish with a wrong ACCESS_TOKEN", publish(BROADCAST, ok, "Content-Type", "application/json",
                        "Authorization", "Bearer " + ACCESS_TOKEN + "x"), 401, "invalid_credentials"),
                new Case("publish with a session JWT", publish(CHANGES, ok, "Content-Type", "application/json",
                        "Authorization", "Bearer " + jwt("u_1", "org_1", "owner")), 401, "invalid_credentials"),
                new Case("publish with the ACCESS_TOKEN in a query", s -> Reply.of(s.post(BROADCAST + "?token=" + ACCESS_TOKEN, ok,
                        "Content-Type", "application/json")), 401, "unauthenticated"),
                new Case("publish of an oversized body", authorized(BROADCAST,
                        "{\"event\":\"e\",\"payload\":\"" + "x".repeat(MAX_BODY) + "\",\"organizationId\":\"org_1\"}"), 413, "payload_too_large"),
                new Case("publish as text/plain", publish(BROADCAST, ok, "Content-Type", "text/plain",
                        "Authorization", "Bearer " + ACCESS_TOKEN), 415, "unsupported_media_type"),
                new Case("publish as form data", publish(BROADCAST, "event=e", "Content-Type", "application/x-www-form-urlencoded",
                        "Authorization", "Bearer " + ACCESS_TOKEN), 415, "unsupported_media_type"),
                new Case("publish without a media type", publish(BROADCAST, ok, "Authorization", "Bearer " + ACCESS_TOKEN),
                        415, "unsupported_media_type"),
                new Case("publish of malformed JSON", authorized(BROADCAST, "{\"event\":"), 400, "invalid_json"),
                new Case("publish of JSON with trailing tokens", authorized(BROADCAST, ok + "]"), 400, "invalid_json"),
                new Case("publish of JSON nested 100 deep", authorized(BROADCAST, "{\"event\":\"e\",\"organizationId\":\"org_1\",\"payload\":"
                        + "[".repeat(100) + "]".repeat(100) + "}"), 400, "invalid_json"),
                new Case("publish of a JSON array", authorized(BROADCAST, "[" + ok + "]"), 400, "bad_request"),
                new Case("publish of an empty body", authorized(BROADCAST, ""), 400, "bad_request"),
                new Case("publish to a scopeKey with spaces", authorized(BROADCAST,
                        "{\"event\":\"e\",\"payload\":1,\"scopeKey\":\"events:evt 123\"}"), 400, "bad_request"),
                new Case("publish to a scopeKey without a kind", authorized(BROADCAST,
                        "{\"event\":\"e\",\"payload\":1,\"scopeKey\":\"evt_123\"}"), 400, "bad_request"),
                new Case("publish to a scopeKey with a newline", authorized(BROADCAST,
                        "{\"event\":\"e\",\"payload\":1,\"scopeKey\":\"events:a\\nb\"}"), 400, "bad_request"),
                new Case("publish to an organizationId with spaces", authorized(BROADCAST,
                        "{\"event\":\"e\",\"payload\":1,\"organizationId\":\"org 1\"}"), 400, "bad_request"),
                new Case("publish to a numeric organizationId", authorized(BROADCAST,
                        "{\"event\":\"e\",\"payload\":1,\"organizationId\":1}"), 400, "bad_request"),
                new Case("publish to a userId with spaces", authorized(BROADCAST,
                        "{\"event\":\"e\",\"payload\":1,\"organizationId\":\"org_1\",\"userId\":\"u 1\"}"), 400, "bad_request"),
                new Case("publish with both organizationId and scopeKey", authorized(BROADCAST,
                        "{\"event\":\"e\",\"payload\":1,\"organizationId\":\"org_1\",\"scopeKey\":\"events:e\"}"), 400, "bad_request"),
                new Case("publish of an event name of 300 characters", authorized(BROADCAST,
                        "{\"event\":\"" + "e".repeat(300) + "\",\"payload\":1,\"organizationId\":\"org_1\"}"), 400, "bad_request"),
                new Case("publish with targetRoles not an array", authorized(BROADCAST,
                        "{\"event\":\"e\",\"payload\":1,\"organizationId\":\"org_1\",\"targetRoles\":\"owner\"}"), 400, "bad_request"),
                new Case("publish with an undeclared namespace", authorized(BROADCAST,
                        "{\"event\":\"billing:paid\",\"payload\":1,\"organizationId\":\"org_1\"}"), 400, "unknown_event"),
                new Case("publish of a change to an unknown table", authorized(CHANGES,
                        "{\"table\":\"users\",\"eventType\":\"INSERT\",\"new\":{},\"organizationId\":\"org_1\"}"), 400, "unknown_table"),
                new Case("publish of a change with a new row that is not an object", authorized(CHANGES,
                        "{\"table\":\"applications\",\"eventType\":\"INSERT\",\"new\":[1],\"organizationId\":\"org_1\"}"), 400, "bad_request"));
    }

    private static Function<TestServer, Reply> publish(String path, String body, String... headers) {
        return s -> Reply.of(s.post(path, body, headers));
    }

    private static Function<TestServer, Reply> authorized(String path, String body) {
        return s -> Reply.of(s.publish(path, body));
    }

    // ---- routing --------------------------------------------------------------------------------

    private static Stream<Case> routerCases() {
        return Stream.of(
                new Case("unknown route", s -> Reply.of(s.get("/admin")), 404, "not_found"),
                new Case("path traversal", s -> Reply.of(s.get("/broadcast/v1/../../etc/passwd")), 404, "not_found"),
                new Case("GET on the ticket endpoint", s -> Reply.of(s.get(TICKET)), 405, "method_not_allowed"),
                new Case("PUT on the publish endpoint", s -> Reply.of(s.send("PUT", BROADCAST, "{}", "Content-Type", "application/json",
                        "Authorization", "Bearer " + ACCESS_TOKEN)), 405, "method_not_allowed"),
                new Case("POST on the websocket endpoint", s -> Reply.of(s.post(SOCKET, null)), 405, "method_not_allowed"),
                new Case("plain GET on the websocket endpoint", s -> Reply.of(s.get(SOCKET + "?ws_ticket=x")), 400, "bad_request"));
    }
}
