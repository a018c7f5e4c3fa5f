package io.herald.server.channel;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.server.RawWebSocket;
import java.nio.file.Files;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * {@code Last-Event-ID} and {@code ?lastEventId=} as a client may send them (huge, negative, non-numeric,
 * unicode digits): the id is read without an exception, and the stream and poll routes of a real server
 * answer 200 (a replay or a {@code realtime.reset}) or 400, never 500.
 */
class LastEventIdPropertiesTest {
    private static ChannelServer server;

    @BeforeContainer
    static void start() throws java.io.IOException {
        server = ChannelServer.start(ChannelServer.config(Files.createTempDirectory("last-event-id").resolve("herald.db"),
                ChannelServer.rules().withLimits(100, 30_000, 5, 60_000, 1000)));
        for (int i = 0; i < 8; i++) {
            server.publish("pub:resume", "e", Integer.toString(i));
        }
    }

    @AfterContainer
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Provide
    Arbitrary<String> values() {
        return Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(30),
                Arbitraries.strings().withChars("0123456789 -+\t\u0660\u0661\uFF11e.x").ofMaxLength(30),
                Arbitraries.bigIntegers().between(java.math.BigInteger.TEN.pow(25).negate(), java.math.BigInteger.TEN.pow(25))
                        .map(Object::toString),
                Arbitraries.of("9223372036854775807", "9223372036854775808", "-9223372036854775808", "0", "00000000000000000000001"));
    }

    @Property(tries = 10000)
    void anyHeaderOrParameterGivesAnIdOfZeroOrMore(@ForAll("values") String header, @ForAll("values") String param,
            @ForAll boolean headerSent) {
        String h = headerSent ? header : null;
        long id = ChannelsHandler.lastEventId(h, param);
        String v = h != null ? h.trim() : param;
        assertThat(id).isNotNegative();
        if (v.isEmpty() || !v.chars().allMatch(c -> c >= '0' && c <= '9')) {
            assertThat(id).isZero();
        } else {
            assertThat(id).isEqualTo(new java.math.BigInteger(v).min(java.math.BigInteger.valueOf(Long.MAX_VALUE)).longValueExact());
        }
    }

    /** Header values the HTTP/1 request line and headers can carry: printable Latin-1, no CR or LF. */
    @Provide
    Arbitrary<String> wireValues() {
        return values().map(s -> s.chars().filter(c -> c >= 0x20 && c <= 0xFF && c != 0x7F)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString().trim());
    }

    @Property(tries = 40)
    void theStreamAndPollRoutesAnswerAnyIdWith200Or400(@ForAll("wireValues") String header, @ForAll("wireValues") String param,
            @ForAll boolean headerSent, @ForAll boolean stream) {
        String query = java.net.URLEncoder.encode(param, java.nio.charset.StandardCharsets.UTF_8);
        String path = (stream ? "/channels/v1/sse/pub:resume" : "/channels/v1/poll/pub:resume") + "?lastEventId=" + query;
        String head = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close"
                + (headerSent ? "\r\nLast-Event-ID: " + header : "");
        RawWebSocket.Response r = RawWebSocket.request(server.port(), head);
        assertThat(r.status()).as("%s -> %s", head, r.body()).isIn(Set.of(200, 400));
        if (r.status() == 200 && !stream) {
            assertThat(ChannelServer.json(r.body()).isArray()).isTrue();
        }
    }

    @Property(tries = 20)
    void aQueryThatIsNotPercentEncodedIsAnsweredWith200Or400(@ForAll("rawQueries") String raw) {
        RawWebSocket.Response r = RawWebSocket.request(server.port(),
                "GET /channels/v1/poll/pub:resume?lastEventId=" + raw + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close");
        assertThat(r.status()).as("?lastEventId=%s -> %s", raw, r.body()).isIn(Set.of(200, 400));
    }

    @Provide
    Arbitrary<String> rawQueries() {
        return Arbitraries.strings().withChars("%0123456789abcdefZz+&=;").ofMaxLength(12);
    }
}
