package io.herald.server.channel;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.config.ChannelsConfig;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code POST /channels/v1/publish}: the server credential, the body rules and the answer. */
class ChannelPublishTest {
    private static final int MAX_BODY = 2048;

    @TempDir
    static Path dir;
    private static ChannelServer server;

    @BeforeAll
    static void start() {
        ChannelsConfig channels = ChannelServer.rules().withLimits(10, 30_000, 5, 60_000, 1000);
        server = ChannelServer.start(ChannelServer.config(dir.resolve("herald.db"), channels,
                sc -> sc.withMaxBodyBytes(MAX_BODY)));
    }

    @AfterEach
    void closeStreams() {
        server.closeStreams();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static void assertError(HttpResponse<String> r, int status, String code) {
        assertThat(r.statusCode()).as("status, body %s", r.body()).isEqualTo(status);
        assertThat(ChannelServer.json(r.body()).get("error").asText()).isEqualTo(code);
    }

    private static HttpResponse<String> post(String body, String... headers) {
        return server.send("POST", "/channels/v1/publish", body, headers);
    }

    @Test
    void aPublishAnswersDeliveredAndIdAndReachesTheStream() {
        SseStream s = server.stream("/sse/pub:api");

        HttpResponse<String> r = server.publishRaw("{\"channel\":\"pub:api\",\"event\":\"run.stage\",\"data\":{\"p\":40}}");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(r.body()).isEqualTo("{\"delivered\":1,\"id\":1}");
        assertThat(s.awaitText(t -> t.endsWith("}\n\n"))).isEqualTo(": connected\n\nevent: run.stage\nid: 1\ndata: {\"p\":40}\n\n");
    }

    @Test
    void nullDataIsAllowedAndSentAsNull() {
        SseStream s = server.stream("/sse/pub:null");

        JsonNode answer = server.publish("pub:null", "run.done", "null");

        assertThat(answer.get("id").asLong()).isEqualTo(1);
        assertThat(s.awaitEndsWith("data: null\n\n")).isEqualTo(": connected\n\nevent: run.done\nid: 1\ndata: null\n\n");
    }

    @Test
    void anyJsonValueIsData() {
        SseStream s = server.stream("/sse/pub:values");

        server.publish("pub:values", "a", "[1,\"two\",{\"three\":3}]");
        server.publish("pub:values", "b", "\"text\"");
        server.publish("pub:values", "c", "true");
        server.publish("pub:values", "d", "-1.5e3");

        assertThat(s.awaitEndsWith("id: 4\ndata: -1500.0\n\n").lines().filter(l -> l.startsWith("data: ")).toList())
                .containsExactly("data: [1,\"two\",{\"three\":3}]", "data: \"text\"", "data: true", "data: -1500.0");
    }

    @Test
    void withoutTheAccessTokenItIs401() {
        String body = "{\"channel\":\"pub:x\",\"event\":\"e\",\"data\":1}";

        assertError(post(body, "Content-Type", "application/json"), 401, "unauthenticated");
        assertError(post(body, "Content-Type", "application/json", "Authorization", "Bearer wrong-token"), 401,
                "invalid_credentials");
        assertError(post(body, "Content-Type", "application/json", "Authorization", "Bearer " + ChannelServer.jwt("u_1", "acme")),
                401, "invalid_credentials");
        assertThat(server.herald().channels().poll("pub:x", 0)).as("nothing was published").isEmpty();
    }

    @Test
    void aBodyThatIsNotJsonMediaTypeIs415() {
        assertError(post("{\"channel\":\"pub:x\",\"event\":\"e\",\"data\":1}", "Authorization", "Bearer " + ChannelServer.ACCESS_TOKEN,
                "Content-Type", "text/plain"), 415, "unsupported_media_type");
    }

    @Test
    void missingDataIs400() {
        assertError(server.publishRaw("{\"channel\":\"pub:x\",\"event\":\"e\"}"), 400, "bad_request");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"channel\":\"pub:x\",\"data\":1}",
        "{\"channel\":\"pub:x\",\"event\":\"\",\"data\":1}",
        "{\"channel\":\"pub:x\",\"event\":\"two\\nlines\",\"data\":1}",
        "{\"channel\":\"pub:x\",\"event\":\"cr\\r\",\"data\":1}",
        "{\"channel\":\"pub:x\",\"event\":7,\"data\":1}",
        "{\"channel\":\"pub:x\",\"event\":null,\"data\":1}"})
    void aMissingEmptyOrMultiLineEventNameIs400(String body) {
        assertError(server.publishRaw(body), 400, "bad_request");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"event\":\"e\",\"data\":1}",
        "{\"channel\":\"bad name\",\"event\":\"e\",\"data\":1}",
        "{\"channel\":\"a/b\",\"event\":\"e\",\"data\":1}",
        "{\"channel\":\"\",\"event\":\"e\",\"data\":1}",
        "{\"channel\":42,\"event\":\"e\",\"data\":1}"})
    void aMissingOrBadChannelNameIs400(String body) {
        assertError(server.publishRaw(body), 400, "bad_request");
    }

    @Test
    void aBodyThatIsNotAJsonObjectIs400() {
        assertError(server.publishRaw("[1,2]"), 400, "bad_request");
        assertError(server.publishRaw("{not json"), 400, "invalid_json");
        assertError(server.publishRaw(""), 400, "bad_request");
    }

    @Test
    void aBodyOverTheLimitIs413() {
        String big = "\"" + "x".repeat(MAX_BODY) + "\"";

        assertError(server.publishRaw("{\"channel\":\"pub:big\",\"event\":\"e\",\"data\":" + big + "}"), 413, "payload_too_large");
        assertThat(server.herald().channels().poll("pub:big", 0)).isEmpty();
    }

    @Test
    void getOnThePublishPathIs405() {
        assertError(server.get("/channels/v1/publish", "Authorization", "Bearer " + ChannelServer.ACCESS_TOKEN), 405,
                "method_not_allowed");
    }
}
