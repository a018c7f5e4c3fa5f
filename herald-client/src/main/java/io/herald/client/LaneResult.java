package io.herald.client;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The server's answer to a lane publish, {@code {"clientCount":N,"results":[...]}}.
 *
 * @param clientCount the user's sockets whose filters matched at publish time
 * @param results     the acks' {@code result} values in the order the acks arrived, read as {@code T}; an ack
 *                    without a result is {@code null} (a {@code NullNode} when {@code T} is {@code JsonNode}).
 *                    A socket that did not ack in time leaves no entry, so this may be shorter than
 *                    {@code clientCount}. Unmodifiable.
 */
public record LaneResult<T>(int clientCount, List<T> results) {

    public LaneResult {
        // List.copyOf refuses nulls, and a null is how an ack without a result reads as most types
        results = Collections.unmodifiableList(new ArrayList<>(results));
    }

    /** The matched sockets that did not ack before the answer: closed, or too slow for the timeout. */
    public int unacknowledged() {
        return Math.max(0, clientCount - results.size());
    }
}
