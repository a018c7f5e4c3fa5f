package io.herald.redis;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The payload of one batch of node-to-node messages on a node channel: for each message, the channel
 * name's length (2 bytes) and UTF-8 bytes, then the body's length (4 bytes) and bytes, big-endian.
 * Binary rather than text because the bodies are binary and a batch is read once per message. Stateless.
 */
final class DirectBatch {

    private DirectBatch() {
    }

    static byte[] write(List<byte[]> channels, List<byte[]> bodies) {
        int size = 0;
        for (int i = 0; i < channels.size(); i++) {
            size += 6 + channels.get(i).length + bodies.get(i).length;
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        for (int i = 0; i < channels.size(); i++) {
            byte[] channel = channels.get(i);
            if (channel.length > 0xFFFF) {
                throw new IllegalArgumentException("channel name too long");
            }
            out.putShort((short) channel.length).put(channel);
            out.putInt(bodies.get(i).length).put(bodies.get(i));
        }
        return out.array();
    }

    /** Calls {@code each} with every message in order; throws {@link IllegalArgumentException} on a malformed batch. */
    static void read(byte[] batch, BiConsumer<String, byte[]> each) {
        ByteBuffer in = ByteBuffer.wrap(batch);
        while (in.hasRemaining()) {
            if (in.remaining() < 2) {
                throw new IllegalArgumentException("truncated channel length");
            }
            int channelLength = in.getShort() & 0xFFFF;
            if (in.remaining() < channelLength + 4) {
                throw new IllegalArgumentException("truncated channel");
            }
            byte[] channel = new byte[channelLength];
            in.get(channel);
            int bodyLength = in.getInt();
            if (bodyLength < 0 || in.remaining() < bodyLength) {
                throw new IllegalArgumentException("truncated body");
            }
            byte[] body = new byte[bodyLength];
            in.get(body);
            each.accept(new String(channel, StandardCharsets.UTF_8), body);
        }
    }
}
