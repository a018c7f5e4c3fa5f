package io.herald.server.room;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.config.RoomsConfig;
import io.herald.config.RoomsConfig.Access;
import io.herald.config.RoomsConfig.Binding;
import io.herald.server.TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Room URLs through a real server: both prefixes, party names, room-id decoding and limits, connection ids. */
class RoomRoutingTest {
    @TempDir
    static Path dir;
    private static RoomServer server;

    @BeforeAll
    static void start() {
        RoomsConfig rooms = RoomsConfig.defaults().withBindings(List.of(
                new Binding("LOBBY", "io.herald.room.builtin.RelayRoom", Access.PUBLIC),
                new Binding("ECHO", EchoRoom.class.getName(), Access.PUBLIC),
                new Binding("MyServer", EchoRoom.class.getName(), Access.PUBLIC)));
        server = RoomServer.start(RoomServer.config(dir.resolve("herald.db"), rooms, Map.of()));
    }

    @AfterEach
    void closeClients() {
        server.closeClients();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void partiesAndRealtimePrefixesReachTheSameRoomAndExtraSegmentsAreAllowed() {
        RoomClient a = server.connect("/parties/lobby/r1");
        RoomClient b = server.connect("/realtime/lobby/r1/extra/path?x=1");
        RoomClient c = server.connect("/parties//lobby//r1/");
        RoomClient elsewhere = server.connect("/parties/lobby/r2");

        a.send("hi");
        assertThat(b.next()).isEqualTo("hi");
        assertThat(c.next()).isEqualTo("hi");
        b.sendBinary((byte) 1, (byte) 2, (byte) 0xff);
        assertThat(a.next()).isEqualTo("binary:0102ff");
        assertThat(c.next()).isEqualTo("binary:0102ff");
        a.assertNothingMore();
        assertThat(elsewhere.poll(java.time.Duration.ofMillis(100))).isNull();
    }

    @Test
    void thePartyInTheUrlIsTheKebabCaseOfTheBindingNameMatchedExactly() {
        JsonNode hello = server.connect("/parties/my-server/x").nextJson();
        assertThat(hello.get("party").asText()).isEqualTo("my-server");
        assertThat(server.refusedStatus("/parties/MyServer/x")).isEqualTo(404);
        assertThat(server.refusedStatus("/parties/My-Server/x")).isEqualTo(404);
        assertThat(server.refusedStatus("/realtime/LOBBY/x")).isEqualTo(404);
    }

    @Test
    void anUnknownPartyIsA404WithAJsonError() {
        RoomServer.Raw r = server.rawUpgrade("/parties/nope/room");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.headers().get("content-type")).startsWith("application/json");
        assertThat(TestServer.json(r.body()).get("error").asText()).isEqualTo("not_found");
        assertThat(server.refusedStatus("/realtime/nope/room")).isEqualTo(404);
    }

    @Test
    void aUrlWithoutARoomIsA404() {
        assertThat(server.rawUpgrade("/parties/lobby").status()).isEqualTo(404);
        assertThat(server.rawUpgrade("/parties/lobby/").status()).isEqualTo(404);
        assertThat(server.rawUpgrade("/parties/").status()).isEqualTo(404);
    }

    @Test
    void roomIdsAreAtMost256CharactersAfterDecodingElse400() {
        assertThat(server.connect("/parties/echo/" + "a".repeat(256)).nextJson().get("room").asText()).hasSize(256);
        RoomServer.Raw tooLong = server.rawUpgrade("/parties/echo/" + "a".repeat(257));
        assertThat(tooLong.status()).isEqualTo(400);
        assertThat(TestServer.json(tooLong.body()).get("error").asText()).isEqualTo("bad_request");
        // 768 characters in the URL, 256 once decoded
        assertThat(server.connect("/parties/echo/" + "%41".repeat(256)).nextJson().get("room").asText()).isEqualTo("A".repeat(256));
        assertThat(server.refusedStatus("/parties/echo/" + "%41".repeat(257))).isEqualTo(400);
    }

    @Test
    void roomIdsArePercentDecoded() {
        assertThat(server.connect("/parties/echo/room%201").nextJson().get("room").asText()).isEqualTo("room 1");
        assertThat(server.connect("/parties/echo/caf%C3%A9").nextJson().get("room").asText()).isEqualTo("café");
        assertThat(server.connect("/parties/echo/a%2Fb").nextJson().get("room").asText()).isEqualTo("a/b");

        RoomClient encoded = server.connect("/parties/lobby/room%201");
        RoomClient differentlyEncoded = server.connect("/realtime/lobby/room%20%31");
        encoded.send("same room");
        assertThat(differentlyEncoded.next()).isEqualTo("same room");
    }

    @Test
    void aRoomIdThatIsNotPercentEncodedUtf8IsA400() {
        assertThat(server.rawUpgrade("/parties/echo/bad%ZZ").status()).isEqualTo(400);
        assertThat(server.rawUpgrade("/parties/echo/bad%E2%82").status()).isEqualTo(400);
        assertThat(server.rawUpgrade("/parties/echo/bad%4").status()).isEqualTo(400);
    }

    @Test
    void theUnderscorePkQueryBecomesTheConnectionIdElseARandomOne() {
        JsonNode named = server.connect("/parties/echo/ids?_pk=conn-1&n=1").nextJson();
        assertThat(named.get("id").asText()).isEqualTo("conn-1");
        assertThat(named.get("uri").asText()).isEqualTo("/parties/echo/ids?_pk=conn-1&n=1");
        JsonNode random = server.connect("/parties/echo/ids").nextJson();
        JsonNode another = server.connect("/parties/echo/ids?_pk=").nextJson();
        assertThat(random.get("id").asText()).matches("[A-Za-z0-9_-]{21}");
        assertThat(another.get("id").asText()).matches("[A-Za-z0-9_-]{21}").isNotEqualTo(random.get("id").asText());
        assertThat(random.get("userId").isNull()).as("anonymous on a public room").isTrue();
    }

    @Test
    void theBroadcastRoutesUnderRealtimeV1AreNotRooms() {
        // a room route would answer 404 for the unknown party "v1"; the broadcast socket wants credentials
        assertThat(server.refusedStatus("/realtime/v1/websocket")).isEqualTo(401);
        String ticket = server.wsTicket(RoomServer.jwt("u1", "org1"));
        RoomClient broadcast = server.connect("/realtime/v1/websocket?ws_ticket=" + ticket);
        broadcast.send("ping");
        assertThat(broadcast.next()).isEqualTo("pong");
        HttpResponse<String> r = server.http("POST", "/realtime/v1/ws-ticket", null, "Authorization", "Bearer " + RoomServer.jwt("u1", "org1"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(server.refusedStatus("/parties/v1/websocket")).isEqualTo(404);
    }

    @Test
    void aPlainGetOfARoomWithoutOnRequestIsA404WithAJsonError() {
        HttpResponse<String> r = server.http("GET", "/parties/lobby/r1", null);
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(TestServer.json(r.body()).get("error").asText()).isEqualTo("not_found");
        assertThat(server.http("GET", "/parties/nope/r1", null).statusCode()).isEqualTo(404);
    }
}
