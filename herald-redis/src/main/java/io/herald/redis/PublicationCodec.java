package io.herald.redis;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * The pub/sub frame of one publication: ASCII {@code h1:<offset>:<epoch>:} followed by the payload
 * bytes unchanged. {@code <offset>} is the decimal offset (no sign, no leading zeros), {@code <epoch>}
 * the epoch without ':'. The stream is not in the frame: the channel names it. The publish script
 * ({@code publish.lua}) builds the frame in Redis; this class reads it (and writes it for tests).
 * Stateless.
 */
public final class PublicationCodec {

    private static final byte[] MAGIC = "h1:".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_OFFSET_DIGITS = 18;

    private PublicationCodec() {
    }

    public static byte[] encode(long offset, String epoch, byte[] payload) {
        byte[] head = ("h1:" + offset + ":" + epoch + ":").getBytes(StandardCharsets.US_ASCII);
        byte[] frame = Arrays.copyOf(head, head.length + payload.length);
        System.arraycopy(payload, 0, frame, head.length, payload.length);
        return frame;
    }

    /** Reads a frame received on {@code stream}'s channel; empty when the bytes are not a valid frame. */
    public static Optional<Publication> decode(String stream, byte[] frame) {
        if (frame.length < MAGIC.length + 4 || !Arrays.equals(frame, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            return Optional.empty();
        }
        int i = MAGIC.length;
        long offset = 0;
        int digits = 0;
        for (; i < frame.length && frame[i] != ':'; i++, digits++) {
            int d = frame[i] - '0';
            if (d < 0 || d > 9 || digits == MAX_OFFSET_DIGITS) {
                return Optional.empty();
            }
            offset = offset * 10 + d;
        }
        if (digits == 0 || offset == 0 || i == frame.length) {
            return Optional.empty();
        }
        int epochStart = ++i;
        while (i < frame.length && frame[i] != ':') {
            i++;
        }
        if (i == frame.length) {
            return Optional.empty();
        }
        String epoch = new String(frame, epochStart, i - epochStart, StandardCharsets.US_ASCII);
        byte[] payload = Arrays.copyOfRange(frame, i + 1, frame.length);
        return Optional.of(new Publication(stream, offset, epoch, payload));
    }
}
