package io.herald.server.transport;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * One WebSocket frame as a client could put it on the wire, rule-abiding or not: any FIN, RSV bits and
 * opcode, masked or not, with its length written in the minimal form or a longer one (RFC 6455 §5.2).
 *
 * @param lengthForm 0: the minimal length encoding; 1: the 16-bit form; 2: the 64-bit form
 */
public record ClientFrame(boolean fin, int rsv, int opcode, boolean masked, int maskKey, byte[] payload, int lengthForm) {
    public static final int CONTINUATION = 0x0;
    public static final int TEXT = 0x1;
    public static final int BINARY = 0x2;
    public static final int CLOSE = 0x8;
    public static final int PING = 0x9;
    public static final int PONG = 0xA;

    /** A final, masked frame with no RSV bits and the minimal length encoding. */
    public static ClientFrame of(int opcode, byte[] payload) {
        return new ClientFrame(true, 0, opcode, true, 0x5a3c_1e7f, payload, 0);
    }

    @Override
    public String toString() {
        return "ClientFrame[fin=" + fin + ", rsv=" + rsv + ", opcode=" + opcode + ", masked=" + masked + ", lengthForm=" + lengthForm
                + ", payload=" + java.util.HexFormat.of().formatHex(payload) + "]";
    }

    public boolean isControl() {
        return (opcode & 0x8) != 0;
    }

    /** Whether the length is written in the shortest form that holds it, as Netty requires. */
    public boolean minimalLength() {
        int n = payload.length;
        return lengthForm == 0 || (lengthForm == 1 && n >= 126 && n <= 0xFFFF) || (lengthForm == 2 && n > 0xFFFF);
    }

