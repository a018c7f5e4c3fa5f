package io.herald.server.lane;

import static io.herald.server.lane.LaneServer.jwt;
import static io.herald.server.lane.LaneServer.newUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.auth.JwtSigner;
import io.herald.config.LanesConfig;
import io.herald.server.TestServer;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The lane WebSocket on a real server: auth before the upgrade, frames both ways, filters end to end, limits. */
class LaneSocketHandlerTest {
    private static final int MAX_FRAME = 4096;
    private static final int MAX_SOCKETS = 3;
    private static final String CHAT = "[{\"type\":\"chat_message\",\"questId\":\"q1\"}]";

    @TempDir
    static Path dir;
    static LaneServer server;

    @BeforeAll
    static void start() {
        server = LaneServer.start(dir, LanesConfig.defaults().withLimits(200, MAX_FRAME, 5000, MAX_SOCKETS));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Publishes as the server and returns the response future (it completes once acks are in or the timeout passed). */
    private static CompletableFuture<HttpResponse<String>> publish(String userId, String type, String payloadJson) {
        return server.publishAsServer("{\"userId\":\"" + userId + "\",\"type\":\"" + type + "\",\"timeoutMs\":3000"
                + (payloadJson == null ? "" : ",\"payload\":" + payloadJson) + "}");
    }

    private static JsonNode body(CompletableFuture<HttpResponse<String>> response) {
        HttpResponse<String> r = LaneServer.join(response);
        assertThat(r.statusCode()).as("publish answered %s", r.body()).isEqualTo(200);
        return TestServer.json(r.body());
    }

    /** Receives the next envelope on {@code c}, acks it without a result and returns it. */
    private static JsonNode receiveAndAck(LaneClient c) {
        JsonNode envelope = c.nextJson();
        c.ack(envelope.get("envelopeId").asText(), null);
        return envelope;
    }

    private static String base64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private static long inAnHour() {
        return Instant.now().plusSeconds(3600).getEpochSecond();
    }

    // ---- authentication -------------------------------------------------------------------------

    @Test
    void aSocketAuthenticatedByABearerHeaderJoinsItsUsersLane() {
        String user = newUser();
        LaneClient c = server.open("/lanes/v1/websocket", "Authorization", "Bearer " + jwt(user));
        c.subscribe(CHAT);
        assertThat(c.nextJson().get("type").asText()).isEqualTo("subscribed");

        var response = publish(user, "chat_message", "{\"questId\":\"q1\"}");

        assertThat(receiveAndAck(c).get("userId").asText()).isEqualTo(user);
        assertThat(body(response).get("clientCount").asInt()).isEqualTo(1);
    }

    @Test
    void aSocketAuthenticatedByATokenQueryParameterJoinsItsUsersLane() {
        String user = newUser();
        LaneClient c = server.subscribed(user, CHAT);

        var response = publish(user, "chat_message", "{\"questId\":\"q1\"}");

        assertThat(receiveAndAck(c).get("userId").asText()).isEqualTo(user);
        assertThat(body(response).get("clientCount").asInt()).isEqualTo(1);
    }

    @Test
    void theSubClaimServesAsUserIdAndAUserIdWithSpacesIsTrimmed() {
        String bySub = newUser();
        String spaced = newUser();
        LaneClient subSocket = server.open("/lanes/v1/websocket?token=" + jwt(Map.of("sub", bySub, "exp", inAnHour())));
        LaneClient spacedSocket = server.open("/lanes/v1/websocket?token=" + jwt("  " + spaced + "  "));
        subSocket.subscribe("[{\"type\":\"t\"}]");
        spacedSocket.subscribe("[{\"type\":\"t\"}]");
        subSocket.next();
        spacedSocket.next();

        var toSub = publish(bySub, "t", null);
        var toSpaced = publish(spaced, "t", null);

        assertThat(receiveAndAck(subSocket).get("userId").asText()).isEqualTo(bySub);
        assertThat(receiveAndAck(spacedSocket).get("userId").asText()).isEqualTo(spaced);
        assertThat(body(toSub).get("clientCount").asInt()).isEqualTo(1);
        assertThat(body(toSpaced).get("clientCount").asInt()).isEqualTo(1);
    }

    static Stream<Arguments> refusedTokens() {
        String user = "user_refused";
        String claims = "{\"userId\":\"" + user + "\",\"exp\":" + inAnHour() + "}";
        return Stream.of(
                Arguments.of("no token at all", null),
                Arguments.of("signed with another secret", new JwtSigner("another-secret-0123456789abcdef").sign(
                        Map.of("userId", user, "exp", inAnHour()))),
                Arguments.of("alg none", base64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + base64(claims) + "."),
                Arguments.of("alg HS512 header on an HS256 signature", base64("{\"alg\":\"HS512\",\"typ\":\"JWT\"}") + "."
                        + jwt(user).split("\\.")[1] + "." + jwt(user).split("\\.")[2]),
                Arguments.of("expired", jwt(Map.of("userId", user, "exp", Instant.now().minusSeconds(3600).getEpochSecond()))),
                Arguments.of("no user id", jwt(Map.of("exp", inAnHour(), "name", "Ada"))),
                Arguments.of("empty user id", jwt(Map.of("userId", "", "exp", inAnHour()))),
                Arguments.of("blank user id", jwt(Map.of("userId", "   ", "exp", inAnHour()))),
                Arguments.of("non-string user id", jwt(Map.of("userId", 123, "exp", inAnHour()))),
                Arguments.of("not a JWT", "not-a-jwt"),
                Arguments.of("the server access token", LaneServer.ACCESS_TOKEN));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedTokens")
    void anUpgradeWithoutAValidUserTokenIsRefusedWith401BeforeTheUpgrade(String label, String token) {
        String path = "/lanes/v1/websocket";

        int viaQuery = server.refusedUpgrade(token == null ? path : path + "?token=" + token);
        int viaHeader = token == null ? 401 : server.refusedUpgrade(path, "Authorization", "Bearer " + token);

        assertThat(viaQuery).as("?token=").isEqualTo(401);
        assertThat(viaHeader).as("Authorization: Bearer").isEqualTo(401);
    }

    @Test
    void aBadAuthorizationHeaderIsNotRescuedByAGoodTokenParameter() {
        int status = server.refusedUpgrade("/lanes/v1/websocket?token=" + jwt(newUser()), "Authorization", "Bearer not-a-jwt");

        assertThat(status).isEqualTo(401);
    }

    @Test
    void onlyTheBasePathWebsocketIsALaneUpgradeAndAPlainGetThereIsABadRequest() {
        String token = jwt(newUser());

        assertThat(server.refusedUpgrade("/?token=" + token)).isEqualTo(404);
        assertThat(server.refusedUpgrade("/lanes/v1/other?token=" + token)).isEqualTo(404);
        assertThat(server.send(server.request("/lanes/v1/websocket?token=" + token).GET()).statusCode()).isEqualTo(400);
    }

    @Test
    void oneSocketMoreThanMaxSocketsPerUserIsRefusedWith429BeforeTheUpgrade() {
        String user = newUser();
        LaneClient first = server.connect(user);
        for (int i = 1; i < MAX_SOCKETS; i++) {
            server.connect(user);
        }

        assertThat(server.refusedUpgrade(server.socketPath(user))).isEqualTo(429);
        assertThat(server.connect(newUser())).as("another user is not affected").isNotNull();
        first.close();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(server.connect(user)).isNotNull());
    }

    // ---- frames ---------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"ping", "PING", " Ping ", "\tpInG\n"})
    void pingInAnyLetterCaseIsAnsweredWithLowerCasePong(String ping) {
        LaneClient c = server.connect(newUser());

        c.send(ping);

        assertThat(c.next()).isEqualTo("pong");
    }

    @Test
    void subscribeAndUnsubscribeAreAnsweredWithTheFiltersHeldAndTheIgnoredCount() {
        LaneClient c = server.connect(newUser());

        c.subscribe("[{\"type\":\"chat_message\",\"questId\":\"q1\"},{\"type\":\" chat_message \",\"questId\":\"q1\"},42]");
        String subscribed = c.next();
        c.send("{\"type\":\"unsubscribe\",\"filters\":[{\"questId\":\"q1\",\"type\":\"chat_message\"}]}");

        assertThat(subscribed).isEqualTo("{\"type\":\"subscribed\",\"count\":1,\"ignored\":2}");
        assertThat(c.next()).isEqualTo("{\"type\":\"unsubscribed\",\"count\":0,\"ignored\":0}");
    }

    @Test
    void onlyFiftyFiltersOfAMessageAreProcessedAndTheReplySaysHowManyWereIgnored() {
        LaneClient c = server.connect(newUser());
        StringBuilder filters = new StringBuilder("[");
        for (int i = 0; i < 53; i++) {
            filters.append(i == 0 ? "" : ",").append("{\"type\":\"t\",\"n\":\"").append(i).append("\"}");
        }

        c.subscribe(filters.append(']').toString());

        assertThat(c.nextJson()).isEqualTo(TestServer.json("{\"type\":\"subscribed\",\"count\":50,\"ignored\":3}"));
    }

    @Test
    void badFramesGetAnErrorReplyAndTheSocketStaysOpen() {
        String user = newUser();
        LaneClient c = server.connect(user);

        c.send("not json");
        JsonNode notJson = c.nextJson();
        c.send("[1,2]");
        JsonNode array = c.nextJson();
        c.send("null");
        JsonNode jsonNull = c.nextJson();
        c.send("{\"type\":\"hello\"}");
        JsonNode unknown = c.nextJson();
        c.send("{\"filters\":[]}");
        JsonNode untyped = c.nextJson();
        c.send("{\"type\":\"subscribe\",\"filters\":{\"type\":\"t\"}}");
        JsonNode filtersNotArray = c.nextJson();
        c.send("{\"type\":\"unsubscribe\"}");
        JsonNode filtersMissing = c.nextJson();

        assertThat(notJson.get("code").asText()).isEqualTo("bad_json");
        assertThat(array.get("code").asText()).isEqualTo("bad_json");
        assertThat(jsonNull.get("code").asText()).isEqualTo("bad_json");
        assertThat(unknown.get("code").asText()).isEqualTo("unknown_type");
        assertThat(untyped.get("code").asText()).isEqualTo("unknown_type");
        assertThat(filtersNotArray.get("code").asText()).isEqualTo("invalid_filter");
        assertThat(filtersMissing.get("code").asText()).isEqualTo("invalid_filter");
        assertThat(Stream.of(notJson, unknown, filtersNotArray)).allSatisfy(e -> {
            assertThat(e.get("type").asText()).isEqualTo("error");
            assertThat(e.get("message").asText()).isNotBlank();
        });
        c.subscribe(CHAT);
        assertThat(c.nextJson().get("count").asInt()).isEqualTo(1);
        var response = publish(user, "chat_message", "{\"questId\":\"q1\"}");
        receiveAndAck(c);
        assertThat(body(response).get("clientCount").asInt()).as("the socket still works").isEqualTo(1);
        assertThat(c.isClosed()).isFalse();
    }

    @Test
    void acksAndBinaryFramesGetNoReply() {
        LaneClient c = server.connect(newUser());

        c.ack("00000000-0000-0000-0000-000000000000", "{\"ok\":true}");
        c.sendBinary(new byte[] {1, 2, 3});
        c.send("ping");

        assertThat(c.next()).as("nothing before the pong").isEqualTo("pong");
    }

    @Test
    void aFrameOfExactlyMaxFrameBytesIsReadAndOneByteMoreClosesTheSocketWith1009() {
        LaneClient c = server.connect(newUser());
        String head = "{\"type\":\"x\",\"pads\":\"";
        String atLimit = head + "é".repeat((MAX_FRAME - head.length() - 2) / 2) + "\"}";
        assertThat(atLimit.getBytes(StandardCharsets.UTF_8).length).as("UTF-8 bytes, not chars").isEqualTo(MAX_FRAME);

        c.send(atLimit);
        assertThat(c.nextJson().get("code").asText()).isEqualTo("unknown_type");
        c.send(atLimit.replace("\"x\"", "\"xy\""));

        assertThat(c.awaitClose()).isEqualTo(1009);
    }

    @Test
    void aMessageSentInFragmentsIsJoinedAndOneWhosePartsPassTheLimitClosesTheSocketWith1009() {
        LaneClient c = server.connect(newUser());
        c.sendInParts("{\"type\":\"subscribe\",\"filters\":" + CHAT + "}", 7);
        assertThat(c.nextJson().get("type").asText()).as("the joined message was read as one").isEqualTo("subscribed");

        String tooLong = "{\"type\":\"x\",\"pad\":\"" + "a".repeat(MAX_FRAME) + "\"}";
        c.sendInPartsUntilClosed(tooLong, 1000);
        assertThat(c.awaitClose()).isEqualTo(1009);
    }

    @Test
    void withControlRepliesOffNoSubscribedOrErrorFrameIsSentButPongAndEnvelopesAre(@TempDir Path own) {
        try (LaneServer quiet = LaneServer.start(own, LanesConfig.defaults().withControlReplies(false))) {
            String user = newUser();
            LaneClient c = quiet.connect(user);

            c.subscribe(CHAT);
            c.send("not json");
            c.send("{\"type\":\"hello\"}");
            c.send("{\"type\":\"subscribe\",\"filters\":7}");
            c.send("PING");
            assertThat(c.next()).as("the first frame after four silent ones").isEqualTo("pong");

            var response = quiet.publishAsServer("{\"userId\":\"" + user + "\",\"type\":\"chat_message\",\"payload\":{\"questId\":\"q1\"}}");
            JsonNode envelope = c.nextJson();
            c.ack(envelope.get("envelopeId").asText(), "true");
            assertThat(envelope.get("type").asText()).isEqualTo("chat_message");
            assertThat(LaneServer.join(response).body()).isEqualTo("{\"clientCount\":1,\"results\":[true]}");
        }
    }

    // ---- filters end to end and isolation -------------------------------------------------------

    @Test
    void filtersSelectEnvelopesEndToEndAndUnsubscribeStopsThem() {
        String user = newUser();
        LaneClient c = server.subscribed(user, "[{\"type\":\"chat_message\",\"questId\":\"q1\"},{\"type\":\"presence\"},"
                + "{\"nodeId\":\"n1\"},{\"type\":\"score\",\"points\":\"10\"},{\"type\":\"flag\",\"on\":\"true\"}]");
        Object[][] table = {
            {"chat_message", "{\"questId\":\"q1\",\"text\":\"hi\"}", 1},
            {"chat_message", "{\"questId\":\"q2\"}", 0},
            {"Chat_Message", "{\"questId\":\"q1\"}", 0},
            {"presence", null, 1},
            {"anything", "{\"nodeId\":\"n1\"}", 1},
            {"anything", "{\"nodeId\":\"n2\"}", 0},
            {"score", "{\"points\":10}", 1},
            {"score", "{\"points\":\"10\"}", 1},
            {"score", "{\"points\":11}", 0},
            {"flag", "{\"on\":true}", 1},
            {"flag", "{\"on\":false}", 0},
        };
        for (Object[] row : table) {
            var response = publish(user, (String) row[0], (String) row[1]);
            if ((int) row[2] == 1) {
                assertThat(receiveAndAck(c).get("type").asText()).isEqualTo(row[0]);
            }
            assertThat(body(response).get("clientCount").asInt()).as("%s %s", row[0], row[1]).isEqualTo(row[2]);
        }

        c.send("{\"type\":\"unsubscribe\",\"filters\":[{\"type\":\"presence\"}]}");
        assertThat(c.nextJson().get("count").asInt()).isEqualTo(4);
        assertThat(body(publish(user, "presence", null)).get("clientCount").asInt()).isZero();
        c.sync();
    }

    @Test
    void aUsersEnvelopeNeverReachesAnotherUsersSocket() {
        String alice = newUser();
        String bob = newUser();
        LaneClient aliceSocket = server.subscribed(alice, CHAT);
        LaneClient bobSocket = server.subscribed(bob, CHAT);

        var toAlice = publish(alice, "chat_message", "{\"questId\":\"q1\",\"secret\":\"for alice\"}");
        receiveAndAck(aliceSocket);
        assertThat(body(toAlice).get("clientCount").asInt()).isEqualTo(1);
        var toBob = publish(bob, "chat_message", "{\"questId\":\"q1\"}");

        JsonNode bobsFirst = receiveAndAck(bobSocket);
        assertThat(bobsFirst.get("userId").asText()).isEqualTo(bob);
        assertThat(bobsFirst.get("payload").has("secret")).isFalse();
        assertThat(body(toBob).get("clientCount").asInt()).isEqualTo(1);
    }
}
