package io.herald.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.server.TestServer;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Text that is not valid Unicode (a lone UTF-16 surrogate, written {@code "\ud800"} in JSON) is refused
 * where it enters, on every publish endpoint, with 400 {@code bad_request} naming the field; nothing of it
 * is stored, so nothing fails later.
 */
class UnicodeTextTest {
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start("channels:\n  public: [clean]\n");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "/channels/v1/publish   | {\"channel\":\"news\",\"event\":\"e\",\"data\":{\"items\":[\"ok\",\"\\ud800\"]}} | data.items[1]",
        "/broadcast/v1/broadcast | {\"event\":\"hello\",\"organizationId\":\"org_1\",\"payload\":{\"t\":\"a\\ud83d\"}} | payload.t",
        "/broadcast/v1/changes  | {\"table\":\"notes\",\"eventType\":\"INSERT\",\"organizationId\":\"org_1\",\"new\":{\"id\":\"\\udfff\"}} | new.id",
        "/lanes/v1/publish      | {\"userId\":\"u_1\",\"type\":\"t\",\"payload\":{\"x\":\"\\ud800\\ud800\"}}       | payload.x",
    })
    void aLoneSurrogateIsRefusedWith400NamingTheField(String path, String body, String field) {
        HttpResponse<String> r = server.publish(path.trim(), body.trim());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        JsonNode error = TestServer.json(r.body());
        assertThat(error.get("error").asText()).isEqualTo("bad_request");
        assertThat(error.get("message").asText()).startsWith(field.trim()).contains("not valid Unicode");
    }

    @Test
    void aRefusedChannelEventLeavesTheChannelReadable() {
        assertThat(server.publish("/channels/v1/publish", "{\"channel\":\"clean\",\"event\":\"e\",\"data\":\"\\ud800\"}").statusCode())
                .isEqualTo(400);
        // a surrogate pair is valid: one emoji, kept as it is
        assertThat(server.publish("/channels/v1/publish", "{\"channel\":\"clean\",\"event\":\"e\",\"data\":\"\\ud83d\\ude00\"}")
                .statusCode()).isEqualTo(200);
        HttpResponse<String> poll = server.get("/channels/v1/poll/clean");
        assertThat(poll.statusCode()).isEqualTo(200);
        JsonNode events = TestServer.json(poll.body());
        assertThat(events).hasSize(1);
        assertThat(events.get(0).get("data").asText()).isEqualTo("\uD83D\uDE00");
    }
}