    /** The frame's bytes. */
    public byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + 14);
        out.write((fin ? 0x80 : 0) | (rsv & 0x7) << 4 | (opcode & 0xF));
        int maskBit = masked ? 0x80 : 0;
        int n = payload.length;
        int form = lengthForm != 0 ? lengthForm : n < 126 ? 0 : n <= 0xFFFF ? 1 : 2;
        if (form == 0) {
            out.write(maskBit | n);
        } else if (form == 1) {
            out.write(maskBit | 126);
            out.write(n >>> 8 & 0xFF);
            out.write(n & 0xFF);
        } else {
            out.write(maskBit | 127);
            for (int i = 7; i >= 0; i--) {
                out.write((int) ((long) n >>> (8 * i)) & 0xFF);
            }
        }
        byte[] key = {(byte) (maskKey >>> 24), (byte) (maskKey >>> 16), (byte) (maskKey >>> 8), (byte) maskKey};
        if (masked) {
            out.writeBytes(key);
        }
        for (int i = 0; i < n; i++) {
            out.write(masked ? payload[i] ^ key[i % 4] : payload[i]);
        }
        return out.toByteArray();
    }

    /**
     * Sequences of 1..8 frames, mostly well-formed but with every field sometimes wrong: FIN, RSV bits,
     * opcodes, masking, non-minimal lengths, close bodies with any code and reason, payloads about
     * {@code maxFrame} long.
     */
    public static Arbitrary<List<ClientFrame>> sequences(int maxFrame) {
        Arbitrary<byte[]> closeBodies = Arbitraries.oneOf(
                Combinators.combine(
                        Arbitraries.oneOf(Arbitraries.of(0, 999, 1000, 1002, 1004, 1005, 1006, 1007, 1012, 1014, 1015, 1016,
                                2999, 3000, 4999, 5000, 65535), Arbitraries.integers().between(0, 65535)),
                        Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(20).map(s -> s.getBytes(StandardCharsets.UTF_8)),
                                Arbitraries.bytes().array(byte[].class).ofMaxSize(8)))
                        .as(ClientFrame::closeBody),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(2));
        Arbitrary<byte[]> payloads = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.bytes().array(byte[].class).ofMaxSize(130)),
                Tuple.of(3, Arbitraries.strings().ofMaxLength(60).map(s -> s.getBytes(StandardCharsets.UTF_8))),
                Tuple.of(3, closeBodies),
                Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMinSize(maxFrame - 8).ofMaxSize(maxFrame + 8)));
        Arbitrary<ClientFrame> frames = Combinators.combine(
                Arbitraries.frequency(Tuple.of(5, true), Tuple.of(1, false)),
                Arbitraries.frequencyOf(Tuple.of(12, Arbitraries.just(0)), Tuple.of(1, Arbitraries.integers().between(1, 7))),
                Arbitraries.frequencyOf(Tuple.of(12, Arbitraries.of(CONTINUATION, TEXT, BINARY, CLOSE, PING, PONG)),
                        Tuple.of(1, Arbitraries.integers().between(0, 15))),
                Arbitraries.frequency(Tuple.of(15, true), Tuple.of(1, false)),
                Arbitraries.integers(),
                payloads,
                Arbitraries.frequencyOf(Tuple.of(15, Arbitraries.just(0)), Tuple.of(1, Arbitraries.integers().between(1, 2))))
                .as(ClientFrame::new);
        return frames.list().ofMinSize(1).ofMaxSize(8);
    }

    /** The bytes of {@code frames} one after the other. */
    public static byte[] encode(List<ClientFrame> frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        frames.forEach(f -> out.writeBytes(f.encode()));
        return out.toByteArray();
    }

    /** A close frame's body: the code, big-endian, then the reason. */
    public static byte[] closeBody(int code, byte[] reason) {
        byte[] b = new byte[2 + reason.length];
        b[0] = (byte) (code >>> 8);
        b[1] = (byte) code;
        System.arraycopy(reason, 0, b, 2, reason.length);
        return b;
    }

    /** The code in a close frame's body, or -1 when the body is shorter than a code. */
    public static int closeCodeOf(ClientFrame close) {
        byte[] p = close.payload();
        return p.length >= 2 ? (p[0] & 0xFF) << 8 | p[1] & 0xFF : -1;
    }

    /** Whether a peer may send {@code code} in a close frame (RFC 6455 §7.4). */
    public static boolean validCloseCode(int code) {
        return code >= 1000 && code <= 1003 || code >= 1007 && code <= 1014 || code >= 3000 && code <= 4999;
    }

    public static boolean validUtf8(byte[] bytes, int from) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, from, bytes.length - from));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** A frame a server wrote (unmasked, as servers send them). */
    public record ServerFrame(boolean fin, int opcode, byte[] payload) {
        /** The close code of a close frame, or -1 when its body is empty. */
        public int closeCode() {
            return payload.length >= 2 ? (payload[0] & 0xFF) << 8 | payload[1] & 0xFF : -1;
        }
    }

    /** Splits a server's bytes into frames; a trailing partial frame is left out. */
    public static List<ServerFrame> parseServerFrames(byte[] bytes) {
        List<ServerFrame> frames = new ArrayList<>();
        int i = 0;
        while (i + 2 <= bytes.length) {
            int b0 = bytes[i] & 0xFF;
            int b1 = bytes[i + 1] & 0xFF;
            if ((b1 & 0x80) != 0) {
                throw new AssertionError("the server masked a frame");
            }
            int len = b1 & 0x7F;
            int at = i + 2;
            if (len == 126) {
                if (at + 2 > bytes.length) {
                    break;
                }
                len = (bytes[at] & 0xFF) << 8 | bytes[at + 1] & 0xFF;
                at += 2;
            } else if (len == 127) {
                if (at + 8 > bytes.length) {
                    break;
                }
                long l = 0;
                for (int k = 0; k < 8; k++) {
                    l = l << 8 | bytes[at + k] & 0xFF;
                }
                len = Math.toIntExact(l);
                at += 8;
            }
            if (at + len > bytes.length) {
                break;
            }
            byte[] payload = new byte[len];
            System.arraycopy(bytes, at, payload, 0, len);
            frames.add(new ServerFrame((b0 & 0x80) != 0, b0 & 0x0F, payload));
            i = at + len;
        }
        return frames;
    }
}
