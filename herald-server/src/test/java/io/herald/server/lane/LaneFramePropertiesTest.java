package io.herald.server.lane;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.config.LanesConfig;
import io.herald.server.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Locale;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Random text frames on one real lane socket: each is answered only with {@code pong}, a
 * {@code subscribed} / {@code unsubscribed} count within the per-socket cap, or an {@code error} whose
 * code is {@code bad_json}, {@code unknown_type} or {@code invalid_filter}; the socket stays open.
 */
class LaneFramePropertiesTest {
    private static final int MAX_FILTERS = 5;
    private static final Set<String> ERRORS = Set.of("bad_json", "unknown_type", "invalid_filter");
    private static LaneServer server;
    private static LaneClient socket;

    @BeforeContainer
    static void start() throws java.io.IOException {
        server = LaneServer.start(Files.createTempDirectory("lane-frames"),
                new LanesConfig(null, null, MAX_FILTERS, null, null, null, null, null));
        socket = server.connect(LaneServer.newUser());
    }

    @AfterContainer
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Provide
    Arbitrary<String> frames() {
        Arbitrary<String> scalar = Arbitraries.oneOf(
                Arbitraries.of("null", "true", "1", "-1.5e300", "99999999999999999999", "\"\"", "\" a \"", "\"a\"", "\"b\"", "[]", "{}"),
                Arbitraries.strings().alpha().ofMaxLength(4).map(s -> "\"" + s + "\""));
        Arbitrary<String> filter = Combinators.combine(Arbitraries.of("type", "kind", "id", ""), scalar, Arbitraries.of("kind", "x"), scalar)
                .as((k1, v1, k2, v2) -> "{\"" + k1 + "\":" + v1 + ",\"" + k2 + "\":" + v2 + "}");
        Arbitrary<String> filters = Arbitraries.oneOf(filter.list().ofMaxSize(8).map(l -> "[" + String.join(",", l) + "]"), scalar);
        Arbitrary<String> typed = Combinators.combine(
                        Arbitraries.of("subscribe", "unsubscribe", "ack", "SUBSCRIBE", "nope", ""), filters, scalar, Arbitraries.of("", ",\"type\":1"))
                .as((t, f, id, extra) -> "{\"type\":\"" + t + "\",\"filters\":" + f + ",\"envelopeId\":" + id + ",\"result\":" + id + extra + "}");
        return Arbitraries.oneOf(typed, scalar, Arbitraries.of("ping", " PING ", "Ping\n", "{", "[{\"type\":\"subscribe\"}]",
                        "{\"type\":{\"a\":1}}", "{\"type\":\"subscribe\"}", "[".repeat(40) + "]".repeat(40),
                        "{\"a\":".repeat(40) + "1" + "}".repeat(40)),
                        Arbitraries.strings().ofMaxLength(30))
                .filter(s -> s.equals(new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)));
    }

    @Property(tries = 300)
    void anyTextFrameIsAnsweredOnlyWithAProtocolReplyAndTheSocketStaysOpen(@ForAll("frames") String text) {
        socket.send(text);
        socket.send("ping");
        int pongs = text.trim().toLowerCase(Locale.ROOT).equals("ping") ? 2 : 1;
        while (pongs > 0) {
            String reply = socket.next();
            if (reply.equals("pong")) {
                pongs--;
                continue;
            }
            JsonNode r = TestServer.json(reply);
            String type = r.path("type").asText();
            assertThat(type).as("reply %s to %s", reply, text).isIn("subscribed", "unsubscribed", "error");
            if (type.equals("error")) {
                assertThat(r.path("code").asText()).isIn(ERRORS);
            } else {
                assertThat(r.path("count").asInt()).isBetween(0, MAX_FILTERS);
                assertThat(r.path("ignored").asInt()).isNotNegative();
            }
        }
        assertThat(socket.isClosed()).isFalse();
    }
}
