package io.herald.lane;

import java.util.Set;
import java.util.concurrent.ScheduledFuture;

/**
 * An envelope this node sent to some of a lane's sockets: the sockets that still owe an ack, the node
 * that published it (where their acks go), and the timer that forgets it at the publisher's timeout,
 * cancelled once nothing is owed so a busy lane does not keep a timer per publish. Guarded by its lane.
 */
final class Owed {
    private final String envelopeId;
    private final String origin;
    private final Set<LaneSocket> waiting;
    private ScheduledFuture<?> expiry;

    Owed(String envelopeId, String origin, Set<LaneSocket> waiting) {
        this.envelopeId = envelopeId;
        this.origin = origin;
        this.waiting = waiting;
    }

    String envelopeId() {
        return envelopeId;
    }

    String origin() {
        return origin;
    }

    Set<LaneSocket> waiting() {
        return waiting;
    }

    void expiry(ScheduledFuture<?> timer) {
        this.expiry = timer;
    }

    /** Nothing more is owed: the timer that would forget it is not needed. */
    void settled() {
        if (expiry != null) {
            expiry.cancel(false);
        }
    }
}
