package io.herald.server.lane;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.server.WsClient;
import java.net.URI;
import java.net.http.HttpClient;

/**
 * A {@link WsClient} on a lane, with the lane frames. Frames from one socket are handled by the server in
 * order, so a {@code pong} to a {@code ping} proves every earlier frame was processed.
 */
final class LaneClient extends WsClient {
    private LaneClient() {
    }

    /** An upgrade that must succeed. */
    static LaneClient open(HttpClient http, URI uri, String... headers) {
        return open(http, uri, new LaneClient(), headers);
    }

    /** Sends a {@code subscribe} frame with {@code filtersJson} (a JSON array). */
    void subscribe(String filtersJson) {
        send("{\"type\":\"subscribe\",\"filters\":" + filtersJson + "}");
    }

    /** Sends an {@code ack} frame; {@code resultJson} null leaves out the result key. */
    void ack(String envelopeId, String resultJson) {
        send("{\"type\":\"ack\",\"envelopeId\":\"" + envelopeId + "\"" + (resultJson == null ? "" : ",\"result\":" + resultJson) + "}");
    }

    /** Sends {@code ping} and expects {@code pong} as the next message: every earlier frame has been handled. */
    void sync() {
        send("ping");
        assertThat(next()).as("pong to the sync ping").isEqualTo("pong");
    }
}
