package io.herald.lane;

import java.util.Set;

/**
 * An envelope this node sent to some of a lane's sockets: the sockets that still owe an ack, and the
 * node that published it, where their acks go. Guarded by its lane.
 */
record Owed(String envelopeId, String origin, Set<LaneSocket> waiting) {
}
