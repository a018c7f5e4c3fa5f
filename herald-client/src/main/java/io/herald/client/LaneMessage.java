package io.herald.client;

import java.time.Duration;
import java.util.Objects;

/**
 * An envelope for one user's lane, {@code POST <lanes base>/publish}: every socket of {@code userId}
 * with a matching filter receives it, and the publish answers once each of them acked or the timeout
 * passed. The server tells an absent {@code payload} (the envelope has no {@code payload} key) from a
 * {@code null} one, and so does this record: see {@link #hasPayload()}.
 *
 * @param userId     the user whose sockets receive the envelope
 * @param type       the envelope's type; null or blank means the server's {@code "message"}
 * @param hasPayload whether the body carries a {@code payload} key (with {@code payload}, which may be null)
 * @param payload    any value the client's {@code ObjectMapper} writes; ignored unless {@code hasPayload}
 * @param timeout    how long to wait for acks; null means the server's {@code lanes.ackTimeoutMs}
 *                   (the server lowers anything above 30 s to 30 s)
 */
public record LaneMessage(String userId, String type, boolean hasPayload, Object payload, Duration timeout) {

    public LaneMessage {
        Objects.requireNonNull(userId, "userId");
        if (!hasPayload) {
            payload = null;
        }
        if (timeout != null && timeout.toMillis() <= 0) {
            throw new IllegalArgumentException("the ack timeout must be at least 1 ms");
        }
    }

    /** {@code payload} (null is sent as JSON {@code null}) of {@code type} for {@code userId}. */
    public static LaneMessage of(String userId, String type, Object payload) {
        return new LaneMessage(userId, type, true, payload, null);
    }

    /** An envelope of {@code type} for {@code userId} with no {@code payload} key. */
    public static LaneMessage withoutPayload(String userId, String type) {
        return new LaneMessage(userId, type, false, null, null);
    }

    /** The same envelope, waiting at most {@code timeout} for acks. */
    public LaneMessage withTimeout(Duration timeout) {
        return new LaneMessage(userId, type, hasPayload, payload, Objects.requireNonNull(timeout, "timeout"));
    }
}
