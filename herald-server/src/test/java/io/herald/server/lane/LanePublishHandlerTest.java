package io.herald.server.lane;

import static io.herald.server.lane.LaneServer.ACCESS_TOKEN;
import static io.herald.server.lane.LaneServer.jwt;
import static io.herald.server.lane.LaneServer.newUser;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.config.LanesConfig;
import io.herald.lane.LaneHub;
import io.herald.server.TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code POST /lanes/v1/publish} on a real server under the default policy ({@code server}): results, errors, the in-process API. */
class LanePublishHandlerTest {
    private static final long MAX_BODY = 2048;
    private static final String CHAT = "[{\"type\":\"chat_message\",\"questId\":\"q1\"}]";

    @TempDir
    static Path dir;
    static LaneServer server;

    @BeforeAll
    static void start() {
        server = LaneServer.start(dir, LanesConfig.defaults(), s -> s.withMaxBodyBytes(MAX_BODY));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String chatTo(String user, String extra) {
        return "{\"userId\":\"" + user + "\",\"type\":\"chat_message\",\"payload\":{\"questId\":\"q1\"}" + extra + "}";
    }

    private static JsonNode errorOf(HttpResponse<String> r) {
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        return TestServer.json(r.body());
    }

    // ---- results --------------------------------------------------------------------------------

    @Test
    void twoSocketsBothAckingAnswerWithBothResultsInArrivalOrder() {
        String user = newUser();
        LaneClient a = server.subscribed(user, CHAT);
        LaneClient b = server.subscribed(user, CHAT);

        var response = server.publishAsServer(chatTo(user, ""));
        String id = a.nextJson().get("envelopeId").asText();
        assertThat(b.nextJson().get("envelopeId").asText()).isEqualTo(id);
        b.ack(id, "{\"by\":\"b\"}");
        b.sync();
        a.ack(id, "{\"by\":\"a\"}");

        HttpResponse<String> r = LaneServer.join(response);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
        assertThat(r.body()).isEqualTo("{\"clientCount\":2,\"results\":[{\"by\":\"b\"},{\"by\":\"a\"}]}");
    }

    @Test
    void aSocketThatNeverAcksLetsTheTimeoutAnswerWithThePartialResults() {
        String user = newUser();
        LaneClient a = server.subscribed(user, CHAT);
        server.subscribed(user, CHAT);
        long start = System.nanoTime();

        var response = server.publishAsServer(chatTo(user, ",\"timeoutMs\":400"));
        a.ack(a.nextJson().get("envelopeId").asText(), "\"seen\"");

        assertThat(LaneServer.join(response).body()).isEqualTo("{\"clientCount\":2,\"results\":[\"seen\"]}");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
    }

    @Test
    void aTargetClosingBeforeItAcksLetsThePublishAnswerWithoutWaitingForTheTimeout() {
        String user = newUser();
        LaneClient a = server.subscribed(user, CHAT);
        LaneClient leaving = server.subscribed(user, CHAT);
        long start = System.nanoTime();

        var response = server.publishAsServer(chatTo(user, ",\"timeoutMs\":30000"));
        a.ack(a.nextJson().get("envelopeId").asText(), "\"a\"");
        leaving.nextJson();
        leaving.close();

        assertThat(LaneServer.join(response).body()).isEqualTo("{\"clientCount\":2,\"results\":[\"a\"]}");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void aPublishToAUserWithoutSocketsAnswersAtOnceWithZeroClients() {
        HttpResponse<String> r = server.publish(chatTo(newUser(), ",\"timeoutMs\":30000"),
                "Authorization", "Bearer " + ACCESS_TOKEN, "Content-Type", "application/json");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"clientCount\":0,\"results\":[]}");
    }

    @Test
    void anAckWithoutAResultIsReportedAsNull() {
        String user = newUser();
        LaneClient a = server.subscribed(user, CHAT);

        var response = server.publishAsServer(chatTo(user, ""));
        a.ack(a.nextJson().get("envelopeId").asText(), null);

        assertThat(LaneServer.join(response).body()).isEqualTo("{\"clientCount\":1,\"results\":[null]}");
    }

    @Test
    void theTypeDefaultsToMessageAndAnAbsentPayloadIsLeftOutWhileANullOneIsKept() {
        String user = newUser();
        LaneClient a = server.subscribed(user, "[{\"type\":\"message\"}]");

        var absent = server.publishAsServer("{\"userId\":\"" + user + "\"}");
        JsonNode first = a.nextJson();
        a.ack(first.get("envelopeId").asText(), null);
        LaneServer.join(absent);
        var nulled = server.publishAsServer("{\"userId\":\" " + user + " \",\"type\":null,\"payload\":null}");
        JsonNode second = a.nextJson();
        a.ack(second.get("envelopeId").asText(), null);
        LaneServer.join(nulled);

        assertThat(first.get("type").asText()).isEqualTo("message");
        assertThat(first.has("payload")).isFalse();
        assertThat(second.get("userId").asText()).as("trimmed").isEqualTo(user);
        assertThat(second.has("payload")).isTrue();
        assertThat(second.get("payload").isNull()).isTrue();
    }

    @Test
    void aTimeoutAboveTheMaximumIsAcceptedAndAcksStillAnswer() {
        String user = newUser();
        LaneClient a = server.subscribed(user, CHAT);

        var response = server.publishAsServer(chatTo(user, ",\"timeoutMs\":999999999999"));
        a.ack(a.nextJson().get("envelopeId").asText(), "1");

        assertThat(LaneServer.join(response).body()).isEqualTo("{\"clientCount\":1,\"results\":[1]}");
    }

    @Test
    void theInProcessApiPublishesAndReturnsTheSameResult() {
        String user = newUser();
        LaneClient a = server.subscribed(user, CHAT);
        LaneHub lanes = server.server().herald().lanes();

        var result = lanes.publish(user, "chat_message", TestServer.json("{\"questId\":\"q1\",\"n\":1}"), Duration.ofSeconds(5));
        JsonNode envelope = a.nextJson();
        a.ack(envelope.get("envelopeId").asText(), "{\"ok\":true}");

        assertThat(envelope.get("payload").get("n").asInt()).isEqualTo(1);
        assertThat(result).succeedsWithin(Duration.ofSeconds(5))
                .isEqualTo(new LaneHub.PublishResult(1, List.of(TestServer.json("{\"ok\":true}"))));
    }

    // ---- who may publish ------------------------------------------------------------------------

    @Test
    void underTheServerPolicyAValidUserTokenIsForbidden() {
        String user = newUser();

        HttpResponse<String> r = server.publish(chatTo(user, ""),
                "Authorization", "Bearer " + jwt(user), "Content-Type", "application/json");

        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(errorOf(r).get("error").asText()).isEqualTo("forbidden");
    }

    @Test
    void withoutCredentialsPublishIs401EvenWithTheWrongContentTypeOrAnOversizedBody() {
        String body = chatTo(newUser(), "");

        HttpResponse<String> none = server.publish(body, "Content-Type", "text/plain");
        HttpResponse<String> bad = server.publish(body, "Authorization", "Bearer not-a-token", "Content-Type", "text/plain");
        HttpResponse<String> expired = server.publish(body, "Authorization", "Bearer "
                + jwt(Map.of("userId", "u", "exp", Instant.now().minusSeconds(3600).getEpochSecond())),
                "Content-Type", "application/json");
        HttpResponse<String> wrongAccessToken = server.publish(body,
                "Authorization", "Bearer " + ACCESS_TOKEN + "x", "Content-Type", "application/json");
        HttpResponse<String> huge = server.publish("{\"userId\":\"u\",\"payload\":\"" + "x".repeat((int) MAX_BODY) + "\"}",
                "Content-Type", "application/json");

        assertThat(List.of(none, bad, expired, wrongAccessToken, huge)).allSatisfy(r -> {
            assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
            assertThat(errorOf(r).get("error").asText()).isIn("unauthenticated", "invalid_credentials");
        });
    }

    // ---- request errors -------------------------------------------------------------------------

    @Test
    void aBodyThatIsNotApplicationJsonIs415() {
        String body = chatTo(newUser(), "");

        HttpResponse<String> plain = server.publish(body, "Authorization", "Bearer " + ACCESS_TOKEN, "Content-Type", "text/plain");
        HttpResponse<String> none = server.publish(body, "Authorization", "Bearer " + ACCESS_TOKEN);
        HttpResponse<String> withCharset = server.publish(body, "Authorization", "Bearer " + ACCESS_TOKEN,
                "Content-Type", "Application/JSON; charset=utf-8");

        assertThat(plain.statusCode()).isEqualTo(415);
        assertThat(errorOf(plain).get("error").asText()).isEqualTo("unsupported_media_type");
        assertThat(none.statusCode()).isEqualTo(415);
        assertThat(withCharset.statusCode()).isEqualTo(200);
    }

    @Test
    void aBodyThatIsNotJsonIs400() {
        HttpResponse<String> r = server.publish("{\"userId\":", "Authorization", "Bearer " + ACCESS_TOKEN,
                "Content-Type", "application/json");

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(errorOf(r).get("error").asText()).isEqualTo("invalid_json");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "\"user_1\"", "null", "42", "{}", "{\"userId\":\"\"}", "{\"userId\":\"   \"}",
                            "{\"userId\":5}", "{\"userId\":null}", "{\"userId\":[\"user_1\"]}", "{\"user\":\"user_1\"}"})
    void aBodyWithoutAStringUserIdIs400UserIdIsRequired(String body) {
        HttpResponse<String> r = server.publish(body, "Authorization", "Bearer " + ACCESS_TOKEN, "Content-Type", "application/json");

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(errorOf(r).get("message").asText()).isEqualTo("userId is required");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"type\":5", "\"type\":{\"name\":\"t\"}", "\"type\":true", "\"timeoutMs\":\"soon\"", "\"timeoutMs\":0",
                            "\"timeoutMs\":-5"})
    void aNonStringTypeOrANonPositiveTimeoutIs400(String field) {
        HttpResponse<String> r = server.publish("{\"userId\":\"" + newUser() + "\"," + field + "}",
                "Authorization", "Bearer " + ACCESS_TOKEN, "Content-Type", "application/json");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(errorOf(r).get("error").asText()).isEqualTo("bad_request");
    }

    @Test
    void aBodyOverTheLimitIs413() {
        String body = "{\"userId\":\"" + newUser() + "\",\"payload\":\"" + "x".repeat((int) MAX_BODY) + "\"}";

        HttpResponse<String> r = server.publish(body, "Authorization", "Bearer " + ACCESS_TOKEN, "Content-Type", "application/json");

        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(errorOf(r).get("error").asText()).isEqualTo("payload_too_large");
    }

    @Test
    void getOnThePublishPathIsNotAPublish() {
        HttpResponse<String> r = server.send(server.request(server.publishPath(), "Authorization", "Bearer " + ACCESS_TOKEN).GET());

        assertThat(r.statusCode()).isIn(404, 405);
    }

    @Test
    void theServerCredentialMayPublishWhateverUserItTargets() {
        String user = newUser();
        LaneClient a = server.subscribed(user, CHAT);

        var response = server.publishAsync(chatTo(user, ""), "Authorization", "bearer " + ACCESS_TOKEN,
                "Content-Type", "application/json");
        a.ack(a.nextJson().get("envelopeId").asText(), "2");

        assertThat(LaneServer.join(response).body()).isEqualTo("{\"clientCount\":1,\"results\":[2]}");
    }
}
