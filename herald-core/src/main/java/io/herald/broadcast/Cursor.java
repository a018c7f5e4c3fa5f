package io.herald.broadcast;

import io.herald.cluster.Broker;
import java.util.ArrayDeque;

/**
 * A resumable socket's place in its scope's stream: the epoch and last offset it was told of, and the
 * live events held back while its history is read. Touched only on the socket's event loop, so the
 * replay and the live events it races with are ordered there without locks.
 */
final class Cursor {
    /** Live events held during one recovery, beyond which the recovery is simply run again from history. */
    static final int MAX_HELD = 10_000;

    String epoch = "";
    long last;
    /** Set at subscribe and while a history read is out: live events are held, not sent. */
    boolean recovering = true;
    /** A gap (or too many held events) happened during the recovery: recover again when it ends. */
    boolean again;
    final ArrayDeque<Held> held = new ArrayDeque<>();

    /** A live event held during a recovery. */
    record Held(Envelope envelope, Broker.Position position) {
    }

    void hold(Envelope e, Broker.Position p) {
        if (held.size() < MAX_HELD) {
            held.addLast(new Held(e, p));
        } else {
            again = true;
        }
    }
}
