package io.herald.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/** Encodes client-to-server WebSocket frames, which RFC 6455 requires to be masked. Stateless. */
final class ClientFrames {
    static final int TEXT = 0x1;
    static final int CLOSE = 0x8;
    static final int PONG = 0xA;

    private ClientFrames() {
    }

    static ByteBuf text(ByteBufAllocator alloc, String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return frame(alloc, TEXT, b, 0, b.length);
    }

    /** A final frame of {@code opcode} with {@code payload[offset, offset+length)} masked with a random key. */
    static ByteBuf frame(ByteBufAllocator alloc, int opcode, byte[] payload, int offset, int length) {
        ByteBuf out = header(alloc, opcode, length);
        int key = ThreadLocalRandom.current().nextInt();
        out.writeInt(key);
        for (int i = 0; i < length; i++) {
            out.writeByte(payload[offset + i] ^ (key >>> (24 - 8 * (i & 3))));
        }
        return out;
    }

    /** A final frame of {@code opcode} whose payload is {@code payload}'s readable bytes; releases {@code payload}. */
    static ByteBuf frame(ByteBufAllocator alloc, int opcode, ByteBuf payload) {
        try {
            int length = payload.readableBytes();
            ByteBuf out = header(alloc, opcode, length);
            int key = ThreadLocalRandom.current().nextInt();
            out.writeInt(key);
            int from = payload.readerIndex();
            for (int i = 0; i < length; i++) {
                out.writeByte(payload.getByte(from + i) ^ (key >>> (24 - 8 * (i & 3))));
            }
            return out;
        } finally {
            payload.release();
        }
    }

    private static ByteBuf header(ByteBufAllocator alloc, int opcode, int length) {
        ByteBuf out = alloc.buffer(length + 14);
        out.writeByte(0x80 | opcode);
        if (length < 126) {
            out.writeByte(0x80 | length);
        } else if (length <= 0xffff) {
            out.writeByte(0x80 | 126);
            out.writeShort(length);
        } else {
            out.writeByte(0x80 | 127);
            out.writeLong(length);
        }
        return out;
    }
}
