package io.herald.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.ErrorCode;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One inbound-violation path: whatever finds the client at fault, the socket gets one close frame with the
 * error table's close code, written by Herald (Netty's decoder and validator write none of their own).
 */
class InboundViolationTest {
    private static final int MAX_FRAME = 1024;

    @Test
    void nettysExceptionsMapToTheErrorTable() {
        assertThat(InboundViolation.of(new CorruptedWebSocketFrameException(WebSocketCloseStatus.MESSAGE_TOO_BIG, "big")))
                .isEqualTo(InboundViolation.FRAME_TOO_LARGE);
        assertThat(InboundViolation.of(new CorruptedWebSocketFrameException(WebSocketCloseStatus.INVALID_PAYLOAD_DATA, "utf8")))
                .isEqualTo(InboundViolation.INVALID_UTF8);
        assertThat(InboundViolation.of(new CorruptedWebSocketFrameException(WebSocketCloseStatus.PROTOCOL_ERROR, "rsv")))
                .isEqualTo(InboundViolation.PROTOCOL);
        assertThat(InboundViolation.of(new DecoderException(
                new CorruptedWebSocketFrameException(WebSocketCloseStatus.PROTOCOL_ERROR, "wrapped")))).isEqualTo(InboundViolation.PROTOCOL);
        assertThat(InboundViolation.of(new TooLongFrameException("joined"))).isEqualTo(InboundViolation.MESSAGE_TOO_LARGE);
        assertThat(InboundViolation.of(new java.io.IOException("reset"))).isNull();

        assertThat(InboundViolation.FRAME_TOO_LARGE.code()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
        assertThat(InboundViolation.MESSAGE_TOO_LARGE.code()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
        assertThat(InboundViolation.INVALID_UTF8.code()).isEqualTo(ErrorCode.INVALID_TEXT);
        assertThat(InboundViolation.PROTOCOL.code()).isEqualTo(ErrorCode.PROTOCOL_ERROR);
        assertThat(InboundViolation.RATE.code()).isEqualTo(ErrorCode.TOO_MANY_REQUESTS);
        // the codes clients have always seen
        assertThat(List.of(ErrorCode.PAYLOAD_TOO_LARGE, ErrorCode.INVALID_TEXT, ErrorCode.PROTOCOL_ERROR, ErrorCode.TOO_MANY_REQUESTS))
                .extracting(ErrorCode::closeCode).containsExactly(1009, 1007, 1002, 1008);
    }

    @Test
    void anUnmaskedFrameFailsTheConnectionWith1002() {
        assertFails(new ClientFrame(true, 0, ClientFrame.TEXT, false, 0, bytes("hi"), 0), 1002);
    }

    @Test
    void aReservedBitFailsTheConnectionWith1002() {
        assertFails(new ClientFrame(true, 4, ClientFrame.TEXT, true, 0x1234_5678, bytes("hi"), 0), 1002);
    }

    @Test
    void textThatIsNotUtf8FailsTheConnectionWith1007() {
        assertFails(ClientFrame.of(ClientFrame.TEXT, new byte[] {'a', (byte) 0xC3, 0x28}), 1007);
    }

    @Test
    void aFrameOverTheLimitFailsTheConnectionWith1009AndNettysReason() {
        EmbeddedDirectSocket s = assertFails(ClientFrame.of(ClientFrame.BINARY, new byte[MAX_FRAME + 1]), 1009);
        assertThat(new String(s.serverFrames().get(0).payload(), 2, s.serverFrames().get(0).payload().length - 2, StandardCharsets.UTF_8))
                .isEqualTo("Max frame length of " + MAX_FRAME + " has been exceeded.");
    }

    @Test
    void aCloseCodeThePeerMayNotSendIsAnsweredWith1002() {
        // 1005 Netty's decoder refuses; 5000 it lets through to the socket's handler: the same answer either way
        assertFails(ClientFrame.of(ClientFrame.CLOSE, ClientFrame.closeBody(1005, new byte[0])), 1002);
        assertFails(ClientFrame.of(ClientFrame.CLOSE, ClientFrame.closeBody(5000, new byte[0])), 1002);
    }

    @Test
    void aMessageOverTheLimitIsClosedWith1009ByTheHandshakeNotCut() {
        EmbeddedDirectSocket s = new EmbeddedDirectSocket(MAX_FRAME, MAX_FRAME);
        s.feed(ClientFrame.encode(List.of(new ClientFrame(false, 0, ClientFrame.TEXT, true, 0x0102_0304, new byte[MAX_FRAME], 0),
                new ClientFrame(true, 0, ClientFrame.CONTINUATION, true, 0x0102_0304, new byte[10], 0))));
        assertThat(s.serverFrames()).singleElement().satisfies(f -> {
            assertThat(f.opcode()).isEqualTo(ClientFrame.CLOSE);
            assertThat(f.closeCode()).isEqualTo(1009);
        });
        // the frame stream is still readable: the peer's close ends it
        assertThat(s.isOpen()).isTrue();
        s.feed(ClientFrame.of(ClientFrame.CLOSE, ClientFrame.closeBody(1000, new byte[0])).encode());
        assertThat(s.isOpen()).isFalse();
        assertThat(s.delivered).isEmpty();
    }

    /** Sends {@code frame} to a fresh socket: one close frame with {@code code}, the connection cut at once, nothing delivered. */
    private static EmbeddedDirectSocket assertFails(ClientFrame frame, int code) {
        EmbeddedDirectSocket s = new EmbeddedDirectSocket(MAX_FRAME, 0);
        s.feed(frame.encode());
        // what else the client sends is never read
        s.feed(ClientFrame.of(ClientFrame.TEXT, bytes("after")).encode());
        assertThat(s.serverFrames()).as("frames written after %s", frame).singleElement().satisfies(f -> {
            assertThat(f.opcode()).isEqualTo(ClientFrame.CLOSE);
            assertThat(f.closeCode()).isEqualTo(code);
        });
        assertThat(s.isOpen()).as("cut once the close is written").isFalse();
        assertThat(s.delivered).isEmpty();
        return s;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
