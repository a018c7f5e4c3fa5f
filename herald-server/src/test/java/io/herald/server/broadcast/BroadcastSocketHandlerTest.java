package io.herald.server.broadcast;

import static io.herald.server.TestServer.jwt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.server.RawWebSocket;
import io.herald.server.TestServer;
import io.herald.server.WsClient;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code GET /broadcast/v1/websocket}: ticket checks before the upgrade, the socket's frames, and org isolation. */
class BroadcastSocketHandlerTest {
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

    /** The refused upgrade's status, and its JSON error code read over a raw socket. */
    private static void assertRefused(String pathAndQuery, int status, String code) {
        WebSocketHandshakeException e = server.refusedUpgrade(pathAndQuery);
        assertThat(e.getResponse().statusCode()).isEqualTo(status);
        RawWebSocket.Response raw = RawWebSocket.upgrade(server.port(), pathAndQuery);
        assertThat(raw.status()).isEqualTo(status);
        JsonNode body = TestServer.json(raw.body());
        assertThat(body.get("error").asText()).isEqualTo(code);
        assertThat(body.get("message").asText()).isNotBlank();
    }

    @Test
    void upgradeWithoutATicketIsRefusedWith401() {
        assertRefused("/broadcast/v1/websocket", 401, "unauthenticated");
        assertRefused("/realtime/v1/websocket?ws_ticket=", 401, "unauthenticated");
    }

    @Test
    void tamperedTicketIsRefusedWith401() {
        String ticket = server.ticket(jwt("u_t", "org_t", "owner"));
        int dot = ticket.lastIndexOf('.');
        char last = ticket.charAt(dot - 1);
        String tamperedClaims = ticket.substring(0, dot - 1) + (last == 'A' ? 'B' : 'A') + ticket.substring(dot);
        String tamperedMac = ticket.substring(0, ticket.length() - 2) + (ticket.endsWith("AA") ? "BB" : "AA");

        assertRefused("/broadcast/v1/websocket?ws_ticket=" + tamperedClaims, 401, "invalid_ticket");
        assertRefused("/broadcast/v1/websocket?ws_ticket=" + tamperedMac, 401, "invalid_ticket");
        assertRefused("/broadcast/v1/websocket?ws_ticket=not-a-ticket", 401, "invalid_ticket");
    }

    @Test
    void ticketMintedByAServerWithAnotherAccessTokenIsRefusedWith401() {
        String foreign;
        try (TestServer other = TestServer.start(TestServer.config(null).withServer(
                TestServer.config(null).server().withAccessToken("a-different-access-token-987654321")))) {
            foreign = other.ticket(jwt("u_k", "org_k", "owner"));
            assertThat(other.connect(foreign)).isNotNull();
        }
        assertRefused("/broadcast/v1/websocket?ws_ticket=" + foreign, 401, "invalid_ticket");
    }

    @Test
    void sessionJwtIsNotATicket() {
        assertRefused("/broadcast/v1/websocket?ws_ticket=" + jwt("u_j", "org_j", "owner"), 401, "invalid_ticket");
    }

    @Test
    void organizationIdOtherThanTheTicketsIsRefusedWith403() {
        String ticket = server.ticket(jwt("u_o", "org_own", "owner"));
        assertRefused("/broadcast/v1/websocket?ws_ticket=" + ticket + "&organizationId=org_other", 403, "organization_forbidden");
    }

    @Test
    void organizationIdEqualToTheTicketsIsAccepted() {
        String ticket = server.ticket(jwt("u_o", "org_own", "owner"));
        WsClient socket = server.open("/broadcast/v1/websocket?ws_ticket=" + ticket + "&organizationId=org_own");

        server.publishBroadcast("{\"event\":\"e\",\"payload\":1,\"organizationId\":\"org_own\"}");
        assertThat(socket.next()).isEqualTo("{\"type\":\"broadcast\",\"event\":\"e\",\"payload\":1}");
    }

    @Test
    void ticketCanBeReusedUntilItExpires() {
        String ticket = server.ticket(jwt("u_r", "org_reuse", "owner"));
        WsClient first = server.connect(ticket);
        WsClient second = server.connect(ticket);

        assertThat(server.publishBroadcast("{\"event\":\"e\",\"payload\":1,\"organizationId\":\"org_reuse\"}")).isEqualTo(2);
        assertThat(first.next()).isEqualTo(second.next());
    }

    @Test
    void expiredTicketIsRefusedWith401() {
        try (TestServer shortLived = TestServer.start("broadcast: { ticketTtlSeconds: 1 }")) {
            String ticket = shortLived.ticket(jwt("u_e", "org_e", "owner"));
            String path = "/broadcast/v1/websocket?ws_ticket=" + ticket;

            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                    .until(() -> RawWebSocket.upgrade(shortLived.port(), path).status() == 401);

            assertThat(shortLived.refusedUpgrade(path).getResponse().statusCode()).isEqualTo(401);
            RawWebSocket.Response raw = RawWebSocket.upgrade(shortLived.port(), path);
            assertThat(TestServer.json(raw.body()).get("error").asText()).isEqualTo("expired_ticket");
        }
    }

