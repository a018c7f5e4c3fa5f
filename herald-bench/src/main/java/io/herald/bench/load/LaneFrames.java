package io.herald.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * The lane frames a benchmark socket sends: one subscribe to the benchmark's envelope type, and an
 * ack with a small result for each envelope, built from the captured {@code envelopeId} bytes in a
 * reused array (one per socket), so an ack costs its frame buffer and nothing else.
 * Confined to its connection's event loop.
 */
final class LaneFrames {
    /** The envelope type the publisher sends and every socket's one filter asks for. */
    static final String TYPE = "bench";
    static final String SUBSCRIBE = "{\"type\":\"subscribe\",\"filters\":[{\"type\":\"" + TYPE + "\"}]}";
    static final String ENVELOPE_ID = "envelopeId";
    private static final byte[] ACK_HEAD = "{\"type\":\"ack\",\"envelopeId\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ACK_TAIL = "\",\"result\":{\"ok\":true}}".getBytes(StandardCharsets.US_ASCII);
    private final byte[] scratch = new byte[ACK_HEAD.length + 64 + ACK_TAIL.length];

    LaneFrames() {
        System.arraycopy(ACK_HEAD, 0, scratch, 0, ACK_HEAD.length);
    }

    /** A masked text frame acking the envelope whose id {@code id} captured. */
    ByteBuf ack(ByteBufAllocator alloc, ValueCapture id) {
        int n = ACK_HEAD.length;
        System.arraycopy(id.value(), 0, scratch, n, id.length());
        n += id.length();
        System.arraycopy(ACK_TAIL, 0, scratch, n, ACK_TAIL.length);
        n += ACK_TAIL.length;
        return ClientFrames.frame(alloc, ClientFrames.TEXT, scratch, 0, n);
    }
}
