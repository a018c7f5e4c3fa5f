package io.herald.server.transport;

import java.io.ByteArrayOutputStream;
import java.util.List;

/**
 * What RFC 6455 and Herald's limits say should become of a client's frames: the first frame that breaks a
 * rule ends the connection with a refusal, a valid close is echoed, anything else keeps it open. Invalid
 * UTF-8 in a text message is noted apart, as closing for it (1007) is allowed but not yet required.
 */
final class FrameModel {
    enum Kind {
        OPEN, ECHO, VIOLATION,
        /**
         * A malformed close frame: Netty's decoder takes it as the start of the closing handshake and cuts the
         * connection without a close frame of its own, which RFC 6455 §7.1.7 allows (it only SHOULD send one).
         */
        BAD_CLOSE
    }

    /**
     * @param echoCode for {@link Kind#ECHO}, the close code to echo, -1 for an empty close
     * @param badUtf8Before whether a text message that cannot be valid UTF-8 came before the verdict
     */
    record Verdict(Kind kind, int echoCode, boolean badUtf8Before) {
    }

    private FrameModel() {
    }

    /** {@code maxMessageBytes} 0: frames are not joined, so only the frame limit applies. */
    static Verdict judge(List<ClientFrame> frames, int maxFrameBytes, int maxMessageBytes) {
        boolean fragmented = false;
        boolean text = false;
        boolean badUtf8 = false;
        long messageBytes = 0;
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        for (ClientFrame f : frames) {
            int op = f.opcode();
            boolean known = op <= ClientFrame.BINARY || op >= ClientFrame.CLOSE && op <= ClientFrame.PONG;
            if (f.rsv() != 0 || !f.masked() || !known || f.isControl() && (!f.fin() || f.payload().length > 125)
                    || !f.minimalLength() || f.payload().length > maxFrameBytes) {
                return new Verdict(Kind.VIOLATION, 0, badUtf8);
            }
            if (op == ClientFrame.CLOSE) {
                byte[] p = f.payload();
                if (p.length == 0) {
                    return new Verdict(Kind.ECHO, -1, badUtf8);
                }
                if (p.length == 1 || !ClientFrame.validCloseCode(ClientFrame.closeCodeOf(f)) || !ClientFrame.validUtf8(p, 2)) {
                    return new Verdict(Kind.BAD_CLOSE, 0, badUtf8);
                }
                return new Verdict(Kind.ECHO, ClientFrame.closeCodeOf(f), badUtf8);
            }
            if (f.isControl()) {
                continue;
            }
            if (op == ClientFrame.CONTINUATION) {
                if (!fragmented) {
                    return new Verdict(Kind.VIOLATION, 0, badUtf8);
                }
                messageBytes += f.payload().length;
                if (maxMessageBytes > 0 && messageBytes > maxMessageBytes) {
                    return new Verdict(Kind.VIOLATION, 0, badUtf8);
                }
            } else {
                if (fragmented) {
                    return new Verdict(Kind.VIOLATION, 0, badUtf8);
                }
                text = op == ClientFrame.TEXT;
                message.reset();
                messageBytes = f.payload().length;
            }
            if (text) {
                message.writeBytes(f.payload());
                // conservative: a message cut inside a character counts too, as a validator may refuse it early
                badUtf8 |= !ClientFrame.validUtf8(message.toByteArray(), 0);
            }
            fragmented = !f.fin();
        }
        return new Verdict(Kind.OPEN, 0, badUtf8);
    }
}
