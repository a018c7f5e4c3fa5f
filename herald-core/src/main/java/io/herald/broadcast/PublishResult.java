package io.herald.broadcast;

import io.herald.cluster.Broker;
import java.util.Optional;

/**
 * The outcome of a publish: how many sockets were written, summed over the nodes that reported, or
 * why it was skipped.
 *
 * @param delivered sockets written on every node that reported; a lower bound when {@code partial}
 * @param nodes     the nodes that reported their deliveries (1 on a single node; 0 when skipped)
 * @param partial   whether some node expected to report did not do so in time
 * @param skipped   null when the event was fanned out, else the reason (e.g. {@code onDelete disabled})
 */
public record PublishResult(int delivered, int nodes, boolean partial, String skipped) {

    /** A result without node counts: skipped, or written on this node only. */
    public PublishResult(int delivered, String skipped) {
        this(delivered, 0, false, skipped);
    }

    public static PublishResult delivered(int n) {
        return new PublishResult(n, null);
    }

    /** What the broker reported for a fanned-out event. */
    public static PublishResult of(Broker.Delivered d) {
        return new PublishResult(d.count(), d.nodes(), d.partial(), null);
    }

    public Optional<String> skipReason() {
        return Optional.ofNullable(skipped);
    }
}
