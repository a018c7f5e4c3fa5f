package io.herald.cluster;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * This node's hold on one room, from {@link RoomLeases#acquire}: what the node must renew while the
 * room is loaded or has sockets, check before acting as the room's owner, and release when it unloads.
 *
 * <p><b>Validity.</b> {@link #validUntilNanos()} is measured on this node's monotonic clock (the
 * {@link System#nanoTime()} scale), never on the wall clock, because a wall clock stepped back would
 * extend a lease that the store already let expire. It is conservative: the lease's {@link #term()}
 * counted from <em>before</em> the acquire or the last successful renew was sent (the store started
 * its expiry later than that), minus a safety margin for clock-rate differences between this node and
 * the store and for the moment between checking {@link #valid()} and acting on it. Once a renew
 * answered false or {@link #release()} was called the lease is invalid for good: its store value
 * held a token that no later owner reuses, so it can never come back.
 *
 * <p>Thread-safe; every method is asynchronous or answers at once. See {@link LeaseRenewer} for
 * renewing every held lease in time.
 */
public interface Lease {

    String party();

    String room();

    /**
     * The fencing token: larger for every new owner of this room; storage writes carry it. Tokens
     * order the owners of one room only; two rooms may get the same token.
     */
    long token();

    /** How long the store keeps the lease after an acquire or renew. */
    Duration term();

    /** Until when (on the {@link System#nanoTime()} scale) this node may act as the room's owner. */
    long validUntilNanos();

    /** Whether this node may still act as the room's owner now. */
    boolean valid();

    /**
     * Extends the lease by its {@link #term()} if the store still holds it for this node: compares the
     * stored owner and token first, so a lease that expired and was taken by another node is never
     * written over. Completes true when extended, false when the lease is gone (expired or taken:
     * unload the room, its state may be another node's now), and fails when the store cannot be reached.
     */
    CompletableFuture<Boolean> renew();

    /**
     * Gives the lease up at once so another node can take the room without waiting for the expiry;
     * call it after the room's state was saved. Deletes only if the store still holds this lease
     * (compare, then delete), so a stale owner never deletes its successor's lease. Completes true when
     * it deleted the lease, false when the lease was gone already. The lease is invalid from the call on.
     */
    CompletableFuture<Boolean> release();
}
