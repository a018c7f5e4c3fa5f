package io.herald.client;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * The server's answer to a broadcast publish ({@code postgres_changes} or custom):
 * {@code {"delivered":N}} on one node, {@code {"delivered":N,"nodes":M[,"partial":true]}} in a
 * cluster, {@code {"delivered":0,"skipped":"onDelete disabled"}} for a change the table switches off.
 *
 * @param delivered sockets written (summed over the nodes that reported; a lower bound when {@code partial})
 * @param nodes     in a cluster, the nodes that reported; empty on a single node and for a skipped event
 * @param partial   in a cluster, whether a node with sockets in the scope did not report in time
 * @param skipped   why the server skipped the event (e.g. {@code onDelete disabled}); empty when it was fanned out
 */
public record BroadcastResult(int delivered, OptionalInt nodes, boolean partial, Optional<String> skipped) {

    public BroadcastResult {
        nodes = nodes == null ? OptionalInt.empty() : nodes;
        skipped = skipped == null ? Optional.empty() : skipped;
    }

    /** Whether the server skipped the event (see {@link #skipped()}). */
    public boolean isSkipped() {
        return skipped.isPresent();
    }
}
