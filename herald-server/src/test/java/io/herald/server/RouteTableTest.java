package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.server.transport.RouteTable;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The route table of a real server answers as it declares: every socket endpoint takes an upgrade (101 with
 * credentials, a JSON refusal or a 101 without), a plain GET on a path that only takes upgrades gets the 400 the
 * table adds, a plain GET under a room prefix reaches the room, and a path nothing declares is a JSON 404.
 */
class RouteTableTest {
    private static final String UPGRADE_MESSAGE = "only accept WebSocket upgrades.";
    private static TestServer server;
    private static List<RouteTable.Entry> sockets;

    @BeforeAll
    static void start() {
        server = TestServer.start("""
                rooms:
                  bindings:
                    - { name: LOBBY, className: io.herald.room.builtin.RelayRoom, access: public }
                """);
        sockets = server.server().routes().entries().stream().filter(e -> e.kind() == RouteTable.Kind.WEBSOCKET).toList();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A path the endpoint takes: its own, or a room of the public party under its prefix. */
    private static String pathOf(RouteTable.Entry socket) {
        return socket.match() == RouteTable.Match.EXACT ? socket.path() : socket.path() + "lobby/r1";
    }

    @Test
    void theTableDeclaresTheSocketsOfBroadcastItsAliasLanesAndBothRoomPrefixes() {
        assertThat(sockets).extracting(RouteTable.Entry::path).containsExactly(
                "/broadcast/v1/websocket", "/realtime/v1/websocket", "/lanes/v1/websocket", "/parties/", "/realtime/");
        assertThat(sockets).allSatisfy(e -> assertThat(e.methods()).extracting(m -> m.name()).containsExactly("GET"));
    }

    @Test
    void everySocketEndpointUpgradesARequestWithCredentials() {
        String jwt = TestServer.jwt("route-user", "route-org", "owner");
        for (RouteTable.Entry socket : sockets) {
            // a ticket each: tickets may be single-use
            String query = "?ws_ticket=" + server.ticket(jwt) + "&token=" + jwt;
            RawWebSocket.Response r = RawWebSocket.upgrade(server.port(), pathOf(socket) + query);
            assertThat(r.status()).as(socket + ": " + r.body()).isEqualTo(101);
        }
    }

    @Test
    void everySocketEndpointAnswersAnUpgradeWithoutCredentialsWithA101OrAJsonRefusal() {
        for (RouteTable.Entry socket : sockets) {
            RawWebSocket.Response r = RawWebSocket.upgrade(server.port(), pathOf(socket));
            if (socket.match() == RouteTable.Match.PREFIX) {
                assertThat(r.status()).as(socket + ": the party is public").isEqualTo(101);
            } else {
                assertThat(r.status()).as(socket + ": " + r.body()).isEqualTo(401);
                JsonNode error = TestServer.json(r.body());
                assertThat(error.path("error").asText()).as(socket.toString()).isNotEmpty();
            }
        }
    }

    @Test
    void aPlainGetOnAPathThatOnlyTakesUpgradesIs400AndUnderARoomPrefixReachesTheRoom() {
        for (RouteTable.Entry socket : sockets) {
            try (RawHttp c = RawHttp.connect(server.port())) {
                RawWebSocket.Response r = c.get(pathOf(socket));
                JsonNode body = TestServer.json(r.body());
                if (socket.match() == RouteTable.Match.EXACT) {
                    assertThat(r.status()).as(socket.toString()).isEqualTo(400);
                    assertThat(r.headers().get("content-type")).as(socket.toString()).startsWith("application/json");
                    assertThat(body.path("error").asText()).isEqualTo("bad_request");
                    assertThat(body.path("message").asText()).as(socket.toString()).endsWith(UPGRADE_MESSAGE);
                } else {
                    // the relay room's onRequest, which answers no HTTP
                    assertThat(r.status()).as(socket.toString()).isEqualTo(404);
                    assertThat(body.path("message").asText()).as(socket.toString()).isEqualTo("This room does not answer HTTP requests.");
                }
            }
        }
    }

    @Test
    void theBroadcastAliasUnderRealtimeIsNotARoom() {
        RawWebSocket.Response r = RawWebSocket.upgrade(server.port(), "/realtime/v1/websocket?ws_ticket=nope");
        assertThat(r.status()).isEqualTo(401);
        assertThat(TestServer.json(r.body()).path("error").asText()).as("broadcast's refusal of a ticket").isEqualTo("invalid_ticket");
    }

    @Test
    void aPathNothingDeclaresIsAJson404ForAPlainGetAndForAnUpgrade() {
        try (RawHttp c = RawHttp.connect(server.port())) {
            RawWebSocket.Response r = c.get("/nothing/here");
            assertThat(r.status()).isEqualTo(404);
            assertThat(TestServer.json(r.body()).path("error").asText()).isEqualTo("not_found");
        }
        RawWebSocket.Response upgrade = RawWebSocket.upgrade(server.port(), "/nothing/here");
        assertThat(upgrade.status()).as("no socket endpoint claims it: the router answers").isEqualTo(404);
        assertThat(TestServer.json(upgrade.body()).path("error").asText()).isEqualTo("not_found");
    }
}