    @Test
    void plainGetWithoutUpgradeIsRefusedWith400() {
        String ticket = server.ticket(jwt("u_p", "org_p", "owner"));
        var r = server.get("/broadcast/v1/websocket?ws_ticket=" + ticket);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(TestServer.json(r.body()).get("error").asText()).isEqualTo("bad_request");
    }

    @Test
    void textPingGetsPong() {
        WsClient socket = server.member("u_ping", "org_ping", "owner");
        socket.send("ping");
        assertThat(socket.next()).isEqualTo("pong");
        socket.send("ping");
        assertThat(socket.next()).isEqualTo("pong");
    }

    @Test
    void otherClientFramesAreIgnoredAndTheSocketStaysOpen() {
        WsClient socket = server.member("u_ign", "org_ign", "owner");
        socket.send("hello");
        socket.send("{\"type\":\"subscribe\",\"organizationId\":\"org_other\"}");
        socket.send("PING");
        socket.assertNothingMore();

        assertThat(socket.isClosed()).isFalse();
        socket.send("ping");
        assertThat(socket.next()).isEqualTo("pong");
        assertThat(server.publishBroadcast("{\"event\":\"still\",\"payload\":true,\"organizationId\":\"org_ign\"}")).isEqualTo(1);
        assertThat(socket.next()).isEqualTo("{\"type\":\"broadcast\",\"event\":\"still\",\"payload\":true}");
    }

    @Test
    void membersOfEachOrganizationReceiveOnlyTheirOrganizationsEvents() {
        WsClient a1 = server.member("u_a1", "org_iso_a", "owner");
        WsClient a2 = server.member("u_a2", "org_iso_a", "recruiter");
        WsClient b1 = server.member("u_b1", "org_iso_b", "owner");
        WsClient b2 = server.member("u_b2", "org_iso_b", "recruiter");

        List<String> sentToA = new ArrayList<>();
        List<String> sentToB = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            assertThat(server.publishBroadcast(event("org_iso_a", "a-" + i))).isEqualTo(2);
            sentToA.add(expected("org_iso_a", "a-" + i));
            assertThat(server.publishBroadcast(event("org_iso_b", "b-" + i))).isEqualTo(2);
            sentToB.add(expected("org_iso_b", "b-" + i));
            assertThat(server.publishChange("{\"table\":\"applications\",\"eventType\":\"INSERT\",\"new\":{\"id\":\"app-a-" + i
                    + "\"},\"organizationId\":\"org_iso_a\"}")).isEqualTo(2);
            sentToA.add("{\"type\":\"postgres_changes\",\"table\":\"applications\",\"schema\":\"public\",\"eventType\":\"INSERT\","
                    + "\"new\":{\"id\":\"app-a-" + i + "\"},\"old\":null}");
            assertThat(server.publishChange("{\"table\":\"applications\",\"eventType\":\"INSERT\",\"new\":{\"id\":\"app-b-" + i
                    + "\"},\"organizationId\":\"org_iso_b\"}")).isEqualTo(2);
            sentToB.add("{\"type\":\"postgres_changes\",\"table\":\"applications\",\"schema\":\"public\",\"eventType\":\"INSERT\","
                    + "\"new\":{\"id\":\"app-b-" + i + "\"},\"old\":null}");
        }
        server.publishBroadcast(event("org_iso_a", "marker"));
        server.publishBroadcast(event("org_iso_b", "marker"));
        sentToA.add(expected("org_iso_a", "marker"));
        sentToB.add(expected("org_iso_b", "marker"));

        for (WsClient a : List.of(a1, a2)) {
            assertThat(a.next(sentToA.size())).containsExactlyElementsOf(sentToA);
            a.assertNothingMore();
        }
        for (WsClient b : List.of(b1, b2)) {
            assertThat(b.next(sentToB.size())).containsExactlyElementsOf(sentToB);
            b.assertNothingMore();
        }
    }

    @Test
    void closedSocketsLeaveTheirScope() {
        WsClient socket = server.member("u_leave", "org_leave", "owner");
        assertThat(server.publishBroadcast(event("org_leave", "before"))).isEqualTo(1);
        socket.close();

        await().atMost(Duration.ofSeconds(5))
                .until(() -> server.publishBroadcast(event("org_leave", "after")) == 0);
    }

    private static String event(String org, String name) {
        return "{\"event\":\"" + name + "\",\"payload\":{\"org\":\"" + org + "\"},\"organizationId\":\"" + org + "\"}";
    }

    private static String expected(String org, String name) {
        return "{\"type\":\"broadcast\",\"event\":\"" + name + "\",\"payload\":{\"org\":\"" + org + "\"}}";
    }
}
