package io.herald.redis;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * The two payloads {@link RedisBroker} sends inside {@link PublicationCodec} frames. Stateless.
 *
 * <p><b>Message</b> (on a topic's channel, inside {@code h1:<offset>:<epoch>:}): ASCII
 * {@code <origin>:<request>:} then the codec's bytes unchanged; {@code <origin>} is the publishing
 * node's id (no ':'), {@code <request>} the decimal id, unique on that node, its delivery counts are
 * reported under; 0 when the publisher wants no counts (keyed publishes).
 *
 * <p><b>Reply</b> (on the origin's node channel, sent with a plain (S)PUBLISH): a publication frame
 * whose offset is the request id, whose epoch is the replying node's id and whose payload is the
 * decimal count of deliveries, {@code h1:<request>:<node>:<count>}; reusing the frame lets the node
 * channel ride on the same reconnecting pub/sub connections as the topics.
 */
final class BrokerFrames {

    private static final int MAX_DIGITS = 18;

    private BrokerFrames() {
    }

    /** A topic message as carried between nodes. */
    record Message(String origin, long request, byte[] body) {
    }

    /** One node's delivery count for one request of the origin. */
    record Reply(String node, long request, int count) {
    }

    static byte[] message(String origin, long request, byte[] body) {
        byte[] head = (origin + ":" + request + ":").getBytes(StandardCharsets.US_ASCII);
        byte[] frame = Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, frame, head.length, body.length);
        return frame;
    }

    static Optional<Message> message(byte[] payload) {
        int colon = indexOf(payload, 0);
        if (colon <= 0) {
            return Optional.empty();
        }
        long request = 0;
        int i = colon + 1;
        int digits = 0;
        for (; i < payload.length && payload[i] != ':'; i++, digits++) {
            int d = payload[i] - '0';
            if (d < 0 || d > 9 || digits == MAX_DIGITS) {
                return Optional.empty();
            }
            request = request * 10 + d;
        }
        if (digits == 0 || i == payload.length) {
            return Optional.empty();
        }
        String origin = new String(payload, 0, colon, StandardCharsets.US_ASCII);
        return Optional.of(new Message(origin, request, Arrays.copyOfRange(payload, i + 1, payload.length)));
    }

    static byte[] reply(String node, long request, int count) {
        return PublicationCodec.encode(request, node, Integer.toString(count).getBytes(StandardCharsets.US_ASCII));
    }

    static Optional<Reply> reply(Publication frame) {
        try {
            int count = Integer.parseInt(new String(frame.payload(), StandardCharsets.US_ASCII));
            return count < 0 || frame.epoch().isEmpty() ? Optional.empty() : Optional.of(new Reply(frame.epoch(), frame.offset(), count));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static int indexOf(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == ':') {
                return i;
            }
        }
        return -1;
    }
}
