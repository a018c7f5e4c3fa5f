package io.herald.server.transport;

import io.herald.ErrorCode;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;

/**
 * What a client may do wrong on an open WebSocket, each with its code in the error table: the close
 * code it gets. {@link WebSocketTransport#violated} is the one place such a socket is closed, whoever
 * found the violation: Netty's frame decoder and UTF-8 validator (both configured not to close by
 * themselves: {@link DirectUpgrades}), the message aggregator, or a room's own limits.
 *
 * <p>A violation that leaves the frame stream unreadable {@link #failsConnection() fails the connection}
 * (RFC 6455 §7.1.7): the close frame is sent and the connection cut once it is written, as Netty did,
 * since the peer's answer could not be read anyway. The others close with the usual handshake.
 */
public enum InboundViolation {
    /** A frame that breaks RFC 6455: unmasked, a reserved opcode or bit, a length not minimally encoded, a malformed close frame. */
    PROTOCOL(ErrorCode.PROTOCOL_ERROR, "protocol error", true),
    /** Text (or a close reason) that is not valid UTF-8, across fragments too (RFC 6455 §8.1). */
    INVALID_UTF8(ErrorCode.INVALID_TEXT, "invalid UTF-8", true),
    /** A frame over the endpoint's frame limit: the decoder reads nothing after it. */
    FRAME_TOO_LARGE(ErrorCode.PAYLOAD_TOO_LARGE, "frame too large", true),
    /** A message over a limit: its frames together (the aggregator), or a room's {@code maxMessageBytes}. */
    MESSAGE_TOO_LARGE(ErrorCode.PAYLOAD_TOO_LARGE, "message too large", false),
    /** Messages faster than a room's rate. */
    RATE(ErrorCode.TOO_MANY_REQUESTS, "rate limit", false);

    private final ErrorCode code;
    private final String reason;
    private final boolean failsConnection;

    InboundViolation(ErrorCode code, String reason, boolean failsConnection) {
        this.code = code;
        this.reason = reason;
        this.failsConnection = failsConnection;
    }

    /** The error table's code: its close code is what the client gets. */
    public ErrorCode code() {
        return code;
    }

    /** The close reason when the finder gives none. */
    public String reason() {
        return reason;
    }

    /** Whether the frame stream is unreadable after it: the connection is cut once the close frame is written. */
    public boolean failsConnection() {
        return failsConnection;
    }

    /**
     * The violation an exception from the inbound pipeline reports, or null when it reports none: Netty's
     * decoder and UTF-8 validator throw a {@link CorruptedWebSocketFrameException} (1009 for a frame over
     * the limit, 1007 for invalid UTF-8, 1002 for the rest), the aggregator fires a {@link TooLongFrameException}.
     */
    public static InboundViolation of(Throwable cause) {
        Throwable c = unwrap(cause);
        if (c instanceof CorruptedWebSocketFrameException corrupted) {
            WebSocketCloseStatus status = corrupted.closeStatus();
            return WebSocketCloseStatus.MESSAGE_TOO_BIG.equals(status) ? FRAME_TOO_LARGE
                    : WebSocketCloseStatus.INVALID_PAYLOAD_DATA.equals(status) ? INVALID_UTF8
                    : PROTOCOL;
        }
        return c instanceof TooLongFrameException ? MESSAGE_TOO_LARGE : null;
    }

    /** The reason Netty gave ({@code Max frame length of 65536 has been exceeded.}), when it gave one. */
    static String detail(Throwable cause) {
        Throwable c = unwrap(cause);
        return c instanceof CorruptedWebSocketFrameException ? c.getMessage() : null;
    }

    /** The decoder's own exception when the pipeline wrapped it in a {@link DecoderException}. */
    private static Throwable unwrap(Throwable cause) {
        return cause instanceof DecoderException && cause.getCause() instanceof CorruptedWebSocketFrameException
                ? cause.getCause() : cause;
    }
}
