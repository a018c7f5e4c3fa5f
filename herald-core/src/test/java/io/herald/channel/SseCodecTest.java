package io.herald.channel;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.EncodedMessage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SseCodecTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String text(EncodedMessage m) {
        return new String(m.bytes(), StandardCharsets.UTF_8);
    }

    static JsonNode vectors() {
        try (InputStream in = SseCodecTest.class.getResourceAsStream("/vectors/protocol-workkit-sse.json")) {
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void anEventIsTheEventLineThenTheIdLineThenOneDataLineThenABlankLine() {
        EncodedMessage m = SseCodec.event("run.stage", 7, "{\"stage\":\"ai_verify\",\"progress\":40}");

        assertThat(m.bytes()).isEqualTo(
                "event: run.stage\nid: 7\ndata: {\"stage\":\"ai_verify\",\"progress\":40}\n\n".getBytes(StandardCharsets.UTF_8));
        assertThat(m.isText()).isTrue();
    }

    @Test
    void theFrameOfTheCapacityVectorMatchesByteForByte() {
        String expected = vectors().at("/capacity/frameSeenBySubscriber").asText();

        assertThat(text(SseCodec.event("e", 1, "{\"a\":1}"))).isEqualTo(expected);
    }

    @Test
    void nullDataIsTheLiteralNull() {
        assertThat(text(SseCodec.event("run.done", 4, "null"))).isEqualTo("event: run.done\nid: 4\ndata: null\n\n");
    }

    @Test
    void anEmptyEventNameOmitsTheEventLine() {
        assertThat(text(SseCodec.event("", 12, "3"))).isEqualTo("id: 12\ndata: 3\n\n");
    }

    @Test
    void dataWithNewlinesIsSplitIntoOneDataLinePerLine() {
        assertThat(text(SseCodec.event("multi", 2, "a\nb\nc"))).isEqualTo("event: multi\nid: 2\ndata: a\ndata: b\ndata: c\n\n");
    }

    @Test
    void aTrailingNewlineInDataGivesATrailingEmptyDataLineAsSplitWould() {
        assertThat(text(SseCodec.event("x", 1, "a\n"))).isEqualTo("event: x\nid: 1\ndata: a\ndata: \n\n");
    }

    @Test
    void jsonEscapedNewlinesStayOnOneDataLine() {
        assertThat(text(SseCodec.event("note", 2, "\"line1\\nline2\""))).isEqualTo("event: note\nid: 2\ndata: \"line1\\nline2\"\n\n");
    }

    @Test
    void nonAsciiDataIsUtf8() {
        EncodedMessage m = SseCodec.event("greet", 3, "\"héllo ✓\"");

        assertThat(m.bytes()).isEqualTo("event: greet\nid: 3\ndata: \"héllo ✓\"\n\n".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void noFrameEverContainsACarriageReturnOrARetryField() {
        String s = text(SseCodec.event("a.b", 99, "{\"k\":[1,2,3]}")) + text(SseCodec.CONNECTED) + text(SseCodec.KEEPALIVE);

        assertThat(s).doesNotContain("\r").doesNotContain("retry:");
    }

    @Test
    void theConnectedAndKeepaliveCommentsAreExact() {
        assertThat(text(SseCodec.CONNECTED)).isEqualTo(": connected\n\n");
        assertThat(text(SseCodec.KEEPALIVE)).isEqualTo(": keepalive\n\n");
    }

    @Test
    void theHeartbeatVectorIsConnectedFollowedByKeepalives() {
        String expected = vectors().at("/heartbeatStreamWithHeartbeatMs20").asText();

        assertThat(text(SseCodec.CONNECTED) + text(SseCodec.KEEPALIVE).repeat(4)).isEqualTo(expected);
    }

    @Test
    void aCommentDropsNewlinesFromItsText() {
        assertThat(text(SseCodec.comment("two\nlines\n"))).isEqualTo(": twolines\n\n");
    }

    @Test
    void aCommentMayBeEmpty() {
        assertThat(text(SseCodec.comment(""))).isEqualTo(": \n\n");
    }
}
