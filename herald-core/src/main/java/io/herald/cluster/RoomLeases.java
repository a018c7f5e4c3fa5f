package io.herald.cluster;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Which node hosts each room: the port through which a node takes, finds and gives up the lease that
 * makes it a room's one owner. A room is run only by the node holding its lease, so two nodes never
 * run the same room's actor (the Durable Object promise); the other nodes forward to the owner.
 *
 * <p>Every new owner of a room gets a larger fencing {@link Lease#token() token} than every owner
 * before it. Leases expire unless renewed, so a node that stalls or is cut off loses its rooms, and
 * while it has not noticed, the token lets storage refuse its writes: a stale owner can never
 * overwrite a successor's state.
 *
 * <p>Implementations are thread-safe and never block; futures complete on an implementation's
 * thread, so callbacks must not block either. A lease store that cannot be reached fails the future
 * with {@code HeraldException(BROKER_UNAVAILABLE)}; a node that cannot reach it must then neither
 * host nor forward the room, as it cannot know who owns it.
 */
public interface RoomLeases {

    /**
     * Takes the lease of {@code party}/{@code room} for this node when no node holds it: completes
     * with {@link Acquired} and a new, larger token, or with {@link HeldBy} naming the holder (this
     * node too, when it holds the lease already: the caller keeps the {@link Lease} it got then, and
     * a restarted node waits for its former self's lease to expire, since it lost that room's state).
     * An acquire whose answer was lost may still have taken the lease; it then expires unrenewed.
     */
    CompletableFuture<Acquisition> acquire(String party, String room);

    /** The node holding the lease of {@code party}/{@code room} and its token; empty when none does. */
    CompletableFuture<Optional<Owner>> owner(String party, String room);

    /** The id of this node, as {@link Owner#nodeId()} names it. */
    String nodeId();

    /** The outcome of {@link #acquire}: this node's new lease, or the current holder. */
    sealed interface Acquisition permits Acquired, HeldBy {
    }

    /** This node took the lease. */
    record Acquired(Lease lease) implements Acquisition {
        public Acquired {
            Objects.requireNonNull(lease, "lease");
        }
    }

    /** Another node (or this one, earlier) holds the lease: frames for the room go to {@code owner}. */
    record HeldBy(Owner owner) implements Acquisition {
        public HeldBy {
            Objects.requireNonNull(owner, "owner");
        }
    }

    /** The node holding a room's lease and the lease's fencing token. */
    record Owner(String nodeId, long token) {
        public Owner {
            Objects.requireNonNull(nodeId, "nodeId");
        }
    }
}
