package io.herald.broadcast;

import java.util.Optional;

/**
 * The outcome of a publish: how many sockets were written on this node, or why it was skipped.
 *
 * @param skipped null when the event was fanned out, else the reason (e.g. {@code onDelete disabled})
 */
public record PublishResult(int delivered, String skipped) {
    public static PublishResult delivered(int n) {
        return new PublishResult(n, null);
    }

    public Optional<String> skipReason() {
        return Optional.ofNullable(skipped);
    }
}
