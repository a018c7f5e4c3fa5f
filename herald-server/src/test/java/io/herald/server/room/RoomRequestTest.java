package io.herald.server.room;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.config.HeraldConfig;
import io.herald.config.RoomsConfig;
import io.herald.config.RoomsConfig.Access;
import io.herald.config.RoomsConfig.Binding;
import io.herald.server.TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plain HTTP requests to room URLs through a real server ({@link ApiRoom}'s onRequest): methods, body,
 * query, headers and props reach the room; it runs on the same instance as the sockets; the access gate
 * and onBeforeConnect refuse as for an upgrade; the default answer is 404; a room that throws is a
 * generic 500; the body limit is server.maxBodyBytes.
 */
class RoomRequestTest {
    private static final int MAX_BODY = 4096;

    @TempDir
    static Path dir;
    private static RoomServer server;

    @BeforeAll
    static void start() {
        RoomsConfig rooms = RoomsConfig.defaults().withBindings(List.of(
                new Binding("API", ApiRoom.class.getName(), Access.PUBLIC),
                new Binding("PRIVATE_API", ApiRoom.class.getName(), Access.AUTHENTICATED),
                new Binding("ECHO", EchoRoom.class.getName(), Access.PUBLIC),
                new Binding("GATED", GatedRoom.class.getName(), Access.PUBLIC)));
        HeraldConfig config = TestServer.loopback(RoomServer.ACCESS_TOKEN, RoomServer.JWT_SECRET, dir.resolve("herald.db"),
                s -> s.withMaxBodyBytes(MAX_BODY)).withRooms(rooms);
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

    @Test
    void aGetReachesOnRequestWithItsPathQueryHeadersAndTheGatesProps() {
        HttpResponse<String> r = server.http("GET", "/parties/api/room%201/extra?team=red&n=1&n=2", null, "Accept", "text/x-test");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        JsonNode body = TestServer.json(r.body());
        assertThat(body.get("method").asText()).isEqualTo("GET");
        assertThat(body.get("room").asText()).isEqualTo("room 1");
        assertThat(body.get("path").asText()).isEqualTo("/parties/api/room%201/extra");
        assertThat(body.get("query").get("team").asText()).isEqualTo("red");
        assertThat(body.get("query").get("n").asText()).as("first value").isEqualTo("1");
        assertThat(body.get("accept").asText()).isEqualTo("text/x-test");
        assertThat(body.get("userId").isNull()).isTrue();
        assertThat(body.get("props").toString()).isEqualTo("{\"team\":\"red\",\"kind\":\"http\"}");
        assertThat(server.http("GET", "/realtime/api/room%201", null).statusCode()).as("both prefixes").isEqualTo(200);
    }

    @Test
    void aPostRunsOnTheSameRoomInstanceAsItsSocketsAndIsStored() {
        RoomClient socket = server.connect("/parties/api/shared?_pk=s1");
        assertThat(socket.nextJson().get("id").asText()).isEqualTo("s1");

        HttpResponse<String> posted = server.http("POST", "/parties/api/shared", "{\"hello\":\"room\"}",
                "Content-Type", "application/json");
        assertThat(posted.statusCode()).isEqualTo(201);
        assertThat(posted.headers().firstValue("x-room")).hasValue("shared");
        assertThat(TestServer.json(posted.body()).get("stored").asInt()).isEqualTo(16);
        assertThat(socket.next()).isEqualTo("posted:{\"hello\":\"room\"}");

        JsonNode after = TestServer.json(server.http("GET", "/parties/api/shared", null).body());
        assertThat(after.get("connections").asInt()).isEqualTo(1);
        assertThat(after.get("posted").asText()).isEqualTo("{\"hello\":\"room\"}");
    }

    @Test
    void putAndDeleteAnswerWhatTheRoomReturns() {
        HttpResponse<String> put = server.http("PUT", "/parties/api/verbs", "new value");
        assertThat(put.statusCode()).isEqualTo(200);
        assertThat(put.headers().firstValue("content-type")).hasValue("text/plain; charset=utf-8");
        assertThat(put.body()).isEqualTo("put:new value");
        HttpResponse<String> delete = server.http("DELETE", "/parties/api/verbs", null);
        assertThat(delete.statusCode()).isEqualTo(204);
        assertThat(delete.body()).isEmpty();
    }

    @Test
    void aRoomWithoutOnRequestAnswers404WithAJsonError() {
        for (String method : new String[] {"GET", "POST", "DELETE"}) {
            HttpResponse<String> r = server.http(method, "/parties/echo/plain", method.equals("POST") ? "x" : null);
            assertThat(r.statusCode()).as(method).isEqualTo(404);
            assertThat(TestServer.json(r.body()).get("error").asText()).isEqualTo("not_found");
        }
        assertThat(TestServer.json(server.http("GET", "/parties/nope/r1", null).body()).get("message").asText())
                .isEqualTo("Unknown party.");
    }

    @Test
    void anExceptionInOnRequestIsAGeneric500ThatLeaksNothing() {
        HttpResponse<String> r = server.http("GET", "/parties/api/r/boom", null);
        assertThat(r.statusCode()).isEqualTo(500);
        JsonNode body = TestServer.json(r.body());
        assertThat(body.get("error").asText()).isEqualTo("internal_error");
        assertThat(r.body()).doesNotContain("secret").doesNotContain("IllegalState");
        // the room is still there for the next request
        assertThat(server.http("GET", "/parties/api/r", null).statusCode()).isEqualTo(200);
    }

    @Test
    void theAccessGateAndOnBeforeConnectRefuseRequestsAsTheyRefuseUpgrades() {
        assertThat(server.http("GET", "/parties/private-api/r", null).statusCode()).isEqualTo(401);
        assertThat(server.refusedStatus("/parties/private-api/r")).isEqualTo(401);
        HttpResponse<String> withJwt = server.http("GET", "/parties/private-api/r", null,
                "Authorization", "Bearer " + RoomServer.jwt("u1", "org1"));
        assertThat(withJwt.statusCode()).isEqualTo(200);
        assertThat(TestServer.json(withJwt.body()).get("userId").asText()).isEqualTo("u1");

        HttpResponse<String> closed = server.http("POST", "/parties/api/closed", "body");
        assertThat(closed.statusCode()).isEqualTo(423);
        assertThat(TestServer.json(closed.body()).get("error").asText()).isEqualTo("connection_refused");
        assertThat(server.refusedStatus("/parties/api/closed")).isEqualTo(423);
        assertThat(server.http("GET", "/parties/gated/teapot", null).statusCode()).isEqualTo(418);
        assertThat(server.http("GET", "/parties/gated/r", null).statusCode()).isEqualTo(402);
        assertThat(server.http("GET", "/parties/gated/r?pass=yes", null).statusCode()).as("let in; EchoRoom has no onRequest").isEqualTo(404);
    }

    @Test
    void aBodyOverMaxBodyBytesIs413AndStrangersAreRefusedBeforeTheirBodyIsRead() {
        HttpResponse<String> big = server.http("POST", "/parties/api/big", "x".repeat(MAX_BODY + 1));
        assertThat(big.statusCode()).isEqualTo(413);
        assertThat(TestServer.json(big.body()).get("error").asText()).isEqualTo("payload_too_large");
        assertThat(server.http("POST", "/parties/api/big", "x".repeat(MAX_BODY)).statusCode()).isEqualTo(201);
        assertThat(server.http("POST", "/parties/private-api/big", "x".repeat(MAX_BODY + 1)).statusCode()).isEqualTo(401);
    }

    @Test
    void consecutiveRequestsAreServedByOneLoadedInstance() {
        long starts = server.herald().rooms().starts();
        assertThat(server.http("GET", "/parties/api/once", null).statusCode()).isEqualTo(200);
        assertThat(server.http("GET", "/parties/api/once", null).statusCode()).isEqualTo(200);
        assertThat(server.herald().rooms().starts()).as("one start for both requests").isEqualTo(starts + 1);
    }
}
